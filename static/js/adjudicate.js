// The adjudication view (templates/workflow/adjudicate.html): the reviewers' layers over the
// same text view, colours and selection as the workspace; one decision per unit (a span group,
// or an attribution with the content it is linked to), made with keys or buttons through the
// gold API. Edits are made in the text: select (or drag the ring's edges) and press E.
import { api } from "./api.js";
import { Chooser, Overlay, followEdgeDrags } from "./drawing.js";
import { Highlighter } from "./highlights.js";
import { OffsetIndex } from "./offsets.js";
import { selectUnits, selectedUnits, trimUnits, unitAtPoint, wordSnapping } from "./selection.js";
import { TextView } from "./text_view.js";
import { drawnParts, edgeSentences, followPieces, names } from "./workflow/versions.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("adjudication-data").textContent);
const LABEL_KEYS = { 1: "assertion", 2: "attribution", 3: "disputed" };
const BASIS = { within_text: "contested within the text", external_evidence: "external evidence", fact_check: "fact check" };

const textEl = $("doc-text");
const view = new TextView(textEl, data.text);
const index = new OffsetIndex(data.text);
const pane = textEl.parentElement;
// Each label twice: the characters every version of a mark covers, and those only some cover.
const highlighter = new Highlighter({ view, overlay: $("highlight-overlay"), pane, labels: [...data.labels, ...data.labels.map((l) => `${l}-partial`)] });
const overlay = new Overlay({ pane });
const chooser = new Chooser({ element: $("overlap-chooser"), pane, onPick: (item) => pickItem(item), onClose: () => textEl.focus({ preventScroll: true }) });
const state = { groups: [], units: [], gold: [], current: null, goldSelected: null, layer: "all", busy: false };

function say(message) { $("status").textContent = message; }
function fail(message) { $("error").textContent = message; $("error").hidden = false; }
function clearError() { $("error").hidden = true; }
function slice(start, end) { return index.slice(start, end); }
function short(text, n = 50) { return text.length > n ? `${text.slice(0, n)}…` : text; }
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function place(item) {
  const u = index.rangeToUtf16(item.start, item.end);
  item.u0 = u.start;
  item.u1 = u.end;
  item.range = view.range(u.start, u.end);
  return item;
}

// ---- units ---------------------------------------------------------------------------------
// The server groups spans by exact (label, start, end): a "group" is one way of drawing a span,
// with the reviewers who drew it so. It also says which groups are versions of one "mark" (same
// label, text common to all: annotate/workflow/units.py, where the rule is explained), the lead
// version first, and which marks are one "unit" (joined by attribution links): one decision.

function stateOf(spans) {
  const states = new Set(spans.map((s) => s.state));
  return states.has("pending") ? "pending" : states.has("accepted") ? "accepted" : "rejected";
}

function markOf(row, i, groups) {
  // The lead (what most reviewers drew, then the tighter) gives the extent, label and fields
  // that Accept puts into gold; the other versions are shown as differences from it.
  const variants = row.versions.map((g) => groups[g]);
  const lead = variants[0];
  const spans = variants.flatMap((v) => v.spans);
  const reviewers = [...new Set(variants.flatMap((v) => v.reviewers))].sort();
  const mark = {
    key: `m${i}`, variants, lead, spans, reviewers, label: lead.label, start: lead.start, end: lead.end, quote: lead.quote,
    u0: lead.u0, u1: lead.u1, range: lead.range, agreed: variants.length === 1 && lead.agreed, state: stateOf(spans),
    shared: row.shared, pieces: row.pieces,
  };
  for (const v of variants) v.mark = mark;
  mark.drawn = drawnParts(mark, slice).map((part) => (part === lead ? lead : place({ ...part, unit: null })));
  return mark;
}

