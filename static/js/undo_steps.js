// Undo and redo in the workspace: history.js keeps the steps as data; this carries one out
// backwards or forwards as ordinary versioned API writes (page_spans.js), so the server's
// history shows every undo, and drives the Undo and Redo buttons.
import { setProperty } from "./dom_writes.js";
import { UndoHistory, describeStep } from "./history.js";
import { clearError, fail, say } from "./workspace_status.js";

export function createUndo(ws) {
  const { data, store, spans, queue } = ws;
  const $ = (id) => document.getElementById(id);

  function render() {
    for (const [id, which, verb] of [["undo-button", "undo", "Undo"], ["redo-button", "redo", "Redo"]]) {
      const button = $(id);
      const step = history.peek(which);
      setProperty(button, "disabled", !step); // every add records a step: write only what changes
      setProperty(button, "title", step ? `${verb} ${describeStep(step)}` : `Nothing to ${verb.toLowerCase()}`);
    }
  }

  const history = new UndoHistory(`annotate:history:${data.document.id}:${data.me}`, render);

  /** A span came back under a new id: the steps and the draft that name it follow. */
  function rename(oldId, newId) {
    history.rename(oldId, newId);
    ws.drafts.rename(oldId, newId);
  }

  /** Carry out a step backwards (undo) or forwards (redo); returns the span to select. */
  async function applyStep(step, direction) {
    const back = direction === "undo";
    const { type } = step;
    if ((type === "create" && back) || (type === "delete" && !back)) {
      await spans.delete(await spans.spanFor(step.id));
      return null;
    }
    if (type === "create" || type === "delete") {
      const span = await spans.create(step.fields);
      rename(step.id, span.id);
      if (type === "delete") {
        for (const target of step.linksOut || []) await spans.link(span, target);
        for (const from of step.linksIn || []) await spans.link(await spans.spanFor(from), span.id);
      }
      return span;
    }
    if (type === "update") {
      const span = await spans.spanFor(step.id);
      await spans.update(span, back ? step.before : step.after);
      if (back) for (const target of step.lostLinks || []) await spans.link(span, target);
      ws.drafts.drop(span.id);
      return span;
    }
    if (type === "accept" || type === "reject") return ws.suggestionActions.applyStep(step, back);
    const attribution = await spans.spanFor(step.from);
    if ((type === "link") === back) await spans.unlink(attribution, step.to);
    else await spans.link(attribution, step.to);
    return attribution;
  }

  function undoOrRedo(direction) {
    return queue.serial(async () => {
      const step = history.peek(direction);
      if (!step) return say(direction === "undo" ? "Nothing to undo." : "Nothing to redo.");
      let span;
      try {
        span = await applyStep(step, direction);
      } catch (error) {
        // Refused for good (no right any more, the span changed or went meanwhile): say why and
        // leave the step out, so the next Ctrl+Z goes on. Else (offline, a server error) keep it.
        const final = error.status >= 400 && error.status < 500;
        if (final) history.discard(direction);
        const keys = direction === "undo" ? "Ctrl+Z" : "Ctrl+Shift+Z";
        const next = final ? ` It is left out of the ${direction} history; ${keys} goes on with the step before.` : " Try again.";
        return fail(`Could not ${direction} ${describeStep(step)}: ${error.message}${next}`);
      }
      history.moved(direction);
      clearError();
      if (span && store.byId(span.id) === span) ws.select(span, { keepFocus: true, refill: true });
      else if (!span) ws.select(null, { keepFocus: true });
      say(`${direction === "undo" ? "Undone" : "Redone"}: ${describeStep(step)}.`);
    });
  }

  render();
  $("undo-button").addEventListener("click", () => undoOrRedo("undo"));
  $("redo-button").addEventListener("click", () => undoOrRedo("redo"));

  return { history, render, rename, undoOrRedo };
}
