"""The rule-based suggester on its own: text in, proposals out (no database)."""
from annotate.suggestions.engine import suggest
from annotate.suggestions.rules import available_languages, rules_for


def _flat(text):
    return [
        (p.cue.quote if p.cue else None, p.cue.source if p.cue else None, [c.quote for c in p.contents])
        for p in suggest(text)
    ]


def _offsets_hold(text):
    for proposal in suggest(text):
        for span in ([proposal.cue] if proposal.cue else []) + proposal.contents:
            assert text[span.start:span.end] == span.quote


def test_a_that_clause_gives_the_cue_its_source_and_the_content():
    text = "The finance ministry said on Monday that inflation fell to 3% in May, its lowest level in two years."
    assert _flat(text) == [(
        "The finance ministry said on Monday that", "the finance ministry",
        ["inflation fell to 3% in May, its lowest level in two years"],
    )]


def test_a_quotation_split_by_its_cue_is_two_contents_of_one_cue():
    text = "“We will rebuild,” the mayor said, “and we will do it fast.”"
    assert _flat(text) == [("the mayor said", "the mayor", ["We will rebuild", "and we will do it fast"])]


def test_a_cue_after_the_content_and_according_to():
    assert _flat("The bridge will stay closed until September, the council confirmed in a statement.") == [
        ("the council confirmed in a statement", "the council", ["The bridge will stay closed until September"])
    ]
    assert _flat("Prices rose, according to local reporters.") == [
        ("according to local reporters", "local reporters", ["Prices rose"])
    ]


def test_a_passive_cue_names_no_source():
    assert _flat("It was noted that the figures were provisional.") == [
        ("It was noted that", "", ["the figures were provisional"])
    ]


def test_a_reporting_verb_inside_a_quotation_is_not_a_cue():
    text = "“They said it would be fine,” the engineer told reporters."
    assert _flat(text) == [("the engineer told reporters", "the engineer", ["They said it would be fine"])]


def test_offsets_are_code_points_after_astral_characters():
    text = "📰🇧🇷 Police said the suspect, 34, was arrested on Friday. 👍🏽 “Nobody warned us,” said Rosa Ferreira."
    assert len(suggest(text)) == 2
    _offsets_hold(text)


def test_plain_facts_are_not_proposed():
    assert suggest("The central bank kept interest rates at 4.5% on Thursday. Inflation remains above target.") == []


def test_rules_are_data_per_language():
    assert "en" in available_languages()
    assert rules_for("en-GB").language == "en"
    assert rules_for("tlh") is None
    assert suggest("Der Minister sagte, dass die Preise steigen.", "tlh") == []


def test_a_text_longer_than_spacys_default_limit_is_read():
    text = "The ministry said that prices fell. " * 30_000  # 1,080,000 characters
    proposals = suggest(text)
    assert len(proposals) == 30_000
