"""Text from users is shown as text: nothing in a document, title, note, username or guideline
runs, and the workspace still draws spans where CSS.highlights is missing."""
from annotate.models import Role
from tests.e2e.conftest import login
from tests.e2e.workspace import char_box, open_workspace, select_code_points, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory

PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def test_a_script_carrying_document_runs_nothing(page, transactional_db):
    project = ProjectFactory(name=f"Project {PAYLOAD}", guidelines=f"Read this {PAYLOAD}")
    document = DocumentFactory(
        project=project,
        title=f"Title {PAYLOAD}",
        outlet=f"Outlet {PAYLOAD}",
        text=f"Before {PAYLOAD} after.\nSecond line.",
    )
    user = UserFactory(username="eve<b>")
    MembershipFactory(project=project, user=user, role=Role.MANAGER)
    SpanFactory(document=document, annotator=user, start=0, end=6, note=f"Note {PAYLOAD}")
    console = []
    page.on("console", lambda message: console.append(message.text))
    login(page, "eve<b>")
    page.goto(f"/projects/{project.pk}/")
    assert page.get_by_role("link", name=f"Title {PAYLOAD}").is_visible()
    open_workspace(page, document)
    assert page.locator("#doc-text").text_content() == document.text
    assert page.locator("#doc-title").text_content() == document.title
    assert PAYLOAD in page.locator("#span-list").text_content()  # the note, as text
    page.keyboard.press("g")
    assert PAYLOAD in page.locator("#guidelines-dialog").text_content()
    page.keyboard.press("Escape")
    assert page.locator("main img, main script:not([type])").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.js_errors == []
    # Labelling a piece of the payload stores it exactly.
    start = document.text.index("<img")
    select_code_points(page, document.text, start, start + 8)
    page.keyboard.press("1")
    wait_for_span_count(page, 2)
    assert document.spans.filter(quote="<img src").exists()
    assert page.evaluate("window.__pwned") is None
    assert not [line for line in console if "Content Security Policy" in line]


def test_without_css_highlights_the_fallback_draws_boxes(page, transactional_db):
    document = DocumentFactory(text="The ministry said that inflation fell.")
    user = UserFactory(username="fay")
    MembershipFactory(project=document.project, user=user, role=Role.ANNOTATOR)
    SpanFactory(document=document, annotator=user, label="disputed", start=4, end=12)
    page.add_init_script("delete CSS.highlights; delete window.Highlight;")
    login(page, "fay")
    open_workspace(page, document)
    page.wait_for_selector("#highlight-overlay .hl-disputed")
    box = page.locator("#highlight-overlay .hl-disputed").first.bounding_box()
    word = char_box(page, 4, 12)
    assert abs(box["x"] - word["x"]) < 1 and abs(box["width"] - word["width"]) < 1
    select_code_points(page, document.text, 18, 22)
    page.keyboard.press("1")
    wait_for_span_count(page, 2)
    page.wait_for_selector("#highlight-overlay .hl-assertion")
    assert page.js_errors == []


def test_user_text_drawn_by_the_workspace_is_bidi_isolated(page, transactional_db):
    document = DocumentFactory(text="The ministry said that prices fell.")
    user = UserFactory(username="rtl")
    MembershipFactory(project=document.project, user=user, role=Role.ANNOTATOR)
    SpanFactory(document=document, annotator=user, start=0, end=12, note="\u05e9\u05dc\u05d5\u05dd reversed")
    login(page, "rtl")
    open_workspace(page, document)
    page.locator("#span-list .span-quote").first.wait_for()
    for selector in ("#span-list .span-quote", "#span-list .span-note"):
        assert page.locator(selector).first.get_attribute("dir") == "auto", selector
    page.locator("#span-list button").first.click()
    assert page.locator("#editor-quote").get_attribute("dir") == "auto"
