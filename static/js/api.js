// fetch() against the REST API with the session cookie and Django's CSRF header; errors become
// ApiError with a sentence a person can read.

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

// {"field": ["message"]} or {"detail": "..."} -> "field: message; ..."
function describe(status, body) {
  if (body && typeof body === "object") {
    const parts = [];
    for (const [field, value] of Object.entries(body)) {
      if (typeof value === "number") continue; // a reference for programs (existing_id), not a message
      const messages = Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))) : [String(value)];
      parts.push(field === "detail" || field === "non_field_errors" ? messages.join(" ") : `${field}: ${messages.join(" ")}`);
    }
    if (parts.length) return parts.join("; ");
  }
  return `The server answered ${status}.`;
}

export async function request(method, url, { body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRFToken"] = cookie("csrftoken");
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, { detail: "The server could not be reached; check your connection." });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 200) }; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  get: (url) => request("GET", url),
  post: (url, body) => request("POST", url, { body }),
  patch: (url, body, headers) => request("PATCH", url, { body, headers }),
  delete: (url, headers) => request("DELETE", url, { headers }),
};
