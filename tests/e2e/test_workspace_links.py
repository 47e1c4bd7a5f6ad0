"""Attribution and content in one gesture, links drawn as connectors over the text and listed
both ways, and keys the reviewer can change."""
import pytest

from annotate.models import Span, SpanLink
from tests.e2e.conftest import login
from tests.e2e.workspace import open_workspace, select_code_points, wait_for_span_count

TEXT = "The ministry said that inflation fell to 3% in May.\n\nCritics dispute the figure."


def test_the_span_labelled_after_an_attribution_is_linked_to_it(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    select_code_points(page, TEXT, 0, 17)
    page.keyboard.press("2")
    wait_for_span_count(page, 1)
    start = TEXT.index("inflation")
    select_code_points(page, TEXT, start, start + 27)
    page.keyboard.press("1")
    wait_for_span_count(page, 2)
    page.wait_for_selector("body[data-pending='0']", state="attached")
    said, claim = Span.objects.get(label="attribution"), Span.objects.get(label="assertion")
    assert list(SpanLink.objects.values_list("attribution_id", "target_id")) == [(said.pk, claim.pk)]
    assert "linked to the attribution" in page.locator("#status").text_content()
    # Listed both ways: the content's editor names its attribution.
    assert "The ministry said" in page.locator("#editor-attributed").text_content()
    # Drawn as one connector over the text, which is not rewritten.
    page.wait_for_function("() => document.querySelectorAll('#link-connectors path.connector').length === 1")
    chunks = page.evaluate("() => document.getElementById('doc-text').childNodes.length")
    page.set_viewport_size({"width": 700, "height": 800})
    page.wait_for_function("() => document.querySelectorAll('#link-connectors path.connector').length === 1")
    assert page.evaluate("() => document.getElementById('doc-text').childNodes.length") == chunks
    # Esc after an attribution: the next span is not linked.
    select_code_points(page, TEXT, TEXT.index("Critics"), TEXT.index("Critics") + 7)
    page.keyboard.press("2")
    wait_for_span_count(page, 3)
    page.keyboard.press("Escape")
    select_code_points(page, TEXT, TEXT.index("the figure"), TEXT.index("the figure") + 10)
    page.keyboard.press("3")
    wait_for_span_count(page, 4)
    page.wait_for_selector("body[data-pending='0']", state="attached")
    assert SpanLink.objects.count() == 1


def test_keys_can_be_changed_and_the_help_lists_them(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    page.keyboard.press("?")
    row = page.locator("#shortcut-rows tr[data-action=label-assertion]")
    assert row.locator("kbd").text_content() == "1"
    assert page.locator("#shortcut-rows tr[data-action]").count() >= 19
    row.get_by_role("button").click()
    page.keyboard.press("a")
    assert row.locator("kbd").text_content() == "A"
    page.keyboard.press("Escape")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    select_code_points(page, TEXT, 4, 12)
    page.keyboard.press("a")
    wait_for_span_count(page, 1)
    assert Span.objects.get().label == "assertion"
    assert page.get_by_role("button", name="A assertion").count() == 1
