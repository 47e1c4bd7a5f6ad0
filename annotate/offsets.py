"""Offsets and text form: the server's one unit is the code point, half-open [start, end).

Browsers count UTF-16 code units; the only conversion in the browser is static/js/offsets.js,
and on the server (for exports that ask for offset_unit=utf16) it is the functions here.
"""
import hashlib
import unicodedata


def normalize_text(received: str) -> str:
    """Line endings become \\n and the text is put in NFC, so browser and server see one string."""
    return unicodedata.normalize("NFC", received.replace("\r\n", "\n").replace("\r", "\n"))


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
