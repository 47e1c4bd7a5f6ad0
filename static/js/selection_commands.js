// Growing and shrinking the text selection (or the selected span's edges) by word, to the
// clause and to the sentence, by key or by dragging a ringed span's edge; a span's new edges
// are saved as an edit (span_actions.js resizeSpan).
import { followEdgeDrags } from "./drawing.js";
import {
  caretUnit, moveEdgeByWord, selectUnits, selectedUnits, toClause, toSentence, wordSnapping,
} from "./selection.js";
import { say, short } from "./workspace_status.js";

export function createSelectionCommands(ws) {
  const { data, view, state } = ws;
  const snap = wordSnapping(view, data.text, document.getElementById("snap-words"));
  const editable = () => (state.selected && state.selected.id !== null && ws.canEdit(state.selected) ? state.selected : null);

  /** Keys that grow or shrink the text selection, or else the selected span's edges. */
  function adjust(kind) {
    const selected = selectedUnits(view);
    const span = !selected ? editable() : null;
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
    if (span) return ws.actions.resizeSpan(span, next);
    selectUnits(view, next.start, next.end);
    say(`Selected “${short(data.text.slice(next.start, next.end))}”: press 1, 2 or 3 to label it.`);
  }

  followEdgeDrags({
    overlay: ws.overlay,
    view,
    current: editable,
    snap,
    onMove: ({ start, end }) => selectUnits(view, start, end), // the preview: the browser's own selection colour
    onDrop: (span, units) => {
      window.getSelection().removeAllRanges();
      ws.actions.resizeSpan(span, units);
      ws.caretTo(span);
    },
  });

  return { adjust };
}
