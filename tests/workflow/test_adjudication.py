"""Adjudication into the gold layer: accept-all, partial accept, edits, rejects, carried links."""
from annotate.models import Assignment, AssignmentStatus, Layer, Span, SpanEvent, SpanLink
from annotate.permissions import access_for
from annotate.services import span_link_create
from tests.workflow.conftest import label

# "The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure."
MINISTRY = (4, 12)  # "ministry"
CLAIM = (23, 50)  # "inflation fell to 3% in May"
DISPUTE = (52, 81)  # "Critics 📰 dispute the figure"


def _done(team, *names):
    for name in names:
        Assignment.objects.update_or_create(
            document=team.document, user=getattr(team, name), defaults={"status": AssignmentStatus.DONE}
        )


def _two_reviewers(team):
    """carol and dave agree on the claim and the attribution linked to it; they differ on the
    disputed span's extent, and dave has an extra assertion."""
    spans = {}
    for name in ("carol", "dave"):
        user = getattr(team, name)
        claim = label(user, team.document, *CLAIM)
        attribution = label(user, team.document, *MINISTRY, label="attribution", source="the ministry")
        span_link_create(attribution=attribution, target=claim, access=access_for(user, team.project.pk), actor=user)
        spans[name] = {"claim": claim, "attribution": attribution}
    spans["carol"]["disputed"] = label(team.carol, team.document, *DISPUTE, label="disputed", dispute_basis="within_text")
    spans["dave"]["disputed"] = label(team.dave, team.document, 60, 81, label="disputed", dispute_basis="within_text")
    spans["dave"]["extra"] = label(team.dave, team.document, 0, 3)
    _done(team, "carol", "dave")
    return spans


def _url(team, suffix=""):
    return f"/api/v1/documents/{team.document.pk}/{suffix}"


def test_adjudication_view_groups_spans_and_marks_agreement(team):
    _two_reviewers(team)
    view = team.clients["bob"].get(_url(team, "adjudication/")).json()
    assert view["reviewers"] == ["carol", "dave"]
    groups = {(g["label"], g["start"], g["end"]): g for g in view["groups"]}
    assert groups[("assertion", *CLAIM)]["agreed"] is True
    assert groups[("assertion", *CLAIM)]["reviewers"] == ["carol", "dave"]
    assert groups[("disputed", *DISPUTE)]["agreed"] is False
    assert groups[("assertion", 0, 3)]["reviewers"] == ["dave"]
    assert all(g["state"] == "pending" for g in view["groups"])
    assert view["gold"] == []


def test_accept_agreed_takes_only_what_everyone_marked_and_carries_the_link(team):
    spans = _two_reviewers(team)
    response = team.clients["bob"].post(_url(team, "gold/accept-agreed/"))
    assert response.status_code == 200
    assert response.json()["accepted"] == 2
    gold = {(g["label"], g["start"], g["end"]): g for g in response.json()["gold"]}
    assert set(gold) == {("assertion", *CLAIM), ("attribution", *MINISTRY)}
    claim, attribution = gold[("assertion", *CLAIM)], gold[("attribution", *MINISTRY)]
    assert {o["annotator"] for o in claim["origins"]} == {"carol", "dave"}
    assert {o["span"] for o in claim["origins"]} == {spans["carol"]["claim"].pk, spans["dave"]["claim"].pk}
    assert attribution["links"] == [claim["id"]]  # the reviewers' link, carried into gold
    assert attribution["source"] == "the ministry"
    gold_rows = Span.objects.filter(document=team.document, layer=Layer.GOLD)
    assert {s.annotator.username for s in gold_rows} == {"bob"}
    # every gold write is in the audit history, made by bob
    assert SpanEvent.objects.filter(document=team.document, actor=team.bob, action="create").count() == 2
    # a second click accepts nothing more
    assert team.clients["bob"].post(_url(team, "gold/accept-agreed/")).json()["accepted"] == 0


