// Marks drawn over the document text without touching its DOM: a ring around the selected span
// in its label's colour (a fill would hide the label). Boxes come from Range.getClientRects(),
// positioned relative to the text pane, so page scrolling moves them with the text for free;
// a resize of the pane (reflow) redraws them.

import { unitAtPoint } from "./selection.js";
import { measurable } from "./text_view.js";

export class Overlay {
  constructor({ pane }) {
    this.pane = pane;
    this.ringLayer = document.createElement("div");
    this.ringLayer.id = "selection-ring";
    this.ringLayer.className = "selection-ring";
    this.ringLayer.setAttribute("aria-hidden", "true");
    pane.append(this.ringLayer);
    this.span = null;
    let queued = false;
    new ResizeObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.redraw();
      });
    }).observe(pane);
  }

  /** Ring this span (or none); `handles` adds the two edges to drag. */
  ring(span, { handles = false } = {}) {
    this.span = span;
    this.handles = handles;
    this.redraw();
  }

  redraw() {
    const span = this.span;
    if (!span) return this.ringLayer.replaceChildren();
    const origin = this.pane.getBoundingClientRect();
    const fragment = document.createDocumentFragment();
    const rects = [...measurable(span.range).getClientRects()].filter((rect, i, all) => rect.width > 0 || all.length === 1);
    for (const rect of rects) {
      const box = document.createElement("div");
      box.className = `ring label-${span.label}`;
      box.style.left = `${rect.left - origin.left}px`;
      box.style.top = `${rect.top - origin.top}px`;
      box.style.width = `${Math.max(rect.width, 2)}px`;
      box.style.height = `${rect.height}px`;
      fragment.append(box);
    }
    if (this.handles && rects.length) {
      const first = rects[0], last = rects[rects.length - 1];
      for (const [edge, x, rect] of [["start", first.left, first], ["end", last.right, last]]) {
        const handle = document.createElement("div");
        handle.className = `edge-handle edge-${edge} label-${span.label}`;
        handle.dataset.edge = edge;
        handle.title = `Drag to move the ${edge} of the span (Alt: by character)`;
        handle.style.left = `${x - origin.left}px`;
        handle.style.top = `${rect.top - origin.top}px`;
        handle.style.height = `${rect.height}px`;
        fragment.append(handle);
      }
    }
    this.ringLayer.replaceChildren(fragment);
  }
}

/** A small menu of the spans under a click where several overlap: nothing is picked silently. */
export class Chooser {
  constructor({ element, pane, onPick, onClose }) {
    this.element = element;
    this.pane = pane;
    this.onPick = onPick;
    this.onClose = onClose;
    this.spans = [];
    element.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-index]");
      if (button) this._pick(this.spans[Number(button.dataset.index)]);
    });
    element.addEventListener("keydown", (event) => {
      const buttons = [...element.querySelectorAll("button")];
      const at = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const next = (at + (event.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
        buttons[next].focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.close();
        this.onClose();
      }
      event.stopPropagation(); // the page's own shortcuts wait until the menu is closed
    });
    document.addEventListener("mousedown", (event) => {
      if (!element.hidden && !element.contains(event.target)) this.close();
    });
  }

  get open() {
    return !this.element.hidden;
  }

  show(spans, { x, y, describe }) {
    this.spans = spans;
    const title = document.createElement("p");
    title.className = "chooser-title";
    title.textContent = `${spans.length} spans here: pick one`;
    const items = document.createElement("ul");
    spans.forEach((span, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.index = String(i);
      button.className = `chooser-item label-${span.label}`;
      const chip = document.createElement("span");
      chip.className = `label-chip chip chip-${span.label} label-${span.label}`;
      chip.textContent = span.label;
      button.append(chip, " ", describe(span));
      li.append(button);
      items.append(li);
    });
    this.element.replaceChildren(title, items);
    const origin = this.pane.getBoundingClientRect();
    this.element.hidden = false;
    const width = this.element.offsetWidth;
    const left = Math.max(0, Math.min(x - origin.left, this.pane.clientWidth - width));
    this.element.style.left = `${left}px`;
    this.element.style.top = `${y - origin.top + 18}px`;
    items.querySelector("button").focus({ preventScroll: true });
  }

  _pick(span) {
    this.close();
    this.onPick(span);
  }

  close() {
    this.element.hidden = true;
    this.spans = [];
  }
}

/** Dragging the ring's edge handles: `current()` is the ringed item ({u0, u1}); while dragging,
 * `onMove(units)` previews the new extent (UTF-16, snapped by `snap(units, event)`), and
 * `onDrop(item, units)` gets the last one. */
export function followEdgeDrags({ overlay, view, current, snap, onMove, onDrop }) {
  let dragging = null;
  overlay.ringLayer.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".edge-handle");
    const item = current();
    if (!handle || !item) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    dragging = { edge: handle.dataset.edge, item, units: { start: item.u0, end: item.u1 } };
  });
  overlay.ringLayer.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const unit = unitAtPoint(view, event.clientX, event.clientY);
    if (unit === null) return;
    const { item } = dragging;
    const units = dragging.edge === "start" ? { start: Math.min(unit, item.u1 - 1), end: item.u1 } : { start: item.u0, end: Math.max(unit, item.u0 + 1) };
    dragging.units = snap(units, event);
    onMove(dragging.units);
  });
  overlay.ringLayer.addEventListener("pointerup", () => {
    if (!dragging) return;
    const { item, units } = dragging;
    dragging = null;
    onDrop(item, units);
  });
}

