"""The permission matrix for every workflow endpoint: manager, reviewer, annotator, outsider
(404: she never learns the project exists) and anonymous (401)."""
import pytest

from annotate.permissions import access_for
from annotate.workflow.releases import release_freeze

PEOPLE = ["alice", "bob", "carol", "mallory", "anonymous"]


def _client(team, who):
    return team.anonymous if who == "anonymous" else team.clients[who]


def _endpoints(team):
    p, d = team.project.pk, team.document.pk
    return {
        "agreement": ("get", f"/api/v1/projects/{p}/agreement/", None),
        "next": ("post", f"/api/v1/projects/{p}/next/", None),
        "assignments": ("get", f"/api/v1/projects/{p}/assignments/", None),
        "assign": ("post", f"/api/v1/projects/{p}/assignments/", {"username": "dave", "documents": [d]}),
        "adjudication": ("get", f"/api/v1/documents/{d}/adjudication/", None),
        "accept-agreed": ("post", f"/api/v1/documents/{d}/gold/accept-agreed/", None),
        "accept": ("post", f"/api/v1/documents/{d}/gold/accept/", {"spans": [team.dave_span.pk]}),
        "reject": ("post", f"/api/v1/documents/{d}/gold/reject/", {"spans": [team.dave_span.pk]}),
        "releases": ("get", f"/api/v1/projects/{p}/releases/", None),
        "freeze": ("post", f"/api/v1/projects/{p}/releases/", {"name": "v"}),
        "release": ("get", f"/api/v1/projects/{p}/releases/1/", None),
        "download": ("get", f"/api/v1/projects/{p}/releases/1/download/jsonl/", None),
        "progress": ("get", f"/api/v1/projects/{p}/progress/", None),
        "history": ("get", f"/api/v1/projects/{p}/history/", None),
        "history-export": ("get", f"/api/v1/projects/{p}/history/export/", None),
    }


# expected status per endpoint for alice, bob, carol, mallory, anonymous (blind review on)
MATRIX = {
    "agreement": (200, 200, 403, 404, 401),
    "next": (200, 200, 200, 404, 401),
    "assignments": (200, 200, 200, 404, 401),
    "assign": (201, 403, 403, 404, 401),
    "adjudication": (200, 200, 403, 404, 401),
    "accept-agreed": (200, 200, 403, 404, 401),
    "accept": (201, 201, 403, 404, 401),
    "reject": (200, 200, 403, 404, 401),
    "releases": (200, 200, 403, 404, 401),
    "freeze": (201, 403, 403, 404, 401),
    "release": (200, 200, 403, 404, 401),
    "download": (200, 200, 403, 404, 401),
    "progress": (200, 200, 200, 404, 401),
    "history": (200, 200, 200, 404, 401),
    "history-export": (200, 200, 200, 404, 401),
}


@pytest.fixture
def matrix_team(team):
    from tests.workflow.conftest import label

    team.dave_span = label(team.dave, team.document, 4, 12)
    release_freeze(project=team.project, access=access_for(team.alice, team.project.pk), actor=team.alice, name="v1")
    return team


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("who", PEOPLE)
def test_permission_matrix(matrix_team, endpoint, who):
    method, url, body = _endpoints(matrix_team)[endpoint]
    response = getattr(_client(matrix_team, who), method)(url, body, format="json")
    expected = MATRIX[endpoint][PEOPLE.index(who)]
    assert response.status_code == expected, (endpoint, who, response.content[:300])


@pytest.mark.parametrize("endpoint", ["agreement", "releases", "download"])
def test_annotators_see_agreement_and_releases_when_review_is_not_blind(matrix_team, endpoint):
    matrix_team.project.blind_review = False
    matrix_team.project.save()
    method, url, body = _endpoints(matrix_team)[endpoint]
    assert getattr(matrix_team.clients["carol"], method)(url, body, format="json").status_code == 200


def test_non_managers_see_only_their_own_history(matrix_team):
    from tests.workflow.conftest import label

    label(matrix_team.carol, matrix_team.document, 0, 3)
    url = f"/api/v1/projects/{matrix_team.project.pk}/history/"
    assert {e["actor"] for e in matrix_team.clients["alice"].get(url).json()["results"]} == {"carol", "dave"}
    assert {e["actor"] for e in matrix_team.clients["carol"].get(url).json()["results"]} == {"carol"}
    lines = matrix_team.clients["carol"].get(url + "export/")
    assert b"\"dave\"" not in b"".join(lines.streaming_content)
