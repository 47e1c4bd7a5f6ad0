// What a reviewer does to spans, each recorded for undo (history.js): label the selection,
// change a span (relabel, edges, typed fields), delete it, link an attribution to its content.
// The server writes are page_spans.js's; `ws` is the workspace's shared parts (see
// document_workspace.js), read when an action runs.
import { api } from "./api.js";
import { SPAN_FIELDS, pick } from "./page_spans.js";
import { selectUnits, selectedUnits, trimUnits } from "./selection.js";
import { clearError, fail, say, short } from "./workspace_status.js";

export function createSpanActions(ws) {
  const { data, view, index, store, state, spans, queue, highlighter, overlay } = ws;

  async function labelSelection(label) {
    const selected = selectedUnits(view);
    if (!selected) {
      if (state.selected) return changeSpan(state.selected, { label });
      return say("Select some text first, then press 1, 2 or 3.");
    }
    if (!ws.mayCreate()) return fail("You are looking at another annotator's layer: switch to your own (or all layers) to add spans.");
    const trimmed = trimUnits(data.text, selected);
    if (!trimmed) return say("The selection holds only spaces.");
    const { start, end } = index.rangeFromUtf16(trimmed.start, trimmed.end);
    const quote = index.slice(start, end);
    performance.mark("span-add-start");
    const span = store.prepare({
      id: null, label, start, end, quote, note: "", source: "", dispute_basis: "", evidence_links: [],
      links: [], annotator: data.me, version: 0, pending: true,
    });
    // Layout is read (the caret, scrolling to the span) before the DOM is written (the list, the
    // editor): the other way round, each read forces a layout of the changed page.
    selectUnits(view, index.toUtf16(end)); // the caret continues after the new span
    ws.scrollToRange(span.range);
    spans.insertLocal(span);
    // Selected now, in the same frame as it is drawn: each highlight change repaints the text
    // near the viewport, so the answer from the server should not need another one.
    ws.select(span, { scrolled: true });
    ws.drawCaret?.();
    performance.measure("span-add-local", "span-add-start");
    return queue.serial(async () => {
      try {
        const saved = await api.post(data.urls.spans, { start, end, label, quote });
        Object.assign(span, saved, { pending: false });
        store.named(span);
      } catch (error) {
        ws.editor.dropped(span);
        spans.removeLocal(span);
        // The same text with the same label in this layer is one span (409 naming it): show it.
        const there = error.status === 409 && store.byId(error.body?.existing_id);
        if (there) {
          ws.select(there, { caret: true });
          return say(`Already labelled: ${there.label} “${short(there.quote)}”, selected.`);
        }
        return fail(`Not saved: ${error.message}`);
      }
      ws.history.record({ type: "create", id: span.id, fields: pick(span, SPAN_FIELDS) });
      // Only what the answer changes on the page: the list item's "saving…" and the id of what
      // was typed meanwhile. Redrawing the item and the editor (its fields were disabled until
      // now) restyled, laid out and repainted the side panel again (bench/workspace.py --trace).
      ws.list.saved(span);
      ws.editor.saved(span);
      clearError();
      // Attribution and content in one gesture: the span labelled right after an attribution is
      // what it attributes, and is linked to it at once (Esc in between says no).
      const attribution = state.linkNext;
      state.linkNext = label === "attribution" ? span : null;
      if (attribution && label !== "attribution" && store.byId(attribution.id) === attribution) {
        try {
          await spans.link(attribution, span.id);
          ws.history.record({ type: "link", from: attribution.id, to: span.id });
          if (state.selected === span) ws.editor.show(span);
          return say(`Saved ${label}: “${short(quote)}”, linked to the attribution “${short(attribution.quote, 30)}”.`);
        } catch (error) {
          return fail(`Saved, but not linked: ${error.message}`);
        }
      }
      say(label === "attribution"
        ? `Saved attribution: “${short(quote)}”. The next span you label is linked to it (Esc: don't).`
        : `Saved ${label}: “${short(quote)}”.`);
      performance.mark("span-add-end");
    });
  }

  /** Change fields of a span; `fold` makes a run of edits (typing) one undo step. */
  function changeSpan(span, fields, { fold = null, quiet = false } = {}) {
    if (!ws.canEdit(span)) return fail("You may not change this span.");
    return queue.serial(async () => {
      if (span.id === null) return; // its creation was refused meanwhile
      const changed = Object.keys(fields).filter((f) => JSON.stringify(fields[f]) !== JSON.stringify(span[f]));
      if (!changed.length) return;
      const before = pick(span, changed);
      const lostLinks = fields.label && fields.label !== "attribution" && span.label === "attribution" ? [...(span.links || [])] : [];
      try {
        await spans.update(span, pick(fields, changed));
      } catch (error) {
        fail(`Not changed: ${error.message}`);
        throw error;
      }
      ws.history.record({ type: "update", id: span.id, before, after: pick(span, changed), lostLinks }, { fold });
      clearError();
      if (state.selected === span) {
        if (changed.includes("start") || changed.includes("end")) {
          highlighter.mark("selected", [span.range]);
          overlay.ring(span, { handles: true });
          ws.editor.showQuote(span);
        }
        ws.markLinks();
        ws.editor.showMeta(span);
        if (changed.includes("label")) ws.editor.show(span);
      }
      if (!quiet) say(`Saved ${span.label}: “${short(span.quote)}”.`);
    }).catch(() => {});
  }

  function deleteSpan(span) {
    if (!ws.canEdit(span)) return fail("You may not delete this span.");
    return queue.serial(async () => {
      if (span.id === null) return;
      const at = store.positionOf(span);
      const linksOut = [...(span.links || [])];
      const attributions = store.attributionsOf(span);
      const step = { type: "delete", id: span.id, fields: pick(span, SPAN_FIELDS), linksOut, linksIn: attributions.map((s) => s.id) };
      // Undo brings it back in its owner's layer (a reviewer may delete another member's span).
      if (span.annotator !== data.me) step.fields.annotator = span.annotator;
      const others = [...linksOut.map((id) => store.byId(id)).filter(Boolean), ...attributions];
      try {
        await spans.delete(span);
      } catch (error) {
        return fail(`Not deleted: ${error.message}`);
      }
      ws.drafts.drop(step.id);
      ws.history.record(step);
      clearError();
      const nLinks = linksOut.length + attributions.length;
      const linkText = nLinks
        ? ` and ${nLinks} link${nLinks > 1 ? "s" : ""} (with ${others.map((s) => `${s.label} “${short(s.quote, 30)}”`).join(", ")})`
        : "";
      const undoText = span.annotator === data.me ? " Ctrl+Z brings it back." : ` Ctrl+Z brings it back to ${span.annotator}'s layer.`;
      const next = store.spans[Math.min(at, store.spans.length - 1)];
      if (next) ws.select(next, { keepFocus: true });
      else ws.textEl.focus({ preventScroll: true });
      say(`Deleted ${span.label} “${short(span.quote)}”${linkText}.${undoText}`);
    });
  }

  // ---- attribution links ----
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
    return queue.serial(async () => {
      if (attribution.id === null || target.id === null) return;
      try {
        await spans.link(attribution, target.id);
      } catch (error) {
        return fail(`Not linked: ${error.message}`);
      }
      ws.history.record({ type: "link", from: attribution.id, to: target.id });
      clearError();
      if (state.selected === attribution) ws.select(attribution, { keepFocus: true });
      say(`Linked to “${short(target.quote)}”.`);
    });
  }

  function unlink(attribution, targetId) {
    return queue.serial(async () => {
      try {
        await spans.unlink(attribution, targetId);
      } catch (error) {
        return fail(`Not unlinked: ${error.message}`);
      }
      ws.history.record({ type: "unlink", from: attribution.id, to: targetId });
      if (state.selected === attribution) ws.select(attribution, { keepFocus: true });
      say("Link removed.");
    });
  }

  /** A span's new edges (UTF-16), saved as an edit; a run of edge moves undoes as one step. */
  function resizeSpan(span, units) {
    const trimmed = trimUnits(data.text, units);
    if (!trimmed) return say("A span needs at least one character.");
    const { start, end } = index.rangeFromUtf16(trimmed.start, trimmed.end);
    if (start === span.start && end === span.end) return;
    changeSpan(span, { start, end, quote: index.slice(start, end) }, { fold: `edges:${span.id}` });
  }

  return { labelSelection, changeSpan, deleteSpan, startLinking, stopLinking, linkTo, unlink, resizeSpan };
}
