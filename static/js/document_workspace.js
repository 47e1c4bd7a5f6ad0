// The annotation workspace (templates/document_workspace.html): select text, press a label's
// key, and the span is saved through the API and drawn. This module wires the page together and
// holds the actions (create, change, delete, link, undo); span_store.js keeps the spans in text
// order, history.js the undo steps, drafts.js what is typed, offsets.js converts, selection.js
// reads the selection, highlights.js draws, span_list.js lists, api.js talks.
import { api } from "./api.js";
import { Chooser, Connectors, Overlay, followEdgeDrags } from "./drawing.js";
import { Drafts } from "./drafts.js";
import { Highlighter } from "./highlights.js";
import { UndoHistory, describeStep } from "./history.js";
import { Keymap } from "./keymap.js";
import { OffsetIndex } from "./offsets.js";
import {
  caretUnit, moveEdgeByWord, moveSelection, selectUnits, selectedUnits, toClause, toSentence, trimUnits, unitAtPoint, wordSnapping,
} from "./selection.js";
import { SpanList } from "./span_list.js";
import { SpanStore } from "./span_store.js";
import { SuggestionLayer } from "./suggestions.js";
import { TextView } from "./text_view.js";

performance.mark("workspace-start");
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("workspace-data").textContent);
const SPAN_FIELDS = ["label", "start", "end", "quote", "note", "source", "dispute_basis", "evidence_links"];

const textEl = $("doc-text");
const view = new TextView(textEl, data.text);
const index = new OffsetIndex(data.text);
const store = new SpanStore({ index, view });

const state = {
  selected: null, linking: false, candidate: null, layer: "", done: data.done, linkNext: null, editingSuggestion: false,
};

const highlighter = new Highlighter({ view, overlay: $("highlight-overlay"), pane: textEl.parentElement, labels: data.labels });
const overlay = new Overlay({ pane: textEl.parentElement });
const connectors = new Connectors({ pane: textEl.parentElement, window: () => highlighter.window });

