"""annotate.offsets.normalize_with_map: the stored text and where each original offset lands."""
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.offsets import NormalizationBoundaryError, normalize_text, normalize_with_map


def test_unchanged_text_has_the_identity_map():
    text, offsets = normalize_with_map("Plain text, ünïcödé in NFC.\n")
    assert text == "Plain text, ünïcödé in NFC.\n"
    assert offsets.identity and [offsets.map(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


def test_crlf_and_combining_marks_move_later_offsets():
    received = "Cafe\u0301 said\r\nno.\rEnd"
    text, offsets = normalize_with_map(received)
    assert text == normalize_text(received) == "Café said\nno.\nEnd"
    assert not offsets.identity
    assert offsets.map(3) == 3  # before the "e" of "e\u0301"
    assert offsets.map(5) == 4  # after it
    assert text[offsets.map(6) : offsets.map(10)] == "said"
    assert text[offsets.map(12) : offsets.map(15)] == "no."
    assert offsets.map(len(received)) == len(text)
    with pytest.raises(NormalizationBoundaryError) as inside:
        offsets.map(4)  # between "e" and its accent
    assert inside.value.original == "e\u0301" and inside.value.normalized == "é"
    with pytest.raises(NormalizationBoundaryError):
        offsets.map(11)  # between \r and \n


def test_hangul_jamo_compose_across_three_characters():
    received = "\u1100\u1161\u11a8!"  # L V T -> one syllable
    text, offsets = normalize_with_map(received)
    assert text == "\uac01!" and offsets.map(3) == 1 and offsets.map(0) == 0
    for inside in (1, 2):
        with pytest.raises(NormalizationBoundaryError):
            offsets.map(inside)


def test_offsets_outside_the_text_are_left_to_the_span_checks():
    _, offsets = normalize_with_map("Cafe\u0301")
    assert offsets.map(-1) == -1 and offsets.map(9) == 8


ALPHABET = st.sampled_from(
    ["a", "e", "A", " ", "\n", "\r", "\r\n", "\u0301", "\u0323", "\u0302", "\u00e9", "\u212b", "\u1100", "\u1161",
     "\u11a8", "\uac00", "\u0b47", "\u0b3e", "\u0958", "😀", "\u0f73", "\u1e0b"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(ALPHABET, max_size=12))
def test_the_map_agrees_with_normalising_each_prefix(pieces):
    received = "".join(pieces)
    text, offsets = normalize_with_map(received)
    assert text == normalize_text(received)
    for index in range(len(received) + 1):
        try:
            mapped = offsets.map(index)
        except NormalizationBoundaryError:
            continue
        # a boundary that maps is one where normalising each side alone gives the stored text
        assert normalize_text(received[:index]) == text[:mapped]
        assert normalize_text(received[index:]) == text[mapped:]
    assert unicodedata.is_normalized("NFC", text)
