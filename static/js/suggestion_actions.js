// Accepting, rejecting and editing the rule-based suggestions (suggestions.js draws and lists
// them): an acceptance writes spans (and their link) that join the page and the undo history.
import { selectUnits, selectedUnits, trimUnits } from "./selection.js";
import { clearError, fail, say } from "./workspace_status.js";

export function createSuggestionActions(ws) {
  const { data, view, index, store, state, spans, queue, suggestions } = ws;

  /** Put the spans an acceptance wrote on the page (or refresh the ones already there). */
  function showAccepted(result) {
    const shown = [];
    for (const saved of result.spans) {
      const local = store.byId(saved.id);
      if (local) {
        shown.push(spans.applySaved(local, saved));
        continue;
      }
      const span = store.prepare({ ...saved, pending: false });
      spans.insertLocal(span);
      shown.push(span);
    }
    ws.list.refresh(shown);
    return shown;
  }

  function accept({ edited = false } = {}) {
    const unit = suggestions.current;
    if (!unit) return say("No suggestion is chosen: press n for the next one.");
    if (!ws.mayCreate()) return fail("You are looking at another annotator's layer: switch to your own to accept suggestions.");
    let changes = {};
    const selected = edited ? selectedUnits(view) : null;
    const trimmed = selected ? trimUnits(data.text, selected) : null;
    if (trimmed) changes = index.rangeFromUtf16(trimmed.start, trimmed.end);
    state.editingSuggestion = false;
    return queue.serial(async () => {
      let result;
      try {
        result = await suggestions.accept(unit.head.id, changes);
      } catch (error) {
        return fail(`Not accepted: ${error.message}`);
      }
      const shown = showAccepted(result);
      ws.history.record({ type: "accept", suggestion: unit.head.id, changes, spans: shown.map((span) => span.id) });
      suggestions.drop(unit);
      clearError();
      const linked = result.links.length ? `, ${result.links.length} link${result.links.length > 1 ? "s" : ""}` : "";
      say(`Accepted: ${shown.length} span${shown.length > 1 ? "s" : ""}${linked}. Ctrl+Z undoes it; n: the next suggestion.`);
    });
  }

  function reject() {
    const unit = suggestions.current;
    if (!unit) return say("No suggestion is chosen: press n for the next one.");
    state.editingSuggestion = false;
    return queue.serial(async () => {
      try {
        await suggestions.reject(unit.head.id);
      } catch (error) {
        return fail(`Not rejected: ${error.message}`);
      }
      ws.history.record({ type: "reject", suggestion: unit.head.id });
      suggestions.drop(unit);
      clearError();
      say("Rejected: it is not proposed to you again. Ctrl+Z undoes it; n: the next suggestion.");
    });
  }

  function step(direction) {
    state.editingSuggestion = false;
    if (state.selected) ws.select(null, { keepFocus: true });
    const range = suggestions.step(direction);
    if (range) ws.scrollToRange(range);
  }

  /** Edit, then accept: the suggestion's text becomes the selection, to be moved with e/b/c/s. */
  function edit() {
    const offsets = suggestions.headOffsets();
    if (!offsets) return say("No suggestion is chosen: press n for the next one.");
    const { start, end } = index.rangeToUtf16(offsets.start, offsets.end);
    selectUnits(view, start, end);
    state.editingSuggestion = true;
    ws.textEl.focus({ preventScroll: true });
    say("Its text is selected: change the selection (e, b, c, s, Shift+arrows), then Enter accepts what you selected.");
  }

  /** Undo or redo of an acceptance (its spans go, the decision is taken back) or a rejection. */
  async function applyStep(step, back) {
    if (step.type === "reject") {
      if (back) await suggestions.reopen(step.suggestion);
      else await suggestions.reject(step.suggestion);
      await suggestions.load();
      return null;
    }
    if (back) {
      for (const id of [...step.spans].reverse()) {
        const span = store.byId(id);
        if (span) await spans.delete(span);
      }
      await suggestions.reopen(step.suggestion);
      await suggestions.load();
      return null;
    }
    const shown = showAccepted(await suggestions.accept(step.suggestion, step.changes || {}));
    shown.forEach((span, i) => step.spans[i] !== undefined && step.spans[i] !== span.id && ws.undo.rename(step.spans[i], span.id));
    await suggestions.load();
    return shown[0] || null;
  }

  suggestions.onAction = (action) => (action === "accept" ? accept() : reject());
  return { accept, reject, step, edit, applyStep };
}
