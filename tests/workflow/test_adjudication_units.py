"""Which reviewers' versions are one adjudication unit (annotate/workflow/units.py): same label and
text shared by every version, whatever the distance between edges; the characters only some
versions cover, named; and through the API, with the units' spans accepted as the gold span's origins."""
from annotate.workflow.units import marks_of, units_of

TEXT = "The ministry said on Tuesday that inflation fell to 3% in May, critics said. Nobody agreed."


def group(label, start, end, *reviewers, links=(), ids=None):
    ids = ids or [hash((label, start, end, r)) % 10**9 for r in reviewers]
    return {"label": label, "start": start, "end": end, "quote": TEXT[start:end], "reviewers": sorted(reviewers),
            "spans": [{"id": pk, "annotator": r, "links": list(links)} for pk, r in zip(ids, reviewers)]}


def at(phrase, extra_before="", extra_after=""):
    start = TEXT.index(extra_before + phrase) if extra_before else TEXT.index(phrase)
    return start, TEXT.index(phrase) + len(phrase) + len(extra_after)


def versions(groups):
    return [sorted(tuple(groups[i]["reviewers"]) for i in mark["versions"]) for mark in marks_of(groups)]


def test_same_label_fifteen_characters_apart_is_one_mark_with_the_differing_characters_named():
    # dave adds "on Tuesday that " (16 code points) before the claim; the old rule (12) split them.
    claim = at("inflation fell to 3% in May")
    wider = at("inflation fell to 3% in May", "on Tuesday that ")
    groups = [group("assertion", *claim, "carol", "erin"), group("assertion", *wider, "dave")]
    [mark] = marks_of(groups)
    assert [groups[i]["reviewers"] for i in mark["versions"]] == [["carol", "erin"], ["dave"]]  # most reviewers lead
    assert mark["shared"] == list(claim)
    assert mark["pieces"] == [{"start": wider[0], "end": claim[0], "covered": ["dave"], "missing": ["carol", "erin"], "apart": []}]
    assert TEXT[wider[0]:claim[0]] == "on Tuesday that "


def test_overlapping_spans_with_different_labels_stay_apart():
    claim = at("inflation fell to 3% in May")
    groups = [group("assertion", *claim, "carol"), group("disputed", claim[0] + 10, claim[1], "dave")]
    assert versions(groups) == [[("carol",)], [("dave",)]]
    assert all(mark["pieces"] == [] for mark in marks_of(groups))


def test_nested_spans_are_one_mark_whose_shared_part_is_the_inner_one():
    sentence = at("The ministry said on Tuesday that inflation fell to 3% in May, critics said.")
    claim = at("inflation fell")
    groups = [group("assertion", *sentence, "carol"), group("assertion", *claim, "dave")]
    [mark] = marks_of(groups)
    assert mark["shared"] == list(claim)
    assert [(p["start"], p["end"], p["covered"]) for p in mark["pieces"]] == [
        (sentence[0], claim[0], ["carol"]), (claim[1], sentence[1], ["carol"])]
    assert groups[mark["versions"][0]]["reviewers"] == ["dave"]  # one each: the tighter leads


def test_a_reviewer_with_two_spans_inside_anothers_long_one_keeps_two_marks():
    sentence = at("The ministry said on Tuesday that inflation fell to 3% in May, critics said.")
    groups = [group("assertion", *sentence, "carol"), group("assertion", *at("The ministry said"), "dave"),
              group("assertion", *at("inflation fell"), "dave")]
    assert versions(groups) == [[("carol",), ("dave",)], [("dave",)]]


def test_a_chain_where_a_and_c_share_nothing_is_two_marks():
    # A ~ B and B ~ C, but no text is common to all three: C stays apart.
    a, b, c = at("The ministry said on"), at("said on Tuesday that"), at("that inflation")
    groups = [group("assertion", *a, "ann"), group("assertion", *b, "ben"), group("assertion", *c, "cat")]
    assert versions(groups) == [[("ann",), ("ben",)], [("cat",)]]


