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
  const banner = $("error");
  if (banner.hidden && !banner.textContent) return; // nothing shown: a write would still restyle
  banner.hidden = true;
  banner.textContent = "";
}

export function short(text, n = 50) {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}
