"""Agreement measures against published worked examples and hand-computed values."""
import math

import numpy as np
import pytest

from annotate.workflow.agreement import (
    DocumentLayers,
    SpanKey,
    agreement_report,
    cohen_kappa,
    krippendorff_alpha,
    span_f1,
    tokenize,
    token_values,
)
from annotate.workflow.agreement import _max_matching as max_matching

nan = math.nan


def test_krippendorff_alpha_matches_krippendorff_2011_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
    # observers, twelve units, missing values; the paper gives nominal alpha = 0.743.
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
        ]
    )
    value, reason = krippendorff_alpha(data)
    assert reason is None
    assert round(value, 3) == 0.743


def test_cohen_kappa_matches_the_textbook_two_by_two_example():
    # The worked example of the Wikipedia article "Cohen's kappa" (50 grant proposals; both say
    # yes 20, both no 15, A yes/B no 5, A no/B yes 10): p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = np.array([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    value, reason = cohen_kappa(a, b)
    assert reason is None
    assert value == pytest.approx(0.4)


def test_cohen_kappa_is_undefined_when_both_give_one_value_only():
    value, reason = cohen_kappa(np.zeros(5, dtype=int), np.zeros(5, dtype=int))
    assert value is None and "chance agreement is 1" in reason


def test_tokens_are_words_and_single_symbols_in_code_points():
    starts, ends = tokenize("Critics 📰 dispute 3%.")
    text = "Critics 📰 dispute 3%."
    assert [text[s:e] for s, e in zip(starts, ends)] == ["Critics", "📰", "dispute", "3", "%", "."]


def test_a_token_takes_every_label_whose_span_overlaps_it():
    text = "The ministry said that"
    starts, ends = tokenize(text)
    values = token_values(starts, ends, [SpanKey("assertion", 5, 12), SpanKey("attribution", 0, 5)])
    # bit 0 assertion, bit 1 attribution: "ministry" is covered by both (attribution ends inside it)
    assert values.tolist() == [2, 3, 0, 0]


def test_span_f1_exact_and_overlap_by_hand():
    a = [SpanKey("assertion", 0, 10), SpanKey("attribution", 12, 20)]
    b = [SpanKey("assertion", 0, 10), SpanKey("assertion", 30, 40)]
    assert max_matching(a, b, overlap=False) == 1
    assert span_f1(1, 4) == (0.5, None)
    # overlap: one of b's two overlapping spans can match a's single span, not both
    a = [SpanKey("assertion", 0, 10)]
    b = [SpanKey("assertion", 5, 15), SpanKey("assertion", 8, 12)]
    assert max_matching(a, b, overlap=True) == 1
    assert span_f1(1, 3)[0] == pytest.approx(2 / 3)
    # a different label never matches
    assert max_matching([SpanKey("assertion", 0, 10)], [SpanKey("disputed", 0, 10)], overlap=True) == 0


def test_overlap_matching_is_maximum_not_greedy():
    # Greedy in order would pair [0,10) with [5,12) and leave [10,20) alone; the maximum
    # matching pairs [0,10)-[0,3) and [10,20)-[5,12).
    a = [SpanKey("assertion", 0, 10), SpanKey("assertion", 10, 20)]
    b = [SpanKey("assertion", 5, 12), SpanKey("assertion", 0, 3)]
    assert max_matching(a, b, overlap=True) == 2


def test_exact_matching_counts_each_span_once():
    a = [SpanKey("assertion", 0, 10)] * 2
    b = [SpanKey("assertion", 0, 10)]
    assert max_matching(a, b, overlap=False) == 1


def _doc(layers, text="a b c d", document_id=1):
    return DocumentLayers(document_id=document_id, title=f"doc {document_id}", text=text, layers=layers)


def test_perfect_agreement_gives_one_everywhere():
    spans = [SpanKey("assertion", 0, 3), SpanKey("attribution", 4, 5)]
    report = agreement_report([_doc({"carol": spans, "dave": list(spans)}, text="a b c d e f")])
    overall = report["overall"]
    assert overall["span_f1_exact"] == 1.0
    assert overall["span_f1_overlap"] == 1.0
    assert overall["cohen_kappa"] == 1.0
    assert overall["krippendorff_alpha"] == 1.0
    assert report["pairs"][0]["a"] == "carol" and report["pairs"][0]["b"] == "dave"
    assert report["labels"]["assertion"]["span_f1_exact"] == 1.0
    # nobody used "disputed": F1 for it is undefined, and says why
    assert report["labels"]["disputed"]["span_f1_exact"] is None
    assert "Neither reviewer" in report["labels"]["disputed"]["undefined"]["span_f1_exact"]


def test_no_agreement_by_hand():
    # Four tokens a b c d; carol marks "a", dave marks "b".
    # kappa: p_o = 2/4, p_e = (1*1 + 3*3)/16 = 10/16, kappa = (0.5 - 0.625)/0.375 = -1/3.
    # alpha (nominal): pairable values n = 8, n_0 = 6, n_1 = 2, disagreeing pairs o_01 + o_10 = 4,
    # alpha = 1 - (n - 1) * 4 / (2 * n_0 * n_1) = 1 - 28/24 = -1/6.
    report = agreement_report([_doc({"carol": [SpanKey("assertion", 0, 1)], "dave": [SpanKey("assertion", 2, 3)]})])
    overall = report["overall"]
    assert overall["span_f1_exact"] == 0.0
    assert overall["span_f1_overlap"] == 0.0
    assert overall["cohen_kappa"] == pytest.approx(-1 / 3, abs=1e-6)
    assert overall["krippendorff_alpha"] == pytest.approx(-1 / 6, abs=1e-6)