const SVG = "http://www.w3.org/2000/svg";

/** Attribution links as SVG curves over the text, from the attribution to the content it
 * attributes. Drawn in the text pane's coordinates, so page scrolling moves them with the text;
 * only links with an end near the viewport (the highlighter's window) are drawn, so a document
 * with a thousand links costs the same as one with a few, and the text's DOM is never touched. */
export class Connectors {
  constructor({ pane, window: nearWindow }) {
    this.pane = pane;
    this.nearWindow = nearWindow; // () => [u0, u1]: the UTF-16 range near the viewport
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.id = "link-connectors";
    this.svg.setAttribute("class", "link-connectors");
    this.svg.setAttribute("aria-hidden", "true");
    pane.append(this.svg);
    this.pairs = [];
    this.drawn = [];
    this.focus = null;
    this.drawnKey = "";
    let queued = false;
    this.soon = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        this.draw();
      });
    };
    window.addEventListener("scroll", this.soon, { passive: true });
    new ResizeObserver(() => {
      this.drawnKey = "";
      this.soon();
    }).observe(pane);
  }

  /** [[attribution, target], ...] spans with u0, u1, range; `focus` is drawn stronger. The
   * same links as before with another focus (a span selected, a write answered) only restyle
   * the paths drawn: rebuilding them reads every drawn span's layout. */
  set(pairs, focus = null) {
    const key = Connectors.keyOf(pairs);
    if (key === this.pairsKey && this.drawnKey) {
      if (focus !== this.focus) {
        this.focus = focus;
        this._restyle();
      }
      return;
    }
    this.pairsKey = key;
    this.pairs = pairs;
    this.focus = focus;
    this.drawnKey = "";
    this.soon();
  }

  /** What the drawing depends on: which spans are linked and where they are. */
  static keyOf(pairs) {
    let key = "";
    for (const [a, b] of pairs) key += `${a.key}:${a.u0}:${a.u1}>${b.key}:${b.u0}:${b.u1};`;
    return key;
  }

  _restyle() {
    for (const { path, from, to } of this.drawn || []) {
      const strong = this.focus && (from === this.focus || to === this.focus);
      path.setAttribute("class", strong ? "connector is-focus" : "connector");
    }
  }

  /** Draws the links with an end in the window. When only the window moved (scrolling), the
   * paths already drawn stay (they are in the pane's coordinates) and only the links entering the
   * window are measured and added, those leaving it removed: rebuilding every path read the
   * layout of every drawn span at each step of the window. Layout is read before any write. */
  draw() {
    const [lo, hi] = this.nearWindow();
    const windowKey = `${lo}:${hi}`;
    if (windowKey === this.drawnKey) return; // scrolling within the window changes nothing
    const whole = !this.drawnKey; // new links, a resize or a first drawing: redraw all
    this.drawnKey = windowKey;
    const nearby = ({ u0, u1 }) => u1 > lo && u0 < hi;
    const kept = new Map(whole ? [] : this.drawn.map((entry) => [entry.pair, entry]));
    const near = this.pairs.filter(([a, b]) => nearby(a) || nearby(b));
    const measured = [];
    const origin = this.pane.getBoundingClientRect();
    for (const pair of near) {
      if (kept.has(pair)) continue;
      const a = measurable(pair[0].range).getClientRects()[0], b = measurable(pair[1].range).getClientRects()[0];
      if (a && b) measured.push([pair, a, b]);
    }
    const size = whole ? [this.pane.scrollWidth, this.pane.scrollHeight] : null;
    // ---- writes only from here ----
    const stay = new Set(near);
    for (const [pair, entry] of kept) if (!stay.has(pair)) entry.path.remove();
    this.drawn = near.filter((pair) => kept.has(pair)).map((pair) => kept.get(pair));
    const fragment = document.createDocumentFragment();
    for (const [pair, a, b] of measured) {
      const [from, to] = pair;
      const x1 = a.left - origin.left + Math.min(a.width / 2, 40), y1 = a.bottom - origin.top;
      const x2 = b.left - origin.left + Math.min(b.width / 2, 40), y2 = b.bottom - origin.top;
      const dip = Math.max(14, Math.min(60, Math.abs(x2 - x1) / 4 + Math.abs(y2 - y1) / 6));
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", `M ${x1} ${y1} C ${x1} ${y1 + dip}, ${x2} ${y2 + dip}, ${x2} ${y2}`);
      const strong = this.focus && (from === this.focus || to === this.focus);
      path.setAttribute("class", strong ? "connector is-focus" : "connector");
      path.setAttribute("marker-end", "url(#connector-arrow)");
      fragment.append(path);
      this.drawn.push({ pair, path, from, to });
    }
    if (!whole) return this.svg.append(fragment);
    this.svg.setAttribute("width", String(size[0]));
    this.svg.setAttribute("height", String(size[1]));
    const defs = document.createElementNS(SVG, "defs");
    const marker = document.createElementNS(SVG, "marker");
    for (const [name, value] of [["id", "connector-arrow"], ["viewBox", "0 0 10 10"], ["refX", "9"], ["refY", "5"], ["markerWidth", "6"], ["markerHeight", "6"], ["orient", "auto-start-reverse"]]) marker.setAttribute(name, value);
    const tip = document.createElementNS(SVG, "path");
    tip.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
    tip.setAttribute("class", "connector-tip");
    marker.append(tip);
    defs.append(marker);
    this.svg.replaceChildren(defs, fragment);
  }
}