/** Every link between spans on the page, as [attribution, target] pairs for the connectors. */
function drawLinks() {
  const pairs = [];
  for (const span of store.spans) {
    for (const id of span.links || []) {
      const target = store.byId(id);
      if (target) pairs.push([span, target]);
    }
  }
  connectors.set(pairs, state.selected);
}
const chooser = new Chooser({
  element: $("overlap-chooser"),
  pane: textEl.parentElement,
  onPick: (span) => (state.linking ? linkTo(span) : select(span, { caret: true })),
  onClose: () => textEl.focus({ preventScroll: true }),
});
const list = new SpanList({
  list: $("span-list"),
  count: $("span-count"),
  showOwner: () => state.layer !== "" && state.layer !== data.me,
  onPick: (key) => {
    const span = store.spans.find((s) => s.key === key);
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

// ---- writes, one at a time ---------------------------------------------------------------
// Every write waits for the one before it, so a key pressed twice quickly (relabel, then undo)
// always sends the version the previous answer gave. body[data-pending] counts what is queued.
let chain = Promise.resolve();
let pending = 0;
document.body.dataset.pending = "0";
function countPending(delta) {
  pending += delta;
  document.body.dataset.pending = String(pending);
  if (pending === 0 && delta < 0) drawLinks(); // links and extents may have changed
}
function serial(task) {
  countPending(1);
  const run = chain.then(task);
  chain = run.catch(() => {}).then(() => countPending(-1));
  return run;
}

function pick(span, fields) {
  const out = {};
  for (const field of fields) out[field] = Array.isArray(span[field]) ? [...span[field]] : span[field];
  return out;
}

function spanUrl(id, suffix = "") {
  return data.urls.span.replace(/0\/$/, `${id}/${suffix}`);
}

function canEdit(span) {
  return span.annotator === data.me || data.sees_all_layers;
}

// ---- spans in the page -------------------------------------------------------------------
function insertLocal(span) {
  const at = store.insert(span);
  highlighter.add(span);
  highlighter.markOverlaps();
  list.inserted(span, at);
}

function removeLocal(span) {
  const at = store.remove(span);
  if (at < 0) return;
  highlighter.remove(span);
  highlighter.markOverlaps();
  list.removed(span, at);
  if (state.selected === span) select(null);
}

/** Take the server's answer for a span, redrawing what changed (label, offsets, links). */
function applySaved(span, saved) {
  const local = store.byId(span.id) === span;
  const oldLabel = span.label;
  const oldLinks = span.links || [];
  const moved = saved.start !== span.start || saved.end !== span.end;
  if (!local) return Object.assign(span, saved);
  if (moved) {
    const wasSelected = state.selected === span;
    const at = store.remove(span);
    highlighter.remove(span, oldLabel);
    list.removed(span, at);
    Object.assign(span, saved);
    store.place(span);
    insertLocal(span);
    if (wasSelected) state.selected = span;
  } else {
    Object.assign(span, saved);
    if (span.label !== oldLabel) highlighter.relabel(span, oldLabel);
  }
  list.refresh([span, ...oldLinks.map((id) => store.byId(id)), ...(span.links || []).map((id) => store.byId(id))]);
  return span;
}

/** The span with this id: the one on the page, or (another layer's) read from the server. */
async function spanFor(id) {
  return store.byId(id) || (await api.get(spanUrl(id)));
}

// Plain server writes that keep the page in step; the recorded actions below build on them.
async function serverCreate(fields) {
  const saved = await api.post(data.urls.spans, fields);
  const span = store.prepare({ ...saved, pending: false });
  if (mayCreate()) insertLocal(span);
  return span;
}

async function serverUpdate(span, fields) {
  const saved = await api.patch(spanUrl(span.id), { ...fields, version: span.version });
  return applySaved(span, saved);
}

async function serverDelete(span) {
  await api.delete(spanUrl(span.id), { "If-Match": `"${span.version}"` });
  removeLocal(span);
  const attributions = store.attributionsOf(span);
  for (const s of attributions) s.links = s.links.filter((id) => id !== span.id);
  list.refresh([...attributions, ...(span.links || []).map((id) => store.byId(id))]);
}

async function serverLink(attribution, targetId) {
  const saved = await api.post(spanUrl(attribution.id, "links/"), { target: targetId });
  return applySaved(attribution, saved);
}

async function serverUnlink(attribution, targetId) {
  await api.delete(spanUrl(attribution.id, `links/${targetId}/`));
  attribution.links = (attribution.links || []).filter((id) => id !== targetId);
  list.refresh([attribution, store.byId(targetId)]);
}

// ---- undo and redo -----------------------------------------------------------------------
const history = new UndoHistory(`annotate:history:${data.document.id}:${data.me}`, renderHistory);
const suggestions = new SuggestionLayer({
  url: data.urls.suggestions, decideUrl: data.urls.suggestion, index, view,
  section: $("suggestions"), list: $("suggestion-list"), count: $("suggestions-count"), say,
  window: () => highlighter.window,
});
suggestions.onAction = (action) => (action === "accept" ? acceptSuggestion() : rejectSuggestion());

function renderHistory() {
  for (const [id, which, verb] of [["undo-button", "undo", "Undo"], ["redo-button", "redo", "Redo"]]) {
    const button = $(id);
    const step = history.peek(which);
    button.disabled = !step;
    button.title = step ? `${verb} ${describeStep(step)}` : `Nothing to ${verb.toLowerCase()}`;
  }
}

function rename(oldId, newId) {
  history.rename(oldId, newId);
  drafts.rename(oldId, newId);
}

/** Carry out a step backwards (undo) or forwards (redo); returns the span to select. */
async function applyStep(step, direction) {
  const back = direction === "undo";
  const { type } = step;
  if ((type === "create" && back) || (type === "delete" && !back)) {
    await serverDelete(await spanFor(step.id));
    return null;
  }
  if (type === "create" || type === "delete") {
    const span = await serverCreate(step.fields);
    rename(step.id, span.id);
    if (type === "delete") {
      for (const target of step.linksOut || []) await serverLink(span, target);
      for (const from of step.linksIn || []) await serverLink(await spanFor(from), span.id);
    }
    return span;
  }
  if (type === "update") {
    const span = await spanFor(step.id);
    await serverUpdate(span, back ? step.before : step.after);
    if (back) for (const target of step.lostLinks || []) await serverLink(span, target);
    drafts.drop(span.id);
    return span;
  }
  if (type === "accept" || type === "reject") return applySuggestionStep(step, back);
  const attribution = await spanFor(step.from);
  if ((type === "link") === back) await serverUnlink(attribution, step.to);
  else await serverLink(attribution, step.to);
  return attribution;
}

function undoOrRedo(direction) {
  return serial(async () => {
    const step = history.peek(direction);
    if (!step) return say(direction === "undo" ? "Nothing to undo." : "Nothing to redo.");
    let span;
    try {
      span = await applyStep(step, direction);
    } catch (error) {
      return fail(`Could not ${direction} ${describeStep(step)}: ${error.message}`);
    }
    history.moved(direction);
    clearError();
    if (span && store.byId(span.id) === span) select(span, { keepFocus: true, refill: true });
    else if (!span) select(null, { keepFocus: true });
    say(`${direction === "undo" ? "Undone" : "Redone"}: ${describeStep(step)}.`);
  });
}

// ---- suggestions (static/js/suggestions.js draws and lists them) --------------------------
/** Put the spans an acceptance wrote on the page (or refresh the ones already there). */
function showAccepted(result) {
  const spans = [];
  for (const saved of result.spans) {
    const local = store.byId(saved.id);
    if (local) {
      spans.push(applySaved(local, saved));
      continue;
    }
    const span = store.prepare({ ...saved, pending: false });
    insertLocal(span);
    spans.push(span);
  }
  list.refresh(spans);
  return spans;
}

function acceptSuggestion({ edited = false } = {}) {
  const unit = suggestions.current;
  if (!unit) return say("No suggestion is chosen: press n for the next one.");
  if (!mayCreate()) return fail("You are looking at another annotator's layer: switch to your own to accept suggestions.");
  let changes = {};
  const selected = edited ? selectedUnits(view) : null;
  const trimmed = selected ? trimUnits(data.text, selected) : null;
  if (trimmed) changes = index.rangeFromUtf16(trimmed.start, trimmed.end);
  state.editingSuggestion = false;
  return serial(async () => {
    let result;
    try {
      result = await suggestions.accept(unit.head.id, changes);
    } catch (error) {
      return fail(`Not accepted: ${error.message}`);
    }
    const spans = showAccepted(result);
    history.record({ type: "accept", suggestion: unit.head.id, changes, spans: spans.map((span) => span.id) });
    suggestions.drop(unit);
    clearError();
    const linked = result.links.length ? `, ${result.links.length} link${result.links.length > 1 ? "s" : ""}` : "";
    say(`Accepted: ${spans.length} span${spans.length > 1 ? "s" : ""}${linked}. Ctrl+Z undoes it; n: the next suggestion.`);
  });
}

function rejectSuggestion() {
  const unit = suggestions.current;
  if (!unit) return say("No suggestion is chosen: press n for the next one.");
  state.editingSuggestion = false;
  return serial(async () => {
    try {
      await suggestions.reject(unit.head.id);
    } catch (error) {
      return fail(`Not rejected: ${error.message}`);
    }
    history.record({ type: "reject", suggestion: unit.head.id });
    suggestions.drop(unit);
    clearError();
    say("Rejected: it is not proposed to you again. Ctrl+Z undoes it; n: the next suggestion.");
  });
}

function stepSuggestion(direction) {
  state.editingSuggestion = false;
  if (state.selected) select(null, { keepFocus: true });
  const range = suggestions.step(direction);
  if (range) scrollToRange(range);
}

/** Edit, then accept: the suggestion's text becomes the selection, to be moved with e/b/c/s. */
function editSuggestion() {
  const offsets = suggestions.headOffsets();
  if (!offsets) return say("No suggestion is chosen: press n for the next one.");
  setTextSelection(index.rangeToUtf16(offsets.start, offsets.end));
  state.editingSuggestion = true;
  textEl.focus({ preventScroll: true });
  say("Its text is selected: change the selection (e, b, c, s, Shift+arrows), then Enter accepts what you selected.");
}

/** Undo or redo of an acceptance (its spans go, the decision is taken back) or a rejection. */
async function applySuggestionStep(step, back) {
  if (step.type === "reject") {
    if (back) await suggestions.reopen(step.suggestion);
    else await suggestions.reject(step.suggestion);
    await suggestions.load();
    return null;
  }
  if (back) {
    for (const id of [...step.spans].reverse()) {
      const span = store.byId(id);
      if (span) await serverDelete(span);
    }
    await suggestions.reopen(step.suggestion);
    await suggestions.load();
    return null;
  }
  const spans = showAccepted(await suggestions.accept(step.suggestion, step.changes || {}));
  spans.forEach((span, i) => step.spans[i] !== undefined && step.spans[i] !== span.id && rename(step.spans[i], span.id));
  await suggestions.load();
  return spans[0] || null;
}

// ---- loading -----------------------------------------------------------------------------
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
  const rect = range.getBoundingClientRect();
  if (rect.top < 60 || rect.bottom > window.innerHeight - 20) {
    window.scrollTo({ top: window.scrollY + rect.top - window.innerHeight / 3 });
  }
}

/** Put the keyboard caret at the span's start, so arrows and `]` go on from there. */
function caretTo(span) {
  if (span) selectUnits(view, span.u0);
}

function select(span, { focusList = false, refill = true, caret = false } = {}) {
  const previous = state.selected;
  if (previous && previous !== span && previous.id !== null) {
    drafts.flush(previous.id); // what was typed for the last span is saved now, not lost
    history.seal();
  }
  if (span) scrollToRange(span.range); // reads layout: before the writes below, not between them
  state.selected = span;
  highlighter.mark("selected", span ? [span.range] : []);
  overlay.ring(span, { handles: !!span && canEdit(span) && !span.pending });
  if (span !== previous) drawLinks();
  markLinks();
  list.select(span, span ? store.positionOf(span) : -1, { focus: focusList });
  if (span !== previous || refill) showEditor(span);
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

// ---- creating, changing, deleting (each recorded for undo) -------------------------------
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
  const span = store.prepare({
    id: null, label, start, end, quote, note: "", source: "", dispute_basis: "", evidence_links: [],
    links: [], annotator: data.me, version: 0, pending: true,
  });
  insertLocal(span);
  selectUnits(view, index.toUtf16(end)); // the caret continues after the new span
  // Selected now, in the same frame as it is drawn: each highlight change repaints the text
  // near the viewport, so the answer from the server should not need another one.
  select(span);
  performance.measure("span-add-local", "span-add-start");
  return serial(async () => {
    try {
      const saved = await api.post(data.urls.spans, { start, end, label, quote });
      Object.assign(span, saved, { pending: false });
      store.named(span);
    } catch (error) {
      removeLocal(span);
      return fail(`Not saved: ${error.message}`);
    }
    history.record({ type: "create", id: span.id, fields: pick(span, SPAN_FIELDS) });
    list.refresh([span], { linksChanged: false });
    clearError();
    // Attribution and content in one gesture: the span labelled right after an attribution is
    // what it attributes, and is linked to it at once (Esc in between says no).
    const attribution = state.linkNext;
    state.linkNext = label === "attribution" ? span : null;
    if (attribution && label !== "attribution" && store.byId(attribution.id) === attribution) {
      try {
        await serverLink(attribution, span.id);
        history.record({ type: "link", from: attribution.id, to: span.id });
        if (state.selected === span) showEditor(span);
        return say(`Saved ${label}: “${short(quote)}”, linked to the attribution “${short(attribution.quote, 30)}”.`);
      } catch (error) {
        return fail(`Saved, but not linked: ${error.message}`);
      }
    }
    if (state.selected === span) showEditor(span);
    say(label === "attribution"
      ? `Saved attribution: “${short(quote)}”. The next span you label is linked to it (Esc: don't).`
      : `Saved ${label}: “${short(quote)}”.`);
    performance.mark("span-add-end");
  });
}

/** Change fields of a span; `fold` makes a run of edits (typing) one undo step. */
function changeSpan(span, fields, { fold = null, quiet = false } = {}) {
  if (!canEdit(span)) return fail("You may not change this span.");
  return serial(async () => {
    if (span.id === null) return; // its creation was refused meanwhile
    const changed = Object.keys(fields).filter((f) => JSON.stringify(fields[f]) !== JSON.stringify(span[f]));
    if (!changed.length) return;
    const before = pick(span, changed);
    const lostLinks = fields.label && fields.label !== "attribution" && span.label === "attribution" ? [...(span.links || [])] : [];
    try {
      await serverUpdate(span, pick(fields, changed));
    } catch (error) {
      fail(`Not changed: ${error.message}`);
      throw error;
    }
    history.record({ type: "update", id: span.id, before, after: pick(span, changed), lostLinks }, { fold });
    clearError();
    if (state.selected === span) {
      if (changed.includes("start") || changed.includes("end")) {
        highlighter.mark("selected", [span.range]);
        overlay.ring(span, { handles: true });
        $("editor-quote").textContent = span.quote;
      }
      markLinks();
      showEditorMeta(span);
      if (changed.includes("label")) showEditor(span);
    }
    if (!quiet) say(`Saved ${span.label}: “${short(span.quote)}”.`);
  }).catch(() => {});
}

function deleteSpan(span) {
  if (!canEdit(span)) return fail("You may not delete this span.");
  return serial(async () => {
    if (span.id === null) return;
    const at = store.positionOf(span);
    const linksOut = [...(span.links || [])];
    const attributions = store.attributionsOf(span);
    const step = { type: "delete", id: span.id, fields: pick(span, SPAN_FIELDS), linksOut, linksIn: attributions.map((s) => s.id) };
    const others = [...linksOut.map((id) => store.byId(id)).filter(Boolean), ...attributions];
    try {
      await serverDelete(span);
    } catch (error) {
      return fail(`Not deleted: ${error.message}`);
    }
    drafts.drop(step.id);
    // Undo re-creates the span in the undoer's own layer, so only one's own spans come back.
    if (span.annotator === data.me) history.record(step);
    clearError();
    const nLinks = linksOut.length + attributions.length;
    const linkText = nLinks
      ? ` and ${nLinks} link${nLinks > 1 ? "s" : ""} (with ${others.map((s) => `${s.label} “${short(s.quote, 30)}”`).join(", ")})`
      : "";
    const undoText = span.annotator === data.me ? " Ctrl+Z brings it back." : "";
    const next = store.spans[Math.min(at, store.spans.length - 1)];
    if (next) select(next, { keepFocus: true });
    else textEl.focus({ preventScroll: true });
    say(`Deleted ${span.label} “${short(span.quote)}”${linkText}.${undoText}`);
  });
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

function linkTo(target) {
  const attribution = state.selected;
  stopLinking();
  if (!attribution || target === attribution) return;
  return serial(async () => {
    if (attribution.id === null || target.id === null) return;
    try {
      await serverLink(attribution, target.id);
    } catch (error) {
      return fail(`Not linked: ${error.message}`);
    }
    history.record({ type: "link", from: attribution.id, to: target.id });
    clearError();
    if (state.selected === attribution) select(attribution, { keepFocus: true });
    say(`Linked to “${short(target.quote)}”.`);
  });
}

function unlink(attribution, targetId) {
  return serial(async () => {
    try {
      await serverUnlink(attribution, targetId);
    } catch (error) {
      return fail(`Not unlinked: ${error.message}`);
    }
    history.record({ type: "unlink", from: attribution.id, to: targetId });
    if (state.selected === attribution) select(attribution, { keepFocus: true });
    say("Link removed.");
  });
}

// ---- the editor of the selected span -----------------------------------------------------
const editor = $("span-editor");
const form = $("editor-form");
const TYPED_FIELDS = ["note", "source", "dispute_basis", "evidence_links"];

const drafts = new Drafts({
  documentId: data.document.id,
  user: data.me,
  onState: (name, message) => {
    const element = $("save-state");
    element.dataset.state = name;
    element.textContent = message;
  },
  save: async (spanId, fields) => {
    let span;
    try {
      span = await serial(() => spanFor(spanId));
    } catch (error) {
      if (error.status === 404) return drafts.drop(spanId); // the span is gone: so is its draft
      throw error;
    }
    const wanted = Object.fromEntries(Object.entries(fields).filter(([f]) => TYPED_FIELDS.includes(f)));
    await serial(async () => {
      const changed = Object.keys(wanted).filter((f) => JSON.stringify(wanted[f]) !== JSON.stringify(span[f]));
      if (!changed.length) return;
      const before = pick(span, changed);
      await serverUpdate(span, pick(wanted, changed));
      history.record({ type: "update", id: span.id, before, after: pick(span, changed), lostLinks: [] }, { fold: `typed:${span.id}` });
      if (state.selected === span) showEditorMeta(span);
    });
  },
});

function showEditorMeta(span) {
  $("editor-owner").textContent = span.annotator === data.me ? "Yours" : `By ${span.annotator}`;
}

function showEditor(span) {
  editor.hidden = !span;
  if (!span) return;
  editor.dataset.label = span.label;
  $("editor-quote").textContent = span.quote;
  showEditorMeta(span);
  const values = { ...pick(span, TYPED_FIELDS), ...((span.id !== null && drafts.get(span.id)) || {}) };
  $("editor-label").value = span.label;
  $("editor-note").value = values.note || "";
  $("editor-source").value = values.source || "";
  $("editor-basis").value = values.dispute_basis || "";
  $("editor-evidence").value = (values.evidence_links || []).join("\n");
  const saveState = $("save-state");
  if (span.id !== null && drafts.get(span.id)) {
    saveState.dataset.state = "dirty";
    saveState.textContent = "Draft kept on this device, saving…";
    drafts.put(span.id, drafts.get(span.id));
  } else {
    saveState.dataset.state = "saved"; // nothing of this span waits to be saved
    saveState.textContent = "Saved (changes save as you type)";
  }
  for (const field of form.elements) field.disabled = !canEdit(span) || !!span.pending;
  const links = $("editor-links");
  links.replaceChildren();
  for (const id of span.links || []) {
    const target = store.byId(id);
    const li = document.createElement("li");
    const quote = document.createElement("span");
    quote.dir = "auto";
    quote.textContent = target ? `${target.label}: “${short(target.quote, 80)}”` : `span ${id} (not in this layer)`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-remove btn btn-quiet";
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
  const by = span.id === null ? [] : store.attributionsOf(span);
  $("editor-attributed-box").hidden = by.length === 0;
  $("editor-attributed").replaceChildren(...by.map((a) => {
    const li = document.createElement("li");
    li.dir = "auto";
    li.textContent = `${a.source ? `${a.source}: ` : ""}“${short(a.quote, 80)}”`;
    return li;
  }));
}

/** The typed fields as the editor holds them, for the span's current label. */
function typedFields() {
  const label = $("editor-label").value;
  const fields = { note: $("editor-note").value };
  if (label === "attribution") fields.source = $("editor-source").value;
  if (label === "disputed") {
    fields.dispute_basis = $("editor-basis").value;
    fields.evidence_links = $("editor-evidence").value.split(/\s+/).filter(Boolean);
  }
  return fields;
}

for (const event of ["input", "change"]) {
  form.addEventListener(event, (e) => {
    if (e.target.id === "editor-label") return;
    const span = state.selected;
    if (span && span.id !== null && canEdit(span)) drafts.put(span.id, typedFields());
  });
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (state.selected && state.selected.id !== null) drafts.flush(state.selected.id);
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
    textEl.focus({ preventScroll: true });
  }
});

// Leaving with a draft the server does not hold yet asks first; Next and Previous save first.
window.addEventListener("beforeunload", (event) => {
  if (drafts.dirty() || pending > 0) {
    event.preventDefault();
    event.returnValue = "";
  }
});
async function leaveTo(url) {
  say("Saving before leaving…");
  await drafts.flushAll();
  await chain;
  window.location.assign(url);
}
$("undo-button").addEventListener("click", () => undoOrRedo("undo"));
$("redo-button").addEventListener("click", () => undoOrRedo("redo"));
renderHistory();

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

// ---- word snapping and edges --------------------------------------------------------------
const snap = wordSnapping(view, data.text, $("snap-words"));
const setTextSelection = ({ start, end }) => selectUnits(view, start, end);

/** A span's new edges (UTF-16), saved as an edit; a run of edge moves undoes as one step. */
function resizeSpan(span, units) {
  const trimmed = trimUnits(data.text, units);
  if (!trimmed) return say("A span needs at least one character.");
  const { start, end } = index.rangeFromUtf16(trimmed.start, trimmed.end);
  if (start === span.start && end === span.end) return;
  changeSpan(span, { start, end, quote: index.slice(start, end) }, { fold: `edges:${span.id}` });
}

/** Keys that grow or shrink the text selection, or else the selected span's edges. */
function adjust(kind) {
  const selected = selectedUnits(view);
  const span = !selected && state.selected && state.selected.id !== null && canEdit(state.selected) ? state.selected : null;
  const caret = caretUnit(view);
  const current = selected || (span && { start: span.u0, end: span.u1 }) || (caret !== null && { start: caret, end: caret });
  if (!current) return say("Select some text or a span first.");
  const next = {
    "word-end+": () => moveEdgeByWord(data.text, current, "end", 1),
    "word-end-": () => moveEdgeByWord(data.text, current, "end", -1),
    "word-start-": () => moveEdgeByWord(data.text, current, "start", -1),
    "word-start+": () => moveEdgeByWord(data.text, current, "start", 1),
    clause: () => toClause(data.text, current),
    sentence: () => toSentence(data.text, current),
  }[kind]();
  if (span) return resizeSpan(span, next);
  setTextSelection(next);
  say(`Selected “${short(data.text.slice(next.start, next.end))}”: press 1, 2 or 3 to label it.`);
}

followEdgeDrags({
  overlay,
  view,
  current: () => (state.selected && state.selected.id !== null && canEdit(state.selected) ? state.selected : null),
  snap,
  onMove: setTextSelection, // the preview: the browser's own selection colour
  onDrop: (span, units) => {
    window.getSelection().removeAllRanges();
    resizeSpan(span, units);
    caretTo(span);
  },
});

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
  if (here.length === 1) return state.linking ? linkTo(here[0]) : select(here[0]);
  // Several spans overlap here: offer them all (innermost first), never pick one silently.
  chooser.show(here, { x: event.clientX, y: event.clientY, describe: (s) => `“${short(s.quote, 60)}”` });
  say(`${here.length} spans overlap here: pick one (arrows and Enter, or a click; Esc closes).`);
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

// What each action of keymap.js does (its keys are the user's: see the `?` dialog).
const COMMANDS = {
  "label-assertion": () => labelSelection("assertion"),
  "label-attribution": () => labelSelection("attribution"),
  "label-disputed": () => labelSelection("disputed"),
  "next-span": () => stepSelection(1),
  "previous-span": () => stepSelection(-1),
  link: startLinking,
  "end-right": () => adjust("word-end+"),
  "end-left": () => adjust("word-end-"),
  "start-left": () => adjust("word-start-"),
  "start-right": () => adjust("word-start+"),
  clause: () => adjust("clause"),
  sentence: () => adjust("sentence"),
  text: () => textEl.focus({ focusVisible: true }),
  layer: () => {
    if (!layerSelect) return;
    layerSelect.selectedIndex = (layerSelect.selectedIndex + 1) % layerSelect.options.length;
    layerSelect.dispatchEvent(new Event("change"));
  },
  done: toggleDone,
  "next-document": () => data.urls.next && leaveTo(data.urls.next),
  "previous-document": () => data.urls.previous && leaveTo(data.urls.previous),
  "next-suggestion": () => stepSuggestion(1),
  "previous-suggestion": () => stepSuggestion(-1),
  "edit-suggestion": editSuggestion,
  guidelines: () => $("guidelines-dialog").showModal(),
  help: () => $("help-dialog").showModal(),
};

// The `?` dialog lists the keys and changes them: "Change", then the new key (Esc keeps it).
const keymap = new Keymap();
const helpBody = $("shortcut-rows");
let rebinding = null;
function renderKeys() {
  keymap.render(helpBody);
  for (const button of document.querySelectorAll(".label-button")) {
    const id = `label-${button.dataset.label}`;
    button.querySelector("kbd").textContent = keymap.keyOf(id);
  }
}
helpBody.addEventListener("click", (event) => {
  const button = event.target.closest("button.key-change");
  if (!button) return;
  rebinding = button.dataset.action;
  button.textContent = "Press a key…";
});
$("help-dialog").addEventListener("keydown", (event) => {
  if (!rebinding) return;
  event.preventDefault();
  event.stopPropagation();
  const action = rebinding;
  rebinding = null;
  if (event.key !== "Escape" && event.key.length === 1 && event.key !== " ") {
    keymap.set(action, event.key);
    say(`The key for that action is now ${keymap.keyOf(action)}.`);
  }
  renderKeys();
  helpBody.querySelector(`button[data-action="${action}"]`)?.focus();
});
$("reset-keys").addEventListener("click", () => {
  keymap.reset();
  renderKeys();
});
renderKeys();

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
  if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "z" || key === "Z" || key === "y")) {
    event.preventDefault();
    undoOrRedo(key === "y" || event.shiftKey ? "redo" : "undo");
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const onButton = event.target.closest("button, a") !== null;
  let handled = true;
  const onSuggestion = suggestions.current && !state.selected && !state.linking && !onButton;
  if (key === "Enter" && onSuggestion) acceptSuggestion({ edited: state.editingSuggestion });
  else if (key === "Backspace" && onSuggestion) rejectSuggestion();
  else if ((key === "Delete" || key === "Backspace") && state.selected) deleteSpan(state.selected);
  else if (key === "Enter" && state.linking && state.candidate) linkTo(state.candidate);
  else if (key === "Enter" && state.selected && !onButton) $("editor-note").focus();
  else if (key === "Escape") {
    if (state.linkNext) {
      state.linkNext = null;
      say("The next span will not be linked.");
    } else if (state.linking) stopLinking("Linking cancelled.");
    else {
      select(null);
      textEl.focus({ preventScroll: true });
    }
  } else {
    const command = COMMANDS[keymap.actionFor(event)];
    if (command) command();
    else handled = false;
  }
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
    document.body.dataset.pending = String(pending);
    drafts.flushAll(); // drafts left by a reload or a closed tab reach the server now
    say(store.spans.length ? `${store.spans.length} spans loaded.` : "No spans yet: select text and press 1, 2 or 3.");
    // Suggestions come after: the workspace is usable without them, and a failure is only noted.
    suggestions.load().catch((error) => { $("suggestion-list").textContent = `Suggestions could not be loaded: ${error.message}`; });
  })
  .catch((error) => fail(`The spans could not be loaded: ${error.message}`));
