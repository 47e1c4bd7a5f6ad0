"""Nothing typed in the span editor is lost: notes save as you type (debounced, with a visible
state), and what is not saved yet is kept as a draft that survives switching spans, moving to
the next document and a reload."""
import pytest

from annotate.models import Role, Span
from tests.e2e.conftest import login
from tests.e2e.workspace import open_workspace, select_code_points, settled
from tests.factories import DocumentFactory, MembershipFactory, SpanFactory, UserFactory

TEXT = "The ministry said that inflation fell to 3% in May.\n\nCritics dispute the figure."


@pytest.fixture
def desk(transactional_db):
    document = DocumentFactory(text=TEXT, title="Inflation falls")
    second = DocumentFactory(project=document.project, text="Second story.", title="Second")
    anna = UserFactory(username="anna")
    MembershipFactory(project=document.project, user=anna, role=Role.ANNOTATOR)
    said = SpanFactory(document=document, annotator=anna, label="attribution", start=0, end=17)
    claim = SpanFactory(document=document, annotator=anna, label="assertion", start=23, end=50)
    return document, second, said, claim


def pick(page, n: int) -> None:
    page.locator("#span-list li button").nth(n).click()


def wait_saved(page) -> None:
    page.wait_for_selector("#save-state[data-state='saved']")


def test_a_note_saves_as_you_type_and_survives_switching_spans(page, desk):
    document, _, said, claim = desk
    login(page, "anna")
    open_workspace(page, document)
    pick(page, 0)
    page.locator("#editor-note").press_sequentially("Named ministry")
    pick(page, 1)  # at once: the typed note must not be lost
    page.locator("#editor-source").wait_for(state="hidden")
    pick(page, 0)
    assert page.locator("#editor-note").input_value() == "Named ministry"
    wait_saved(page)
    said.refresh_from_db()
    assert said.note == "Named ministry"
    # The source of an attribution saves the same way, without pressing Save.
    page.locator("#editor-source").fill("Ministry of Finance")
    wait_saved(page)
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('annotate:draft:'))", timeout=30_000)
    said.refresh_from_db()
    assert said.source == "Ministry of Finance"
    assert page.js_errors == []


def test_a_note_survives_next_document(page, desk):
    document, second, said, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    pick(page, 0)
    page.locator("#editor-note").press_sequentially("Before next")
    page.locator("#next-doc").click()
    page.wait_for_url(f"**/documents/{second.pk}/")
    page.wait_for_selector("body[data-ready='true']")
    page.locator("#prev-doc").click()
    page.wait_for_url(f"**/documents/{document.pk}/")
    page.wait_for_selector("body[data-ready='true']")
    pick(page, 0)
    assert page.locator("#editor-note").input_value() == "Before next"
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('annotate:draft:'))", timeout=30_000)
    said.refresh_from_db()
    assert said.note == "Before next"


def test_a_note_survives_a_reload_and_leaving_asks_first(page, desk):
    document, _, said, claim = desk
    login(page, "anna")
    open_workspace(page, document)
    pick(page, 1)
    page.locator("#editor-note").press_sequentially("Typed then reloaded")
    # While the note is not on the server yet, leaving the page asks first.
    asks = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert asks is True
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    pick(page, 1)
    assert page.locator("#editor-note").input_value() == "Typed then reloaded"
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('annotate:draft:'))", timeout=30_000)
    claim.refresh_from_db()
    assert claim.note == "Typed then reloaded"
    # Saved: leaving no longer asks.
    asks = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert asks is False


def test_a_refused_save_keeps_the_draft(page, desk):
    document, _, said, _ = desk
    login(page, "anna")
    open_workspace(page, document)
    pick(page, 0)
    # Someone else changes the span meanwhile: the save is refused (412) and the text is kept.
    Span.objects.filter(pk=said.pk).update(version=5, note="theirs")
    page.locator("#editor-note").press_sequentially("mine")
    page.wait_for_selector("#save-state[data-state='failed']")
    assert page.locator("#editor-note").input_value() == "mine"
    assert page.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('annotate:draft:')).length") == 1
    said.refresh_from_db()
    assert said.note == "theirs"


def test_a_note_typed_while_a_new_span_is_saved_is_kept(page, desk):
    """The editor of a span just labelled takes typing at once, before the server has answered:
    what is typed meanwhile is saved on the span once it has its id, and the list's "saving…"
    goes when the answer comes."""
    document, _, said, claim = desk
    login(page, "anna")
    open_workspace(page, document)
    held = []  # the POST that creates the span, let through only when the note is typed

    def hold_creation(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/api/v1/documents/{document.pk}/spans/", hold_creation)
    critics = TEXT.index("Critics")
    select_code_points(page, TEXT, critics, critics + len("Critics"))
    page.keyboard.press("1")
    page.wait_for_selector("#span-list .is-saving")
    page.locator("#editor-note").press_sequentially("Typed before the answer")
    assert len(held) == 1 and not Span.objects.filter(start=critics).exists()
    held[0].continue_()
    page.wait_for_selector("#span-list .is-saving", state="detached")
    settled(page)
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('annotate:draft:'))", timeout=30_000)
    settled(page)
    created = Span.objects.get(start=critics)
    assert (created.quote, created.label, created.note) == ("Critics", "assertion", "Typed before the answer")
    assert page.locator("#editor-note").input_value() == "Typed before the answer"
    assert page.js_errors == []
