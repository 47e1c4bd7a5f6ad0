"""Pages at phone width, and the side panel's window over a long list of spans."""
from annotate.models import Role, Span
from tests.e2e.conftest import login
from tests.e2e.workspace import open_workspace, select_code_points, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, UserFactory

TEXT = "The ministry said that inflation fell to 3% in May.\n\nCritics dispute the figure. " * 3


def test_pages_fit_a_phone(page, transactional_db):
    document = DocumentFactory(text=TEXT, title="A fairly long title for a small screen", outlet="Daily Planet")
    user = UserFactory(username="pia")
    MembershipFactory(project=document.project, user=user, role=Role.REVIEWER)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "pia")
    for path in ["/", f"/projects/{document.project.pk}/"]:
        page.goto(path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, path
    open_workspace(page, document)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    select_code_points(page, TEXT, 4, 12)
    page.get_by_role("button", name="1 assertion").click()
    wait_for_span_count(page, 1)
    assert Span.objects.get().quote == "ministry"
    assert page.js_errors == []


def open_long_list(page) -> str:
    """lea's workspace on 2,000 words, the first 400 of them spans: returns the text."""
    text = "word " * 2000
    document = DocumentFactory(text=text)
    user = UserFactory(username="lea")
    MembershipFactory(project=document.project, user=user, role=Role.ANNOTATOR)
    Span.objects.bulk_create(
        Span(document=document, annotator=user, label="assertion", start=i * 5, end=i * 5 + 4, quote="word")
        for i in range(400)
    )
    login(page, "lea")
    open_workspace(page, document)
    return text


def test_the_span_list_shows_a_window_of_a_long_list(page, transactional_db):
    text = open_long_list(page)
    assert page.locator("#span-count").text_content() == "(400)"
    assert page.locator("#span-list li").count() < 400
    later = page.locator(".more-later")
    assert later.is_visible() and "more" in later.text_content()
    # Stepping with ] past the window moves the window with the selection.
    page.locator("#span-list li button").last.click()
    last_shown = int(page.locator("#span-list li.is-selected").get_attribute("data-start")) // 5
    assert last_shown < 399
    for _ in range(3):
        page.keyboard.press("]")
    selected = page.locator("#span-list li.is-selected")
    assert selected.count() == 1
    at = 5 * (last_shown + 3)
    assert selected.get_attribute("data-start") == str(at)
    # A new span far down the list is counted and listed when its place is shown.
    select_code_points(page, text, 5 * 399 + 5, 5 * 399 + 9)
    page.keyboard.press("2")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved attribution')")
    assert page.locator("#span-count").text_content() == "(401)"
    assert Span.objects.filter(label="attribution", start=5 * 400).exists(), list(Span.objects.filter(label="attribution").values("start", "end", "quote"))
    assert page.js_errors == []



def test_a_new_span_outside_the_list_window_is_listed_in_order_and_stays_selected(page, transactional_db):
    """A span added far from the list's window is listed at once, in text order, and is still
    drawn selected after the server's answer redraws its item (it lost the mark before)."""
    text = open_long_list(page)
    assert page.locator("#span-list li").first.get_attribute("data-start") == "0"
    at = 5 * 1500  # past every span: its place in text order is after the 400th
    select_code_points(page, text, at, at + 4)
    page.keyboard.press("1")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved assertion')")
    page.wait_for_selector("body[data-pending='0']", state="attached")
    assert page.locator("#span-count").text_content() == "(401)"
    item = page.locator(f"#span-list li[data-start='{at}']")
    assert item.count() == 1
    assert "is-selected" in item.get_attribute("class")
    assert item.locator("button").get_attribute("aria-current") == "true"
    assert page.locator("#span-list li.is-selected").count() == 1
    starts = [int(s) for s in page.locator("#span-list li").evaluate_all("(items) => items.map((li) => li.dataset.start)")]
    assert starts == sorted(starts) and starts[-1] == at
    assert page.locator("#editor-quote").text_content() == "word"
    assert page.locator("#editor-note").is_enabled()  # filled again with the saved span: editable now
    assert page.js_errors == []
