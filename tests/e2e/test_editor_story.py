"""Issue 11's "done when", as one story: a reviewer annotates a press statement with
attributions, links and a disputed claim, makes and undoes mistakes, and a note survives
switching spans; then an adjudicator merges three reviewers' layers into gold. Everything is
done by selecting text and pressing keys; no offset number is ever shown on the page, and the
server ends up holding exactly what was meant."""
import re

from annotate.models import Layer, Role, Span, SpanLink
from tests.e2e.conftest import login
from tests.e2e.workspace import click_character, open_workspace, press, select_code_points, settled, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, UserFactory
from tests.workflow.conftest import label

TEXT = (
    "Ministry of Economy: press release\n\n"
    "The ministry said that inflation fell to 3% in May. \"Prices are stable,\" the minister told reporters.\n\n"
    "Critics said the figure ignores food prices, which rose 9% according to the statistics office."
)
EVIDENCE = "https://stats.example.org/food-prices"
NOTE = "Statistics office: food prices rose 9%"


def at(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def offsets_shown(page) -> set[int]:
    """Numbers on the page, outside the document's own text, that are a span's offset (from 10 on:
    below that a count, "0 in gold", would look like one)."""
    shown = page.evaluate("""() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('script, #doc-text, input[type=hidden]').forEach((node) => node.remove());
        return copy.textContent + ' ' + [...document.querySelectorAll('input:not([type=hidden]), textarea')].map((f) => f.value).join(' ');
    }""")
    numbers = {int(n) for n in re.findall(r"\b\d+\b", shown)}
    offsets = {n for span in Span.objects.all() for n in (span.start, span.end) if n >= 10}
    return numbers & offsets


def label_text(page, quote: str, key: str, count: int) -> None:
    select_code_points(page, TEXT, *at(quote))
    page.keyboard.press(key)
    wait_for_span_count(page, count)
    settled(page)


def layer(user) -> set[tuple[str, str]]:
    return set(Span.objects.filter(annotator=user, layer=Layer.INDIVIDUAL).values_list("label", "quote"))


def links(spans) -> set[tuple[str, str]]:
    return set(SpanLink.objects.filter(attribution__in=spans).values_list("attribution__quote", "target__quote"))


INTENDED = {
    ("attribution", "The ministry said"),
    ("assertion", "inflation fell to 3% in May"),
    ("attribution", "the minister told reporters"),
    ("assertion", "Prices are stable"),
    ("disputed", "the figure ignores food prices"),
}
INTENDED_LINKS = {("The ministry said", "inflation fell to 3% in May"), ("the minister told reporters", "Prices are stable")}


def test_a_reviewer_annotates_and_an_adjudicator_merges_three_layers_into_gold(page, transactional_db):
    document = DocumentFactory(text=TEXT, title="Inflation falls, says the ministry", outlet="", project__name="Economy desk")
    people = {}
    for name, role in [("anna", Role.ANNOTATOR), ("carol", Role.ANNOTATOR), ("dave", Role.ANNOTATOR), ("rita", Role.REVIEWER)]:
        people[name] = UserFactory(username=name)
        MembershipFactory(project=document.project, user=people[name], role=role)
    anna = people["anna"]

    # ---- anna annotates -----------------------------------------------------------------
    login(page, "anna")
    open_workspace(page, document)
    label_text(page, "The ministry said", "2", 1)  # an attribution: the next span is what it attributes
    label_text(page, "inflation fell to 3% in May", "1", 2)
    label_text(page, "Prices are", "3", 3)  # a mistake, undone
    press(page, "Control+z")
    wait_for_span_count(page, 2)
    label_text(page, "the minister told reporters", "2", 3)
    label_text(page, "Prices are stable", "1", 4)
    label_text(page, "the figure ignores food prices", "3", 5)
    assert offsets_shown(page) == set()
    # The disputed claim's reason and evidence, typed in the panel; then on to another span
    # before the typing pause saves it: the note is not lost.
    page.keyboard.press("Enter")
    page.keyboard.type(NOTE)
    page.keyboard.press("Tab")  # the reason (the source field is only for attributions)
    page.keyboard.type("Fact")
    page.keyboard.press("Tab")
    page.keyboard.type(EVIDENCE)
    page.keyboard.press("Escape")  # back to the text
    page.keyboard.press("[")
    assert page.locator("#editor-quote").text_content() == "the minister told reporters"
    settled(page)
    page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('annotate:draft:'))")
    page.keyboard.press("]")
    assert page.locator("#editor-note").input_value() == NOTE
    disputed = Span.objects.get(annotator=anna, label="disputed")
    assert (disputed.note, disputed.dispute_basis, disputed.evidence_links) == (NOTE, "fact_check", [EVIDENCE])
    # A second mistake: the attribution deleted (its link goes with it, as the page says), undone.
    click_character(page, TEXT, TEXT.index("ministry said"))
    press(page, "Delete")
    wait_for_span_count(page, 4)
    assert "1 link" in page.locator("#status").text_content()
    press(page, "Control+z")
    wait_for_span_count(page, 5)
    press(page, "Shift+D")  # done
    assert offsets_shown(page) == set()
    assert layer(anna) == INTENDED
    assert links(Span.objects.filter(annotator=anna)) == INTENDED_LINKS
    assert page.js_errors == []

    # ---- two more reviewers: carol agrees; dave draws two edges a few characters off and
    # marks the heading, which nobody else does ----
    for name, content, disputed_quote in (
        ("carol", "inflation fell to 3% in May", "the figure ignores food prices"),
        ("dave", "that inflation fell to 3% in May", "said the figure ignores food prices"),
    ):
        user = people[name]
        said = label(user, document, *at("The ministry said"), "attribution")
        SpanLink.objects.create(attribution=said, target=label(user, document, *at(content), "assertion"))
        minister = label(user, document, *at("the minister told reporters"), "attribution")
        SpanLink.objects.create(attribution=minister, target=label(user, document, *at("Prices are stable"), "assertion"))
        label(user, document, *at(disputed_quote), "disputed", dispute_basis="within_text")
    label(people["dave"], document, *at("Ministry of Economy"), "assertion")

    # ---- rita adjudicates, by keys ----------------------------------------------------------
    page.context.clear_cookies()
    login(page, "rita")
    page.goto(f"/documents/{document.pk}/adjudicate/")
    page.wait_for_selector("body[data-ready='true']")
    assert page.locator("#unit-list li").count() == 4  # variants a few characters apart are one unit
    assert offsets_shown(page) == set()
    quote = page.locator("#unit .editor-quote").first
    page.keyboard.press("]")
    assert quote.text_content() == "Ministry of Economy"
    press(page, "r")  # only dave marked it: rejected; the next undecided unit comes up
    assert quote.text_content() == "The ministry said"
    content = page.locator("#unit .group-card.label-assertion")
    dave = content.locator(".reviewer-row[data-reviewer=dave]")
    assert "“that inflation fell to 3% in May”" in dave.text_content()  # his version, beside the others'
    assert content.locator(".differences li").all_text_contents() == ["dave starts 5 characters earlier: “that ”"]
    press(page, "a")  # the attribution, its content and their link, from all three
    assert quote.text_content() == "Prices are stable"  # the content, then its attribution
    press(page, "a")
    assert "the figure ignores food prices" in page.locator("#unit .editor-quote").first.text_content()
    anna_row = page.locator("#unit .reviewer-row[data-reviewer=anna]")
    assert NOTE in anna_row.text_content() and anna_row.locator(f"a[href='{EVIDENCE}']").count() == 1
    press(page, "a")
    page.keyboard.press("]")
    assert "Every unit is decided" in page.locator("#status").text_content()
    assert offsets_shown(page) == set()
    assert page.locator("#gold-list li").count() == 5

    gold = Span.objects.filter(document=document, layer=Layer.GOLD)
    assert set(gold.values_list("label", "quote")) == INTENDED
    assert links(gold) == INTENDED_LINKS
    disputed = gold.get(label="disputed")
    assert (disputed.note, disputed.dispute_basis, disputed.evidence_links) == (NOTE, "fact_check", [EVIDENCE])
    content = gold.get(quote="inflation fell to 3% in May")
    assert sorted(content.gold_origins.values_list("source_username", flat=True)) == ["anna", "carol", "dave"]
    assert page.js_errors == []
