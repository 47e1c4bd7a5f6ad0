// Code points (the server's unit) <-> UTF-16 code units (the DOM's unit): the only place in
// the browser that converts between them. Build one OffsetIndex per text: it records where the
// astral characters (emoji, flag halves, ...) are, so each conversion is a binary search.

// Extended grapheme clusters (UAX #29): the server refuses a span end inside one (a flag, an
// emoji with its skin tone or ZWJ parts, a letter with its combining marks), so selections snap.
const graphemes = globalThis.Intl?.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/** A UTF-16 range of `text` widened to whole grapheme clusters. Pass `segments`
 * (graphemes.segment(text)) when snapping often in one text. */
export function snapToGraphemes(text, startUnit, endUnit, segments = graphemes?.segment(text)) {
  if (!segments) return { start: startUnit, end: endUnit };
  const start = startUnit < text.length ? segments.containing(startUnit).index : startUnit;
  let end = endUnit;
  if (endUnit > 0 && endUnit < text.length) {
    const last = segments.containing(endUnit); // the cluster holding the unit just after the range
    if (last.index < endUnit) end = last.index + last.segment.length;
  }
  return { start, end };
}

function isHigh(code) { return code >= 0xd800 && code <= 0xdbff; }
function isLow(code) { return code >= 0xdc00 && code <= 0xdfff; }

export class OffsetIndex {
  constructor(text) {
    this.text = text;
    const starts = [];
    for (let i = 0, n = text.length; i < n; i++) {
      // A lone surrogate counts as one code point, as Python counts it.
      if (isHigh(text.charCodeAt(i)) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
        starts.push(i);
        i++;
      }
    }
    // UTF-16 offset of the high surrogate of each astral code point, ascending.
    this.astral = Int32Array.from(starts);
    this.utf16Length = text.length;
    this.length = text.length - starts.length; // in code points
  }

  // Number of astral code points that start before UTF-16 offset `unit`.
  _astralBeforeUnit(unit) {
    let lo = 0, hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] < unit) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Number of astral code points that start before code point offset `point`.
  _astralBeforePoint(point) {
    // The k-th astral character (0-based) sits at code point astral[k] - k.
    let lo = 0, hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] - mid < point) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Code point offset -> UTF-16 offset. */
  toUtf16(point) {
    if (!Number.isInteger(point) || point < 0 || point > this.length) {
      throw new RangeError(`code point offset ${point} is outside 0..${this.length}`);
    }
    return point + this._astralBeforePoint(point);
  }

  /** UTF-16 offset -> code point offset. Throws for an offset inside a surrogate pair. */
  fromUtf16(unit) {
    if (!Number.isInteger(unit) || unit < 0 || unit > this.utf16Length) {
      throw new RangeError(`UTF-16 offset ${unit} is outside 0..${this.utf16Length}`);
    }
    const before = this._astralBeforeUnit(unit);
    if (before > 0 && this.astral[before - 1] === unit - 1) {
      throw new RangeError(`UTF-16 offset ${unit} falls inside a surrogate pair`);
    }
    return unit - before;
  }

  /** The nearest UTF-16 offset that is not inside a surrogate pair, moving `direction` (-1 or 1). */
  snapUtf16(unit, direction) {
    const before = this._astralBeforeUnit(unit);
    if (before > 0 && this.astral[before - 1] === unit - 1) return direction < 0 ? unit - 1 : unit + 1;
    return unit;
  }

  /** Both ends of a UTF-16 range (a selection) as code points, widened so no surrogate pair
   * and no grapheme cluster is split. */
  rangeFromUtf16(startUnit, endUnit) {
    this.segments ??= graphemes?.segment(this.text);
    const { start, end } = snapToGraphemes(this.text, this.snapUtf16(startUnit, -1), this.snapUtf16(endUnit, 1), this.segments);
    return { start: this.fromUtf16(start), end: this.fromUtf16(end) };
  }

  /** A code point range as UTF-16 offsets. */
  rangeToUtf16(start, end) {
    return { start: this.toUtf16(start), end: this.toUtf16(end) };
  }

  /** text[start:end] in code points, as the server computes a span's quote. */
  slice(start, end) {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}
