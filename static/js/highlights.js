// Draws spans over the document text without touching its DOM: one CSS Custom Highlight per
// label (styled by ::highlight() rules in app.css), plus marks for overlaps, the selected span,
// link targets and the keyboard caret. Where CSS.highlights is missing, absolutely positioned
// boxes behind the text (from Range.getClientRects) stand in for it.

const MARKS = ["overlap", "link-target", "link-candidate", "selected", "caret"];
const PRIORITY = { overlap: 1, "link-target": 2, "link-candidate": 3, selected: 4, caret: 5 };

export class Highlighter {
  constructor({ textNode, overlay, pane, labels }) {
    this.textNode = textNode;
    this.overlay = overlay;
    this.pane = pane;
    this.labels = labels;
    this.native = typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight === "function";
    this.byLabel = new Map(labels.map((label) => [label, new Set()]));
    this.marks = new Map(MARKS.map((name) => [name, []]));
    if (this.native) {
      this.highlights = new Map();
      for (const label of labels) this._register(`span-${label}`, 0);
      for (const name of MARKS) this._register(`span-${name}`, PRIORITY[name]);
    } else {
      document.documentElement.classList.add("no-css-highlights");
      this._scheduled = false;
      new ResizeObserver(() => this._schedule()).observe(pane);
    }
  }

  _register(name, priority) {
    const highlight = new Highlight();
    highlight.priority = priority;
    CSS.highlights.set(name, highlight);
    this.highlights.set(name, highlight);
  }

  range(startUnit, endUnit) {
    const range = new Range();
    range.setStart(this.textNode, startUnit);
    range.setEnd(this.textNode, endUnit);
    return range;
  }

  /** Replace everything drawn with these spans (each carries .range and .label). */
  setSpans(spans) {
    for (const set of this.byLabel.values()) set.clear();
    if (this.native) for (const label of this.labels) this.highlights.get(`span-${label}`).clear();
    for (const span of spans) this._addOne(span);
    this._schedule();
  }

  _addOne(span) {
    this.byLabel.get(span.label).add(span);
    if (this.native) this.highlights.get(`span-${span.label}`).add(span.range);
  }

  add(span) {
    this._addOne(span);
    this._schedule();
  }

  remove(span, label = span.label) {
    this.byLabel.get(label).delete(span);
    if (this.native) this.highlights.get(`span-${label}`).delete(span.range);
    this._schedule();
  }

  relabel(span, oldLabel) {
    this.remove(span, oldLabel);
    this.add(span);
  }

  /** Marks one of MARKS with a list of ranges (replacing what it marked before). */
  mark(name, ranges) {
    this.marks.set(name, ranges);
    if (this.native) {
      const highlight = this.highlights.get(`span-${name}`);
      highlight.clear();
      for (const range of ranges) highlight.add(range);
    }
    this._schedule();
  }

  /** Regions covered by two or more spans, from spans sorted by start (one sweep). */
  markOverlaps(sortedSpans, units) {
    const regions = [];
    let reach = -1;
    for (const span of sortedSpans) {
      if (span.start < reach) {
        const end = Math.min(span.end, reach);
        const last = regions[regions.length - 1];
        if (last && span.start <= last[1]) last[1] = Math.max(last[1], end);
        else regions.push([span.start, end]);
      }
      if (span.end > reach) reach = span.end;
    }
    this.mark("overlap", regions.map(([start, end]) => {
      const u = units(start, end);
      return this.range(u.start, u.end);
    }));
  }

  // The fallback repaints all boxes once per frame after any change.
  _schedule() {
    if (this.native || this._scheduled) return;
    this._scheduled = true;
    requestAnimationFrame(() => {
      this._scheduled = false;
      this._paintFallback();
    });
  }

  _paintFallback() {
    const origin = this.pane.getBoundingClientRect();
    const fragment = document.createDocumentFragment();
    const box = (rect, className) => {
      const div = document.createElement("div");
      div.className = className;
      div.style.left = `${rect.left - origin.left}px`;
      div.style.top = `${rect.top - origin.top}px`;
      div.style.width = `${Math.max(rect.width, 2)}px`;
      div.style.height = `${rect.height}px`;
      fragment.append(div);
    };
    for (const [label, spans] of this.byLabel) {
      for (const span of spans) for (const rect of span.range.getClientRects()) box(rect, `hl hl-${label}`);
    }
    for (const [name, ranges] of this.marks) {
      for (const range of ranges) for (const rect of range.getClientRects()) box(rect, `hl hl-${name}`);
    }
    this.overlay.replaceChildren(fragment);
  }
}
