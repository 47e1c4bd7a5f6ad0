"""Code points, UTF-16 and the normal form of stored text."""
import pytest

from annotate.offsets import Utf16Index, normalize_text, sha256_hex, utf16_length

SAMPLE = "a📰b🇦🇿c👩🏽‍🔬d é"


def test_utf16_length_counts_astral_characters_twice():
    assert utf16_length("abc") == 3
    assert utf16_length("📰") == 2
    assert utf16_length(SAMPLE) == len(SAMPLE.encode("utf-16-le")) // 2


def test_utf16_index_round_trips_every_boundary():
    index = Utf16Index(SAMPLE)
    for offset in range(len(SAMPLE) + 1):
        units = len(SAMPLE[:offset].encode("utf-16-le")) // 2
        assert index.to_utf16(offset) == units
        assert index.from_utf16(units) == offset


def test_utf16_offset_inside_a_surrogate_pair_is_refused():
    with pytest.raises(ValueError):
        Utf16Index("a📰b").from_utf16(2)


def test_normalize_text_is_idempotent_and_hashes_differ_only_when_text_changed():
    received = "Cafe\u0301\r\n"
    stored = normalize_text(received)
    assert normalize_text(stored) == stored
    assert sha256_hex(stored) != sha256_hex(received)
    assert sha256_hex("Café\n") == sha256_hex(stored)
