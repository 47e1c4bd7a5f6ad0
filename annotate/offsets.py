"""Offsets and text form: the server's one unit is the code point, half-open [start, end).

Browsers count UTF-16 code units; the only conversion in the browser is static/js/offsets.js,
and on the server (for exports that ask for offset_unit=utf16) it is the functions here.
"""
import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field


def normalize_text(received: str) -> str:
    """Line endings become \\n and the text is put in NFC, so browser and server see one string."""
    return unicodedata.normalize("NFC", received.replace("\r\n", "\n").replace("\r", "\n"))


class NormalizationBoundaryError(ValueError):
    """An offset of the received text that falls inside a sequence normalisation changed."""

    def __init__(self, offset: int, original: str, normalized: str):
        self.offset, self.original, self.normalized = offset, original, normalized
        super().__init__(
            f"Offset {offset} falls inside {original!r}, which the stored text holds as {normalized!r} "
            "(line endings become \\n, text is put in NFC); move it before or after that sequence."
        )


@dataclass
class OffsetMap:
    """Offsets of a received text -> offsets of its stored (normalize_text) form.

    Holds the changed sequences only, as (received start, received end, stored start, stored
    end, received piece, stored piece), in order; an offset between two of them moves by the
    length change of those before it."""

    changed: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # received start of each changed sequence

    @property
    def identity(self) -> bool:
        return not self.changed

    def map(self, offset: int) -> int:
        """The stored offset; NormalizationBoundaryError when it falls inside a changed sequence."""
        k = bisect_right(self.starts, offset) - 1
        if k < 0:
            return offset
        start, end, stored_start, stored_end, piece, stored = self.changed[k]
        if offset == start:
            return stored_start
        if offset < end:
            raise NormalizationBoundaryError(offset, piece, stored)
        return stored_end + (offset - end)


def _segments(received: str):
    """The received text cut where normalising each piece alone gives the same result as
    normalising the whole: before every character that cannot join what precedes it. A CR LF
    pair stays together; a starter joins the piece before it when NFC would compose them, and a
    combining mark (or a character whose decomposition starts with one) always joins. ASCII other than LF never composes with what precedes it."""
    piece = ""
    for ch in received:
        if piece and (
            (ch.isascii() and ch != "\n")
            or (ch == "\n" and piece[-1] != "\r")
            or (
                not ch.isascii()
                and unicodedata.combining(unicodedata.normalize("NFD", ch)[0]) == 0  # U+0F73 is 0 but decomposes to marks
                and unicodedata.normalize("NFC", piece + ch) == unicodedata.normalize("NFC", piece) + unicodedata.normalize("NFC", ch)
            )
        ):
            yield piece
            piece = ""
        piece += ch
    if piece:
        yield piece


# What normalisation can change: a line break with CR, or a run of non-ASCII characters (ASCII
# between them is stored as it is, and no ASCII character composes with what precedes it).
_NOT_PLAIN = re.compile(r"\r\n?|[^\x00-\x7f]+")


def normalize_with_map(received: str) -> tuple[str, OffsetMap]:
    """(normalize_text(received), the OffsetMap from received offsets to stored ones), normalising
    piece by piece (unicodedata, per segment) so the map is exact. Only CRs and non-ASCII runs
    that are not already NFC (with the ASCII character before them, which a combining mark may
    compose with) are cut into segments; the rest is copied."""
    if "\r" not in received and (received.isascii() or unicodedata.is_normalized("NFC", received)):
        return received, OffsetMap()
    offsets = OffsetMap()
    out: list[str] = []
    copied = shift = 0  # received text copied up to here; stored offset - received offset
    for match in _NOT_PLAIN.finditer(received):
        start, end = match.span()
        if match.group()[0] != "\r":
            start -= start > copied  # the ASCII character before the run
            if unicodedata.is_normalized("NFC", received[start:end]):
                continue
        out.append(received[copied:start])
        position = start
        for piece in [match.group()] if received[start] == "\r" else _segments(received[start:end]):
            stored = unicodedata.normalize("NFC", piece.replace("\r\n", "\n").replace("\r", "\n"))
            if stored != piece:
                offsets.changed.append((position, position + len(piece), position + shift, position + shift + len(stored), piece, stored))
                offsets.starts.append(position)
                shift += len(stored) - len(piece)
            out.append(stored)
            position += len(piece)
        copied = end
    out.append(received[copied:])
    return "".join(out), offsets


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units: astral code points (emoji, most flags' halves) count two."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Utf16Index:
    """Converts code-point offsets of one text to UTF-16 offsets and back, in O(log n) each."""

    def __init__(self, text: str):
        # Code-point positions of astral characters, in order; each shifts later UTF-16 offsets by one.
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._length = len(text)

    def to_utf16(self, offset: int) -> int:
        from bisect import bisect_left

        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, offset: int) -> int:
        """Raises ValueError for an offset that falls inside a surrogate pair."""
        lo, hi = 0, self._length
        while lo < hi:  # smallest code point offset whose UTF-16 offset is >= offset
            mid = (lo + hi) // 2
            if self.to_utf16(mid) < offset:
                lo = mid + 1
            else:
                hi = mid
        if self.to_utf16(lo) != offset:
            raise ValueError(f"UTF-16 offset {offset} falls inside a surrogate pair")
        return lo
