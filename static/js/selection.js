// The reader's selection in the document text, as UTF-16 offsets of the whole text (see
// text_view.js), and keyboard movement of that selection (Selection.modify works on read-only
// text too, so no contenteditable is needed).

const WHITESPACE = /\s/u;

/** The selection's [start, end) in UTF-16 units, or null when it is empty or outside the text. */
export function selectedUnits(view) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const all = document.createRange();
  all.selectNodeContents(view.container);
  if (range.compareBoundaryPoints(Range.END_TO_START, all) >= 0) return null; // starts after the text
  if (range.compareBoundaryPoints(Range.START_TO_END, all) <= 0) return null; // ends before it
  const start = view.unitOf(range.startContainer, range.startOffset);
  const end = view.unitOf(range.endContainer, range.endOffset);
  return start < end ? { start, end } : null;
}

/** Drop leading and trailing whitespace (spaces, tabs, line breaks, no-break spaces). */
export function trimUnits(text, { start, end }) {
  while (start < end && WHITESPACE.test(text[start])) start++;
  while (end > start && WHITESPACE.test(text[end - 1])) end--;
  return start < end ? { start, end } : null;
}

/** Where the caret (the selection's moving end) is, as a UTF-16 offset, or null. */
export function caretUnit(view) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || !view.contains(selection.focusNode)) return null;
  return view.unitOf(selection.focusNode, selection.focusOffset);
}

export function selectUnits(view, start, end = start) {
  const [startNode, startOffset] = view.point(start);
  const [endNode, endOffset] = view.point(end);
  window.getSelection().setBaseAndExtent(startNode, startOffset, endNode, endOffset);
}

export function clearSelection() {
  window.getSelection()?.removeAllRanges();
}

/** UTF-16 offset under a point of the viewport, or null when it is not over the text. */
export function unitAtPoint(view, x, y) {
  let node = null, offset = 0;
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    if (position) [node, offset] = [position.offsetNode, position.offset];
  } else if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    if (range) [node, offset] = [range.startContainer, range.startOffset];
  }
  // Between paragraphs the caret lands on the text's container or a chunk, not a text node:
  // still over the text (unitOf maps those boundary points), so not null.
  return node && view.contains(node) ? view.unitOf(node, offset) : null;
}

const GRANULARITY = { ArrowLeft: "character", ArrowRight: "character", ArrowUp: "line", ArrowDown: "line", Home: "lineboundary", End: "lineboundary" };
const DIRECTION = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward", Home: "backward", End: "forward" };

/** Moves or extends the selection for an arrow/Home/End key; true when the key was handled. */
export function moveSelection(view, event) {
  const granularity = GRANULARITY[event.key];
  if (!granularity) return false;
  const selection = window.getSelection();
  if (selection.rangeCount === 0 || !view.contains(selection.focusNode)) selectUnits(view, 0);
  const word = (event.ctrlKey || event.altKey) && (event.key === "ArrowLeft" || event.key === "ArrowRight");
  const direction = DIRECTION[event.key];
  if (event.shiftKey) {
    selection.modify("extend", direction, word ? "word" : granularity);
  } else if (!selection.isCollapsed && granularity === "character" && !word) {
    // Like a text field: an arrow first collapses the selection to the side it points to.
    const range = selection.getRangeAt(0);
    const forward = direction === "forward";
    selection.collapse(forward ? range.endContainer : range.startContainer, forward ? range.endOffset : range.startOffset);
  } else {
    selection.modify("move", direction, word ? "word" : granularity);
  }
  return true;
}

// ---- words, clauses and sentences (Intl.Segmenter), in UTF-16 offsets of the whole text ----
const MARGIN = 256; // characters read around an offset: words are shorter, sentences mostly
const segmenters = new Map();
function segmenter(granularity) {
  if (!segmenters.has(granularity)) {
    const lang = document.getElementById("doc-text")?.lang || undefined;
    segmenters.set(granularity, new Intl.Segmenter(lang || undefined, { granularity }));
  }
  return segmenters.get(granularity);
}

/** [start, end, wordLike] of the segments of text[from - MARGIN, to + MARGIN). */
function segmentsNear(text, from, to, granularity = "word") {
  const a = Math.max(0, from - MARGIN), b = Math.min(text.length, to + MARGIN);
  const out = [];
  for (const { segment, index, isWordLike } of segmenter(granularity).segment(text.slice(a, b))) {
    out.push([a + index, a + index + segment.length, granularity === "word" ? isWordLike : true]);
  }
  return out;
}

/** Widen [start, end) so that neither edge cuts a word ("lation of huma" -> "inflation of human"). */
export function snapToWords(text, { start, end }) {
  for (const [s, e, word] of segmentsNear(text, start, end)) {
    if (!word) continue;
    if (s < start && start < e) start = s;
    if (s < end && end < e) end = e;
  }
  return { start, end };
}

/** Move one edge of [start, end) by a word: edge "end" or "start", by +1 (right) or -1 (left). */
export function moveEdgeByWord(text, { start, end }, edge, by) {
  const at = edge === "end" ? end : start;
  const words = segmentsNear(text, at, at).filter(([, , word]) => word);
  if (edge === "end") {
    const ends = words.map(([, e]) => e);
    const next = by > 0 ? ends.find((e) => e > end) : ends.findLast((e) => e < end && e > start);
    return next === undefined ? { start, end } : { start, end: next };
  }
  const starts = words.map(([s]) => s);
  const next = by < 0 ? starts.findLast((s) => s < start) : starts.find((s) => s > start && s < end);
  return next === undefined ? { start, end } : { start: next, end };
}

/** Widen [start, end) to the whole sentence(s) it touches. */
export function toSentence(text, { start, end }) {
  let a = start, b = end;
  for (const [s, e] of segmentsNear(text, start, end, "sentence")) {
    if (s <= start && start < e) a = s;
    if (s < end && end <= e) b = e;
  }
  return { start: a, end: b };
}

const CLAUSE_BREAK = /[,;:–—()\u3001\u060c]/u;

/** Widen [start, end) to the clause: out to the nearest comma, semicolon, colon or dash, within the sentence. */
export function toClause(text, range) {
  const sentence = toSentence(text, range);
  let a = range.start, b = range.end;
  while (a > sentence.start && !CLAUSE_BREAK.test(text[a - 1])) a--;
  while (b < sentence.end && !CLAUSE_BREAK.test(text[b])) b++;
  return { start: a, end: b };
}

/** "Snap to words": a checkbox kept in localStorage, and a mouse selection in `view` widened to
 * whole words on mouseup unless Alt (Option) is held. Returns snap(units, event) for drags. */
export function wordSnapping(view, text, checkbox) {
  checkbox.checked = localStorage.getItem("annotate:snap-words") !== "off";
  checkbox.addEventListener("change", () => localStorage.setItem("annotate:snap-words", checkbox.checked ? "on" : "off"));
  const snap = (units, event) => (checkbox.checked && !event.altKey ? snapToWords(text, units) : units);
  view.container.addEventListener("mouseup", (event) => {
    const selected = selectedUnits(view);
    if (!selected) return;
    const snapped = snap(selected, event);
    if (snapped.start !== selected.start || snapped.end !== selected.end) selectUnits(view, snapped.start, snapped.end);
  });
  return snap;
}
