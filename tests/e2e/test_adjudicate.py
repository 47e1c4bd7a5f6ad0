"""Adjudication in the text: each reviewer's basis and evidence beside the span, the gold span
edited by selecting text, an attribution and its content accepted as one unit with its link."""
import pytest

from annotate.models import Layer, Role, Span, SpanLink
from annotate.workflow.models import SpanRejection
from tests.e2e.conftest import login
from tests.e2e.workspace import char_box, drawn_text, select_code_points, utf16
from tests.factories import DocumentFactory, MembershipFactory, UserFactory
from tests.workflow.conftest import label

TEXT = "The ministry said that inflation fell to 3% in May, critics said.\n\nNobody agreed with the figure."


@pytest.fixture
def cast(transactional_db):
    """The set-up every fixture here shares: `cast("carol", "dave")` is one document of TEXT that
    rita (a reviewer) adjudicates and those annotators labelled; returns (document, people)."""
    def make(*annotators):
        document = DocumentFactory(text=TEXT, title="Inflation falls")
        people = {}
        for username, role in [("rita", Role.REVIEWER), *((name, Role.ANNOTATOR) for name in annotators)]:
            people[username] = UserFactory(username=username)
            MembershipFactory(project=document.project, user=people[username], role=role)
        return document, people
    return make


@pytest.fixture
def panel(cast):
    """rita adjudicates what carol and dave marked on one document."""
    document, people = cast("carol", "dave")
    claim = TEXT.index("inflation fell")
    said = TEXT.index("The ministry said")
    for name in ("carol", "dave"):
        attribution = label(people[name], document, said, said + 17, "attribution", source="Ministry")
        content = label(people[name], document, claim, claim + 27, "assertion")
        SpanLink.objects.create(attribution=attribution, target=content)
    figure = TEXT.index("the figure")
    label(people["carol"], document, figure, figure + 10, "disputed", dispute_basis="external_evidence",
          evidence_links=["https://example.org/check"], note="Statistics office says 4%")
    label(people["dave"], document, figure - 5, figure + 10, "disputed", dispute_basis="within_text")
    return document, people


def open_adjudication(page, document):
    login(page, "rita")
    page.goto(f"/documents/{document.pk}/adjudicate/")
    page.wait_for_selector("body[data-ready='true']")


def settled(page):
    page.wait_for_selector("body[data-pending='0']", state="attached")


def test_shows_every_reviewers_basis_and_evidence(page, panel):
    document, _ = panel
    open_adjudication(page, document)
    # The units step in text order: the pair, then the disputed claim that carol and dave drew
    # 5 characters apart (one unit: one mark drawn two ways).
    for _ in range(2):
        page.keyboard.press("]")
    unit = page.locator("#unit")
    assert "the figure" in unit.locator(".editor-quote").first.text_content()
    carol = unit.locator(".reviewer-row[data-reviewer=carol]").first
    assert "external evidence" in carol.text_content() and "Statistics office says 4%" in carol.text_content()
    assert carol.locator("a[href='https://example.org/check']").count() == 1
    dave = unit.locator(".reviewer-row[data-reviewer=dave]").first
    assert "instead" in dave.text_content()
    assert unit.locator(".differences li").all_text_contents() == ["dave starts 5 characters earlier: “with ”"]
    assert unit.locator(".differs-badge").count() == 1
    # Drawn in the text with the workspace's colours: the shared part, and dave's "with " dashed.
    assert drawn_text(page, "span-disputed") == ["the figure"]
    assert drawn_text(page, "span-disputed-partial") == ["with "]
    assert page.js_errors == []


