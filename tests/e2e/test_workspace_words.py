"""Selections snap to whole words (Alt or a setting turns it off), keys grow and shrink them by
word, to the clause and the sentence, and a span's edges are moved by keys or dragged."""
import pytest

from annotate.models import Span
from tests.e2e.conftest import login
from tests.e2e.workspace import char_box, open_workspace, select_code_points, select_with_mouse, utf16, wait_for_span_count
from tests.factories import SpanFactory

TEXT = "The ministry said that inflation fell to 3% in May, critics said.\n\nNobody agreed."
SELECTED = "() => window.getSelection().toString()"


def test_a_drag_from_mid_word_takes_whole_words(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    start = TEXT.index("lation")
    select_with_mouse(page, TEXT, start, TEXT.index("May") + 2)  # "lation fell to 3% in Ma"
    page.keyboard.press("1")
    wait_for_span_count(page, 1)
    assert Span.objects.get().quote == "inflation fell to 3% in May"


def test_alt_or_the_setting_keeps_the_exact_characters(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    start = TEXT.index("lation")
    page.keyboard.down("Alt")
    select_with_mouse(page, TEXT, start, start + 6)
    page.keyboard.up("Alt")
    assert page.evaluate(SELECTED) == "lation"
    page.locator("#snap-words").uncheck()
    select_with_mouse(page, TEXT, TEXT.index("inistry"), TEXT.index("inistry") + 4)
    assert page.evaluate(SELECTED) == "inis"
    page.reload()  # the setting is kept
    page.wait_for_selector("body[data-ready='true']")
    assert not page.locator("#snap-words").is_checked()


def test_keys_grow_and_shrink_the_selection(page, desk):
    document, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    at = TEXT.index("inflation")
    select_code_points(page, TEXT, at, at + len("inflation"))
    page.keyboard.press("e")
    page.keyboard.press("e")
    assert page.evaluate(SELECTED) == "inflation fell to"
    page.keyboard.press("Shift+E")
    assert page.evaluate(SELECTED) == "inflation fell"
    page.keyboard.press("b")
    assert page.evaluate(SELECTED) == "that inflation fell"
    page.keyboard.press("c")
    assert page.evaluate(SELECTED) == "The ministry said that inflation fell to 3% in May"
    page.keyboard.press("s")
    assert page.evaluate(SELECTED).startswith("The ministry said that inflation fell to 3% in May, critics said.")
    page.keyboard.press("2")
    wait_for_span_count(page, 1)
    assert Span.objects.get().quote == "The ministry said that inflation fell to 3% in May, critics said."


def test_a_spans_edges_move_by_keys_and_by_dragging(page, desk):
    document, anna = desk
    span = SpanFactory(document=document, annotator=anna, label="attribution", start=4, end=12)  # "ministry"
    login(page, "anna")
    open_workspace(page, document)
    page.locator("#span-list li button").first.click()
    page.keyboard.press("e")
    page.wait_for_selector("body[data-pending='0']", state="attached")
    page.wait_for_function("() => document.getElementById('editor-quote').textContent === 'ministry said'")
    span.refresh_from_db()
    assert span.quote == "ministry said" and (span.start, span.end) == (4, 17)
    page.keyboard.press("Control+z")
    page.wait_for_selector("body[data-pending='0']", state="attached")
    span.refresh_from_db()
    assert span.quote == "ministry"
    # Drag the end handle to the middle of "that": the edge snaps to the word's end.
    handle = page.locator(".edge-handle.edge-end").bounding_box()
    target = char_box(page, utf16(TEXT, TEXT.index("that") + 2), utf16(TEXT, TEXT.index("that") + 3))
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 2, target["y"] + target["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('editor-quote').textContent === 'ministry said that'")
    page.wait_for_selector("body[data-pending='0']", state="attached")
    span.refresh_from_db()
    assert span.quote == "ministry said that"
    assert page.js_errors == []
