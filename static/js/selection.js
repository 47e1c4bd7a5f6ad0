// The reader's selection in the document text, as UTF-16 offsets of its single text node, and
// keyboard movement of that selection (Selection.modify works on read-only text too).

const WHITESPACE = /\s/u;

/** A boundary point (container, offset) as a UTF-16 offset in textNode, clamped to it. */
function unitOf(textNode, container, offset, range, full) {
  if (container === textNode) return offset;
  // Outside the text node: before or after it, or the element holding it.
  const probe = document.createRange();
  probe.setStart(container, offset);
  if (probe.compareBoundaryPoints(Range.START_TO_START, full) <= 0) return 0;
  return textNode.length;
}

/** The selection's [start, end) in UTF-16 units of textNode, or null when it is empty or elsewhere. */
export function selectedUnits(textNode) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const full = document.createRange();
  full.selectNodeContents(textNode);
  if (range.compareBoundaryPoints(Range.END_TO_START, full) >= 0) return null; // starts after the text
  if (range.compareBoundaryPoints(Range.START_TO_END, full) <= 0) return null; // ends before it
  const start = unitOf(textNode, range.startContainer, range.startOffset, range, full);
  const end = unitOf(textNode, range.endContainer, range.endOffset, range, full);
  return start < end ? { start, end } : null;
}

/** Drop leading and trailing whitespace (spaces, tabs, line breaks, no-break spaces). */
export function trimUnits(text, { start, end }) {
  while (start < end && WHITESPACE.test(text[start])) start++;
  while (end > start && WHITESPACE.test(text[end - 1])) end--;
  return start < end ? { start, end } : null;
}

/** The caret (collapsed selection) as a UTF-16 offset in textNode, or null. */
export function caretUnit(textNode) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0) return null;
  if (selection.focusNode !== textNode) return null;
  return selection.focusOffset;
}

export function selectUnits(textNode, start, end = start) {
  const selection = window.getSelection();
  const range = document.createRange();
  range.setStart(textNode, start);
  range.setEnd(textNode, end);
  selection.removeAllRanges();
  selection.addRange(range);
}

export function clearSelection() {
  window.getSelection()?.removeAllRanges();
}

/** UTF-16 offset under a point of the viewport, or null when it is not over textNode. */
export function unitAtPoint(textNode, x, y) {
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    return position && position.offsetNode === textNode ? position.offset : null;
  }
  const range = document.caretRangeFromPoint?.(x, y);
  return range && range.startContainer === textNode ? range.startOffset : null;
}

const GRANULARITY = { ArrowLeft: "character", ArrowRight: "character", ArrowUp: "line", ArrowDown: "line", Home: "lineboundary", End: "lineboundary" };
const DIRECTION = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward", Home: "backward", End: "forward" };

/** Moves or extends the selection for an arrow/Home/End key; true when the key was handled. */
export function moveSelection(textNode, event) {
  const granularity = GRANULARITY[event.key];
  if (!granularity) return false;
  const selection = window.getSelection();
  if (selection.rangeCount === 0 || !textNode.parentNode.contains(selection.focusNode)) selectUnits(textNode, 0);
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