def test_empty_layers_make_every_measure_undefined_with_reasons():
    report = agreement_report([_doc({"carol": [], "dave": []})])
    overall = report["overall"]
    for measure in ("span_f1_exact", "span_f1_overlap", "cohen_kappa", "krippendorff_alpha"):
        assert overall[measure] is None
        assert overall["undefined"][measure]


def test_one_empty_layer_against_spans_is_zero_not_undefined():
    report = agreement_report([_doc({"carol": [SpanKey("assertion", 0, 3)], "dave": []})])
    assert report["overall"]["span_f1_exact"] == 0.0
    assert report["overall"]["cohen_kappa"] == 0.0


def test_overall_pools_spans_of_all_labels_and_documents():
    # doc 1: carol and dave agree on one assertion, differ on one attribution each side
    # doc 2: carol and erin share one disputed span exactly; erin has one more
    doc1 = _doc(
        {
            "carol": [SpanKey("assertion", 0, 1), SpanKey("attribution", 2, 3)],
            "dave": [SpanKey("assertion", 0, 1), SpanKey("attribution", 4, 5)],
        },
        text="a b c d e f",
        document_id=1,
    )
    doc2 = _doc(
        {"carol": [SpanKey("disputed", 0, 1)], "erin": [SpanKey("disputed", 0, 1), SpanKey("disputed", 4, 5)]},
        text="a b c d e f",
        document_id=2,
    )
    report = agreement_report([doc1, doc2])
    # matches: 1 (doc 1) + 1 (doc 2); spans: 4 + 3 -> micro F1 = 2 * 2 / 7
    assert report["overall"]["span_f1_exact"] == pytest.approx(4 / 7, abs=1e-6)
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert set(pairs) == {("carol", "dave"), ("carol", "erin")}  # dave and erin share no document
    assert pairs[("carol", "dave")]["span_f1_exact"] == 0.5
    assert pairs[("carol", "erin")]["span_f1_exact"] == pytest.approx(2 / 3, abs=1e-6)
    assert pairs[("carol", "dave")]["labels"]["attribution"]["span_f1_exact"] == 0.0
    # per document, most disagreement first
    assert [d["id"] for d in report["documents"]] == [1, 2]
    assert report["notes"]["kappa_inflation"]


def test_the_cached_report_follows_every_change(team):
    from annotate.models import Assignment, AssignmentStatus
    from annotate.permissions import access_for
    from annotate.workflow.selectors import project_agreement
    from tests.workflow.conftest import label

    label(team.carol, team.document, 23, 50)
    label(team.dave, team.document, 23, 50)
    assert project_agreement(project=team.project, access=access_for(team.alice, team.project.pk))["overall"]["span_f1_exact"] == 1.0
    label(team.dave, team.document, 0, 3)
    assert project_agreement(project=team.project, access=access_for(team.alice, team.project.pk))["overall"]["span_f1_exact"] == pytest.approx(2 / 3, abs=1e-6)
    Assignment.objects.create(document=team.document, user=team.dave, status=AssignmentStatus.SKIPPED, skip_reason="x")
    assert project_agreement(project=team.project, access=access_for(team.alice, team.project.pk))["reviewers"] == []  # dave's layer no longer counts
    label(team.carol, team.document, 0, 3)
    Assignment.objects.filter(user=team.dave).update(status=AssignmentStatus.DONE)  # update() moves no clock...
    Assignment.objects.get(user=team.dave).save()  # ...save() does
    report = project_agreement(project=team.project, access=access_for(team.alice, team.project.pk))
    assert report["reviewers"] == ["carol", "dave"]
    assert report["overall"]["span_f1_exact"] == 1.0


def test_alpha_with_merged_unanimous_units_equals_the_package_on_the_raw_data():
    import krippendorff

    rng = np.random.default_rng(5)
    for coders, units, values in [(2, 300, 2), (3, 1000, 8), (5, 200, 4)]:
        data = rng.choice(values, size=(coders, units), p=None).astype(float)
        data[:, : units // 2] = data[0, : units // 2]  # half the units unanimous
        data[rng.random((coders, units)) < 0.1] = np.nan  # and some missing values
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert krippendorff_alpha(data)[0] == pytest.approx(expected, abs=1e-9)


def test_reviewers_without_a_shared_document_are_undefined_and_say_so():
    report = agreement_report(
        [_doc({"carol": [SpanKey("assertion", 0, 1)]}, document_id=1), _doc({"dave": [SpanKey("assertion", 0, 1)]}, document_id=2)]
    )
    assert report["pairs"] == [] and report["documents"] == []
    for measure in ("span_f1_exact", "span_f1_overlap", "cohen_kappa"):
        assert report["overall"][measure] is None
        assert report["overall"]["undefined"][measure] == "No two reviewers labelled the same document."


def test_agreement_counts_the_tokens_the_conll_export_writes():
    from annotate.datasets.tokenize import tokenize as conll_tokenize

    text = "The 👩🏽‍🔬 lead of the 🇦🇿 team's well-known Ca\u0301mara said 3%."
    starts, ends = tokenize(text)
    assert list(zip(starts.tolist(), ends.tolist())) == conll_tokenize(text)
    assert [text[s:e] for s, e in zip(starts, ends)][1] == "👩🏽‍🔬"  # a grapheme is one token
