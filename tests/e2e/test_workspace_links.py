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



# The ends of every connector drawn, as [x1, y1, x2, y2] rounded (pane coordinates).
CONNECTOR_ENDS = """[...document.querySelectorAll('#link-connectors path.connector')].map((p) => {
  const n = p.getAttribute('d').match(/-?[0-9.]+/g).map(Number);
  return [n[0], n[1], n[6], n[7]].map((v) => Math.round(v));
})"""

# Where drawing.js must put them: under the middle of each span's first box (at most 40 px in).
EXPECTED_ENDS = """(pairs) => {
  const text = document.getElementById('doc-text'), origin = text.parentElement.getBoundingClientRect();
  const at = (unit) => {
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      if (unit <= seen + node.data.length) return [node, unit - seen];
      seen += node.data.length;
    }
  };
  const end = (a, b) => {
    const r = new Range();
    r.setStart(...at(a));
    r.setEnd(...at(b));
    const box = r.getClientRects()[0];
    return [box.left - origin.left + Math.min(box.width / 2, 40), box.bottom - origin.top];
  };
  return pairs.map(([a0, a1, b0, b1]) => [...end(a0, a1), ...end(b0, b1)].map((v) => Math.round(v)));
}"""

# Scrolls 60 px a frame, as a reader does, until this unit is above the middle of the viewport.
SCROLL_TO = """(pairs) => new Promise((resolve) => {
  const wanted = () => (""" + EXPECTED_ENDS + """)(pairs)[0][1] + document.getElementById('doc-text').parentElement.getBoundingClientRect().top;
  const step = () => {
    if (wanted() < window.innerHeight / 2) return resolve();
    window.scrollBy(0, 60);
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})"""


def test_a_connector_scrolled_into_view_is_drawn_between_its_spans(page, desk):
    from annotate.models import Role
    from tests.factories import DocumentFactory, MembershipFactory
    from tests.e2e.workspace import drawn_ranges

    _, anna = desk
    text = "".join(f"Paragraph {i}: the minister said that prices rose again this spring.\n\n" for i in range(400))
    document = DocumentFactory(text=text, title="Long")
    MembershipFactory(project=document.project, user=anna, role=Role.ANNOTATOR)
    links = []
    for i in (3, 200, 390):
        at = text.index(f"Paragraph {i}:")
        said = Span.objects.create(document=document, annotator=anna, label="attribution", start=at + 18,
                                   end=at + 35, quote=text[at + 18:at + 35])
        claim = Span.objects.create(document=document, annotator=anna, label="assertion", start=at + 41,
                                    end=at + 64, quote=text[at + 41:at + 64])
        SpanLink.objects.create(attribution=said, target=claim)
        links.append([said.start, said.end, claim.start, claim.end])  # ASCII: code points are UTF-16 units
    login(page, "anna")
    open_workspace(page, document)

    def drawn_between(pairs):
        page.wait_for_function(f"(want) => JSON.stringify({CONNECTOR_ENDS}) === JSON.stringify(want)",
                               arg=page.evaluate(EXPECTED_ENDS, pairs), timeout=10_000)

    drawn_between(links[:1])
    # The window steps many times on the way down; only the connectors entering it are added.
    page.evaluate(SCROLL_TO, links[1:2])
    drawn_between(links[1:2])
    attributions = drawn_ranges(page)["span-attribution"]
    assert links[1][:2] in attributions and links[0][:2] not in attributions
    # A resize redraws it where the text now is; scrolling back draws the first one again.
    page.set_viewport_size({"width": 700, "height": 800})
    drawn_between(links[1:2])
    page.evaluate("() => window.scrollTo(0, 0)")
    drawn_between(links[:1])