function build(adjudication) {
  const groups = adjudication.groups.map((group, i) => place({ ...group, key: `g${i}` }));
  const marks = adjudication.marks.map((row, i) => markOf(row, i, groups));
  // One reviewer's single span over marks another reviewer drew apart (units.py, "spanning").
  adjudication.marks.forEach((row, i) => {
    marks[i].covers = row.covers.map((c) => ({ version: groups[c.group], mark: marks[c.mark] }));
    marks[i].coveredBy = row.covered_by.map((c) => ({ version: groups[c.group], mark: marks[c.mark] }));
  });
  const units = adjudication.units.map((members, i) => {
    const unit = { key: `u${i}`, groups: members.map((m) => marks[m]) };
    unit.start = unit.groups[0].start;
    unit.state = unit.groups.some((g) => g.state === "pending") ? "pending" : unit.groups.every((g) => g.state === "rejected") ? "rejected" : "accepted";
    unit.agreed = unit.groups.every((g) => g.agreed);
    for (const m of unit.groups) {
      m.unit = unit;
      for (const v of m.variants) v.unit = unit;
      for (const part of m.drawn) part.unit = unit;
    }
    return unit;
  });
  units.sort((a, b) => a.start - b.start);
  state.groups = groups.sort((a, b) => a.u0 - b.u0 || a.u1 - b.u1);
  // What "All reviewers" draws: each mark once, its shared part and its pieces apart.
  state.drawn = marks.flatMap((m) => m.drawn).sort((a, b) => a.u0 - b.u0 || a.u1 - b.u1);
  state.pieces = state.drawn.filter((part) => part.name);
  state.marks = marks;
  state.units = units;
  state.reviewers = adjudication.reviewers;
  state.gold = adjudication.gold.map((g) => place({ ...g }));
}

// ---- drawing ------------------------------------------------------------------------------
function shownItems() {
  if (state.layer === "gold") return state.gold;
  if (state.layer === "all") return state.drawn;
  return state.groups.filter((g) => g.reviewers.includes(state.layer));
}

function draw() {
  const items = shownItems().slice().sort((a, b) => a.u0 - b.u0);
  highlighter.setSpans(items);
  highlighter.markOverlaps();
  mark();
}

function mark() {
  const unit = state.current;
  const gold = state.goldSelected;
  highlighter.mark("selected", unit ? unit.groups.flatMap((m) => m.variants.map((v) => v.range)) : gold ? [gold.range] : []);
  overlay.ring(unit ? primary(unit) : gold, { handles: true });
}

/** The mark an edit applies to by default: the attribution of a pair, else the first mark. */
function primary(unit) {
  return unit.groups.find((g) => g.label === "attribution") || unit.groups[0];
}

// ---- the panel ------------------------------------------------------------------------------
/** Marks of other units over the same text (what a reviewer drew instead of this one). */
function variantsOf(mark) {
  return state.marks.filter((other) => other.unit !== mark.unit && other.start < mark.end && mark.start < other.end);
}

function difference(group, other) {
  const parts = [];
  const d0 = group.start - other.start, d1 = other.end - group.end;
  if (d0 > 0) parts.push(`${d0} more character${d0 > 1 ? "s" : ""} before`);
  if (d0 < 0) parts.push(`${-d0} fewer before`);
  if (d1 > 0) parts.push(`${d1} more after`);
  if (d1 < 0) parts.push(`${-d1} fewer after`);
  if (other.label !== group.label) parts.push(`as ${other.label}`);
  return parts.join(", ") || "the same text";
}

function reviewerRow(reviewer, mark) {
  const li = el("li", "reviewer-row");
  const span = mark.spans.find((s) => s.annotator === reviewer);
  li.dataset.reviewer = reviewer;
  li.append(el("strong", "who", reviewer), " ");
  if (!span) {
    // Their one span over this mark and another one, decided with that other mark's unit.
    const cover = mark.coveredBy.find((c) => c.version.reviewers.includes(reviewer));
    if (cover) {
      li.classList.add("covers-more");
      li.append(el("span", "mark-covers", `marked “${short(cover.version.quote, 60)}” as one span over this and “${short(cover.mark.quote, 40)}”, decided with that unit`));
      return withBasis(li, cover.version.spans.find((s) => s.annotator === reviewer));
    }
    const variant = variantsOf(mark).find((g) => g.reviewers.includes(reviewer));
    li.classList.add("not-marked");
    li.append(el("span", "muted", variant ? `marked “${short(variant.quote, 60)}” instead (${difference(mark, variant)})` : "did not mark this"));
    return li;
  }
  const drawn = mark.variants.find((v) => v.spans.includes(span));
  if (drawn === mark.lead) li.append(el("span", "mark-yes", "✓ marked"));
  else {
    li.classList.add("differs");
    li.append(el("span", "mark-differs", `marked “${short(drawn.quote, 60)}” instead`));
  }
  const others = mark.covers.filter((c) => c.version === drawn).map((c) => `“${short(c.mark.quote, 40)}”`);
  if (others.length) {
    li.classList.add("covers-more");
    li.append(el("span", "mark-covers", `, one span that also covers ${others.join(", ")} (decided apart)`));
  }
  return withBasis(li, span);
}

