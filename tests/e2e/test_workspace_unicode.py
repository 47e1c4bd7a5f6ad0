"""Exact offsets in both directions on text the browser counts differently from the server:
emoji, flags, skin-tone ZWJ sequences, combining marks, right-to-left script, line breaks."""
import unicodedata

import pytest

from annotate.models import Role, Span
from tests.e2e.conftest import login
from tests.e2e.workspace import drawn_ranges, drawn_text, open_workspace, select_code_points, select_units, select_with_mouse, utf16, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, SpanFactory, UserFactory

# NFC turns "a\u0308\u0301" into "ä" + a combining acute; q + dot above has no precomposed form.
TEXT = unicodedata.normalize(
    "NFC",
    "📰 Breaking: the flag 🇦🇿 flew.\n"
    "The scientist 👩🏽‍🔬 spoke; q\u0307uite a\u0308\u0301 mark.\n\n"
    "قال الوزير إن التضخم انخفض 📉 اليوم.\n"
    "שלום עולם and back to English 👍🏿."
)
assert "\u0301" in TEXT and "q\u0307" in TEXT
PIECES = [  # (quote, label): each occurs once in TEXT
    ("📰 Breaking", "assertion"),
    ("flag 🇦🇿 flew", "attribution"),
    ("👩🏽‍🔬", "disputed"),
    (unicodedata.normalize("NFC", "q\u0307uite a\u0308\u0301"), "assertion"),
    ("flew.\nThe scientist", "attribution"),
    ("الوزير إن التضخم انخفض 📉", "disputed"),
    ("שלום עולם", "assertion"),
    ("English 👍🏿", "disputed"),
]


@pytest.fixture
def unicode_document(transactional_db):
    document = DocumentFactory(text=TEXT, title="Unicode 🇦🇿")
    assert document.text == TEXT  # already NFC with \n line endings
    user = UserFactory(username="uma")
    MembershipFactory(project=document.project, user=user, role=Role.ANNOTATOR)
    return document, user


def test_spans_made_in_the_page_have_exact_offsets_on_the_server(page, unicode_document):
    document, _ = unicode_document
    login(page, "uma")
    open_workspace(page, document)
    for n, (quote, label) in enumerate(PIECES, start=1):
        start = TEXT.index(quote)
        select_code_points(page, TEXT, start, start + len(quote))
        page.keyboard.press({"assertion": "1", "attribution": "2", "disputed": "3"}[label])
        wait_for_span_count(page, n)
    saved = {(s.start, s.end, s.quote, s.label) for s in Span.objects.all()}
    expected = {(TEXT.index(q), TEXT.index(q) + len(q), q, label) for q, label in PIECES}
    assert saved == expected
    assert page.js_errors == []


def test_mouse_selection_across_emoji_and_a_line_break(page, unicode_document):
    document, _ = unicode_document
    login(page, "uma")
    open_workspace(page, document)
    quote = "flag 🇦🇿 flew.\nThe scientist 👩🏽‍🔬"
    start = TEXT.index(quote)
    select_with_mouse(page, TEXT, start, start + len(quote))
    page.keyboard.press("1")
    wait_for_span_count(page, 1)
    span = Span.objects.get()
    assert (span.start, span.end, span.quote) == (start, start + len(quote), quote)


def test_a_selection_that_splits_a_surrogate_pair_is_widened(page, unicode_document):
    document, _ = unicode_document
    login(page, "uma")
    open_workspace(page, document)
    # From the middle of 📰's surrogate pair to the middle of 🇦's: whole characters are kept,
    # and whole grapheme clusters, so the flag 🇦🇿 comes whole.
    select_units(page, 1, utf16(TEXT, TEXT.index("🇦🇿")) + 1)
    page.keyboard.press("1")
    wait_for_span_count(page, 1)
    span = Span.objects.get()
    assert span.start == 0 and span.quote == TEXT[: TEXT.index("🇦🇿") + 2]


