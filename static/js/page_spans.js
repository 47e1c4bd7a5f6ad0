// Plain server writes for spans that keep the page in step: the store (span_store.js), the
// highlights and the span list. The recorded actions (span_actions.js) and undo (undo_steps.js)
// build on these; nothing here knows about selection or history.
import { api } from "./api.js";

export const SPAN_FIELDS = ["label", "start", "end", "quote", "note", "source", "dispute_basis", "evidence_links"];

/** A copy of some fields of a span (lists copied too), for history steps and PATCH bodies. */
export function pick(span, fields) {
  const out = {};
  for (const field of fields) out[field] = Array.isArray(span[field]) ? [...span[field]] : span[field];
  return out;
}

export class PageSpans {
  /**
   * `shows(span)` says whether a span written now belongs on the page (the layer shown is the
   * reader's, another annotator's or all); `onRemoved(span)` runs after a span left the page.
   */
  constructor({ store, highlighter, list, urls, shows, onRemoved }) {
    Object.assign(this, { store, highlighter, list, urls, shows, onRemoved });
  }

  url(id, suffix = "") {
    return this.urls.span.replace(/0\/$/, `${id}/${suffix}`);
  }

  insertLocal(span) {
    const at = this.store.insert(span);
    this.highlighter.add(span);
    this.highlighter.markOverlaps();
    this.list.inserted(span, at);
  }

  removeLocal(span) {
    const at = this.store.remove(span);
    if (at < 0) return;
    this.highlighter.remove(span);
    this.highlighter.markOverlaps();
    this.list.removed(span, at);
    this.onRemoved(span);
  }

  /** Take the server's answer for a span, redrawing what changed (label, offsets, links). */
  applySaved(span, saved) {
    const { store, highlighter, list } = this;
    const local = store.byId(span.id) === span;
    const oldLabel = span.label;
    const oldLinks = span.links || [];
    const moved = saved.start !== span.start || saved.end !== span.end;
    if (!local) return Object.assign(span, saved);
    if (moved) {
      const at = store.remove(span);
      highlighter.remove(span, oldLabel);
      list.removed(span, at);
      Object.assign(span, saved);
      store.place(span);
      this.insertLocal(span);
    } else {
      Object.assign(span, saved);
      if (span.label !== oldLabel) highlighter.relabel(span, oldLabel);
    }
    list.refresh([span, ...oldLinks.map((id) => store.byId(id)), ...(span.links || []).map((id) => store.byId(id))]);
    return span;
  }

  /** The span with this id: the one on the page, or (another layer's) read from the server. */
  async spanFor(id) {
    return this.store.byId(id) || (await api.get(this.url(id)));
  }

  async create(fields) {
    const saved = await api.post(this.urls.spans, fields);
    const span = this.store.prepare({ ...saved, pending: false });
    if (this.shows(span)) this.insertLocal(span);
    return span;
  }

  async update(span, fields) {
    const saved = await api.patch(this.url(span.id), { ...fields, version: span.version });
    return this.applySaved(span, saved);
  }

  async delete(span) {
    await api.delete(this.url(span.id), { "If-Match": `"${span.version}"` });
    this.removeLocal(span);
    const attributions = this.store.attributionsOf(span);
    for (const s of attributions) s.links = s.links.filter((id) => id !== span.id);
    this.list.refresh([...attributions, ...(span.links || []).map((id) => this.store.byId(id))]);
  }

  async link(attribution, targetId) {
    const saved = await api.post(this.url(attribution.id, "links/"), { target: targetId });
    return this.applySaved(attribution, saved);
  }

  async unlink(attribution, targetId) {
    await api.delete(this.url(attribution.id, `links/${targetId}/`));
    attribution.links = (attribution.links || []).filter((id) => id !== targetId);
    this.list.refresh([attribution, this.store.byId(targetId)]);
  }

  /** Every link between spans on the page, as [attribution, target] pairs for the connectors. */
  linkPairs() {
    const pairs = [];
    for (const span of this.store.spans) {
      for (const id of span.links || []) {
        const target = this.store.byId(id);
        if (target) pairs.push([span, target]);
      }
    }
    return pairs;
  }
}