/** The span's note, source, dispute reason, evidence and links, under its reviewer's row. */
function withBasis(li, span) {
  const details = el("dl", "basis");
  const add = (term, value) => {
    if (!value) return;
    details.append(el("dt", "", term));
    const dd = el("dd");
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    details.append(dd);
  };
  add("Note", span.note);
  add("Source", span.source);
  add("Disputed because", BASIS[span.dispute_basis] || span.dispute_basis);
  if (span.evidence_links.length) {
    const links = el("ul", "evidence");
    for (const url of span.evidence_links) {
      const a = el("a", "", url);
      a.href = url;
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      const item = el("li");
      item.append(a);
      links.append(item);
    }
    add("Evidence", links);
  }
  if (span.links.length) add("Links to", span.links.map((id) => state.groups.find((g) => g.spans.some((s) => s.id === id))).filter(Boolean).map((g) => `“${short(g.quote, 40)}”`).join(", "));
  if (details.childElementCount) li.append(details);
  return li;
}

function groupCard(group) {
  const card = el("section", `group-card label-${group.label} ${group.agreed ? "agreed" : "differs"}`);
  card.dataset.group = `${group.label}:${group.start}:${group.end}`;
  const head = el("p", "group-head");
  const chip = el("span", `label-chip chip chip-${group.label} label-${group.label}`, group.label);
  const versions = group.variants.length > 1 ? `, ${group.variants.length} versions` : "";
  const covering = [...new Set(group.coveredBy.flatMap((c) => c.version.reviewers))].filter((r) => !group.reviewers.includes(r));
  const longer = covering.length ? `, ${names(covering)} in one longer span` : "";
  head.append(chip, " ", el("span", group.agreed ? "badge agreed-badge" : "badge differs-badge", group.agreed ? "all agree" : `${group.reviewers.length} of ${state.reviewers.length}${versions}${longer}`), " ", el("span", "muted", group.state));
  card.append(head, el("blockquote", "editor-quote", group.quote));
  if (group.variants.length > 1) card.append(...differences(group));
  const rows = el("ul", "reviewer-rows");
  for (const reviewer of state.reviewers) rows.append(reviewerRow(reviewer, group));
  card.append(rows);
  return card;
}

/** Where a mark's versions differ, in words: each version's edges against the lead's, and (for
 * screen readers, as the hover tip says it) who covers each piece the text draws dashed. */
function differences(mark) {
  const list = (className, lines) => {
    const ul = el("ul", className);
    ul.append(...lines.map((line) => el("li", "", line)));
    return ul;
  };
  const edges = list("differences", edgeSentences(mark, slice));
  const named = list("piece-names visually-hidden", mark.drawn.filter((part) => part.name).map((part) => part.name));
  return [edges, named];
}

function showUnit() {
  const unit = state.current;
  $("unit").hidden = !unit;
  if (!unit) return;
  $("unit-heading").textContent = unit.groups.length > 1 ? "Attribution and its content (one decision)" : unit.state === "pending" ? "Undecided" : `Decided: ${unit.state}`;
  $("unit-groups").replaceChildren(...unit.groups.map(groupCard));
  $("edit-label").value = primary(unit).label;
  const pending = unit.state === "pending";
  $("accept-unit").disabled = !pending;
  $("edit-unit").disabled = !pending;
  $("reject-unit").disabled = !pending;
  $("unreject-unit").hidden = !unit.groups.some((g) => g.state === "rejected");
}