def test_partial_accept_edit_and_reject_one_by_one(team):
    spans = _two_reviewers(team)
    bob = team.clients["bob"]
    # differing spans cannot be accepted together without saying what gold should be
    differ = bob.post(
        _url(team, "gold/accept/"), {"spans": [spans["carol"]["disputed"].pk, spans["dave"]["disputed"].pk]}, format="json"
    )
    assert differ.status_code == 400
    # edit: accept both as one gold span with carol's extent and a note
    edited = bob.post(
        _url(team, "gold/accept/"),
        {
            "spans": [spans["carol"]["disputed"].pk, spans["dave"]["disputed"].pk],
            "fields": {"start": DISPUTE[0], "end": DISPUTE[1], "note": "extent from carol"},
        },
        format="json",
    )
    assert edited.status_code == 201, edited.json()
    assert edited.json()["note"] == "extent from carol"
    assert edited.json()["dispute_basis"] == "within_text"
    assert [o["annotator"] for o in edited.json()["origins"]] == ["carol", "dave"]
    assert edited.json()["origins"][1]["start"] == 60  # dave's own offsets are remembered
    # reject dave's extra span
    rejected = bob.post(_url(team, "gold/reject/"), {"spans": [spans["dave"]["extra"].pk]}, format="json")
    assert rejected.status_code == 200
    states = {(g["label"], g["start"]): g["state"] for g in rejected.json()["groups"]}
    assert states[("assertion", 0)] == "rejected"
    assert states[("disputed", DISPUTE[0])] == "accepted"
    assert states[("assertion", CLAIM[0])] == "pending"
    # a span already in gold cannot be rejected, and the same gold span cannot be made twice
    assert bob.post(_url(team, "gold/reject/"), {"spans": [spans["carol"]["disputed"].pk]}, format="json").status_code == 409
    twice = bob.post(
        _url(team, "gold/accept/"),
        {"spans": [spans["carol"]["disputed"].pk], "fields": {"note": "again"}},
        format="json",
    )
    assert twice.status_code == 409


def test_links_are_carried_over_whichever_span_is_accepted_first(team):
    spans = _two_reviewers(team)
    bob = team.clients["bob"]
    attribution = bob.post(_url(team, "gold/accept/"), {"spans": [spans["carol"]["attribution"].pk]}, format="json").json()
    assert attribution["links"] == []  # its target is not in gold yet
    claim = bob.post(_url(team, "gold/accept/"), {"spans": [spans["dave"]["claim"].pk]}, format="json").json()
    # carol's attribution linked carol's claim; dave's attribution linked dave's claim: the
    # gold attribution came from carol's, the gold claim from dave's, so no source link joins them
    assert SpanLink.objects.filter(attribution_id=attribution["id"]).count() == 0
    already = bob.post(_url(team, "gold/accept/"), {"spans": [spans["carol"]["claim"].pk]}, format="json")
    assert already.status_code == 409
    # delete the gold claim and accept both claims together: now carol's link joins the two
    assert bob.delete(f"/api/v1/spans/{claim['id']}/", HTTP_IF_MATCH=f'"{claim["version"]}"').status_code == 204
    both = bob.post(
        _url(team, "gold/accept/"), {"spans": [spans["carol"]["claim"].pk, spans["dave"]["claim"].pk]}, format="json"
    ).json()
    assert list(SpanLink.objects.filter(attribution_id=attribution["id"]).values_list("target_id", flat=True)) == [both["id"]]


def test_a_gold_span_remembers_its_origin_after_the_source_is_deleted(team):
    spans = _two_reviewers(team)
    team.clients["bob"].post(_url(team, "gold/accept-agreed/"))
    source = spans["carol"]["claim"]
    assert team.clients["carol"].delete(f"/api/v1/spans/{source.pk}/", HTTP_IF_MATCH=f'"{source.version}"').status_code == 204
    gold = team.clients["bob"].get(_url(team, "adjudication/")).json()["gold"]
    claim = next(g for g in gold if g["label"] == "assertion")
    carol_origin = next(o for o in claim["origins"] if o["annotator"] == "carol")
    assert carol_origin["span"] is None and carol_origin["start"] == CLAIM[0]


def test_skipped_layers_are_left_out_of_adjudication(team):
    _two_reviewers(team)
    Assignment.objects.filter(document=team.document, user=team.dave).update(status=AssignmentStatus.SKIPPED, skip_reason="x")
    view = team.clients["alice"].get(_url(team, "adjudication/")).json()
    assert view["reviewers"] == ["carol"]
    assert all(g["agreed"] for g in view["groups"])  # one reviewer agrees with themself


def test_blind_reviewer_adjudicates_only_after_their_own_work_is_done(team):
    _two_reviewers(team)
    Assignment.objects.create(document=team.document, user=team.bob, status=AssignmentStatus.IN_PROGRESS)
    assert team.clients["bob"].get(_url(team, "adjudication/")).status_code == 403
    assert team.clients["bob"].post(_url(team, "gold/accept-agreed/")).status_code == 403
    Assignment.objects.filter(document=team.document, user=team.bob).update(status=AssignmentStatus.DONE)
    assert team.clients["bob"].get(_url(team, "adjudication/")).status_code == 200
