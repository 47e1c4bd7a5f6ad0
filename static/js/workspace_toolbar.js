// The workspace's toolbar: label buttons, Mark done, Previous/Next (saving first), the layer
// picker, the guidelines and shortcuts dialogs; and the prompt before leaving with a draft.
import { api } from "./api.js";
import { clearError, fail, say } from "./workspace_status.js";

export function createToolbar(ws) {
  const { data, state, queue } = ws;
  const $ = (id) => document.getElementById(id);

  const labels = document.querySelector(".label-buttons");
  labels.addEventListener("mousedown", (event) => {
    // Keep the text selection: a mouse press on a button would otherwise not clear it, but be safe.
    if (event.target.closest("button")) event.preventDefault();
  });
  labels.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-label]");
    if (button) ws.actions.labelSelection(button.dataset.label);
  });

  function renderDone() {
    const button = $("done-button");
    button.setAttribute("aria-pressed", String(state.done));
    button.textContent = state.done ? "Done ✓ (reopen)" : "Mark done";
  }

  async function toggleDone() {
    try {
      const result = state.done ? await api.delete(data.urls.done) : await api.post(data.urls.done);
      state.done = result.status === "done";
    } catch (error) {
      return fail(`Not saved: ${error.message}`);
    }
    renderDone();
    say(state.done ? "Marked done." : "Reopened.");
  }
  $("done-button").addEventListener("click", toggleDone);

  // Leaving with a draft the server does not hold yet asks first; Next and Previous save first.
  window.addEventListener("beforeunload", (event) => {
    if (ws.drafts.dirty() || queue.pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  async function leaveTo(url) {
    say("Saving before leaving…");
    await ws.drafts.flushAll();
    await queue.idle();
    window.location.assign(url);
  }

  for (const [id, url] of [["prev-doc", data.urls.previous], ["next-doc", data.urls.next]]) {
    const link = $(id);
    if (url) link.href = url;
    else link.setAttribute("aria-disabled", "true");
    link.addEventListener("click", (event) => {
      if (!url || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      leaveTo(url);
    });
  }

  const layerSelect = $("layer-select");
  if (layerSelect) {
    const options = [["", "My spans"], ["all", "All layers"], ...data.layers.filter((u) => u !== data.me).map((u) => [u, u])];
    for (const [value, text] of options) layerSelect.append(new Option(text, value));
    layerSelect.addEventListener("change", async () => {
      const previous = state.layer;
      state.layer = layerSelect.value;
      ws.actions.stopLinking();
      try {
        await ws.loadSpans();
      } catch (error) {
        // Blind review, say: the server decides whose spans this reviewer may see yet.
        state.layer = previous;
        layerSelect.value = previous;
        return fail(`That layer cannot be shown: ${error.message}`);
      }
      clearError();
      say(`Showing ${layerSelect.selectedOptions[0].textContent}.`);
    });
  }
  function nextLayer() {
    if (!layerSelect) return;
    layerSelect.selectedIndex = (layerSelect.selectedIndex + 1) % layerSelect.options.length;
    layerSelect.dispatchEvent(new Event("change"));
  }

  const showGuidelines = () => $("guidelines-dialog").showModal();
  const showHelp = () => $("help-dialog").showModal();
  $("guidelines-button").addEventListener("click", showGuidelines);
  $("help-button").addEventListener("click", showHelp);

  renderDone();
  return { toggleDone, leaveTo, nextLayer, showGuidelines, showHelp };
}
