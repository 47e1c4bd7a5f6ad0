// Draws spans over the document text without touching its DOM: one CSS Custom Highlight per
// label (styled by ::highlight() rules in app.css), plus marks for overlaps, the selected span,
// link targets and the keyboard caret. Where CSS.highlights is missing, absolutely positioned
// boxes behind the text (from Range.getClientRects) stand in for it.
//
// Only the spans near the viewport are registered: Chromium recomputes every registered range
// when any highlight changes, so with thousands of spans each new one would cost tens of
// milliseconds. The window moves with scrolling, in steps, so most scrolls change nothing.

import { unitAtPoint } from "./selection.js";
import { measurable } from "./text_view.js";

const MARKS = ["overlap", "link-target", "link-candidate", "selected", "caret"];
const PRIORITY = { overlap: 1, "link-target": 2, "link-candidate": 3, selected: 4, caret: 5 };
const STEP = 2048; // UTF-16 units: the window's edges move in steps of this size

export class Highlighter {
  constructor({ view, overlay, pane, labels }) {
    this.view = view;
    this.overlay = overlay;
    this.pane = pane;
    this.labels = labels;
    this.native = typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight === "function";
    this.spans = []; // sorted by start, shared with the caller; each has u0, u1, range, label
    this.longest = 0;
    this.window = [0, 0];
    this.shown = new Map(labels.map((label) => [label, new Set()])); // registered spans
    this.marks = new Map(MARKS.map((name) => [name, []]));
    this.overlaps = []; // [u0, u1] regions covered by two or more spans
    if (this.native) {
      this.highlights = new Map();
      for (const label of labels) this._register(`span-${label}`, 0);
      for (const name of MARKS) this._register(`span-${name}`, PRIORITY[name]);
    } else {
      document.documentElement.classList.add("no-css-highlights");
      new ResizeObserver(() => this._paintSoon()).observe(pane);
    }
    let queued = false;
    const follow = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.refresh();
      });
    };
    window.addEventListener("scroll", follow, { passive: true });
    window.addEventListener("resize", follow);
  }

  _register(name, priority) {
    const highlight = new Highlight();
    highlight.priority = priority;
    CSS.highlights.set(name, highlight);
    this.highlights.set(name, highlight);
  }

  range(startUnit, endUnit) {
    return this.view.staticRange(startUnit, endUnit);
  }

  // ---- which part of the text is near the viewport ----
  _computeWindow() {
    const box = this.pane.getBoundingClientRect();
    const top = Math.max(box.top, 0);
    const bottom = Math.min(box.bottom, window.innerHeight);
    if (bottom <= top) return [0, 0];
    // Probe a few points inward from each edge: a miss must not widen the window to the whole
    // text (thousands of registered ranges make every later paint slow).
    const probe = (y, dy) => {
      for (let i = 0; i < 8; i++, y += dy) {
        for (const x of [box.left + Math.min(box.width / 2, 40), box.left + box.width / 2]) {
          const unit = unitAtPoint(this.view, x, y);
          if (unit !== null) return unit;
        }
      }
      return null;
    };
    let lo = probe(top + 2, 24) ?? 0;
    let hi = probe(bottom - 2, -24) ?? this.view.length;
    if (hi < lo) [lo, hi] = [hi, lo];
    const margin = Math.max((hi - lo) >> 1, STEP); // half a screen above and below
    lo = Math.max(0, Math.floor((lo - margin) / STEP) * STEP);
    hi = Math.min(this.view.length, Math.ceil((hi + margin) / STEP) * STEP);
    return [lo, hi];
  }

  _near(u0, u1) {
    return u1 > this.window[0] && u0 < this.window[1];
  }

  /** Spans that intersect the window, found by binary search on the sorted list. */
  _spansInWindow() {
    const [lo, hi] = this.window;
    const from = lo - this.longest;
    let a = 0, b = this.spans.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.spans[mid].u0 < from) a = mid + 1; else b = mid;
    }
    const found = [];
    for (let i = a; i < this.spans.length && this.spans[i].u0 < hi; i++) {
      if (this.spans[i].u1 > lo) found.push(this.spans[i]);
    }
    return found;
  }

  /** Re-register what is near the viewport; cheap when the window has not moved a step. When it
   * steps (scrolling), only the spans leaving or entering it are unregistered or registered:
   * re-adding every range of the window made each step a dropped frame. */
  refresh(force = false) {
    const next = this._computeWindow();
    if (!force && next[0] === this.window[0] && next[1] === this.window[1]) return;
    this.window = next;
    const inWindow = this._spansInWindow();
    if (force) {
      for (const set of this.shown.values()) set.clear();
      if (this.native) for (const label of this.labels) this.highlights.get(`span-${label}`).clear();
      for (const span of inWindow) this._show(span);
    } else {
      const entering = new Set(inWindow);
      for (const [label, set] of this.shown) {
        for (const span of set) {
          if (entering.delete(span)) continue; // still in the window: already registered
          set.delete(span);
          if (this.native) this.highlights.get(`span-${label}`).delete(span.range);
        }
      }
      for (const span of entering) this._show(span);
    }
    this._overlapKey = null;
    this._registerOverlaps();
    this._paintSoon();
  }

  _show(span) {
    this.shown.get(span.label).add(span);
    if (this.native) this.highlights.get(`span-${span.label}`).add(span.range);
  }

  /** Draw these spans (the caller's sorted array, kept in step by add/remove). */
  setSpans(spans) {
    this.spans = spans;
    this.longest = spans.reduce((longest, span) => Math.max(longest, span.u1 - span.u0), 0);
    this.refresh(true);
  }

  add(span) {
    this.longest = Math.max(this.longest, span.u1 - span.u0);
    if (this._near(span.u0, span.u1)) {
      this._show(span);
      this._paintSoon();
    }
  }

  remove(span, label = span.label) {
    this.shown.get(label).delete(span);
    if (this.native) this.highlights.get(`span-${label}`).delete(span.range);
    this._paintSoon();
  }

  relabel(span, oldLabel) {
    this.remove(span, oldLabel);
    this.add(span);
  }

  /** Marks one of MARKS with a few ranges (replacing what it marked before). */
  mark(name, ranges) {
    if (sameRanges(ranges, this.marks.get(name))) return; // each change repaints the text near the viewport: skip no-ops
    this.marks.set(name, ranges);
    if (this.native) {
      const highlight = this.highlights.get(`span-${name}`);
      highlight.clear();
      for (const range of ranges) highlight.add(range);
    }
    this._paintSoon();
  }

  /** Regions covered by two or more spans, in one sweep over the sorted spans. */
  markOverlaps() {
    const regions = [];
    let reach = -1;
    for (const span of this.spans) {
      if (span.u0 < reach) {
        const end = Math.min(span.u1, reach);
        const last = regions[regions.length - 1];
        if (last && span.u0 <= last[1]) last[1] = Math.max(last[1], end);
        else regions.push([span.u0, end]);
      }
      if (span.u1 > reach) reach = span.u1;
    }
    this.overlaps = regions;
    this._registerOverlaps();
  }

  _registerOverlaps() {
    const near = this.overlaps.filter(([u0, u1]) => this._near(u0, u1));
    const key = near.join(";");
    if (key === this._overlapKey) return;
    this._overlapKey = key;
    this.mark("overlap", near.map(([u0, u1]) => this.range(u0, u1)));
  }

  // ---- the fallback: boxes behind the text, repainted once per frame after a change ----
  _paintSoon() {
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
    for (const [label, spans] of this.shown) {
      for (const span of spans) for (const rect of measurable(span.range).getClientRects()) box(rect, `hl hl-${label}`);
    }
    for (const [name, ranges] of this.marks) {
      for (const range of ranges) for (const rect of measurable(range).getClientRects()) box(rect, `hl hl-${name}`);
    }
    this.overlay.replaceChildren(fragment);
  }
}

function sameRanges(a, b) {
  if (a.length !== b.length) return false;
  return a.every((r, i) => r.startContainer === b[i].startContainer && r.startOffset === b[i].startOffset
    && r.endContainer === b[i].endContainer && r.endOffset === b[i].endOffset);
}