def test_accepts_a_linked_pair_as_one_unit(page, panel):
    document, _ = panel
    open_adjudication(page, document)
    page.keyboard.press("]")
    assert "one decision" in page.locator("#unit-heading").text_content()
    assert page.locator("#unit .group-card").count() == 2
    page.keyboard.press("a")
    settled(page)
    gold = {s.label: s for s in Span.objects.filter(document=document, layer=Layer.GOLD)}
    assert set(gold) == {"attribution", "assertion"}
    assert SpanLink.objects.filter(attribution=gold["attribution"], target=gold["assertion"]).exists()
    assert gold["attribution"].source == "Ministry"
    # The next undecided unit is offered.
    assert "the figure" in page.locator("#unit .editor-quote").first.text_content()


def test_the_header_counts_the_same_undecided_units_as_the_list(page, panel):
    """The page's header and the decisions list count one thing: units (an attribution with its
    content is one), as the server renders it and after a decision."""
    document, _ = panel
    open_adjudication(page, document)
    html = page.request.get(f"/documents/{document.pk}/adjudicate/").text()  # before any script

    def counts():
        header = page.locator("#progress").text_content().split(" undecided")[0]
        listed = page.locator("#unit-count").text_content().strip("()").split(" undecided")[0]
        return int(header), int(listed)

    header, listed = counts()
    assert header == listed and f'id="progress">{listed} undecided' in html
    page.keyboard.press("]")
    page.keyboard.press("a")  # the attribution and its content: one unit
    settled(page)
    assert counts() == (listed - 1, listed - 1)


def test_edits_the_gold_span_by_selecting_text(page, panel):
    document, _ = panel
    open_adjudication(page, document)
    for _ in range(2):
        page.keyboard.press("]")
    assert page.locator("#unit .editor-quote").first.text_content() == "the figure"
    start = TEXT.index("with the figure")
    select_code_points(page, TEXT, start, start + len("with the figure"))
    page.keyboard.press("e")
    settled(page)
    gold = Span.objects.get(document=document, layer=Layer.GOLD)
    assert (gold.label, gold.quote) == ("disputed", "with the figure")
    assert "Accepted your edit" in page.locator("#status").text_content()
    # No offset box anywhere on the page.
    assert page.locator("input[type=number]").count() == 0


def test_accept_all_agreed_and_phone_width(page, panel):
    document, _ = panel
    page.set_viewport_size({"width": 390, "height": 844})
    open_adjudication(page, document)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Accept all agreed (2)").click()
    settled(page)
    assert Span.objects.filter(document=document, layer=Layer.GOLD).count() == 2
    assert page.locator("#gold-list li").count() == 2


def test_three_reviewers_fit_a_320px_screen(page, panel):
    """Every unit, with three reviewers' rows, long unbroken links and quotes, fits a phone: the
    page never scrolls sideways (wide content wraps or scrolls inside its own box)."""
    document, people = panel
    people["erin"] = UserFactory(username="erin")
    MembershipFactory(project=document.project, user=people["erin"], role=Role.ANNOTATOR)
    claim = TEXT.index("inflation fell")
    label(people["erin"], document, claim, len(TEXT.split("\n")[0]), "assertion",
          note="Supercalifragilisticexpialidocious-unbroken-note-" * 3)
    figure = TEXT.index("the figure")
    label(people["erin"], document, figure, figure + 10, "disputed", dispute_basis="external_evidence",
          evidence_links=["https://example.org/" + "a-very-long-path-without-breaks-" * 4])
    page.set_viewport_size({"width": 320, "height": 640})
    open_adjudication(page, document)
    widths = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    too_wide = []
    for step in range(5):
        scroll_width, client_width = page.evaluate(widths)
        if scroll_width > client_width:
            too_wide.append((step, scroll_width, client_width))
        page.keyboard.press("]")
    page.keyboard.press("a")  # a decided unit joins the gold list
    settled(page)
    page.select_option("#layer-select", "gold")
    for state in ("gold layer", "shortcuts"):
        scroll_width, client_width = page.evaluate(widths)
        if scroll_width > client_width:
            too_wide.append((state, scroll_width, client_width))
        page.keyboard.press("?")
    dialog = page.evaluate("() => { const d = document.getElementById('help-dialog'); return [d.open, d.scrollWidth, d.clientWidth] }")
    assert dialog[0] and dialog[1] <= dialog[2], dialog
    # Elements wider than the screen that the page hides (overflow clipping) are cut off too.
    cut = page.evaluate("""() => [...document.querySelectorAll('.side-panel *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.className || e.tagName)""")
    # Each gold row keeps the quote beside a small Remove button, not two half-width columns.
    rows = page.evaluate("""() => [...document.querySelectorAll('#gold-list .span-item')].map(li =>
        [li.querySelector('.gold-remove').getBoundingClientRect().width, li.getBoundingClientRect().width])""")
    assert rows and all(remove < row / 3 for remove, row in rows), rows
    assert not too_wide and not cut, (too_wide, cut)
    assert page.js_errors == []


