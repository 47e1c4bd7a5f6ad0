"""Bad input to the workflow API gets a clear 4xx with field messages, never a 500."""
import pytest

from annotate.models import Assignment, AssignmentStatus
from tests.workflow.conftest import label


@pytest.fixture
def spans(team):
    carol = label(team.carol, team.document, 23, 50)
    Assignment.objects.create(document=team.document, user=team.carol, status=AssignmentStatus.DONE)
    return {"carol": carol}


@pytest.mark.parametrize(
    "method,path,body,status,field",
    [
        ("post", "/api/v1/projects/{p}/assignments/", {"username": "carol"}, 400, "documents"),
        ("post", "/api/v1/projects/{p}/assignments/", {"username": "nobody", "documents": [1]}, 400, "username"),
        ("post", "/api/v1/projects/{p}/assignments/", {"username": "carol", "documents": ["x"]}, 400, "documents"),
        ("post", "/api/v1/projects/{p}/assignments/", {"username": "carol", "documents": [2**40]}, 400, "documents"),
        ("post", "/api/v1/documents/{d}/gold/accept/", {"spans": []}, 400, "spans"),
        ("post", "/api/v1/documents/{d}/gold/accept/", {"spans": [999999]}, 400, "spans"),
        ("post", "/api/v1/documents/{d}/gold/accept/", {"spans": ["{s}"], "fields": {"label": "opinion"}}, 400, "label"),
        ("post", "/api/v1/documents/{d}/gold/accept/", {"spans": ["{s}"], "fields": {"start": 40, "end": 30}}, 400, "end"),
        ("post", "/api/v1/documents/{d}/gold/accept/", {"spans": ["{s}"], "fields": {"end": 100000}}, 400, "end"),
        ("post", "/api/v1/documents/{d}/gold/reject/", {"spans": "all"}, 400, "spans"),
        ("post", "/api/v1/projects/{p}/releases/", {}, 400, "name"),
        ("post", "/api/v1/projects/{p}/releases/", {"name": "x" * 201}, 400, "name"),
    ],
)
def test_bad_input_is_a_clear_400(team, spans, method, path, body, status, field):
    url = path.format(p=team.project.pk, d=team.document.pk)
    body = {k: ([spans["carol"].pk if v == "{s}" else v for v in value] if isinstance(value, list) else value) for k, value in body.items()}
    response = getattr(team.clients["alice"], method)(url, body, format="json")
    assert response.status_code == status, response.content
    assert field in str(response.json())


def test_bad_assignment_changes_are_400(team, spans):
    assignment = Assignment.objects.get(user=team.carol)
    url = f"/api/v1/assignments/{assignment.pk}/"
    assert team.clients["carol"].patch(url, {"status": "finished"}, format="json").status_code == 400
    assert team.clients["alice"].patch(url, {"username": "mallory"}, format="json").status_code == 400
    assert team.clients["alice"].get("/api/v1/assignments/99999999/").status_code == 404


def test_gold_from_another_documents_span_is_refused(team, spans):
    from tests.factories import DocumentFactory

    other = DocumentFactory(project=team.project, text=team.document.text)
    response = team.clients["alice"].post(f"/api/v1/documents/{other.pk}/gold/accept/", {"spans": [spans["carol"].pk]}, format="json")
    assert response.status_code == 400 and "No individual span" in str(response.json())


def test_history_ignores_a_malformed_document_filter(team, spans):
    response = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/history/?document=abc")
    assert response.status_code == 200 and response.json()["count"] == 1
