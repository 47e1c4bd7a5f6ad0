// The annotation workspace (templates/document_workspace.html): select text, press a label's
// key, and the span is saved through the API and drawn. This module only wires the page
// together and holds what the others share: selecting a span and loading a layer.
//   span_store.js   the spans in text order        page_spans.js   server writes kept in step
//   span_actions.js label, change, delete, link     undo_steps.js   undo/redo (history.js steps)
//   span_editor.js  the selected span's panel      drafts.js       what is typed, never lost
//   workspace_keys.js / keymap.js  the keyboard    workspace_toolbar.js  the toolbar
//   selection_commands.js / selection.js  words, clauses, edges
//   highlights.js, drawing.js  drawing             span_list.js    the list
//   suggestion_actions.js / suggestions.js         offsets.js      the only UTF-16 conversion
import { api } from "./api.js";
import { Chooser, Connectors, Overlay } from "./drawing.js";
import { Highlighter } from "./highlights.js";
import { OffsetIndex } from "./offsets.js";
import { PageSpans } from "./page_spans.js";
import { createSelectionCommands } from "./selection_commands.js";
import { caretUnit, selectUnits, unitAtPoint } from "./selection.js";
import { createSpanActions } from "./span_actions.js";
import { createSpanEditor } from "./span_editor.js";
import { SpanList } from "./span_list.js";
import { SpanStore } from "./span_store.js";
import { createSuggestionActions } from "./suggestion_actions.js";
import { SuggestionLayer } from "./suggestions.js";
import { TextView, measurable } from "./text_view.js";
import { createUndo } from "./undo_steps.js";
import { createKeys } from "./workspace_keys.js";
import { fail, say, short } from "./workspace_status.js";
import { createToolbar } from "./workspace_toolbar.js";
import { WriteQueue } from "./write_queue.js";

performance.mark("workspace-start");
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("workspace-data").textContent);
const textEl = $("doc-text");
const pane = textEl.parentElement;
const view = new TextView(textEl, data.text);
const index = new OffsetIndex(data.text);
const store = new SpanStore({ index, view });
const state = {
  selected: null, linking: false, candidate: null, layer: "", done: data.done, linkNext: null, editingSuggestion: false,
};
const highlighter = new Highlighter({ view, overlay: $("highlight-overlay"), pane, labels: data.labels });
const overlay = new Overlay({ pane });
const connectors = new Connectors({ pane, window: () => highlighter.window });
const list = new SpanList({
  list: $("span-list"),
  count: $("span-count"),
  showOwner: () => state.layer !== "" && state.layer !== data.me,
  onPick: (key) => {
    const span = store.spans.find((s) => s.key === key);
    if (!span) return;
    if (state.linking) ws.actions.linkTo(span);
    else select(span, { focusList: true });
  },
});
const chooser = new Chooser({
  element: $("overlap-chooser"),
  pane,
  onPick: (span) => (state.linking ? ws.actions.linkTo(span) : select(span, { caret: true })),
  onClose: () => textEl.focus({ preventScroll: true }),
});

/** May the reader add spans in the layer shown? (Only to their own, or with all layers.) */
const mayCreate = () => state.layer === "" || state.layer === "all" || state.layer === data.me;
const canEdit = (span) => span.annotator === data.me || data.sees_all_layers;
const drawLinks = () => connectors.set(spans.linkPairs(), state.selected);

const queue = new WriteQueue({ onIdle: drawLinks });
const spans = new PageSpans({
  store, highlighter, list, urls: data.urls, shows: (span) => state.layer === "all" || span.annotator === (state.layer || data.me),
  onRemoved: (span) => state.selected === span && select(null),
});
const suggestions = new SuggestionLayer({
  url: data.urls.suggestions, decideUrl: data.urls.suggestion, index, view,
  section: $("suggestions"), list: $("suggestion-list"), count: $("suggestions-count"), say,
  window: () => highlighter.window,
});

// ---- selecting a span --------------------------------------------------------------------
function markLinks() {
  const span = state.selected;
  const related = [];
  if (span && !span.pending) { // an unsaved span has no links yet
    for (const id of span.links || []) related.push(store.byId(id));
    related.push(...store.attributionsOf(span));
  }
  highlighter.mark("link-target", related.filter(Boolean).map((s) => s.range));
}

function scrollToRange(range) {
  const rect = measurable(range).getBoundingClientRect();
  if (rect.top < 60 || rect.bottom > window.innerHeight - 20) {
    window.scrollTo({ top: window.scrollY + rect.top - window.innerHeight / 3 });
  }
}

/** Put the keyboard caret at the span's start, so arrows and `]` go on from there. */
function caretTo(span) {
  if (span) selectUnits(view, span.u0);
}

