// The document text in the page: shown exactly as stored, cut into chunks of a few thousand
// characters, each an element with one text node. Why not one text node: Chromium repaints a
// whole text node when a highlight on it changes, so a megabyte-long node made every new span
// cost ~100 ms. Chunks that hold whole lines are blocks with `content-visibility: auto`, so the
// browser lays out and paints only those near the viewport; other chunks are inline, so a cut
// in the middle of a line never shows. Offsets here are UTF-16 units of the whole text.

const CHUNK = 4096;
const JOINS_PREVIOUS = /[\p{M}\u200c\u200d\ufe0e\ufe0f]/u; // combining marks, joiners, selectors

function cutAfter(text, from) {
  // The first position after `from` that follows a line break, else a space, else `from`.
  const limit = Math.min(text.length, from + CHUNK);
  for (const separator of ["\n", " "]) {
    let at = text.indexOf(separator, from);
    while (at !== -1 && at < limit) {
      if (!JOINS_PREVIOUS.test(text[at + 1] || "")) return at + 1;
      at = text.indexOf(separator, at + 1);
    }
  }
  let at = Math.min(text.length, from + CHUNK);
  if (at < text.length && /[\udc00-\udfff]/.test(text[at])) at++; // never inside a surrogate pair
  return at;
}

export class TextView {
  constructor(container, text) {
    this.container = container;
    this.text = text;
    this.length = text.length;
    const starts = [];
    this.nodes = [];
    const fragment = document.createDocumentFragment();
    // Until a chunk has been laid out, the browser takes this estimate of its height.
    const style = getComputedStyle(container);
    const lineHeight = parseFloat(style.lineHeight) || 28;
    const perLine = Math.max(20, Math.floor(container.clientWidth / ((parseFloat(style.fontSize) || 17) * 0.5)));
    for (let start = 0; start < text.length || starts.length === 0; ) {
      const end = start + CHUNK >= text.length ? text.length : cutAfter(text, start + CHUNK);
      const piece = text.slice(start, end);
      const wholeLines = (start === 0 || text[start - 1] === "\n") && (end === text.length || text[end - 1] === "\n");
      const chunk = document.createElement(wholeLines ? "div" : "span");
      chunk.className = wholeLines ? "chunk lines" : "chunk";
      if (wholeLines) {
        let lines = 0;
        for (const line of piece.split("\n")) lines += Math.max(1, Math.ceil(line.length / perLine));
        chunk.style.containIntrinsicSize = `auto ${Math.round(lines * lineHeight)}px`;
      }
      const node = document.createTextNode(piece);
      chunk.append(node);
      fragment.append(chunk);
      starts.push(start);
      this.nodes.push(node);
      start = end;
      if (end === text.length) break;
    }
    this.starts = Int32Array.from(starts);
    this.index = new Map(this.nodes.map((node, i) => [node, i]));
    container.replaceChildren(fragment);
  }

  /** The text node and offset in it of a UTF-16 offset of the whole text. */
  point(unit) {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= unit) lo = mid; else hi = mid - 1;
    }
    return [this.nodes[lo], unit - this.starts[lo]];
  }

  range(startUnit, endUnit) {
    const range = new Range();
    range.setStart(...this.point(startUnit));
    range.setEnd(...this.point(endUnit));
    return range;
  }

  /** The same extent as a StaticRange, for what is kept (a span's range, a highlight's). A live
   * Range is updated by the browser on every DOM change anywhere in the page: with 5,000 spans
   * each held one, and every write to the side panel cost ~1 ms per write (bench/workspace.py
   * --profile). The text never changes, so a static range stays right; layout is read through
   * `measurable`. */
  staticRange(startUnit, endUnit) {
    const [startContainer, startOffset] = this.point(startUnit);
    const [endContainer, endOffset] = this.point(endUnit);
    return new StaticRange({ startContainer, startOffset, endContainer, endOffset });
  }

  /** A DOM boundary point as a UTF-16 offset of the whole text, clamped to the text. */
  unitOf(container, offset) {
    const i = this.index.get(container);
    if (i !== undefined) return this.starts[i] + offset;
    if (container.parentNode === this.container && container.classList?.contains("chunk")) {
      const node = container.firstChild;
      return this.starts[this.index.get(node)] + (offset > 0 ? node.length : 0);
    }
    if (container === this.container) {
      const child = this.container.childNodes[offset];
      return child ? this.starts[this.index.get(child.firstChild)] : this.length;
    }
    // Elsewhere in the page: before or after the text.
    const probe = document.createRange();
    probe.setStart(container, offset);
    const all = document.createRange();
    all.selectNodeContents(this.container);
    return probe.compareBoundaryPoints(Range.START_TO_START, all) <= 0 ? 0 : this.length;
  }

  contains(node) {
    return node !== null && this.container.contains(node);
  }
}

let scratch = null; // the one live Range used to read layout of static ranges

/** A live Range over `range` (itself if it is one): for getClientRects and the like, read at once
 * (the next call moves it). */
export function measurable(range) {
  if (range instanceof Range) return range;
  scratch ||= new Range();
  scratch.setStart(range.startContainer, range.startOffset);
  scratch.setEnd(range.endContainer, range.endOffset);
  return scratch;
}
