"""The assignment queue: next document, quotas, hand assignment, status changes."""
import pytest

from annotate.models import Assignment, AssignmentStatus


def _next(team, name):
    return team.clients[name].post(f"/api/v1/projects/{team.project.pk}/next/")


def test_next_hands_out_documents_in_order_and_resumes_the_open_one(team, docs):
    first = _next(team, "carol")
    assert first.status_code == 200
    assert first.json()["document"] == docs[0].pk
    assert first.json()["status"] == "in_progress"
    assert first.json()["started_at"]
    # asking again before finishing gives the same document back
    assert _next(team, "carol").json()["id"] == first.json()["id"]
    # quota 1: dave gets the next document, never carol's
    assert _next(team, "dave").json()["document"] == docs[1].pk


def test_done_moves_on_and_an_empty_queue_answers_204(team, docs):
    seen = []
    for _ in range(len(docs)):
        response = _next(team, "carol")
        seen.append(response.json()["document"])
        done = team.clients["carol"].patch(f"/api/v1/assignments/{response.json()['id']}/", {"status": "done"}, format="json")
        assert done.status_code == 200 and done.json()["done_at"]
    assert seen == [d.pk for d in docs]
    assert _next(team, "carol").status_code == 204
    assert _next(team, "dave").status_code == 204  # every document has its one reviewer


def test_quota_two_gives_each_document_to_two_people_then_no_more(team, docs):
    team.project.reviewers_per_document = 2
    team.project.save()
    assert _next(team, "carol").json()["document"] == docs[0].pk
    assert _next(team, "dave").json()["document"] == docs[0].pk
    assert _next(team, "bob").json()["document"] == docs[1].pk


def test_a_skip_needs_a_reason_and_frees_the_place(team, docs):
    assignment = _next(team, "carol").json()
    url = f"/api/v1/assignments/{assignment['id']}/"
    no_reason = team.clients["carol"].patch(url, {"status": "skipped"}, format="json")
    assert no_reason.status_code == 400 and "skip_reason" in no_reason.json()
    skipped = team.clients["carol"].patch(url, {"status": "skipped", "skip_reason": "Not in English"}, format="json")
    assert skipped.json()["status"] == "skipped" and skipped.json()["skip_reason"] == "Not in English"
    assert _next(team, "dave").json()["document"] == docs[0].pk  # the skipped place is free again
    assert _next(team, "carol").json()["document"] == docs[1].pk  # carol is not handed it again


def test_manager_assigns_by_hand_and_the_queue_hands_that_out_first(team, docs):
    response = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/assignments/", {"username": "carol", "documents": [docs[2].pk]}, format="json"
    )
    assert response.status_code == 201
    assert response.json()[0]["status"] == "not_started" and response.json()[0]["assigned_by"] == "alice"
    assert _next(team, "carol").json()["document"] == docs[2].pk
    again = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/assignments/", {"username": "carol", "documents": [docs[2].pk]}, format="json"
    )
    assert again.status_code == 409
    outsider = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/assignments/", {"username": "mallory", "documents": [docs[0].pk]}, format="json"
    )
    assert outsider.status_code == 400 and "username" in outsider.json()
    foreign = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/assignments/",
        {"username": "carol", "documents": [team.other_document.pk]},
        format="json",
    )
    assert foreign.status_code == 400


def test_manager_reassigns_and_sees_every_status(team, docs):
    carol_work = _next(team, "carol").json()
    response = team.clients["alice"].patch(f"/api/v1/assignments/{carol_work['id']}/", {"username": "dave"}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == "dave" and response.json()["status"] == "not_started"
    rows = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/assignments/").json()
    assert [(r["username"], r["status"]) for r in rows] == [("dave", "not_started")]
    # dave sees his own; carol sees none now
    assert len(team.clients["dave"].get(f"/api/v1/projects/{team.project.pk}/assignments/").json()) == 1
    assert team.clients["carol"].get(f"/api/v1/projects/{team.project.pk}/assignments/").json() == []


def test_only_the_assignee_or_a_manager_changes_an_assignment(team, docs):
    carol_work = _next(team, "carol").json()
    url = f"/api/v1/assignments/{carol_work['id']}/"
    assert team.clients["dave"].patch(url, {"status": "done"}, format="json").status_code == 404
    assert team.clients["bob"].patch(url, {"status": "done"}, format="json").status_code == 404
    assert team.clients["mallory"].patch(url, {"status": "done"}, format="json").status_code == 404
    assert team.clients["carol"].patch(url, {"username": "dave"}, format="json").status_code == 403
    assert team.clients["carol"].delete(url).status_code == 403
    assert team.clients["alice"].delete(url).status_code == 204
    assert not Assignment.objects.filter(pk=carol_work["id"]).exists()


def test_assignment_list_uses_a_fixed_number_of_queries(team, docs, django_assert_max_num_queries):
    for name in ("carol", "dave", "bob"):
        _next(team, name)
    with django_assert_max_num_queries(6):
        rows = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/assignments/").json()
    assert len(rows) == 3


@pytest.mark.parametrize("status", [AssignmentStatus.DONE, AssignmentStatus.IN_PROGRESS])
def test_status_transitions_keep_their_timestamps_consistent(team, docs, status):
    work = _next(team, "carol").json()
    changed = team.clients["carol"].patch(f"/api/v1/assignments/{work['id']}/", {"status": status}, format="json").json()
    assert changed["started_at"]
    assert bool(changed["done_at"]) == (status == AssignmentStatus.DONE)