function renderLists() {
  const list = $("unit-list");
  list.replaceChildren(...state.units.map((unit) => {
    const li = el("li", `span-item unit-item label-${primary(unit).label} state-${unit.state}${unit === state.current ? " is-selected" : ""}`);
    li.dataset.unit = unit.key;
    li.dataset.groups = unit.groups.map((g) => `${g.label}:${g.start}:${g.end}`).join(" "); // for scripts and tests
    const button = el("button");
    button.type = "button";
    for (const group of unit.groups) button.append(el("span", `label-chip chip chip-${group.label} label-${group.label}`, group.label), " ", el("span", "span-quote", short(group.quote, 80)), " ");
    button.append(el("span", "span-meta", `${unit.state}${unit.agreed ? " · all agree" : " · differs"}`));
    li.append(button);
    return li;
  }));
  $("unit-count").textContent = `(${state.units.filter((u) => u.state === "pending").length} undecided of ${state.units.length})`;
  const gold = $("gold-list");
  gold.replaceChildren(...state.gold.map((span) => {
    const li = el("li", `span-item label-${span.label}${span === state.goldSelected ? " is-selected" : ""}`);
    li.dataset.gold = String(span.id);
    const button = el("button");
    button.type = "button";
    button.append(el("span", `label-chip chip chip-${span.label} label-${span.label}`, span.label), " ", el("span", "span-quote", short(span.quote, 80)));
    button.append(el("span", "span-meta", `from ${span.origins.map((o) => o.annotator).join(", ") || "the adjudicator"}${span.links.length ? ` · linked to ${span.links.length}` : ""}`));
    const remove = el("button", "btn btn-quiet gold-remove", "Remove");
    remove.type = "button";
    remove.dataset.remove = String(span.id);
    li.append(button, remove);
    return li;
  }));
  $("gold-count").textContent = `(${state.gold.length})`;
  const agreed = state.units.filter((u) => u.state === "pending" && u.agreed).reduce((n, u) => n + u.groups.length, 0);
  $("accept-agreed").textContent = `Accept all agreed (${agreed})`;
  $("accept-agreed").disabled = agreed === 0;
  // The same count as the decisions list's: units, not the versions inside them.
  $("progress").textContent = `${state.units.filter((u) => u.state === "pending").length} undecided · ${state.gold.length} in gold`;
}

function choose(unit, { scroll = true } = {}) {
  state.current = unit;
  state.goldSelected = null;
  if (unit && scroll) scrollTo(unit.groups[0].range);
  mark();
  showUnit();
  renderLists();
  if (unit) say(`${unit.state === "pending" ? "Undecided" : unit.state}: “${short(unit.groups.map((g) => g.quote).join(" → "), 80)}”. A accepts, R rejects, E accepts the selected text.`);
}

function chooseGold(span) {
  state.current = null;
  state.goldSelected = span;
  mark();
  showUnit();
  renderLists();
  say(`Gold ${span.label}: “${short(span.quote)}”. Drag its edges to change it, Delete removes it.`);
}

function pickItem(item) {
  if (item.unit) choose(item.unit, { scroll: false });
  else chooseGold(item);
}

function scrollTo(range) {
  const rect = range.getBoundingClientRect();
  if (rect.top < 60 || rect.bottom > window.innerHeight - 20) window.scrollTo({ top: window.scrollY + rect.top - window.innerHeight / 3 });
}

function step(direction) {
  const pending = state.units.filter((u) => u.state === "pending");
  if (!pending.length) return say("Every unit is decided.");
  const from = state.current ? state.current.start : -1;
  let next = direction > 0 ? pending.find((u) => u.start > from || (u.start === from && u !== state.current && state.units.indexOf(u) > state.units.indexOf(state.current))) : pending.findLast((u) => u.start < from);
  if (!next) next = direction > 0 ? pending[0] : pending[pending.length - 1];
  choose(next);
}

// ---- decisions ----------------------------------------------------------------------------
async function reload({ after = null } = {}) {
  const adjudication = await api.get(data.urls.adjudication);
  const previous = state.current;
  build(adjudication);
  draw();
  // Stay where the adjudicator is: the same unit if it is still there, else the next undecided.
  const same = previous && state.units.find((u) => u.groups.some((g) => previous.groups.some((p) => p.key && g.start === p.start && g.end === p.end && g.label === p.label)));
  if (after !== null) {
    const next = state.units.find((u) => u.state === "pending" && u.start >= after) || state.units.find((u) => u.state === "pending");
    choose(next || same || null, { scroll: false });
  } else choose(same || null, { scroll: false });
}