def test_spans_made_through_the_api_are_drawn_over_exactly_their_characters(page, unicode_document):
    document, user = unicode_document
    for quote, label in PIECES:
        start = TEXT.index(quote)
        SpanFactory(document=document, annotator=user, label=label, start=start, end=start + len(quote))
    login(page, "uma")
    open_workspace(page, document)
    ranges = drawn_ranges(page)
    for label in ("assertion", "attribution", "disputed"):
        pieces = sorted((TEXT.index(q), q) for q, lab in PIECES if lab == label)
        assert ranges[f"span-{label}"] == [[utf16(TEXT, s), utf16(TEXT, s + len(q))] for s, q in pieces]
        assert drawn_text(page, f"span-{label}") == [q for _, q in pieces]
    # The side panel quotes them as stored, in text order.
    listed = page.locator("#span-list .span-quote").all_text_contents()
    assert listed == [q for _, q in sorted((TEXT.index(q), q) for q, _ in PIECES)]


def code_point(text: str, unit: int) -> int:
    """Code point offset of a UTF-16 offset (the inverse of utf16)."""
    count = 0
    for i, ch in enumerate(text):
        if count >= unit:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def test_a_long_text_in_several_pieces_keeps_offsets_exact(page, unicode_document):
    """The page cuts long texts into several text nodes and draws only what is near the
    viewport; offsets stay exact across the cuts and far down the text."""
    _, user = unicode_document
    long_text = "\n\n".join(f"{i}. {TEXT}" for i in range(120))
    document = DocumentFactory(project=user.memberships.get().project, text=long_text)
    quote = "flag 🇦🇿 flew"
    starts = [long_text.index(f"{i}. {TEXT}") + len(f"{i}. ") + TEXT.index(quote) for i in (0, 60, 119)]
    for start in starts:
        SpanFactory(document=document, annotator=user, label="attribution", start=start, end=start + len(quote))
    login(page, "uma")
    open_workspace(page, document)
    pieces = page.evaluate("() => [...document.querySelectorAll('#doc-text .chunk')].map((c) => c.textContent.length)")
    assert len(pieces) > 2 and sum(pieces) == utf16(long_text, len(long_text))
    assert page.locator("#doc-text").text_content() == long_text
    # The last span: select it from the side panel, which scrolls the text to it.
    page.locator("#span-list li button").nth(2).click()
    assert [utf16(long_text, starts[2]), utf16(long_text, starts[2] + len(quote))] in drawn_ranges(page)["span-attribution"]
    assert drawn_text(page, "span-selected") == [quote]
    # A span made across the cut between the first two pieces.
    cut = pieces[0]
    start, end = code_point(long_text, cut - 12), code_point(long_text, cut + 12)
    select_code_points(page, long_text, start, end)
    page.keyboard.press("Escape")  # deselecting the span keeps the text selection
    select_code_points(page, long_text, start, end)
    page.keyboard.press("3")
    wait_for_span_count(page, 4)
    made = Span.objects.get(document=document, label="disputed")
    expected = long_text[start:end].strip()
    assert made.quote == expected and made.start == long_text.index(expected, start)
    assert expected in drawn_text(page, "span-disputed")


def test_a_selection_inside_a_grapheme_cluster_snaps_to_the_whole_cluster(page, unicode_document):
    document, _ = unicode_document
    login(page, "uma")
    open_workspace(page, document)
    flag, scientist, mark = TEXT.index("🇦🇿"), TEXT.index("👩🏽‍🔬"), TEXT.index("\u0301")
    cases = [  # (selected code points, the span the server gets)
        ((flag, flag + 1), (flag, flag + 2)),  # half a flag
        ((scientist + 1, scientist + 3), (scientist, scientist + 4)),  # a skin tone and the ZWJ
        ((mark - 3, mark), (mark - 3, mark + 1)),  # "ä" without its combining acute
    ]
    for n, (selected, _) in enumerate(cases, start=1):
        select_code_points(page, TEXT, *selected)
        page.keyboard.press("1")
        wait_for_span_count(page, n)
    assert sorted((s.start, s.end) for s in Span.objects.all()) == sorted(expected for _, expected in cases)
    assert page.js_errors == []
