"""The tokenizer's fast path (texts with no joining character) gives exactly the tokens of the full rules.

annotate.datasets.tokenize.reference_tokens applies the rules with the one full pattern, a
match at a time; tokenize() and token_columns() may take shortcuts (a simpler pattern when the
text holds no character that joins the one before it, findall instead of match objects). The
conll export and the agreement figures both read these tokens, so any difference is a bug.
"""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.datasets.tokenize import reference_tokens, simple_rules_apply, token_columns, tokenize

# Pieces that exercise every rule: words, inner apostrophes and hyphens at word edges and doubled,
# digits and percent signs, emoji alone and with skin tones and ZWJ sequences, flags (pairs and an
# odd regional indicator), combining marks after letters, after punctuation and at the start,
# variation selectors and tag characters (the Scottish flag), CJK, Arabic and Hebrew (with their
# marks), every kind of white space (control characters too), a lone ZWJ before a space and at
# the end; astral letters, digits, CJK and punctuation next to astral emoji (word characters
# outside plane 0, which conll's spaced() must keep inside words).
PIECES = (
    "a", "Zoë", "don", "t", "well", "known", "_", "x1", "42", "3", "%", ".", ",", "“", "”", "—", "…",
    "'", "’", "-", "‐", "--", "''",
    "📰", "👍", "🏽", "👍🏽", "👩🏽‍🔬", "👨‍👩‍👧", "\u200d", "❤️", "☺\ufe0e", "1\ufe0f\u20e3",
    "🇦🇿", "🇦", "🇿", "🇦🇿🇦", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
    "e\u0301", "\u0301", "q\u0303x", "Ca\u0301mara", ".\u0308", "क्षि", "ที่",
    "中文", "日本語", "。", "한국어",
    "مرحبا", "\u064b", "שָׁלוֹם", "\u200f", "\u202e",
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\u200b",
    "\x0b", "\x1f", "\x85", "\u2029",
    "\U0001D400\U0001D401", "\U0001D7CF", "\U00020000", "\U00010100", "\U0001F600",
)  # fmt: skip

texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
plain_texts = st.lists(st.sampled_from([p for p in PIECES if simple_rules_apply(p)]), max_size=40).map("".join)

_fast = settings(max_examples=400, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


@_fast
@given(texts)
def test_tokens_are_the_full_rules_tokens_on_any_mix(text):
    assert tokenize(text) == reference_tokens(text)
    starts, ends, words = token_columns(text)
    assert words == [text[s:e] for s, e in zip(starts, ends)]


@_fast
@given(plain_texts)
def test_fast_path_texts_get_the_full_rules_tokens(text):
    assert simple_rules_apply(text)  # these texts do take the fast path
    assert tokenize(text) == reference_tokens(text)


def test_texts_with_joining_characters_do_not_take_the_fast_path():
    for text in ("e\u0301", "👍🏽", "a\u200db", "❤️", "🏴\U000E0067\U000E007F", "क्षि", "x\U0001D167"):
        assert not simple_rules_apply(text), ascii(text)
    for text in ("", "Critics 📰 say 🇦🇿 don't well-known 3%.", "Zoë 中文 مرحبا", "🇦"):
        assert simple_rules_apply(text), ascii(text)


def test_fixed_examples_from_each_rule():
    text = "Critics 📰 say 🇦🇿🇦🇿 👩🏽‍🔬 don't well-known q\u0303x 3%. -a- 'b' 中文。"
    expected = [
        "Critics", "📰", "say", "🇦🇿", "🇦🇿", "👩🏽‍🔬", "don't", "well-known", "q\u0303x", "3", "%", ".",
        "-", "a", "-", "'", "b", "'", "中文", "。",
    ]  # fmt: skip
    assert [text[s:e] for s, e in tokenize(text)] == expected
    assert reference_tokens(text) == tokenize(text)
    plain = "The ministry’s well-known 3% rise—“premature”, Zoë said 🇦🇿 📰"
    assert simple_rules_apply(plain)
    assert tokenize(plain) == reference_tokens(plain)
    assert [plain[s:e] for s, e in tokenize(plain)][:4] == ["The", "ministry’s", "well-known", "3"]