async function act(what, task) {
  if (state.busy) return;
  state.busy = true;
  document.body.dataset.pending = "1";
  try {
    await task();
    clearError();
  } catch (error) {
    fail(`${what}: ${error.message}`);
  } finally {
    state.busy = false;
    document.body.dataset.pending = "0";
  }
}

function ids(mark, which = "all") {
  return mark.spans.filter((s) => which === "all" || s.state === which).map((s) => s.id);
}

/** What gold takes from a mark drawn in several ways: the leading variant's extent and fields. */
function leadFields(mark) {
  const { note, source, dispute_basis, evidence_links } = mark.lead.spans[0];
  return { label: mark.label, start: mark.start, end: mark.end, note, source, dispute_basis, evidence_links };
}

/** The mark an edit (the text selection) is for: the one it overlaps most, else the primary. */
function editTarget(unit, range) {
  const overlap = (m) => Math.min(m.end, range.end) - Math.max(m.start, range.start);
  const best = [...unit.groups].sort((a, b) => overlap(b) - overlap(a))[0];
  return overlap(best) > 0 ? best : primary(unit);
}

function acceptUnit(unit, edited = null) {
  return act("Not accepted", async () => {
    // The content first, then its attribution: the link is carried into gold once both are in.
    const order = [...unit.groups].sort((a, b) => (a.label === "attribution") - (b.label === "attribution"));
    const target = edited && editTarget(unit, edited);
    for (const mark of order) {
      if (mark.state !== "pending") continue;
      const several = mark.variants.length > 1;
      let fields = several ? leadFields(mark) : undefined;
      if (mark === target) fields = { ...(fields || {}), ...edited };
      await api.post(data.urls.accept, fields ? { spans: ids(mark), fields } : { spans: ids(mark) });
    }
    await reload({ after: unit.start });
    say(edited ? `Accepted your edit: “${short(index.slice(edited.start, edited.end))}”.` : `Accepted ${unit.groups.length > 1 ? "the attribution, its content and their link" : "into gold"}.`);
  });
}

function rejectUnit(unit) {
  return act("Not rejected", async () => {
    await api.post(data.urls.reject, { spans: unit.groups.flatMap((g) => ids(g, "pending")) });
    await reload({ after: unit.start });
    say("Rejected.");
  });
}

function unrejectUnit(unit) {
  return act("Not changed", async () => {
    await api.post(data.urls.unreject, { spans: unit.groups.flatMap((g) => ids(g, "rejected")) });
    await reload();
    say("Back to undecided.");
  });
}

/** The text selection as code points, trimmed, or null. */
function selectionPoints() {
  const units = selectedUnits(view);
  const trimmed = units && trimUnits(data.text, units);
  return trimmed ? index.rangeFromUtf16(trimmed.start, trimmed.end) : null;
}

function editUnit() {
  const unit = state.current;
  if (!unit || unit.state !== "pending") return say("Pick an undecided unit first ( ] ).");
  const range = selectionPoints();
  if (!range) return say("Select the text the gold span should cover (or drag the ring's edges), then press E.");
  acceptUnit(unit, { ...range, label: $("edit-label").value });
}

function spanUrl(id) {
  return data.urls.span.replace(/0\/$/, `${id}/`);
}

function editGold(span, range) {
  return act("Not changed", async () => {
    await api.patch(spanUrl(span.id), { start: range.start, end: range.end, quote: index.slice(range.start, range.end), version: span.version });
    await reload();
    const again = state.gold.find((g) => g.id === span.id);
    if (again) chooseGold(again);
    say("Gold span changed.");
  });
}

function removeGold(span) {
  return act("Not removed", async () => {
    await api.delete(spanUrl(span.id), { "If-Match": `"${span.version}"` });
    await reload();
    say(`Removed “${short(span.quote)}” from gold.`);
  });
}

// ---- events -------------------------------------------------------------------------------
const snap = wordSnapping(view, data.text, $("snap-words"));
textEl.addEventListener("click", (event) => {
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed) return;
  const unit = unitAtPoint(view, event.clientX, event.clientY);
  if (unit === null) return;
  const here = shownItems().filter((item) => item.u0 <= unit && unit < item.u1).sort((a, b) => a.u1 - a.u0 - (b.u1 - b.u0));
  if (here.length === 0) return;
  if (here.length === 1) return pickItem(here[0]);
  chooser.show(here, { x: event.clientX, y: event.clientY, describe: (item) => `“${short(item.quote, 50)}”${item.reviewers ? ` (${item.reviewers.join(", ")})` : " (gold)"}` });
});

