// A mark's versions in the adjudication view (static/js/adjudicate.js): what the text draws for
// a mark whose versions differ, the words that name the difference, and the hover tip over it.
// Which spans are versions of one mark, and which characters only some of them cover, is decided
// on the server (annotate/workflow/units.py); this only draws and words it.
import { unitAtPoint } from "../selection.js";

/** "carol", "carol and dave", "carol, dave and erin". */
export function names(list) {
  return list.length < 2 ? list.join("") : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

function quoted(text, n = 60) {
  return `“${text.length > n ? `${text.slice(0, n)}…` : text}”`;
}

function characters(n) {
  return `${n} character${n === 1 ? "" : "s"}`;
}

/** What the text shows for one mark: the part every version covers, drawn as the label, and the
 * pieces only some cover, drawn as `${label}-partial`; a mark drawn one way is itself. Each item
 * has start, end (code points), label, quote, reviewers; pieces also their name. */
export function drawnParts(mark, slice) {
  if (!mark.pieces.length) return [mark.lead];
  const [start, end] = mark.shared;
  const shared = { label: mark.label, start, end, quote: slice(start, end), reviewers: mark.reviewers, mark };
  const pieces = mark.pieces.map((piece) => ({
    label: `${mark.label}-partial`, start: piece.start, end: piece.end, quote: slice(piece.start, piece.end),
    reviewers: piece.covered, mark, name: pieceName(piece, slice),
  }));
  return [shared, ...pieces];
}

const WORD = /[\p{L}\p{N}]/u;

/** “that ”: covered by dave, not by carol and erin. Where a reviewer drew part of the piece as a
 * span of its own (piece.apart, from the server), that is said instead of "not by": “, critics
 * said”: covered by carol; dave drew “critics said” as a separate span. */
export function pieceName(piece, slice) {
  const apart = piece.apart || [];
  // Not "not by" a reviewer whose separate span holds every letter and digit of the piece.
  const whole = (a) => !WORD.test(slice(piece.start, a.start)) && !WORD.test(slice(a.end, piece.end));
  const excused = new Set(apart.filter(whole).flatMap((a) => a.reviewers));
  const missed = piece.missing.filter((r) => !excused.has(r));
  let words = `${quoted(slice(piece.start, piece.end))}: covered by ${names(piece.covered)}`;
  if (missed.length) words += `, not by ${names(missed)}`;
  for (const a of apart) {
    const what = a.start === piece.start && a.end === piece.end ? "it" : quoted(slice(a.start, a.end));
    words += `; ${names(a.reviewers)} drew ${what} as a separate span`;
  }
  return words;
}

/** Each version's edges against the lead's, in words: "dave starts 5 characters earlier: “that ”". */
export function edgeSentences(mark, slice) {
  const lead = mark.lead;
  const sentences = [];
  for (const version of mark.variants) {
    if (version === lead) continue;
    const who = names(version.reviewers);
    if (version.start < lead.start) sentences.push(`${who} starts ${characters(lead.start - version.start)} earlier: ${quoted(slice(version.start, lead.start))}`);
    if (version.start > lead.start) sentences.push(`${who} starts ${characters(version.start - lead.start)} later, leaving out ${quoted(slice(lead.start, version.start))}`);
    if (version.end > lead.end) sentences.push(`${who} ends ${characters(version.end - lead.end)} later: ${quoted(slice(lead.end, version.end))}`);
    if (version.end < lead.end) sentences.push(`${who} ends ${characters(lead.end - version.end)} earlier, leaving out ${quoted(slice(version.end, lead.end))}`);
  }
  return sentences;
}

/** The tip naming the piece under the pointer (role="tooltip"; the panel names them too, for the
 * keyboard and screen readers). `pieces()` gives the drawn pieces now shown, with u0, u1 and range. */
export function followPieces({ view, textEl, tip, pane, pieces }) {
  let queued = null;
  let shown = null;
  const hide = () => {
    shown = null;
    tip.hidden = true;
  };
  const show = (piece, x, y) => {
    if (piece === shown) return;
    shown = piece;
    tip.textContent = piece.name;
    tip.hidden = false;
    // Above the line under the pointer, so neither it nor the next line is hidden (below only
    // when there is no room above); never past either side of the screen or the text pane.
    const origin = pane.getBoundingClientRect();
    const rects = [...piece.range.getClientRects()];
    const box = rects.find((r) => r.top <= y && y <= r.bottom && r.left <= x && x <= r.right) || rects[0] || piece.range.getBoundingClientRect();
    const margin = 6;
    const width = tip.offsetWidth, height = tip.offsetHeight;
    const lo = Math.max(margin, origin.left), hi = Math.min(window.innerWidth - margin, origin.right) - width;
    const left = Math.max(lo, Math.min(box.left, hi));
    const top = box.top - height - margin >= margin ? box.top - height - margin : box.bottom + margin;
    tip.style.left = `${left - origin.left}px`;
    tip.style.top = `${top - origin.top}px`;
  };
  textEl.addEventListener("mousemove", (event) => {
    queued = [event.clientX, event.clientY];
    requestAnimationFrame(() => {
      if (!queued) return;
      const [x, y] = queued;
      queued = null;
      const unit = unitAtPoint(view, x, y);
      const piece = unit === null ? null : pieces().find((p) => p.u0 <= unit && unit < p.u1);
      if (piece) show(piece, x, y); else hide();
    });
  });
  textEl.addEventListener("mouseleave", () => {
    queued = null;
    hide();
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") hide(); });
  return { hide };
}
