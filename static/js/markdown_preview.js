// The guidelines editor's live preview on the project settings page. The server renders and
// sanitises (annotate.rendering: Markdown, then nh3), so the preview is exactly what members
// will see and nothing the browser builds from the typed text is trusted.
import { api } from "./api.js";

const source = document.querySelector("textarea[data-markdown-source]");
const target = document.getElementById("guidelines-preview");
const url = JSON.parse(document.getElementById("markdown-preview-url").textContent);
const DELAY_MS = 250;

let timer = null;
let latest = 0;

async function refresh() {
  const asked = ++latest;
  let html;
  try {
    ({ html } = await api.post(url, { text: source.value }));
  } catch (error) {
    if (asked === latest) target.textContent = `No preview: ${error.message}`;
    return;
  }
  if (asked !== latest) return; // a newer keystroke's preview is on its way
  target.innerHTML = html; // sanitised by the server's nh3 allow-list
  target.dataset.rendered = String(asked);
}

if (source && target) {
  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  });
}