// Dragging the ring's edges: the new extent becomes the text selection, for E (or, on a gold
// span, is saved at once).
followEdgeDrags({
  overlay,
  view,
  current: () => (state.current ? primary(state.current) : state.goldSelected),
  snap,
  onMove: ({ start, end }) => selectUnits(view, start, end),
  onDrop: (item) => {
    if (item !== state.goldSelected) return say("Press E to accept the selected text as the gold span.");
    const range = selectionPoints();
    window.getSelection().removeAllRanges();
    if (range) editGold(item, range);
  },
});

$("unit-list").addEventListener("click", (event) => {
  const item = event.target.closest("li[data-unit]");
  if (item) choose(state.units.find((u) => u.key === item.dataset.unit));
});
$("gold-list").addEventListener("click", (event) => {
  const remove = event.target.closest("button[data-remove]");
  if (remove) return removeGold(state.gold.find((g) => g.id === Number(remove.dataset.remove)));
  const item = event.target.closest("li[data-gold]");
  if (item) {
    const span = state.gold.find((g) => g.id === Number(item.dataset.gold));
    scrollTo(span.range);
    chooseGold(span);
  }
});
$("accept-unit").addEventListener("click", () => state.current && acceptUnit(state.current));
$("reject-unit").addEventListener("click", () => state.current && rejectUnit(state.current));
$("unreject-unit").addEventListener("click", () => state.current && unrejectUnit(state.current));
$("edit-unit").addEventListener("click", editUnit);
$("prev-unit").addEventListener("click", () => step(-1));
$("next-unit").addEventListener("click", () => step(1));
$("help-button").addEventListener("click", () => $("help-dialog").showModal());
$("accept-agreed-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("Not accepted", async () => {
    const result = await api.post(data.urls.accept_agreed);
    await reload({ after: state.current ? state.current.start : 0 });
    say(`Accepted ${result.accepted} agreed span${result.accepted === 1 ? "" : "s"} into gold.`);
  });
});
const layerSelect = $("layer-select");
layerSelect.addEventListener("change", () => {
  state.layer = layerSelect.value;
  tip.hide();
  draw();
  say(`Showing ${layerSelect.selectedOptions[0].textContent}.`);
});

document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]") || event.isComposing) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  let handled = true;
  if (key === "]" || key === "j") step(1);
  else if (key === "[" || key === "k") step(-1);
  else if (key === "a" && state.current?.state === "pending") acceptUnit(state.current);
  else if (key === "r" && state.current?.state === "pending") rejectUnit(state.current);
  else if (key === "e" || key === "E") editUnit();
  else if (LABEL_KEYS[key]) {
    $("edit-label").value = LABEL_KEYS[key];
    say(`An edit takes the label ${LABEL_KEYS[key]}: select the text and press E.`);
  } else if (key === "A") $("accept-agreed-form").requestSubmit();
  else if (key === "L") {
    layerSelect.selectedIndex = (layerSelect.selectedIndex + 1) % layerSelect.options.length;
    layerSelect.dispatchEvent(new Event("change"));
  } else if ((key === "Delete" || key === "Backspace") && state.goldSelected) removeGold(state.goldSelected);
  else if (key === "?") $("help-dialog").showModal();
  else handled = false;
  if (handled) event.preventDefault();
});

const tip = followPieces({ view, textEl, tip: $("difference-tip"), pane, pieces: () => (state.layer === "all" ? state.pieces : []) });

performance.mark("adjudication-start");
build(data.view);
draw();
renderLists();
document.body.dataset.pending = "0";
document.body.dataset.ready = "true";
performance.mark("adjudication-ready");
// bench/workspace.py times opening to the frame after the first draw (a selection can start).
requestAnimationFrame(() => setTimeout(() => performance.mark("adjudication-interactive")));
say(state.units.length ? "Press ] for the first undecided unit." : "No reviewer has labelled this document yet.");
