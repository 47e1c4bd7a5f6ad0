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
import unicodedata

_INNER = frozenset("'’-‐")


def _attaches(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or code == 0x200D
    )


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def tokenize(text: str) -> list[tuple[int, int]]:
    """[(start, end)] code-point offsets of the tokens, in order."""
    tokens: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        i += 1
        if _is_word(ch):
            while i < n:
                c = text[i]
                if _is_word(c) or _attaches(c):
                    i += 1
                elif c in _INNER and i + 1 < n and _is_word(text[i + 1]) and _is_word(text[i - 1]):
                    i += 1
                else:
                    break
        else:
            if _is_regional(ch) and i < n and _is_regional(text[i]):
                i += 1
            while i < n and _attaches(text[i]):
                i += 2 if text[i] == "\u200d" and i + 1 < n and not text[i + 1].isspace() else 1
        tokens.append((start, i))
    return tokens
