"""Suggested attributions in the workspace: proposed dashed, accepted with Enter (cue, content and
their link in one step), rejected with Backspace, both undone with Ctrl+Z; checked on the server."""
import pytest

from annotate.models import Role, Span, SpanLink
from annotate.suggestions.models import SuggestionDecision
from tests.e2e.conftest import login
from tests.e2e.workspace import open_workspace, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, UserFactory


TEXT = (
    "The finance ministry said on Monday that inflation fell to 3% in May.\n\n"
    "Prices rose, according to local reporters."
)


@pytest.fixture
def desk(transactional_db):
    document = DocumentFactory(text=TEXT, title="Inflation falls", language="en")
    anna = UserFactory(username="anna")
    MembershipFactory(project=document.project, user=anna, role=Role.REVIEWER)
    return document, anna


def settled(page) -> None:
    page.wait_for_selector("body[data-pending='0']", state="attached", timeout=10_000)


def test_a_reviewer_accepts_and_rejects_suggestions_by_key_and_undoes_both(page, desk):
    document, anna = desk
    login(page, "anna")
    open_workspace(page, document)
    items = page.locator("#suggestion-list .suggestion-item")
    items.first.wait_for()
    assert items.count() == 2
    assert "the finance ministry" in items.first.inner_text()

    page.keyboard.press("n")
    assert page.locator('#suggestion-list [aria-current="true"]').count() == 1
    page.keyboard.press("Enter")
    settled(page)
    wait_for_span_count(page, 2)
    cue = Span.objects.get(annotator=anna, label="attribution")
    assert (cue.quote, cue.source) == ("The finance ministry said on Monday that", "the finance ministry")
    assert SpanLink.objects.filter(attribution=cue, target__quote="inflation fell to 3% in May").exists()
    assert items.count() == 1

    page.keyboard.press("n")
    page.keyboard.press("Backspace")
    settled(page)
    assert SuggestionDecision.objects.filter(user=anna, decision="rejected").count() == 2  # the cue and its content
    assert items.count() == 0

    page.keyboard.press("Control+z")  # the rejection comes back
    settled(page)
    items.first.wait_for()
    assert not SuggestionDecision.objects.filter(decision="rejected").exists()

    page.keyboard.press("Control+z")  # the acceptance goes: both spans and the link, one step
    settled(page)
    wait_for_span_count(page, 0)
    assert not Span.objects.exists()
    page.wait_for_function("document.querySelectorAll('#suggestion-list .suggestion-item').length === 2")

    page.keyboard.press("Control+Shift+z")  # and is redone
    settled(page)
    wait_for_span_count(page, 2)
    assert SpanLink.objects.count() == 1
    assert page.js_errors == []


def test_edit_then_accept_takes_the_changed_selection(page, desk):
    document, anna = desk
    login(page, "anna")
    open_workspace(page, document)
    page.locator("#suggestion-list .suggestion-item").first.wait_for()
    page.keyboard.press("p")  # the last one: "according to local reporters"
    page.keyboard.press("m")
    page.keyboard.press("B")  # the start one word right: "to local reporters"
    page.keyboard.press("Enter")
    settled(page)
    wait_for_span_count(page, 2)
    cue = Span.objects.get(annotator=anna, label="attribution")
    assert cue.quote == "to local reporters"
    assert cue.links_out.get().target.quote == "Prices rose"
    assert page.js_errors == []
