"""POST/DELETE /api/v1/documents/{id}/done/: any member marks their own work done or reopens it."""
import pytest

from annotate.models import Assignment, AssignmentStatus
from annotate.permissions import access_for
from annotate.services import assignment_mark_done, assignment_reopen

pytestmark = pytest.mark.django_db


def url(document) -> str:
    return f"/api/v1/documents/{document.pk}/done/"


@pytest.mark.parametrize("name", ["alice", "bob", "carol"])
def test_each_role_marks_its_own_work_done_and_reopens_it(team, name):
    client, user = team.clients[name], getattr(team, name)
    response = client.post(url(team.document))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["user"] == name
    assignment = Assignment.objects.get(document=team.document, user=user)
    assert assignment.status == AssignmentStatus.DONE and assignment.done_at is not None
    assert not Assignment.objects.exclude(user=user).exists()  # nobody else's work is touched

    response = client.delete(url(team.document))
    assert response.status_code == 200
    assert response.json() == {"document": team.document.pk, "user": name, "status": "in_progress", "done_at": None}
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS and assignment.done_at is None


def test_outsider_and_anonymous_are_refused(team):
    assert team.clients["mallory"].post(url(team.document)).status_code == 404
    assert team.clients["mallory"].delete(url(team.document)).status_code == 404
    assert team.anonymous.post(url(team.document)).status_code == 401
    assert team.clients["carol"].post("/api/v1/documents/999999/done/").status_code == 404
    assert not Assignment.objects.exists()


def test_mark_done_keeps_an_existing_assignment(team):
    existing = Assignment.objects.create(
        document=team.document, user=team.carol, status=AssignmentStatus.IN_PROGRESS, assigned_by=team.alice
    )
    done = assignment_mark_done(document=team.document, access=access_for(team.carol, team.project.pk))
    assert done.pk == existing.pk and done.assigned_by == team.alice and done.started_at is not None
    assert assignment_mark_done(document=team.document, access=access_for(team.carol, team.project.pk)).status == AssignmentStatus.DONE
    reopened = assignment_reopen(document=team.document, access=access_for(team.carol, team.project.pk))
    assert reopened.pk == existing.pk and reopened.status == AssignmentStatus.IN_PROGRESS
    assert Assignment.objects.count() == 1