@pytest.fixture
def variants(cast):
    """Three reviewers mark the same clause, dave with 5 more characters before it; and the
    attribution that introduces it, carol's and erin's alike, dave's a word longer."""
    document, people = cast("carol", "dave", "erin")
    claim = TEXT.index("inflation fell")
    said = TEXT.index("The ministry said")
    for name, start, said_end in (("carol", claim, said + 17), ("erin", claim, said + 17), ("dave", claim - 5, said + 22)):
        attribution = label(people[name], document, said, said_end, "attribution", source="Ministry")
        content = label(people[name], document, start, claim + 27, "assertion", note=f"{name}'s note")
        SpanLink.objects.create(attribution=attribution, target=content)
    return document, people


def test_near_identical_variants_are_one_unit_showing_who_marked_what(page, variants):
    document, _ = variants
    open_adjudication(page, document)
    # One decision for the attribution and its content, however the three drew the edges.
    assert page.locator("#unit-list li").count() == 1
    page.keyboard.press("]")
    unit = page.locator("#unit")
    assert unit.locator(".group-card").count() == 2
    content = unit.locator(".group-card.label-assertion")
    assert content.locator(".editor-quote").text_content() == "inflation fell to 3% in May"
    assert content.locator(".differs-badge").count() == 1
    dave = content.locator(".reviewer-row[data-reviewer=dave]")
    assert "“that inflation fell to 3% in May”" in dave.text_content()
    assert "dave's note" in dave.text_content()
    assert content.locator(".differences li").all_text_contents() == ["dave starts 5 characters earlier: “that ”"]
    for name in ("carol", "erin"):
        row = content.locator(f".reviewer-row[data-reviewer={name}]")
        assert "✓ marked" in row.text_content() and "instead" not in row.text_content()
    attribution = unit.locator(".group-card.label-attribution")
    assert attribution.locator(".editor-quote").text_content() == "The ministry said"
    assert attribution.locator(".differences li").all_text_contents() == ["dave ends 5 characters later: “ that”"]
    # Accepted as one unit: one gold span each, from all three reviewers, with their link.
    page.keyboard.press("a")
    settled(page)
    gold = {s.label: s for s in Span.objects.filter(document=document, layer=Layer.GOLD)}
    assert {k: v.quote for k, v in gold.items()} == {"attribution": "The ministry said", "assertion": "inflation fell to 3% in May"}
    assert SpanLink.objects.filter(attribution=gold["attribution"], target=gold["assertion"]).exists()
    assert sorted(gold["assertion"].gold_origins.values_list("source_username", flat=True)) == ["carol", "dave", "erin"]
    assert gold["assertion"].note == "carol's note"  # the variant most reviewers drew gives the fields
    assert not SpanRejection.objects.filter(document=document).exists()
    assert page.locator("#unit-list li.state-accepted").count() == 1
    assert page.js_errors == []


