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

reference_tokens() applies the rules with one full pattern, a match at a time. tokenize() and
token_columns() give the same tokens faster (tests/test_tokenize.py compares them on mixed
texts): a text without any character of rule 4 but flags (most stored news text: NFC leaves
few combining marks) takes a pattern without rule 4's large character classes, and the tokens
come from one re.split() into white space and tokens, whose running lengths are the tokens'
offsets, instead of a match object per token (that object cost most of a conll export); texts
with rule 4 characters take the full rules written with a word's characters as runs.

The conll export needs token offsets only where a span starts or ends, and token texts
elsewhere: first_token_start() tokenizes from the nearest white space before a position (tokens
never cross white space, so tokenizing may restart after any), and spaced() puts white space
around every token that is not a word, so that str.split() gives the tokens of any stretch of
a text the simple rules apply to (it says when they do not), without a Python object per white
space or per offset.
"""
import functools
import re
import unicodedata
from itertools import accumulate

INNER = "'’\\-‐"  # apostrophes and hyphens that stay inside a word
ZWJ = "\u200d"
REGIONAL = "\U0001F1E6-\U0001F1FF"  # regional indicators: two make a flag
FLAG_PAIR = rf"[{REGIONAL}]{{2}}"


@functools.cache
def _attaching_ranges() -> tuple[tuple[int, int], ...]:
    """(first, last) code point ranges of every code point that joins the token before it
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
    return tuple(ranges)


def _class_body(ranges) -> str:
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b != a else "") for a, b in ranges)


@functools.cache
def _attaching_class() -> str:
    """A regex character class body of rule 4's attaching code points (without the ZWJ)."""
    return _class_body(_attaching_ranges())


def _full_rules(*, runs: bool = False) -> str:
    """The rules as one pattern. `runs`: the same language with a word's characters matched as
    runs of one class between inner apostrophes or hyphens (sre repeats a single class in C, but
    an alternation a character at a time: half the time on emoji-rich text). The two agree
    because the three kinds of character in a word never overlap, so neither backtracks."""
    attach = _attaching_class()
    joined = rf"(?:[{attach}]|{ZWJ}(?:(?!\s).)?)*"  # marks and modifiers; a ZWJ and what it joins
    if runs:
        inside = rf"[\w{attach}{ZWJ}]*"
        word = rf"\w{inside}(?:(?<=\w)[{INNER}](?=\w){inside})*"
    else:
        word = rf"\w(?:[\w{attach}{ZWJ}]|(?<=\w)[{INNER}](?=\w))*"
    other = rf"(?:{FLAG_PAIR}|[^\s\w]){joined}"
    return rf"{word}|{other}"


# Without any rule 4 character in the text, the full rules reduce to these: a word is word
# characters with single inner apostrophes or hyphens between them, anything else one character,
# flags two.
_SIMPLE_RULES = rf"\w++(?:[{INNER}]\w++)*+|{FLAG_PAIR}|[^\s\w]"  # possessive: nothing to give back


@functools.cache
def _token_pattern() -> re.Pattern:
    return re.compile(_full_rules(), re.DOTALL)


@functools.cache
def _split_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(full, simple), each one capturing group around a token: re.split() gives white space,
    token, white space, ..., white space, whose running lengths are the tokens' offsets."""
    return re.compile(rf"({_full_rules(runs=True)})", re.DOTALL), re.compile(rf"({_SIMPLE_RULES})")