/** `scrolled`: the caller has scrolled to the span already (layout read before its DOM writes). */
function select(span, { focusList = false, refill = true, caret = false, scrolled = false } = {}) {
  const previous = state.selected;
  if (previous && previous !== span && previous.id !== null) {
    ws.drafts.flush(previous.id); // what was typed for the last span is saved now, not lost
    ws.history.seal();
  }
  if (span && !scrolled) scrollToRange(span.range); // reads layout: before the writes below, not between them
  state.selected = span;
  highlighter.mark("selected", span ? [span.range] : []);
  overlay.ring(span, { handles: !!span && canEdit(span) && !span.pending });
  if (span !== previous) drawLinks();
  markLinks();
  list.select(span, span ? store.positionOf(span) : -1, { focus: focusList });
  if (span !== previous || refill) ws.editor.show(span);
  if (span && caret) caretTo(span);
  // A command never leaves the keyboard at the top of the page (a removed list item, a
  // disabled field): it goes back to the text, at the selected span.
  if (!document.activeElement || document.activeElement === document.body) {
    textEl.focus({ preventScroll: true });
    caretTo(span);
  }
  if (span) say(`Selected ${span.label}: “${short(span.quote)}”.`);
}

function stepSelection(direction) {
  const candidates = store.spans.filter((s) => s.id !== null && (!state.linking || s !== state.selected));
  if (!candidates.length) return say("No spans yet.");
  const current = state.linking ? state.candidate : state.selected;
  let at;
  if (current) {
    at = candidates.indexOf(current) + direction;
  } else {
    const caret = caretUnit(view);
    const point = caret === null ? 0 : index.fromUtf16(index.snapUtf16(caret, -1));
    at = direction > 0 ? candidates.findIndex((s) => s.start >= point) : candidates.findLastIndex((s) => s.start < point);
  }
  if (at < 0) at = direction > 0 ? 0 : candidates.length - 1;
  if (at >= candidates.length) at = 0;
  const span = candidates[at];
  if (state.linking) {
    state.candidate = span;
    highlighter.mark("link-candidate", [span.range]);
    scrollToRange(span.range);
    say(`Link to ${span.label}: “${short(span.quote)}”? Press Enter to link, Esc to cancel.`);
  } else {
    select(span, { caret: true });
  }
}

// ---- loading a layer ---------------------------------------------------------------------
async function loadSpans() {
  const url = state.layer ? `${data.urls.spans}?annotator=${encodeURIComponent(state.layer)}` : data.urls.spans;
  const rows = await api.get(url);
  store.reset(rows);
  state.selected = null;
  highlighter.setSpans(store.spans);
  highlighter.markOverlaps();
  list.setSpans(store.spans);
  select(null);
  drawLinks();
  document.body.dataset.layer = state.layer || "mine";
}

// ---- the parts the other modules share (each reads what it needs when it runs) ------------
const ws = {
  data, view, index, store, state, textEl, highlighter, overlay, list, queue, spans, suggestions,
  select, stepSelection, markLinks, scrollToRange, caretTo, loadSpans, mayCreate, canEdit,
};
ws.editor = createSpanEditor(ws);
ws.drafts = ws.editor.drafts;
ws.undo = createUndo(ws);
ws.history = ws.undo.history;
ws.actions = createSpanActions(ws);
ws.suggestionActions = createSuggestionActions(ws);
ws.selectionCommands = createSelectionCommands(ws);
ws.toolbar = createToolbar(ws);
createKeys(ws);

// ---- mouse on the text -------------------------------------------------------------------
textEl.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return; // the reader is selecting text
  const unit = unitAtPoint(view, event.clientX, event.clientY);
  if (unit === null) return;
  const point = index.fromUtf16(index.snapUtf16(unit, -1));
  let here = store.at(point);
  if (state.linking) here = here.filter((s) => s !== state.selected);
  if (!here.length) {
    if (state.linking) return say("No span there: click a highlighted span, or press Esc.");
    return select(null);
  }
  if (here.length === 1) return state.linking ? ws.actions.linkTo(here[0]) : select(here[0]);
  // Several spans overlap here: offer them all (innermost first), never pick one silently.
  chooser.show(here, { x: event.clientX, y: event.clientY, describe: (s) => `“${short(s.quote, 60)}”` });
  say(`${here.length} spans overlap here: pick one (arrows and Enter, or a click; Esc closes).`);
});

// ---- start -------------------------------------------------------------------------------
if (index.length !== data.document.length) {
  fail(`This page's copy of the text has ${index.length} characters, the server's ${data.document.length}: reload before annotating.`);
}
loadSpans()
  .then(() => {
    performance.mark("workspace-ready");
    document.body.dataset.ready = "true";
    // After the next frame the highlights are painted and a selection can start.
    requestAnimationFrame(() => setTimeout(() => performance.mark("workspace-interactive")));
    document.body.dataset.pending = String(queue.pending);
    ws.drafts.flushAll(); // drafts left by a reload or a closed tab reach the server now
    say(store.spans.length ? `${store.spans.length} spans loaded.` : "No spans yet: select text and press 1, 2 or 3.");
    // Suggestions come after: the workspace is usable without them, and a failure is only noted.
    suggestions.load().catch((error) => { $("suggestion-list").textContent = `Suggestions could not be loaded: ${error.message}`; });
  })
  .catch((error) => fail(`The spans could not be loaded: ${error.message}`));