def test_a_unit_of_variants_is_rejected_or_edited_whole(page, variants):
    document, _ = variants
    open_adjudication(page, document)
    page.keyboard.press("]")
    page.keyboard.press("r")
    settled(page)
    assert SpanRejection.objects.filter(document=document).count() == 6
    page.get_by_role("button", name="Undo reject").click()
    settled(page)
    assert not SpanRejection.objects.filter(document=document).exists()
    # Edited by selection: the content takes the selected text, every variant is its origin.
    page.keyboard.press("]")
    claim = TEXT.index("inflation fell")
    select_code_points(page, TEXT, claim, claim + len("inflation fell"))
    page.keyboard.press("3")  # the edit's label
    page.keyboard.press("e")
    settled(page)
    gold = {s.label: s for s in Span.objects.filter(document=document, layer=Layer.GOLD)}
    assert gold["disputed"].quote == "inflation fell"
    assert gold["disputed"].gold_origins.count() == 3
    assert page.js_errors == []


@pytest.fixture
def wider(cast):
    """Three reviewers mark the same claim: carol exactly, dave with "that " before it, erin with
    ", critics said" after it (14 code points: two words, once past the old 12-character limit)."""
    document, people = cast("carol", "dave", "erin")
    claim = TEXT.index("inflation fell")
    end = claim + len("inflation fell to 3% in May")
    for name, start, stop in (("carol", claim, end), ("dave", claim - 5, end), ("erin", claim, end + 14)):
        label(people[name], document, start, stop, "assertion", note=f"{name}'s note")
    return document, people


def test_the_characters_only_some_versions_cover_are_drawn_apart_and_named(page, wider):
    document, _ = wider
    open_adjudication(page, document)
    assert page.locator("#unit-list li").count() == 1  # two words apart is still one claim
    # In the text: the part all three cover is drawn as agreed, the rest dashed, each named.
    assert drawn_text(page, "span-assertion") == ["inflation fell to 3% in May"]
    assert drawn_text(page, "span-assertion-partial") == ["that ", ", critics said"]
    critics = TEXT.index("critics")
    box = char_box(page, utf16(TEXT, critics), utf16(TEXT, critics + 7))
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("#difference-tip")
    tip.wait_for(state="visible")
    assert tip.text_content() == "“, critics said”: covered by erin, not by carol and dave"
    # In the panel: the differing edges as words, the pieces named the same way.
    page.keyboard.press("]")
    edges = page.locator("#unit .differences li").all_text_contents()
    assert edges == ["dave starts 5 characters earlier: “that ”", "erin ends 14 characters later: “, critics said”"]
    names = page.locator("#unit .piece-names li").all_text_contents()
    assert names == ["“that ”: covered by dave, not by carol and erin", "“, critics said”: covered by erin, not by carol and dave"]
    # Rejected and accepted whole: every version is recorded.
    page.keyboard.press("r")
    settled(page)
    assert SpanRejection.objects.filter(document=document).count() == 3
    page.get_by_role("button", name="Undo reject").click()
    settled(page)
    page.keyboard.press("]")
    page.keyboard.press("a")
    settled(page)
    gold = Span.objects.get(document=document, layer=Layer.GOLD)
    assert gold.quote == "inflation fell to 3% in May"
    assert sorted(gold.gold_origins.values_list("source_username", flat=True)) == ["carol", "dave", "erin"]
    assert page.js_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", [{"width": 390, "height": 844, "scale": 1}, {"width": 640, "height": 450, "scale": 2}],
                         ids=["phone-390px", "zoom-200pct"])