def test_a_chain_with_text_common_to_all_three_is_one_mark():
    a, b, c = at("ministry said on Tuesday"), at("said on Tuesday that"), at("Tuesday that inflation")
    groups = [group("assertion", *a, "ann"), group("assertion", *b, "ben"), group("assertion", *c, "cat")]
    [mark] = marks_of(groups)
    assert mark["shared"] == list(at("Tuesday"))
    assert len(mark["versions"]) == 3 and len(mark["pieces"]) == 4


def test_a_version_joins_the_mark_it_shares_more_text_with():
    # ann drew two overlapping spans; ben's shares 8 code points with the first, 13 with the second.
    groups = [group("assertion", *at("The ministry"), "ann"), group("assertion", *at("ministry said"), "ann"),
              group("assertion", *at("ministry said on Tuesday"), "ben")]
    marks = marks_of(groups)
    assert [[groups[i]["quote"] for i in mark["versions"]] for mark in marks] == [
        ["The ministry"], ["ministry said", "ministry said on Tuesday"]]


def test_spans_that_share_only_a_space_or_punctuation_stay_apart():
    first = TEXT.index("in May, critics")
    groups = [group("assertion", first, first + 8, "ann"), group("assertion", first + 6, first + 15, "ben")]  # share ", "
    assert TEXT[first + 6:first + 8] == ", "
    assert versions(groups) == [[("ann",)], [("ben",)]]


def test_units_join_marks_through_attribution_links():
    said, claim = at("The ministry said"), at("inflation fell to 3% in May")
    groups = [group("attribution", *said, "carol", links=[2], ids=[1]), group("assertion", *claim, "carol", ids=[2]),
              group("assertion", claim[0] - 5, claim[1], "dave", ids=[3]), group("disputed", *at("Nobody agreed"), "dave", ids=[4])]
    marks = marks_of(groups)
    units = units_of(groups, marks)
    assert [[sorted(s["id"] for i in marks[m]["versions"] for s in groups[i]["spans"]) for m in unit] for unit in units] == [
        [[1], [2, 3]], [[4]]]


def test_one_span_over_what_another_reviewer_drew_as_two_is_shown_in_both_marks():
    # carol draws "A. B." as one assertion, dave "A." and "B." as two: carol's span joins the first
    # mark, and the second mark says it is covered by that span too (not "only dave marked it").
    both = at("inflation fell to 3% in May, critics said. Nobody agreed")
    groups = [group("assertion", *both, "carol"), group("assertion", *at("inflation fell to 3% in May"), "dave"),
              group("assertion", *at("Nobody agreed"), "dave")]
    marks = marks_of(groups)
    assert versions(groups) == [[("carol",), ("dave",)], [("dave",)]]  # still no reviewer twice in a mark
    assert marks[0]["covers"] == [{"group": 0, "mark": 1}] and marks[0]["covered_by"] == []
    assert marks[1]["covered_by"] == [{"group": 0, "mark": 0}] and marks[1]["covers"] == []
    assert len(units_of(groups, marks)) == 2  # decided apart: accepting one never decides the other
    # carol's extra stretch is not "missed" by dave: he drew its last claim as a span of its own
    rest, apart = at(", critics said. Nobody agreed"), at("Nobody agreed")
    assert marks[0]["pieces"] == [{"start": rest[0], "end": rest[1], "covered": ["carol"], "missing": ["dave"],
                                   "apart": [{"start": apart[0], "end": apart[1], "reviewers": ["dave"]}]}]


def test_a_chain_nobody_drew_apart_covers_nothing():
    a, b, c = at("The ministry said on"), at("said on Tuesday that"), at("that inflation")
    groups = [group("assertion", *a, "ann"), group("assertion", *b, "ben"), group("assertion", *c, "cat")]
    assert all(mark["covers"] == [] == mark["covered_by"] for mark in marks_of(groups))


def test_a_span_over_two_claims_with_another_label_covers_neither():
    both = at("inflation fell to 3% in May, critics said. Nobody agreed")
    groups = [group("disputed", *both, "carol"), group("assertion", *at("inflation fell to 3% in May"), "dave"),
              group("assertion", *at("Nobody agreed"), "dave")]
    assert all(mark["covers"] == [] == mark["covered_by"] for mark in marks_of(groups))
