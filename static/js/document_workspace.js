// The annotation workspace (templates/document_workspace.html): select text, press a label's
// key, and the span is saved through the API and drawn. State lives here; offsets.js converts,
// selection.js reads the selection, highlights.js draws, span_list.js lists, api.js talks.
import { api } from "./api.js";
import { Highlighter } from "./highlights.js";
import { OffsetIndex } from "./offsets.js";
import { caretUnit, clearSelection, moveSelection, selectUnits, selectedUnits, trimUnits, unitAtPoint } from "./selection.js";
import { SpanList } from "./span_list.js";
import { TextView } from "./text_view.js";

performance.mark("workspace-start");
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("workspace-data").textContent);
const LABEL_KEYS = { 1: "assertion", 2: "attribution", 3: "disputed" };

const textEl = $("doc-text");
const view = new TextView(textEl, data.text);
const index = new OffsetIndex(data.text);

const state = { spans: [], selected: null, linking: false, candidate: null, layer: "", done: data.done, busy: 0 };
let nextKey = 1;

const highlighter = new Highlighter({ view, overlay: $("highlight-overlay"), pane: textEl.parentElement, labels: data.labels });
const list = new SpanList({
  list: $("span-list"),
  count: $("span-count"),
  showOwner: () => state.layer !== "" && state.layer !== data.me,
  onPick: (key) => {
    const span = state.spans.find((s) => s.key === key);
    if (!span) return;
    if (state.linking) linkTo(span);
    else select(span, { focusList: true });
  },
});

