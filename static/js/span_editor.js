// The side panel's editor of the selected span: label, note, source, dispute reason, evidence,
// its links both ways. What is typed goes to drafts.js at every keystroke (saved as you type,
// kept across span switches and reloads) and reaches the server as one folded undo step.
import { setProperty } from "./dom_writes.js";
import { Drafts } from "./drafts.js";
import { pick } from "./page_spans.js";
import { short } from "./workspace_status.js";

const TYPED_FIELDS = ["note", "source", "dispute_basis", "evidence_links"];

export function createSpanEditor(ws) {
  const { data, store, state, spans, queue } = ws;
  const $ = (id) => document.getElementById(id);
  const editor = $("span-editor");
  const form = $("editor-form");

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
        span = await queue.serial(() => spans.spanFor(spanId));
      } catch (error) {
        if (error.status === 404) return drafts.drop(spanId); // the span is gone: so is its draft
        throw error;
      }
      const wanted = Object.fromEntries(Object.entries(fields).filter(([f]) => TYPED_FIELDS.includes(f)));
      await queue.serial(async () => {
        const changed = Object.keys(wanted).filter((f) => JSON.stringify(wanted[f]) !== JSON.stringify(span[f]));
        if (!changed.length) return;
        const before = pick(span, changed);
        await spans.update(span, pick(wanted, changed));
        ws.history.record({ type: "update", id: span.id, before, after: pick(span, changed), lostLinks: [] }, { fold: `typed:${span.id}` });
        if (state.selected === span) showMeta(span);
      });
    },
  });

  // The editor is filled at every selection: only what differs is written (dom_writes.js).
  const setText = (element, text) => setProperty(element, "textContent", text);

  function showMeta(span) {
    setText($("editor-owner"), span.annotator === data.me ? "Yours" : `By ${span.annotator}`);
  }

  function showQuote(span) {
    setText($("editor-quote"), span.quote);
  }

  let linksShown = null; // what showLinks drew last, to skip redrawing the same lists

  function showLinks(span) {
    const by = span.id === null ? [] : store.attributionsOf(span);
    const key = JSON.stringify([(span.links || []).map((id) => {
      const target = store.byId(id);
      return target ? [id, target.label, target.quote] : [id];
    }), by.map((a) => [a.source, a.quote])]);
    if (key === linksShown) return;
    linksShown = key;
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
    $("editor-attributed-box").hidden = by.length === 0;
    $("editor-attributed").replaceChildren(...by.map((a) => {
      const li = document.createElement("li");
      li.dir = "auto";
      li.textContent = `${a.source ? `${a.source}: ` : ""}“${short(a.quote, 80)}”`;
      return li;
    }));
  }

  function show(span) {
    setProperty(editor, "hidden", !span);
    if (!span) return;
    if (editor.dataset.label !== span.label) editor.dataset.label = span.label;
    showQuote(span);
    showMeta(span);
    const values = { ...pick(span, TYPED_FIELDS), ...((span.id === null ? held.get(span.key) : drafts.get(span.id)) || {}) };
    setProperty($("editor-label"), "value", span.label);
    setProperty($("editor-note"), "value", values.note || "");
    setProperty($("editor-source"), "value", values.source || "");
    setProperty($("editor-basis"), "value", values.dispute_basis || "");
    setProperty($("editor-evidence"), "value", (values.evidence_links || []).join("\n"));
    const saveState = $("save-state");
    if (span.id !== null && drafts.get(span.id)) {
      saveState.dataset.state = "dirty";
      saveState.textContent = "Draft kept on this device, saving…";
      drafts.put(span.id, drafts.get(span.id));
    } else {
      if (saveState.dataset.state !== "saved") saveState.dataset.state = "saved"; // nothing of this span waits to be saved
      setText(saveState, "Saved (changes save as you type)");
    }
    // A span being saved stays editable (what is typed waits in `held` for its id): disabling
    // the fields until the answer came restyled and repainted the page a second time per add.
    const disabled = !ws.canEdit(span);
    for (const field of form.elements) setProperty(field, "disabled", disabled);
    showLinks(span);
  }

  const held = new Map(); // span key -> typed fields of a span not saved yet

  /** The span now has its id: what was typed meanwhile becomes its draft (saved as usual). */
  function saved(span) {
    const fields = held.get(span.key);
    if (!fields) return;
    held.delete(span.key);
    drafts.put(span.id, fields);
  }

  /** The span was refused: nothing typed for it can be kept. */
  function dropped(span) {
    held.delete(span.key);
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
      if (!span || !ws.canEdit(span)) return;
      if (span.id === null) held.set(span.key, typedFields());
      else drafts.put(span.id, typedFields());
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.selected && state.selected.id !== null) drafts.flush(state.selected.id);
  });
  $("editor-label").addEventListener("change", () => {
    editor.dataset.label = $("editor-label").value;
    if (state.selected) ws.actions.changeSpan(state.selected, { label: $("editor-label").value });
  });
  $("delete-button").addEventListener("click", () => state.selected && ws.actions.deleteSpan(state.selected));
  $("link-button").addEventListener("click", () => ws.actions.startLinking());
  $("editor-links").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-target]");
    if (button && state.selected) ws.actions.unlink(state.selected, Number(button.dataset.target));
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      ws.textEl.focus({ preventScroll: true });
    }
  });

  return { drafts, show, saved, dropped, showMeta, showQuote, focusNote: () => $("editor-note").focus() };
}
