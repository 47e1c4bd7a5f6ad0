// The spans shown in the workspace, in text order (start, end, id), with their DOM ranges.
// Only data: drawing and listing are told about changes by the caller.

export class SpanStore {
  constructor({ index, view }) {
    this.index = index; // OffsetIndex: code points <-> UTF-16
    this.view = view; // TextView: UTF-16 offsets -> DOM ranges
    this.spans = [];
    this.ids = new Map();
    this.nextKey = 1;
  }

  /** Give a span from the server (or a pending one) its key and DOM range. */
  prepare(span) {
    span.key = span.key || `s${this.nextKey++}`;
    this.place(span);
    return span;
  }

  /** Recompute the DOM range after the offsets changed. */
  place(span) {
    const u = this.index.rangeToUtf16(span.start, span.end);
    span.u0 = u.start;
    span.u1 = u.end;
    span.range = this.view.staticRange(u.start, u.end); // static: see TextView.staticRange
  }

  reset(rows) {
    this.spans = rows.map((row) => this.prepare(row)); // the API lists them in text order
    this.ids = new Map(this.spans.filter((s) => s.id !== null).map((s) => [s.id, s]));
  }

  static compare(a, b) {
    return a.start - b.start || a.end - b.end || (a.id ?? Infinity) - (b.id ?? Infinity);
  }

  /** Where the span goes in text order (binary search). */
  insertionIndex(span) {
    let lo = 0, hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (SpanStore.compare(this.spans[mid], span) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Where the span is: the binary search lands on it or on an equal neighbour before it. */
  positionOf(span) {
    for (let i = this.insertionIndex(span); i < this.spans.length; i++) if (this.spans[i] === span) return i;
    return this.spans.indexOf(span);
  }

  insert(span) {
    const at = this.insertionIndex(span);
    this.spans.splice(at, 0, span);
    if (span.id !== null) this.ids.set(span.id, span);
    return at;
  }

  remove(span) {
    const at = this.positionOf(span);
    if (at >= 0) this.spans.splice(at, 1);
    if (this.ids.get(span.id) === span) this.ids.delete(span.id);
    return at;
  }

  /** The span got its id from the server. */
  named(span) {
    if (span.id !== null) this.ids.set(span.id, span);
  }

  byId(id) {
    return this.ids.get(id);
  }

  /** Saved spans covering code point `point`, innermost first. */
  at(point) {
    return this.spans
      .filter((span) => span.start <= point && point < span.end && span.id !== null)
      .sort((a, b) => a.end - a.start - (b.end - b.start) || SpanStore.compare(a, b));
  }

  /** Attributions that link to this span. */
  attributionsOf(span) {
    return this.spans.filter((other) => (other.links || []).includes(span.id));
  }
}