// ---- messages ----------------------------------------------------------------------------
function say(message) {
  $("status").textContent = message;
}
function fail(message) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = false;
}
function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}
function short(text, n = 50) {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

// ---- spans in memory ---------------------------------------------------------------------
function units(start, end) {
  return index.rangeToUtf16(start, end);
}

function prepare(span) {
  span.key = `s${nextKey++}`;
  const u = units(span.start, span.end);
  span.u0 = u.start;
  span.u1 = u.end;
  span.range = view.range(u.start, u.end);
  return span;
}

function compare(a, b) {
  return a.start - b.start || a.end - b.end || (a.id ?? Infinity) - (b.id ?? Infinity);
}

// Where the span goes in text order (binary search).
function insertionIndex(span) {
  let lo = 0, hi = state.spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(state.spans[mid], span) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Where the span is: the binary search lands on it or on an equal neighbour just before it.
function positionOf(span) {
  for (let i = insertionIndex(span); i < state.spans.length; i++) if (state.spans[i] === span) return i;
  return state.spans.indexOf(span);
}

function insertLocal(span) {
  const at = insertionIndex(span);
  state.spans.splice(at, 0, span);
  highlighter.add(span);
  highlighter.markOverlaps();
  list.inserted(span, at);
}

function removeLocal(span) {
  const at = state.spans.indexOf(span);
  if (at < 0) return;
  state.spans.splice(at, 1);
  highlighter.remove(span);
  highlighter.markOverlaps();
  list.removed(span, at);
  if (state.selected === span) select(null);
}

function byId(id) {
  return state.spans.find((span) => span.id === id);
}

function canEdit(span) {
  return span.annotator === data.me || data.sees_all_layers;
}

function spanUrl(span, suffix = "") {
  return data.urls.span.replace(/0\/$/, `${span.id}/${suffix}`);
}

// ---- loading -----------------------------------------------------------------------------
async function loadSpans() {
  const url = state.layer ? `${data.urls.spans}?annotator=${encodeURIComponent(state.layer)}` : data.urls.spans;
  const rows = await api.get(url);
  state.spans = rows.map(prepare); // the API lists them in text order
  state.selected = null;
  highlighter.setSpans(state.spans);
  highlighter.markOverlaps();
  list.setSpans(state.spans);
  select(null);
  document.body.dataset.layer = state.layer || "mine";
}

// ---- selecting a span --------------------------------------------------------------------
function markLinks() {
  const span = state.selected;
  const related = [];
  if (span && !span.pending) { // an unsaved span has no links yet
    for (const id of span.links || []) related.push(byId(id));
    for (const other of state.spans) if ((other.links || []).includes(span.id)) related.push(other);
  }
  highlighter.mark("link-target", related.filter(Boolean).map((s) => s.range));
}

function scrollToRange(range) {
  const rect = range.getBoundingClientRect();
  if (rect.top < 60 || rect.bottom > window.innerHeight - 20) {
    window.scrollTo({ top: window.scrollY + rect.top - window.innerHeight / 3 });
  }
}

function select(span, { focusList = false } = {}) {
  if (span) scrollToRange(span.range); // reads layout: before the writes below, not between them
  state.selected = span;
  highlighter.mark("selected", span ? [span.range] : []);
  markLinks();
  list.select(span, span ? positionOf(span) : -1, { focus: focusList });
  showEditor(span);
  if (span) {
    say(`Selected ${span.label}: “${short(span.quote)}”.`);
  }
}

function spansAt(point) {
  return state.spans.filter((span) => span.start <= point && point < span.end && span.id !== null);
}

function stepSelection(direction) {
  const candidates = state.spans.filter((s) => s.id !== null && (!state.linking || s !== state.selected));
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
    clearSelection();
    select(span);
  }
}

// ---- creating, changing, deleting --------------------------------------------------------
function mayCreate() {
  return state.layer === "" || state.layer === "all" || state.layer === data.me;
}

async function labelSelection(label) {
  const selected = selectedUnits(view);
  if (!selected) {
    if (state.selected) return changeSpan(state.selected, { label });
    return say("Select some text first, then press 1, 2 or 3.");
  }
  if (!mayCreate()) return fail("You are looking at another annotator's layer: switch to your own (or all layers) to add spans.");
  const trimmed = trimUnits(data.text, selected);
  if (!trimmed) return say("The selection holds only spaces.");
  const { start, end } = index.rangeFromUtf16(trimmed.start, trimmed.end);
  const quote = index.slice(start, end);
  performance.mark("span-add-start");
  const span = prepare({
    id: null, label, start, end, quote, note: "", source: "", dispute_basis: "", evidence_links: [],
    links: [], annotator: data.me, version: 0, pending: true,
  });
  insertLocal(span);
  selectUnits(view, index.toUtf16(end)); // the caret continues after the new span
  // Selected now, in the same frame as it is drawn: each highlight change repaints the text
  // near the viewport, so the answer from the server should not need another one.
  select(span);
  performance.measure("span-add-local", "span-add-start");
  try {
    const saved = await api.post(data.urls.spans, { start, end, label, quote });
    Object.assign(span, saved, { pending: false });
    list.refresh([span], { linksChanged: false });
    clearError();
    if (state.selected === span) showEditor(span);
    say(`Saved ${label}: “${short(quote)}”.`);
  } catch (error) {
    removeLocal(span);
    fail(`Not saved: ${error.message}`);
  }
  performance.mark("span-add-end");
}

async function changeSpan(span, fields) {
  if (span.pending) return say("Still saving this span: try again in a moment.");
  if (!canEdit(span)) return fail("You may not change this span.");
  const oldLabel = span.label;
  const oldLinks = span.links || [];
  try {
    const saved = await api.patch(spanUrl(span), { ...fields, version: span.version });
    Object.assign(span, saved);
  } catch (error) {
    return fail(`Not changed: ${error.message}`);
  }
  if (span.label !== oldLabel) highlighter.relabel(span, oldLabel);
  list.refresh([span, ...oldLinks.map(byId)]);
  clearError();
  if (state.selected === span) select(span);
  say(`Saved ${span.label}: “${short(span.quote)}”.`);
}

async function deleteSpan(span) {
  if (span.pending) return say("Still saving this span: try again in a moment.");
  if (!canEdit(span)) return fail("You may not delete this span.");
  try {
    await api.delete(spanUrl(span), { "If-Match": `"${span.version}"` });
  } catch (error) {
    return fail(`Not deleted: ${error.message}`);
  }
  const at = positionOf(span);
  removeLocal(span);
  const attributions = state.spans.filter((s) => (s.links || []).includes(span.id));
  for (const s of attributions) s.links = s.links.filter((id) => id !== span.id);
  list.refresh([...attributions, ...(span.links || []).map(byId)]);
  clearError();
  say(`Deleted ${span.label}: “${short(span.quote)}”.`);
  const next = state.spans[Math.min(at, state.spans.length - 1)];
  if (next) select(next);
  else textEl.focus();
}

// ---- attribution links -------------------------------------------------------------------
function startLinking() {
  const span = state.selected;
  if (!span || span.label !== "attribution") return say("Select an attribution span first, then press K.");
  state.linking = true;
  state.candidate = null;
  document.body.classList.add("is-linking");
  say("Linking: click the span this attribution attributes, or press ] / [ then Enter. Esc cancels.");
}

function stopLinking(message) {
  state.linking = false;
  state.candidate = null;
  document.body.classList.remove("is-linking");
  highlighter.mark("link-candidate", []);
  if (message) say(message);
}

async function linkTo(target) {
  const attribution = state.selected;
  stopLinking();
  if (!attribution || target === attribution) return;
  if (attribution.pending || target.pending) return say("Still saving: try again in a moment.");
  try {
    const saved = await api.post(spanUrl(attribution, "links/"), { target: target.id });
    Object.assign(attribution, saved);
  } catch (error) {
    return fail(`Not linked: ${error.message}`);
  }
  list.refresh([attribution, target]);
  clearError();
  select(attribution);
  say(`Linked to “${short(target.quote)}”.`);
}

async function unlink(attribution, targetId) {
  try {
    await api.delete(spanUrl(attribution, `links/${targetId}/`));
  } catch (error) {
    return fail(`Not unlinked: ${error.message}`);
  }
  attribution.links = attribution.links.filter((id) => id !== targetId);
  list.refresh([attribution, byId(targetId)]);
  select(attribution);
  say("Link removed.");
}

// ---- the editor of the selected span -----------------------------------------------------
const editor = $("span-editor");
const form = $("editor-form");

function showEditor(span) {
  editor.hidden = !span;
  if (!span) return;
  editor.dataset.label = span.label;
  $("editor-quote").textContent = span.quote;
  $("editor-owner").textContent = `${span.annotator === data.me ? "Yours" : `By ${span.annotator}`} · code points ${span.start}–${span.end}`;
  $("editor-label").value = span.label;
  $("editor-note").value = span.note || "";
  $("editor-source").value = span.source || "";
  $("editor-basis").value = span.dispute_basis || "";
  $("editor-evidence").value = (span.evidence_links || []).join("\n");
  for (const field of form.elements) field.disabled = !canEdit(span) || !!span.pending;
  const links = $("editor-links");
  links.replaceChildren();
  for (const id of span.links || []) {
    const target = byId(id);
    const li = document.createElement("li");
    const quote = document.createElement("span");
    quote.textContent = target ? `${target.label}: “${short(target.quote, 80)}”` : `span ${id} (not in this layer)`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-remove";
    remove.dataset.target = String(id);
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove link to ${target ? target.quote : id}`);
    li.append(quote, " ", remove);
    links.append(li);
  }
  if (!(span.links || []).length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "No linked span yet.";
    links.append(li);
  }
}

function editorFields() {
  const label = $("editor-label").value;
  const fields = { label, note: $("editor-note").value };
  if (label === "attribution") fields.source = $("editor-source").value;
  if (label === "disputed") {
    fields.dispute_basis = $("editor-basis").value;
    fields.evidence_links = $("editor-evidence").value.split(/\s+/).filter(Boolean);
  }
  return fields;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (state.selected) changeSpan(state.selected, editorFields());
});
$("editor-label").addEventListener("change", () => {
  editor.dataset.label = $("editor-label").value;
  if (state.selected) changeSpan(state.selected, { label: $("editor-label").value });
});
$("delete-button").addEventListener("click", () => state.selected && deleteSpan(state.selected));
$("link-button").addEventListener("click", startLinking);
$("editor-links").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-target]");
  if (button && state.selected) unlink(state.selected, Number(button.dataset.target));
});
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit();
  } else if (event.key === "Escape") {
    event.preventDefault();
    textEl.focus();
  }
});

// ---- toolbar -----------------------------------------------------------------------------
document.querySelector(".label-buttons").addEventListener("mousedown", (event) => {
  // Keep the text selection: a mouse press on a button would otherwise not clear it, but be safe.
  if (event.target.closest("button")) event.preventDefault();
});
document.querySelector(".label-buttons").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-label]");
  if (button) labelSelection(button.dataset.label);
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

for (const [id, url] of [["prev-doc", data.urls.previous], ["next-doc", data.urls.next]]) {
  const link = $(id);
  if (url) link.href = url;
  else link.setAttribute("aria-disabled", "true");
}

const layerSelect = $("layer-select");
if (layerSelect) {
  const options = [["", "My spans"], ["all", "All layers"], ...data.layers.filter((u) => u !== data.me).map((u) => [u, u])];
  for (const [value, text] of options) layerSelect.append(new Option(text, value));
  layerSelect.addEventListener("change", async () => {
    const previous = state.layer;
    state.layer = layerSelect.value;
    stopLinking();
    try {
      await loadSpans();
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

$("guidelines-button").addEventListener("click", () => $("guidelines-dialog").showModal());
$("help-button").addEventListener("click", () => $("help-dialog").showModal());

// ---- mouse on the text -------------------------------------------------------------------
textEl.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return; // the reader is selecting text
  const unit = unitAtPoint(view, event.clientX, event.clientY);
  if (unit === null) return;
  const point = index.fromUtf16(index.snapUtf16(unit, -1));
  let here = spansAt(point);
  if (state.linking) {
    here = here.filter((s) => s !== state.selected);
    if (here.length) linkTo(here.sort((a, b) => a.end - a.start - (b.end - b.start))[0]);
    else say("No span there: click a highlighted span, or press Esc.");
    return;
  }
  if (!here.length) return select(null);
  // Innermost first; clicking again on the same place steps to the next enclosing span.
  here.sort((a, b) => a.end - a.start - (b.end - b.start));
  const at = here.indexOf(state.selected);
  select(here[(at + 1) % here.length]);
});

// ---- keyboard ----------------------------------------------------------------------------
function updateCaret() {
  const selection = window.getSelection();
  if (document.activeElement !== textEl || !selection.isCollapsed || !view.contains(selection.focusNode)) {
    highlighter.mark("caret", []);
    return;
  }
  let unit = caretUnit(view);
  let end = index.snapUtf16(Math.min(unit + 1, view.length), 1);
  if (unit >= view.length) {
    end = unit;
    unit = index.snapUtf16(Math.max(unit - 1, 0), -1);
  }
  highlighter.mark("caret", end > unit ? [view.range(unit, end)] : []);
}
document.addEventListener("selectionchange", updateCaret);
textEl.addEventListener("blur", () => highlighter.mark("caret", []));
textEl.addEventListener("focus", () => {
  const selection = window.getSelection();
  if (textEl.matches(":focus-visible") && (selection.rangeCount === 0 || !textEl.contains(selection.focusNode))) {
    selectUnits(view, state.selected ? state.selected.u0 : 0);
  }
  updateCaret();
});

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys
  if (typing(event.target) || event.isComposing) return;
  const key = event.key;
  if (event.target === textEl && moveSelection(view, event)) {
    event.preventDefault();
    const selection = window.getSelection();
    const focus = document.createRange();
    focus.setStart(selection.focusNode, selection.focusOffset);
    scrollToRange(focus);
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const onButton = event.target.closest("button, a") !== null;
  let handled = true;
  if (LABEL_KEYS[key]) labelSelection(LABEL_KEYS[key]);
  else if (key === "]") stepSelection(1);
  else if (key === "[") stepSelection(-1);
  else if ((key === "Delete" || key === "Backspace") && state.selected) deleteSpan(state.selected);
  else if (key === "Enter" && state.linking && state.candidate) linkTo(state.candidate);
  else if (key === "Enter" && state.selected && !onButton) $("editor-note").focus();
  else if (key === "k" || key === "K") startLinking();
  else if (key === "Escape") {
    if (state.linking) stopLinking("Linking cancelled.");
    else {
      select(null);
      textEl.focus();
    }
  } else if (key === "L" && layerSelect) {
    layerSelect.selectedIndex = (layerSelect.selectedIndex + 1) % layerSelect.options.length;
    layerSelect.dispatchEvent(new Event("change"));
  } else if (key === "D") toggleDone();
  else if (key === "N" && data.urls.next) window.location.assign(data.urls.next);
  else if (key === "P" && data.urls.previous) window.location.assign(data.urls.previous);
  else if (key === "g" || key === "G") $("guidelines-dialog").showModal();
  else if (key === "t" || key === "T") textEl.focus({ focusVisible: true });
  else if (key === "?") $("help-dialog").showModal();
  else handled = false;
  if (handled) event.preventDefault();
});

// ---- start -------------------------------------------------------------------------------
renderDone();
if (index.length !== data.document.length) {
  fail(`This page's copy of the text has ${index.length} characters, the server's ${data.document.length}: reload before annotating.`);
}
loadSpans()
  .then(() => {
    performance.mark("workspace-ready");
    document.body.dataset.ready = "true";
    // After the next frame the highlights are painted and a selection can start.
    requestAnimationFrame(() => setTimeout(() => performance.mark("workspace-interactive")));
    say(state.spans.length ? `${state.spans.length} spans loaded.` : "No spans yet: select text and press 1, 2 or 3.");
  })
  .catch((error) => fail(`The spans could not be loaded: ${error.message}`));
