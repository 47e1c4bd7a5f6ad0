"""Blind review (annotate.permissions.others_hidden): reviewers see others' spans on a document
only once their own assignment for it is done; managers always; nothing changes when off."""
from annotate.models import Assignment, AssignmentStatus
from tests.workflow.conftest import label


def _setup(team, bob_status):
    carol_span = label(team.carol, team.document, 4, 12)
    bob_span = label(team.bob, team.document, 0, 3)
    Assignment.objects.create(document=team.document, user=team.bob, status=bob_status)
    return carol_span, bob_span


def _spans(team, name, annotator):
    return team.clients[name].get(f"/api/v1/documents/{team.document.pk}/spans/", {"annotator": annotator})


def test_reviewer_with_unfinished_work_sees_only_their_own_spans(team):
    carol_span, bob_span = _setup(team, AssignmentStatus.IN_PROGRESS)
    assert [s["id"] for s in _spans(team, "bob", "all").json()] == [bob_span.pk]
    assert _spans(team, "bob", "carol").status_code == 403
    assert _spans(team, "bob", "bob").json()[0]["id"] == bob_span.pk
    assert team.clients["bob"].get(f"/api/v1/spans/{carol_span.pk}/").status_code == 404
    assert team.clients["bob"].get(f"/api/v1/spans/{bob_span.pk}/").status_code == 200


def test_reviewer_sees_everything_once_done(team):
    carol_span, bob_span = _setup(team, AssignmentStatus.DONE)
    assert {s["id"] for s in _spans(team, "bob", "all").json()} == {carol_span.pk, bob_span.pk}
    assert _spans(team, "bob", "carol").status_code == 200
    assert team.clients["bob"].get(f"/api/v1/spans/{carol_span.pk}/").status_code == 200


def test_skipped_is_not_done(team):
    carol_span, _ = _setup(team, AssignmentStatus.SKIPPED)
    assert team.clients["bob"].get(f"/api/v1/spans/{carol_span.pk}/").status_code == 404


def test_managers_always_see_all(team):
    carol_span, bob_span = _setup(team, AssignmentStatus.IN_PROGRESS)
    Assignment.objects.create(document=team.document, user=team.alice, status=AssignmentStatus.IN_PROGRESS)
    assert {s["id"] for s in _spans(team, "alice", "all").json()} == {carol_span.pk, bob_span.pk}


def test_without_blind_review_reviewers_see_all_and_annotators_still_only_their_own(team):
    team.project.blind_review = False
    team.project.save()
    carol_span, bob_span = _setup(team, AssignmentStatus.IN_PROGRESS)
    assert {s["id"] for s in _spans(team, "bob", "all").json()} == {carol_span.pk, bob_span.pk}
    assert _spans(team, "dave", "all").status_code == 403
    assert team.clients["dave"].get(f"/api/v1/spans/{carol_span.pk}/").status_code == 404
