"""The annotation workspace in Chromium: labelling by mouse and by keyboard, overlaps, edits,
links, layers, and exact offsets on awkward text in both directions."""
import pytest

from annotate.models import Assignment, AssignmentStatus, Role, Span, SpanLink
from tests.e2e.conftest import login
from tests.e2e.workspace import (
    click_character,
    drawn_ranges,
    drawn_text,
    open_workspace,
    select_code_points,
    select_with_mouse,
    wait_for_span_count,
)
from tests.factories import DocumentFactory, MembershipFactory, SpanFactory, UserFactory

TEXT = "The ministry said that inflation fell to 3% in May.\n\nCritics dispute the figure."


@pytest.fixture
def desk(transactional_db):
    """rita reviews, anna and omar annotate one project with one plain document."""
    document = DocumentFactory(text=TEXT, title="Inflation falls", outlet="Daily Planet")
    people = {}
    for username, role in [("rita", Role.REVIEWER), ("anna", Role.ANNOTATOR), ("omar", Role.ANNOTATOR)]:
        people[username] = UserFactory(username=username)
        MembershipFactory(project=document.project, user=people[username], role=role)
    return document, people


def test_label_a_mouse_selection_with_a_button(page, desk):
    document, people = desk
    login(page, "anna")
    open_workspace(page, document)
    start = TEXT.index("inflation fell")
    select_with_mouse(page, TEXT, start, start + len("inflation fell to 3% in May"))
    page.get_by_role("button", name="3 disputed").click()
    wait_for_span_count(page, 1)
    span = Span.objects.get()
    assert (span.start, span.end, span.label, span.annotator) == (start, start + 27, "disputed", people["anna"])
    assert span.quote == "inflation fell to 3% in May"
    assert drawn_text(page, "span-disputed") == ["inflation fell to 3% in May"]
    assert page.js_errors == []


