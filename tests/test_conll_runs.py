"""conll writes a block from the text cut at the kept spans' edges (_lines_by_text) when the
simple rules fit the text; it must give the very lines and dropped counts of the token-column way
(_lines_by_tokens, any text), which the golden files pin. Texts mix every rule's pieces
(tests/test_tokenize.PIECES); spans fall anywhere: inside words, on white space, across one
another, at both ends, empty."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.datasets.exports import conll
from annotate.datasets.exports.conll import CUT, _lines_by_text, _lines_by_tokens, render
from annotate.datasets.records import RenderOptions
from annotate.datasets.tokenize import RESTART_WINDOW, first_token_start, simple_rules_apply, spaced, token_columns
from tests.test_tokenize import PIECES

SIMPLE_PIECES = [piece for piece in PIECES if simple_rules_apply(piece)]
# a word and a run of punctuation longer than the restart window: a span edge inside one sends
# the block to the token columns
LONG = ("w" * (RESTART_WINDOW + 3), "-" * (RESTART_WINDOW + 3))
LABELS = ("assertion", "attribution", "disputed")

texts = st.lists(st.sampled_from(SIMPLE_PIECES), max_size=40).map("".join)
_settings = settings(max_examples=400, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


@st.composite
def text_and_spans(draw, pieces=SIMPLE_PIECES):
    text = "".join(draw(st.lists(st.sampled_from(pieces), max_size=40)))
    offsets = st.integers(0, len(text))
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        start, end = sorted((draw(offsets), draw(offsets)))
        spans.append({"start": start, "end": end, "label": draw(st.sampled_from(LABELS))})
    return text, spans


def _by_tokens(text, spans):
    lines, dropped = _lines_by_tokens(token_columns(text), spans)
    return "".join(lines), dropped


@_settings
@given(text_and_spans())
def test_cutting_the_text_gives_the_token_columns_lines(case):
    text, spans = case
    block = _lines_by_text(text, spans)
    assert block is not None or len(text) > RESTART_WINDOW or CUT in text
    if block is not None:
        assert ("".join(block[0]), block[1]) == _by_tokens(text, spans)


@_settings
@given(text_and_spans(pieces=SIMPLE_PIECES + list(LONG)))
def test_an_edge_far_from_white_space_falls_back_or_agrees(case):
    text, spans = case
    block = _lines_by_text(text, spans)
    if block is None:  # only with CUT, or a span edge deep inside a long stretch without white space
        assert CUT in text or any(piece in text for piece in LONG)
    else:
        assert ("".join(block[0]), block[1]) == _by_tokens(text, spans)


@_settings
@given(texts)
def test_spaced_text_splits_into_the_tokens(text):
    assert spaced(text).split() == token_columns(text)[2]


@_settings
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_spaced_tells_when_the_simple_rules_do_not_apply(text):
    assert (spaced(text) is not None) == simple_rules_apply(text)


@_settings
@given(text_and_spans(pieces=list(PIECES)))
def test_a_text_with_joining_characters_is_refused_or_agrees(case):
    text, spans = case
    block = _lines_by_text(text, spans)
    assert block is None or simple_rules_apply(text)
    if block is not None:
        assert ("".join(block[0]), block[1]) == _by_tokens(text, spans)


@_settings
@given(text_and_spans())
def test_first_token_start_is_the_token_columns_answer(case):
    from bisect import bisect_left, bisect_right

    text, spans = case
    starts, ends, _ = token_columns(text)
    by_start = [*starts, len(text)]  # "no token" is len(text)
    for position in {0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)}:
        assert first_token_start(text, position, ending_after=True) == by_start[bisect_right(ends, position)]
        assert first_token_start(text, position, ending_after=False) == by_start[bisect_left(starts, position)]


def test_render_takes_the_token_columns_for_other_texts(monkeypatch):
    """Texts with a joining character, with CUT, or with an edge in a long stretch, and texts that
    the simple rules fit, in one export, several annotators each: the same bytes both ways."""
    records = [
        {"text": text, "spans": [{"start": 0, "end": end, "label": "assertion", "annotator": who} for who in ("b", "a")]}
        for text, end in (
            ("Critics 👩🏽‍🔬 say so. Zoë", 12),  # ZWJ: the full rules
            (f"a{CUT}b c, d", 5),
            ("x" * 300 + " y", 290),
            ("The ministry’s well-known 3% rise—“premature”, 🇦🇿 📰", 20),
            ("   ", 2),
            ("", 0),
        )
    ]
    records.append({"text": "No spans here.", "spans": []})
    cut = "".join(render(records, {}, RenderOptions()))
    monkeypatch.setattr(conll, "_lines_by_text", lambda text, spans: None)
    assert cut == "".join(render(records, {}, RenderOptions()))
