"""Extended grapheme cluster boundaries (UAX #29) near an offset, from the `regex` package's \\X.

A span must not cut a flag in half, a skin tone off its emoji or a letter off its combining
mark. Segmenting a 1 MB text for every span would cost more than the rest of the request, so
only a window around the offset is segmented. The window must start at a position that is a
boundary whatever comes before it: a regional-indicator pair or an emoji ZWJ sequence decides
its breaks by looking back, so a window started at an arbitrary point could pair the wrong
flags. See `_is_safe_start` for which positions qualify.
"""
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import regex

_CLUSTER = regex.compile(r"\X")
# A character after which no rule of UAX #29 reaches back across the following position: not
# CR (GB3), Prepend (GB9b), a Hangul jamo or syllable (GB6-8), ZWJ (GB11), a regional
# indicator (GB12-13), or an Extend or Linker that could continue an Indic conjunct (GB9c).
_CLOSED_BEFORE = regex.compile(r"[\p{Grapheme_Cluster_Break=Other}\p{Grapheme_Cluster_Break=Control}\n]")
# A character that can join the one before it whatever that is (GB9, GB9a).
_JOINS_BACK = regex.compile(r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}]")
_FIRST_WINDOW = 32  # code points each side; doubled while no safe start or cluster end is in view
_REGIONAL_INDICATOR = regex.compile(r"\p{Regional_Indicator}")


@dataclass(frozen=True)
class Cut:
    """An offset that falls inside a cluster: the cluster and the boundaries either side."""

    offset: int
    before: int
    after: int
    cluster: str

    def describe(self) -> str:
        if len(self.cluster) == 2 and all(_REGIONAL_INDICATOR.match(ch) for ch in self.cluster):
            what = f"flag {self.cluster}"
        else:
            points = " ".join(f"U+{ord(ch):04X}" for ch in self.cluster)
            what = f"{self.cluster} = {points}"
        return f"{self.offset} falls inside a grapheme cluster ({what}); nearest boundaries are {self.before} and {self.after}."


def _is_safe_start(previous: str, current: str) -> bool:
    """True when the position between `previous` and `current` is a cluster boundary in any
    context: `previous` lets no rule look back past it, and `current` cannot join it."""
    return bool(_CLOSED_BEFORE.match(previous)) and not _JOINS_BACK.match(current)


def find_cut(*, offset: int, text_length: int, slice_text: Callable[[int, int], str]) -> Cut | None:
    """None when `offset` is a cluster boundary of the text, else the Cut it would make.

    `slice_text(start, end)` returns text[start:end]; only windows around the offset are read."""
    if offset <= 0 or offset >= text_length:
        return None  # GB1, GB2: the ends of the text are boundaries
    width = _FIRST_WINDOW
    while True:
        lo, hi = max(0, offset - width), min(text_length, offset + width)
        window = slice_text(lo, hi)
        start = _safe_start(window, offset - lo)
        if start == offset - lo:
            return None  # the common case: between two letters, say
        if start is None and lo > 0:
            width *= 2
            continue
        cut = _cut_in(window, lo=lo, start=start or 0, offset=offset, complete=hi == text_length)
        if cut is not False:
            return cut
        width *= 2  # the cluster around the offset runs past the window's end


def _safe_start(window: str, index: int) -> int | None:
    """The last position at or before `index` in window that is a boundary in any context."""
    for position in range(index, 0, -1):
        if _is_safe_start(window[position - 1], window[position]):
            return position
    return None


def _cut_in(window: str, *, lo: int, start: int, offset: int, complete: bool) -> Cut | None | bool:
    """Segment window from `start` (a known boundary) past `offset`. False when the cluster
    holding the offset reaches the window's end and the text may go on."""
    for match in _CLUSTER.finditer(window, pos=start):
        begin, end = match.span()
        if begin + lo == offset:
            return None
        if end == len(window) and not complete:
            return False
        if begin + lo < offset < end + lo:
            return Cut(offset=offset, before=begin + lo, after=end + lo, cluster=match.group())
    return None


class DocumentBoundaries:
    """Many offsets in one text held in memory (an import's spans): the text is segmented once,
    the first time an offset is not plainly a boundary, and each answer is a bisection."""

    def __init__(self, text: str):
        self._text = text
        self._starts: list[int] | None = None
        # Two ASCII characters have a boundary between them but for CR LF (GB3): no ASCII
        # character extends, prepends, joins or is a regional indicator or pictograph.
        self._every_offset = text.isascii() and "\r\n" not in text

    def cut(self, offset: int) -> Cut | None:
        if self._every_offset:
            return None
        text = self._text
        if offset <= 0 or offset >= len(text):
            return None
        pair = text[offset - 1 : offset + 1]
        if (pair.isascii() and pair != "\r\n") or _is_safe_start(pair[0], pair[1]):
            return None
        if self._starts is None:
            self._starts = [match.start() for match in _CLUSTER.finditer(text)] + [len(text)]
        index = bisect_right(self._starts, offset) - 1
        before = self._starts[index]
        if before == offset:
            return None
        after = self._starts[index + 1]
        return Cut(offset=offset, before=before, after=after, cluster=text[before:after])