def test_leading_and_trailing_spaces_are_trimmed(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    start = TEXT.index(" the figure")
    select_code_points(page, TEXT, start, start + len(" the figure.") - 1 + 0)
    page.keyboard.press("1")
    wait_for_span_count(page, 1)
    assert Span.objects.get().quote == "the figure"
    # A line break at the end of a selection goes too.
    select_code_points(page, TEXT, TEXT.index("in May."), TEXT.index("\n\nCritics") + 2)
    page.keyboard.press("1")
    wait_for_span_count(page, 2)
    assert sorted(Span.objects.values_list("quote", flat=True)) == ["in May.", "the figure"]


def test_label_with_the_keyboard_only(page, desk):
    document, people = desk
    login(page, "anna")
    open_workspace(page, document)
    # Tab from the top of the page until the text has focus.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "doc-text":
            break
    assert page.evaluate("document.activeElement.id") == "doc-text"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("t")  # the shortcut back into the text
    assert page.evaluate("document.activeElement.id") == "doc-text"
    for _ in range(4):  # caret from 0 to the start of "ministry"
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")  # "ministry"
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")  # " said"
    page.keyboard.press("2")
    wait_for_span_count(page, 1)
    span = Span.objects.get()
    assert (span.start, span.end, span.quote, span.label) == (4, 17, "ministry said", "attribution")

    # Give it a note, still from the keyboard: the new span is selected; Enter edits its note.
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "editor-note"
    page.keyboard.type("Named source.")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => document.querySelector('#span-list .span-note')?.textContent === 'Named source.'")
    assert Span.objects.get().note == "Named source."

    # Mark done, then the help overlay.
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+D")
    page.wait_for_selector("#done-button[aria-pressed='true']")
    assignment = Assignment.objects.get(user=people["anna"], document=document)
    assert assignment.status == AssignmentStatus.DONE and assignment.done_at is not None
    page.keyboard.press("?")
    assert page.locator("#help-dialog").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help-dialog").is_visible()
    page.keyboard.press("g")
    assert page.locator("#guidelines-dialog").is_visible()
    page.keyboard.press("Escape")
    assert page.js_errors == []


def test_next_and_previous_document_from_the_keyboard(page, desk):
    document, _ = desk
    second = DocumentFactory(project=document.project, text="Second story.", title="Second")
    login(page, "anna")
    open_workspace(page, document)
    page.keyboard.press("Shift+N")
    page.wait_for_url(f"**/documents/{second.pk}/")
    page.wait_for_selector("body[data-ready='true']")
    page.keyboard.press("Shift+P")
    page.wait_for_url(f"**/documents/{document.pk}/")


def test_overlapping_spans_are_all_drawn(page, desk):
    document, people = desk
    claim = TEXT.index("inflation fell to 3% in May")
    SpanFactory(document=document, annotator=people["anna"], label="assertion", start=claim, end=claim + 27)
    login(page, "anna")
    open_workspace(page, document)
    # A second span that starts inside the first and ends after it.
    start = TEXT.index("3% in May")
    select_code_points(page, TEXT, start, TEXT.index("May.") + 4)
    page.keyboard.press("3")
    wait_for_span_count(page, 2)
    assert drawn_text(page, "span-assertion") == ["inflation fell to 3% in May"]
    assert drawn_text(page, "span-disputed") == ["3% in May."]
    assert drawn_text(page, "span-overlap") == ["3% in May"]
    assert page.locator("#span-list li").count() == 2


def test_relabel_and_delete_a_span(page, desk):
    document, people = desk
    span = SpanFactory(document=document, annotator=people["anna"], label="assertion", start=4, end=12)
    login(page, "anna")
    open_workspace(page, document)
    page.locator("#span-list li button").first.click()  # select it from the panel
    assert page.locator("#editor-quote").text_content() == "ministry"
    page.keyboard.press("3")
    page.wait_for_function("() => document.querySelector('#span-list li').classList.contains('label-disputed')")
    span.refresh_from_db()
    assert span.label == "disputed" and span.version == 2
    assert drawn_text(page, "span-disputed") == ["ministry"] and drawn_text(page, "span-assertion") == []
    # A disputed span takes a reason and evidence from the editor.
    page.select_option("#editor-basis", "external_evidence")
    page.fill("#editor-evidence", "https://example.org/fact-check")
    with page.expect_response(lambda response: response.request.method == "PATCH"):
        page.get_by_role("button", name="Save").click()
    span.refresh_from_db()
    assert span.dispute_basis == "external_evidence" and span.evidence_links == ["https://example.org/fact-check"]
    page.locator("#span-list li button").first.click()
    page.keyboard.press("Delete")
    wait_for_span_count(page, 0)
    assert not Span.objects.exists()
    assert drawn_ranges(page)["span-disputed"] == []


def test_a_refused_span_is_taken_back_and_the_reason_shown(page, desk):
    document, people = desk
    login(page, "anna")
    open_workspace(page, document)
    # The server will refuse: anna leaves the project while the page is open.
    people["anna"].memberships.all().delete()
    select_code_points(page, TEXT, 4, 12)
    page.keyboard.press("1")
    page.wait_for_selector("#error:not([hidden])")
    assert "No such document" in page.locator("#error").text_content()
    assert page.locator("#span-list li").count() == 0
    assert drawn_ranges(page)["span-assertion"] == []
    assert not Span.objects.exists()


def test_labelling_a_span_again_selects_the_one_there(page, desk):
    """The same text labelled twice is one span: the page says so in words and selects it, with
    no error banner and no internal id."""
    document, people = desk
    there = SpanFactory(document=document, annotator=people["anna"], label="assertion", start=4, end=12)
    login(page, "anna")
    open_workspace(page, document)
    select_code_points(page, TEXT, 4, 12)
    page.keyboard.press("1")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Already labelled')")
    status = page.locator("#status").text_content()
    assert "ministry" in status and str(there.pk) not in status
    assert page.locator("#error").is_hidden()
    assert page.locator("#span-list li").count() == 1
    assert page.locator("#span-list li.is-selected").get_attribute("data-start") == "4"
    assert Span.objects.count() == 1
    assert page.js_errors == []


def test_link_an_attribution_to_what_it_attributes(page, desk):
    document, people = desk
    said = SpanFactory(document=document, annotator=people["anna"], label="attribution", start=0, end=22)
    claim_start = TEXT.index("inflation")
    claim = SpanFactory(document=document, annotator=people["anna"], label="assertion", start=claim_start, end=claim_start + 27)
    login(page, "anna")
    open_workspace(page, document)
    page.locator("#span-list li button").first.click()
    assert page.locator("#editor-quote").text_content() == "The ministry said that"
    page.keyboard.press("k")
    assert "Linking" in page.locator("#status").text_content()
    click_character(page, TEXT, claim_start + 5)  # in the middle of the assertion
    page.wait_for_function("() => document.querySelectorAll('#editor-links button[data-target]').length === 1")
    assert list(SpanLink.objects.values_list("attribution_id", "target_id")) == [(said.pk, claim.pk)]
    # Drawn as matching marks, and listed under the attribution and on the target.
    assert drawn_text(page, "span-link-target") == ["inflation fell to 3% in May"]
    assert "inflation fell" in page.locator("#editor-links").text_content()
    assert "attributed by" in page.locator("#span-list li").nth(1).text_content()
    # Unlink, then link again with the keyboard only: K, ] to the candidate, Enter.
    page.locator("#editor-links button[data-target]").click()
    page.wait_for_function("() => document.querySelectorAll('#editor-links button[data-target]').length === 0")
    assert not SpanLink.objects.exists()
    page.locator("#doc-text").focus()
    page.keyboard.press("k")
    page.keyboard.press("]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#editor-links button[data-target]').length === 1")
    assert SpanLink.objects.filter(attribution=said, target=claim).exists()
    assert page.js_errors == []


def test_reviewer_switches_layers(page, desk):
    document, people = desk
    SpanFactory(document=document, annotator=people["anna"], label="assertion", start=0, end=3)
    SpanFactory(document=document, annotator=people["omar"], label="disputed", start=4, end=12)
    SpanFactory(document=document, annotator=people["rita"], label="attribution", start=13, end=17)
    login(page, "rita")
    open_workspace(page, document)
    assert drawn_text(page, "span-attribution") == ["said"] and drawn_text(page, "span-assertion") == []
    page.select_option("#layer-select", "omar")
    page.wait_for_selector("body[data-layer='omar']")
    assert drawn_text(page, "span-disputed") == ["ministry"] and drawn_text(page, "span-attribution") == []
    assert "by omar" in page.locator("#span-list").text_content()
    page.select_option("#layer-select", "all")
    page.wait_for_selector("body[data-layer='all']")
    assert page.locator("#span-list li").count() == 3
    assert drawn_text(page, "span-assertion") == ["The"]


def test_an_annotator_sees_only_their_own_spans(page, desk):
    document, people = desk
    SpanFactory(document=document, annotator=people["omar"], label="disputed", start=4, end=12)
    mine = SpanFactory(document=document, annotator=people["anna"], label="assertion", start=0, end=3)
    login(page, "anna")
    open_workspace(page, document)
    assert page.locator("#layer-select").count() == 0
    assert drawn_text(page, "span-assertion") == ["The"] and drawn_text(page, "span-disputed") == []
    assert page.locator("#span-list li").count() == 1
    assert "ministry" not in page.locator("#span-list").text_content()
    # Asking the API for another layer from the page is refused too.
    status = page.evaluate(f"fetch('/api/v1/documents/{document.pk}/spans/?annotator=omar').then(r => r.status)")
    assert status == 403
    assert mine.quote == "The"