@functools.cache
def _joining_search() -> tuple[re.Pattern, frozenset[str]]:
    """A search for a possible rule 4 character, and the set that decides. sre tests a class's
    plane-0 part with one bitmap but its astral ranges one by one, so the search looks for any
    astral character (rare in news text: emoji) and the set settles those."""
    ranges = _attaching_ranges()
    bmp = _class_body((a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF)
    joining = frozenset(chr(code) for a, b in ranges for code in range(a, b + 1)) | {ZWJ}
    return re.compile(rf"[{bmp}{ZWJ}\U00010000-\U0010FFFF]"), joining


def simple_rules_apply(text: str) -> bool:
    """True when the text holds no character of rule 4 (the ZWJ included): then the simple
    pattern gives exactly the full rules' tokens."""
    search, joining = _joining_search()
    position = 0
    while found := search.search(text, position):
        if found.group() in joining:
            return False
        position = found.end()
    return True


def reference_tokens(text: str) -> list[tuple[int, int]]:
    """[(start, end)] by the full rules, one match at a time: what tokenize() must equal."""
    return [match.span() for match in _token_pattern().finditer(text)]


def tokenize(text: str) -> list[tuple[int, int]]:
    """[(start, end)] code-point offsets of the tokens, in order."""
    starts, ends, _ = token_columns(text)
    return list(zip(starts, ends))


def token_columns(text: str) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, token texts) of the tokens, in order, made by re.split(), accumulate() and
    slices: no Python code runs per token."""
    full, simple = _split_patterns()
    parts = (simple if simple_rules_apply(text) else full).split(text)
    bounds = list(accumulate(map(len, parts)))
    return bounds[:-1:2], bounds[1::2], parts[1::2]


@functools.cache
def _simple_pattern() -> re.Pattern:
    return re.compile(_SIMPLE_RULES)


@functools.cache
def _separating_pattern() -> re.Pattern:
    """Under the simple rules, a token that is not a word: a character neither white space nor
    a word character, unless it is an apostrophe or hyphen with a word character on either side
    (then it is inside a word), and a flag's two regional indicators together. The first
    character is matched by an explicit class of plane 0 (sre tests it with one bitmap lookup:
    half the time of the category tests of [^\\s\\w]) or any astral character, which the
    lookbehind then requires not to be a word character. One capturing group, for re.split()."""
    plane_0 = "".join(map(chr, range(0x10000)))
    others = sorted(map(ord, re.findall(r"[^\s\w]", plane_0)))  # sre's own \s and \w decide
    ranges: list[tuple[int, int]] = []
    for code in others:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    first = rf"[{_class_body(ranges)}\U00010000-\U0010FFFF](?<!\w)"
    # a regional indicator takes the next one; any other character but INNER is a token alone;
    # INNER is one when a word character is missing before it or after it
    return re.compile(rf"({first}(?:(?<=[{REGIONAL}])[{REGIONAL}]?|(?<![{REGIONAL}{INNER}])|(?<!\w.)|(?!\w)))")


def spaced(text: str) -> str | None:
    """The text with a space on both sides of every token that is not a word, or None when the
    simple rules do not apply to it: then the tokens of any stretch of it that starts and ends
    at token boundaries are exactly that stretch's str.split() (\\s and str.isspace() are the
    same white space). White space inserted at a token boundary changes no token. No character
    of rule 4 is white space or a word character, so each is one of the separated tokens: the
    same answer as simple_rules_apply() without another pass over the text."""
    parts = _separating_pattern().split(text)
    if not _joining_search()[1].isdisjoint(parts[1::2]):
        return None
    return " ".join(parts)


RESTART_WINDOW = 256  # code points first_token_start() looks back for white space


def _restart(text: str, position: int) -> int | None:
    """Where tokenizing may start to find the tokens at `position`: there, when white space or an
    end of the text is next to it; else just after the last white space before it, or None when
    there is none within RESTART_WINDOW (the caller tokenizes the whole text instead)."""
    if position <= 0 or position >= len(text) or text[position - 1].isspace() or text[position].isspace():
        return max(0, min(position, len(text)))
    head = text[max(0, position - RESTART_WINDOW) : position]
    word = head.rsplit(None, 1)[-1]  # the non-white stretch `position` is in, up to `position`
    if len(word) < len(head) or position <= RESTART_WINDOW:
        return position - len(word)
    return None


def first_token_start(text: str, position: int, *, ending_after: bool) -> int | None:
    """The start of the first token that ends after `position` (ending_after) or else starts at
    or after it; len(text) when there is none. For a text simple_rules_apply() to. None when no
    white space near enough before `position` lets tokenizing start there (see _restart)."""
    start = _restart(text, position)
    if start is None:
        return None
    search = _simple_pattern().search
    while (token := search(text, start)) is not None:  # each token ends further on: bounded by the text
        if (token.end() > position) if ending_after else (token.start() >= position):
            return token.start()
        start = token.end()
    return len(text)