def test_the_differences_pass_axe_and_fit_a_phone_and_200pct_zoom(browser, live_server, wider, scheme, screen):
    """The unit's panel with its differences, and the hover tip, open: axe-core finds nothing
    serious in light or dark mode, and the page does not scroll sideways."""
    from tests.e2e.test_accessibility import AXE, BLOCKING, describe

    document, _ = wider
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme, device_scale_factor=screen["scale"],
                                  viewport={"width": screen["width"], "height": screen["height"]})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_adjudication(page, document)
    page.keyboard.press("]")
    critics = TEXT.index("critics")
    page.locator("#doc-text").scroll_into_view_if_needed()
    box = char_box(page, utf16(TEXT, critics), utf16(TEXT, critics + 7))
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#difference-tip").wait_for(state="visible")
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")["violations"]
    assert [describe(v) for v in violations if v["impact"] in BLOCKING] == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    tip = page.evaluate("() => { const r = document.getElementById('difference-tip').getBoundingClientRect(); return [r.left, r.right, innerWidth] }")
    assert tip[0] >= 0 and tip[1] <= tip[2], tip
    assert errors == []
    context.close()


@pytest.fixture
def split(cast):
    """carol draws "inflation fell to 3% in May, critics said" as one assertion; dave draws it as
    two, "inflation fell to 3% in May" and "critics said"."""
    document, people = cast("carol", "dave")
    claim, critics = TEXT.index("inflation fell"), TEXT.index("critics said")
    label(people["carol"], document, claim, critics + 12, "assertion", note="carol's one claim")
    label(people["dave"], document, claim, claim + 27, "assertion")
    label(people["dave"], document, critics, critics + 12, "assertion")
    return document, people


def test_one_span_over_two_claims_is_shown_in_both_units_and_each_is_decided_apart(page, split):
    document, people = split
    carols = Span.objects.get(annotator=people["carol"])
    dave_first, dave_second = Span.objects.filter(annotator=people["dave"]).order_by("start")
    open_adjudication(page, document)
    assert page.locator("#unit-list li").count() == 2
    page.keyboard.press("]")
    carol = page.locator("#unit .reviewer-row[data-reviewer=carol]")
    assert "one span that also covers “critics said” (decided apart)" in carol.text_content()
    # Her extra stretch is not "missed" by dave: he drew it as a span of its own.
    names = page.locator("#unit .piece-names li").all_text_contents()
    assert names == ["“, critics said”: covered by carol; dave drew “critics said” as a separate span"]
    page.keyboard.press("]")
    assert page.locator("#unit .editor-quote").text_content() == "critics said"
    # Not "did not mark this": carol's long span is shown here too, with her note.
    carol = page.locator("#unit .reviewer-row[data-reviewer=carol]")
    assert "as one span over this and “inflation fell to 3% in May”" in carol.text_content()
    assert "carol's one claim" in carol.text_content() and "did not mark" not in carol.text_content()
    assert page.locator("#unit .differs-badge").text_content() == "1 of 2, carol in one longer span"
    # Accepting this unit decides only its own span: carol's stays with the first unit.
    page.keyboard.press("a")
    settled(page)
    [gold] = Span.objects.filter(document=document, layer=Layer.GOLD)
    assert gold.quote == "critics said"
    assert list(gold.gold_origins.values_list("source_span", flat=True)) == [dave_second.pk]
    assert not SpanRejection.objects.filter(document=document).exists()
    assert page.locator("#unit-list li.state-pending").count() == 1
    # Rejecting the first unit rejects its versions, carol's long span among them; gold keeps "critics said".
    page.keyboard.press("]")
    assert page.locator("#unit .editor-quote").text_content() == "inflation fell to 3% in May"
    page.keyboard.press("r")
    settled(page)
    assert set(SpanRejection.objects.values_list("span", flat=True)) == {carols.pk, dave_first.pk}
    assert list(Span.objects.filter(document=document, layer=Layer.GOLD).values_list("quote", flat=True)) == ["critics said"]
    assert page.locator("#unit-list li.state-pending").count() == 0
    assert page.js_errors == []


