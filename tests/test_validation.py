"""validate_span and friends: pure rules, no database."""
import pytest

from annotate.errors import InvalidInput
from annotate.offsets import normalize_text
from annotate.validation import url_error, validate_span


def check(text, **fields):
    return validate_span(text_length=len(text), slice_text=lambda s, e: text[s:e], **fields)


def errors_of(text, **fields) -> dict:
    with pytest.raises(InvalidInput) as caught:
        check(text, **fields)
    return caught.value.detail


TEXT = "The ministry said that inflation fell."


def test_valid_span_takes_its_quote_from_the_text():
    span = check(TEXT, start=4, end=12, label="assertion")
    assert span.quote == "ministry"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 3, "start"), (0, len(TEXT) + 1, "end"), (5, 5, "end"), (6, 2, "end")],
)
def test_out_of_bounds_and_empty_spans_are_refused(start, end, field):
    assert field in errors_of(TEXT, start=start, end=end, label="assertion")


def test_span_of_only_white_space_is_refused():
    assert "end" in errors_of("a   b", start=1, end=4, label="assertion")


def test_end_equal_to_length_is_allowed():
    assert check(TEXT, start=23, end=len(TEXT), label="assertion").quote == "inflation fell."


def test_quote_mismatch_names_the_actual_text():
    detail = errors_of(TEXT, start=4, end=12, label="assertion", quote="minister")
    assert "ministry" in detail["quote"][0]


@pytest.mark.parametrize("label", ["claim", "ASSERTION", "", "assertion "])
def test_label_outside_the_three_is_refused(label):
    assert "label" in errors_of(TEXT, start=0, end=3, label=label)


def test_offsets_after_an_emoji_count_code_points():
    text = normalize_text("📰 🇦🇿 👩🏽‍🔬 said: rates rose")
    start = text.index("rates")
    # 📰 is one code point, 🇦🇿 two, 👩🏽‍🔬 four: in UTF-16 they would be 2, 4 and 7 units.
    assert start == len("📰 🇦🇿 👩🏽‍🔬 said: ") == 1 + 1 + 2 + 1 + 4 + 7
    assert check(text, start=start, end=start + 5, label="assertion", quote="rates").quote == "rates"
    # The flag alone: two regional indicator code points.
    assert check(text, start=2, end=4, label="assertion", quote="🇦🇿").quote == "🇦🇿"


def test_combining_mark_is_composed_on_the_way_in():
    received = "Cafe\u0301 owners"  # e + combining acute: two code points
    text = normalize_text(received)
    assert text == "Café owners" and len(text) == 11
    assert check(text, start=0, end=4, label="assertion", quote="Café").end == 4
    # A combining mark with no precomposed form stays two code points and is counted as such.
    text = normalize_text("q\u0307 claim")
    assert len(text) == 8
    assert check(text, start=0, end=2, label="assertion", quote="q\u0307").quote == "q\u0307"


def test_crlf_input_becomes_lf_and_offsets_count_one_newline():
    text = normalize_text("Line one.\r\nLine two.\rLine three.")
    assert text == "Line one.\nLine two.\nLine three."
    start = text.index("Line two")
    assert start == 10
    assert check(text, start=start, end=start + 9, label="assertion").quote == "Line two."


def test_label_specific_fields_belong_to_their_label():
    assert "source" in errors_of(TEXT, start=0, end=3, label="assertion", source="the ministry")
    assert "dispute_basis" in errors_of(TEXT, start=0, end=3, label="assertion", dispute_basis="fact_check")
    assert "dispute_basis" in errors_of(TEXT, start=0, end=3, label="disputed", dispute_basis="rumour")
    assert "evidence_links" in errors_of(TEXT, start=0, end=3, label="assertion", evidence_links=["https://a.org"])
    ok = check(TEXT, start=0, end=3, label="disputed", dispute_basis="fact_check", evidence_links=["https://a.org/x"])
    assert ok.dispute_basis == "fact_check" and ok.evidence_links == ("https://a.org/x",)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://a.org/x", "/relative", "https://", "http://a b.org"]
)
def test_evidence_links_are_http_only(url):
    assert url_error(url) is not None
    assert "evidence_links" in errors_of(TEXT, start=0, end=3, label="disputed", evidence_links=[url])


def test_http_and_https_links_pass():
    assert url_error("https://example.org/a?b=c#d") is None
    assert url_error("http://example.org") is None


def test_validate_spans_answers_for_each_span_what_validate_span_does():
    """The batched check of an import's spans: the common span at a glance, any other through
    validate_span; the same result or the same errors, span by span."""
    from annotate.graphemes import DocumentBoundaries
    from annotate.validation import validate_spans

    text = "Flag 🇦🇿 here. The ministry said that inflation fell."
    the = text.index("The")
    ministry = (the, the + len("The ministry"))
    spans = [  # (start, end, label, quote, note, source, dispute_basis, evidence_links)
        (*ministry, "assertion", None, "", "", "", ()),
        (*ministry, "assertion", "The minister", "", "", "", ()),  # wrong quote
        (*ministry, "attribution", None, "", " the ministry ", "", ()),  # a source: the full checks, stripped
        (5, 6, "assertion", None, "", "", "", ()),  # cuts the flag
        (*ministry, "disputed", None, "", "", "within_text", ("https://example.org/a",)),
        (*ministry, "assertion", None, "", "", "within_text", ()),  # a basis on an assertion
        (the - 1, the, "assertion", None, "", "", "", ()),  # only white space
        (the, 99, "opinion", None, "", "", "", ()),
    ]
    keys = ("start", "end", "label", "quote", "note", "source", "dispute_basis", "evidence_links")
    expected = []
    for span in spans:
        try:
            expected.append(check(text, **dict(zip(keys, span))))
        except InvalidInput as error:
            expected.append(error.detail)
    got = validate_spans(text=text, spans=spans, cut_at=DocumentBoundaries(text).cut)
    assert [g.detail if isinstance(g, InvalidInput) else g for g in got] == expected
    assert [isinstance(g, InvalidInput) for g in got] == [False, True, False, True, False, True, True, True]
    assert got[2].source == "the ministry" and got[0].quote == "The ministry"
