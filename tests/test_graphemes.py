"""Grapheme cluster boundaries found from a window agree with segmenting the whole text."""
import random

import regex

from annotate.graphemes import DocumentBoundaries, find_cut

FLAG = "🇦🇿"
SCIENTIST = "👩🏽‍🔬"  # woman, skin tone, ZWJ, microscope: one cluster of four code points
E_ACUTE = "e\u0301"  # e + combining acute: one cluster of two
PIECES = [
    "a", " ", "\n", "b", FLAG, "🇺🇸", SCIENTIST, E_ACUTE, "\u0301", "\u200d", "👩", "🏽", "🇦", "🇿",
    "क्ष", "\u094d", "क", "한", "\u1100", "\u1161", "\u0600", "\r", "©", "\ufe0f", "\u0903", "📰",
]


def _true_boundaries(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


class _Reader:
    """slice_text that counts how much of the text it was asked for."""

    def __init__(self, text: str):
        self.text, self.read = text, 0

    def __call__(self, start: int, end: int) -> str:
        self.read += max(0, end - start)
        return self.text[start:end]


def test_window_answers_match_whole_text_segmentation_on_random_texts():
    rng = random.Random(29)
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60)))
        truth = _true_boundaries(text)
        per_document = DocumentBoundaries(text)
        for offset in range(len(text) + 1):
            cut = find_cut(offset=offset, text_length=len(text), slice_text=_Reader(text))
            assert (cut is None) == (offset in truth), (text, offset)
            assert per_document.cut(offset) == cut, (text, offset)
            if cut:
                assert cut.before == max(b for b in truth if b < offset)
                assert cut.after == min(b for b in truth if b > offset)


def test_a_long_run_of_flags_pairs_them_from_the_start_of_the_run():
    text = "x" + FLAG * 200 + "y"  # 400 regional indicators: parity decides, 400 code points back
    assert find_cut(offset=1 + 2 * 150, text_length=len(text), slice_text=_Reader(text)) is None
    cut = find_cut(offset=1 + 2 * 150 + 1, text_length=len(text), slice_text=_Reader(text))
    assert (cut.before, cut.after, cut.cluster) == (301, 303, FLAG)
    assert "flag 🇦🇿" in cut.describe()


def test_a_long_run_of_combining_marks_is_one_cluster():
    text = "ab" + "\u0301" * 100 + "c"
    cut = find_cut(offset=50, text_length=len(text), slice_text=_Reader(text))
    assert (cut.before, cut.after) == (1, 102)


def test_only_a_small_window_of_a_megabyte_text_is_read():
    text = ("The ministry said 🇦🇿 and " + SCIENTIST + " wrote caf" + E_ACUTE + ". ") * 25_000
    assert len(text) > 1_000_000
    offset = len(text) // 2
    reader = _Reader(text)
    for probe in range(offset, offset + 50):
        find_cut(offset=probe, text_length=len(text), slice_text=reader)
    assert reader.read < 50 * 200


def test_the_message_names_the_cluster_and_both_boundaries():
    text = "Dr " + SCIENTIST + " said"
    cut = find_cut(offset=5, text_length=len(text), slice_text=_Reader(text))
    assert cut.describe() == (
        "5 falls inside a grapheme cluster (👩🏽‍🔬 = U+1F469 U+1F3FD U+200D U+1F52C); nearest boundaries are 3 and 7."
    )
