"""The tokenizer the conll export documents: whitespace-separated, words kept whole, graphemes never split.

Rules, applied left to right over the code points of the text:
1. White space (str.isspace) separates tokens and is never part of one.
2. A run of word characters (str.isalnum() or "_") is one token; an apostrophe or hyphen
   between two word characters stays inside it ("don't", "well-known").
3. Any other character is a token of its own ("3", "%", "." are split: "3%" -> "3", "%").
4. What belongs to the previous character joins its token: combining marks (categories Mn, Mc,
   Me), variation selectors, emoji skin-tone modifiers, tag characters, the zero-width joiner
   and the character after it, and the second of a pair of regional-indicator flags.
So "👩🏽‍🔬" and "🇦🇿" are one token each, and "é" written as e + U+0301 stays one token.
"""
import functools
import re
import unicodedata

INNER = "'’\\-‐"  # apostrophes and hyphens that stay inside a word


@functools.cache
def _attaching_class() -> str:
    """A regex character class body of every code point that joins the token before it
    (rule 4, without the zero-width joiner, which has its own rule). Built once per process."""
    ranges, start, previous = [], None, None
    # Marks and modifiers live only in planes 0 and 1 and in 0xE0000-0xE01EF (tags, selectors).
    for code in (*range(0x20000), *range(0xE0000, 0xE0200)):
        ch = chr(code)
        joins = (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
        )
        if joins and start is None:
            start = code
        if start is not None and (not joins or code != previous + 1):
            ranges.append((start, previous))
            start = code if joins else None
        previous = code
    if start is not None:
        ranges.append((start, previous))
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b != a else "") for a, b in ranges)


@functools.cache
def _token_pattern() -> re.Pattern:
    attach = _attaching_class()
    joined = rf"(?:[{attach}]|\u200d(?:(?!\s).)?)*"  # marks and modifiers; a ZWJ and what it joins
    word = rf"\w(?:[\w{attach}\u200d]|(?<=\w)[{INNER}](?=\w))*"
    other = rf"(?:[\U0001F1E6-\U0001F1FF]{{2}}|[^\s\w]){joined}"
    return re.compile(rf"{word}|{other}", re.DOTALL)


def tokenize(text: str) -> list[tuple[int, int]]:
    """[(start, end)] code-point offsets of the tokens, in order."""
    starts, ends, _ = token_columns(text)
    return list(zip(starts, ends))


def token_columns(text: str) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, token texts) of the tokens, in order: the same tokens as tokenize(), taken
    from the match objects by C-level map() rather than a Python loop per token (the conll
    export spends most of its time here)."""
    matches = list(_token_pattern().finditer(text))
    return (
        list(map(re.Match.start, matches)),
        list(map(re.Match.end, matches)),
        list(map(re.Match.group, matches)),
    )
