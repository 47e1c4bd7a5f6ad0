// The workspace's status line (polite) and error banner (an alert), and a quote shortener.

const $ = (id) => document.getElementById(id);

export function say(message) {
  $("status").textContent = message;
}

export function fail(message) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = false;
}

export function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

export function short(text, n = 50) {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}