TINTS = """() => {
    // Each label's tint for the characters only some versions cover, as the ::highlight rule draws
    // it (its value resolved on a probe inside the text pane), the pane's background and the text colour.
    const pane = document.getElementById('doc-text');
    const rules = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules]);
    const rgba = (value) => {
        const n = value.match(/[\\d.]+/g).map(Number);
        if (value.startsWith('color(srgb')) return [n[0] * 255, n[1] * 255, n[2] * 255, n.length > 3 ? n[3] : 1];
        return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
    };
    let back = pane;
    while (back && rgba(getComputedStyle(back).backgroundColor)[3] === 0) back = back.parentElement;
    const probe = document.createElement('span');
    pane.append(probe);
    const tints = {};
    for (const label of ['assertion', 'attribution', 'disputed']) {
        const rule = rules.find((r) => r.selectorText === `::highlight(span-${label}-partial)`);
        probe.style.backgroundColor = rule.style.getPropertyValue('background-color');
        tints[label] = rgba(getComputedStyle(probe).backgroundColor);
    }
    probe.remove();
    return {tints, background: rgba(getComputedStyle(back || document.body).backgroundColor), text: rgba(getComputedStyle(pane).color)};
}"""


def _linear(c):
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(rgb):
    r, g, b = (_linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lab(rgb):
    r, g, b = (_linear(c) for c in rgb[:3])
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_differing_stretch_has_a_tint_that_shows_in_both_themes(browser, live_server, wider, scheme):
    """The tint of the characters only some versions cover is plainly visible on the text pane
    (CIE76 colour difference of at least 10 from the background; 2.3 is barely noticeable), and
    the text on it keeps AAA contrast (7:1), in light and in dark mode."""
    document, _ = wider
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
    page = context.new_page()
    open_adjudication(page, document)
    found = page.evaluate(TINTS)
    background = found["background"]
    for name, (r, g, b, a) in found["tints"].items():
        over = [a * c + (1 - a) * d for c, d in zip((r, g, b), background)]
        difference = sum((p - q) ** 2 for p, q in zip(_lab(over), _lab(background))) ** 0.5
        light, dark = sorted((_luminance(over), _luminance(found["text"])), reverse=True)
        assert difference >= 10, (scheme, name, round(difference, 1))
        assert (light + 0.05) / (dark + 0.05) >= 7, (scheme, name)
    context.close()


TIP = """() => {
    const tip = document.getElementById('difference-tip').getBoundingClientRect();
    return {tip: [tip.left, tip.top, tip.right, tip.bottom], width: innerWidth, height: innerHeight};
}"""


@pytest.mark.parametrize("at_top", [False, True], ids=["mid-page", "line-at-the-top"])
def test_the_difference_tip_at_390px_hides_neither_the_line_nor_the_next_one(page, wider, at_top):
    """The tip goes above the line it names (below it only when there is no room above), and is
    never cut off at either side of a phone screen."""
    document, _ = wider
    # A short screen for the line at the top, so the page scrolls far enough to put it there.
    page.set_viewport_size({"width": 390, "height": 300 if at_top else 844})
    open_adjudication(page, document)
    critics = TEXT.index("critics")
    page.locator("#doc-text").scroll_into_view_if_needed()
    if at_top:  # the hovered line at the top edge: no room above
        first = char_box(page, utf16(TEXT, critics), utf16(TEXT, critics + 7))
        page.evaluate("(y) => window.scrollBy(0, y - 2)", first["y"])
        assert char_box(page, utf16(TEXT, critics), utf16(TEXT, critics + 7))["y"] < 10
    box = char_box(page, utf16(TEXT, critics), utf16(TEXT, critics + 7))
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#difference-tip").wait_for(state="visible")
    found = page.evaluate(TIP)
    left, top, right, bottom = found["tip"]
    assert 0 <= left and right <= found["width"], found
    assert 0 <= top and bottom <= found["height"], found
    line_top, line_bottom = box["y"], box["y"] + box["height"]
    if at_top:
        assert top >= line_bottom, (found, box)  # flipped below: the line read stays in view
    else:
        assert bottom <= line_top, (found, box)  # above: neither this line nor the next is covered
