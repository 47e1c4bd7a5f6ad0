"""The permission matrix: each role and an outsider against each endpoint, own and other projects.

alice manages, bob reviews, carol annotates (dave is the other annotator whose span carol must
never reach), mallory manages only another project, anonymous has no token."""
import pytest

from tests.factories import SpanFactory

pytestmark = pytest.mark.django_db

M, R, A, O, ANON = "alice", "bob", "carol", "mallory", "anonymous"


def _targets(team):
    daves = SpanFactory(document=team.document, annotator=team.dave, label="attribution", start=4, end=12)
    daves_claim = SpanFactory(document=team.document, annotator=team.dave, start=23, end=50)
    return {
        "project": f"/api/v1/projects/{team.project.pk}/",
        "members": f"/api/v1/projects/{team.project.pk}/members/",
        "member": f"/api/v1/projects/{team.project.pk}/members/dave/",
        "documents": f"/api/v1/projects/{team.project.pk}/documents/",
        "document": f"/api/v1/documents/{team.document.pk}/",
        "spans": f"/api/v1/documents/{team.document.pk}/spans/",
        "span": f"/api/v1/spans/{daves.pk}/",
        "links": f"/api/v1/spans/{daves.pk}/links/",
        "link": f"/api/v1/spans/{daves.pk}/links/{daves_claim.pk}/",
        "claim": daves_claim.pk,
    }


# (method, target, body, {persona: expected status})
MATRIX = [
    ("get", "project", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("patch", "project", {"description": "x"}, {M: 200, R: 403, A: 403, O: 404, ANON: 401}),
    ("delete", "project", None, {M: 204, R: 403, A: 403, O: 404, ANON: 401}),
    ("get", "members", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("post", "members", {"username": "mallory", "role": "annotator"}, {M: 201, R: 403, A: 403, O: 404, ANON: 401}),
    ("get", "member", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("patch", "member", {"role": "reviewer"}, {M: 200, R: 403, A: 403, O: 404, ANON: 401}),
    ("delete", "member", None, {M: 204, R: 403, A: 403, O: 404, ANON: 401}),
    ("get", "documents", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("post", "documents", {"title": "t", "text": "x"}, {M: 201, R: 403, A: 403, O: 404, ANON: 401}),
    ("get", "document", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("patch", "document", {"title": "t2"}, {M: 200, R: 403, A: 403, O: 404, ANON: 401}),
    ("delete", "document", None, {M: 204, R: 403, A: 403, O: 404, ANON: 401}),
    ("get", "spans", None, {M: 200, R: 200, A: 200, O: 404, ANON: 401}),
    ("post", "spans", {"start": 0, "end": 3, "label": "assertion"}, {M: 201, R: 201, A: 201, O: 404, ANON: 401}),
    ("get", "span", None, {M: 200, R: 200, A: 404, O: 404, ANON: 401}),
    ("patch", "span", {"note": "mine now"}, {M: 200, R: 200, A: 404, O: 404, ANON: 401}),
    ("delete", "span", None, {M: 204, R: 204, A: 404, O: 404, ANON: 401}),
    ("get", "links", None, {M: 200, R: 200, A: 404, O: 404, ANON: 401}),
    ("post", "links", "claim", {M: 201, R: 201, A: 404, O: 404, ANON: 401}),
    ("delete", "link", "linked", {M: 204, R: 204, A: 404, O: 404, ANON: 401}),
]


@pytest.mark.parametrize(
    ("method", "target", "body", "persona", "expected"),
    [(m, t, b, p, e) for m, t, b, outcomes in MATRIX for p, e in outcomes.items()],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_permission_matrix(team, method, target, body, persona, expected):
    urls = _targets(team)
    client = team.anonymous if persona == ANON else team.clients[persona]
    if body == "claim":
        body = {"target": urls["claim"]}
    if body == "linked":
        team.clients["alice"].post(urls["links"], {"target": urls["claim"]}, format="json")
        body = None
    # Every row is at version 1: If-Match lets PATCH and DELETE of documents and spans through 428.
    response = getattr(client, method)(urls[target], body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == expected, response.content


def test_outsider_manages_her_own_project_but_sees_nothing_of_ours(team):
    mallory = team.clients["mallory"]
    assert [p["name"] for p in mallory.get("/api/v1/projects/").json()["results"]] == ["Someone else's project"]
    assert mallory.get(f"/api/v1/documents/{team.other_document.pk}/").status_code == 200
    alice = team.clients["alice"]
    assert alice.get(f"/api/v1/documents/{team.other_document.pk}/").status_code == 404
    assert alice.get(f"/api/v1/projects/{team.other_project.pk}/members/").status_code == 404


def test_annotator_cannot_write_into_another_layer_by_linking_or_editing(team):
    carols = SpanFactory(document=team.document, annotator=team.carol, label="attribution", start=4, end=12)
    daves = SpanFactory(document=team.document, annotator=team.dave, start=23, end=50)
    response = team.clients["carol"].post(f"/api/v1/spans/{carols.pk}/links/", {"target": daves.pk}, format="json")
    assert response.status_code == 400  # dave's span is not visible to carol
    daves.refresh_from_db()
    assert daves.note == "" and daves.version == 1


def test_last_manager_cannot_leave_or_be_demoted(team):
    alice = team.clients["alice"]
    members = f"/api/v1/projects/{team.project.pk}/members/"
    assert alice.patch(members + "alice/", {"role": "reviewer"}, format="json").status_code == 409
    assert alice.delete(members + "alice/").status_code == 409
    assert alice.patch(members + "bob/", {"role": "manager"}, format="json").status_code == 200
    assert alice.delete(members + "alice/").status_code == 204


def test_creator_of_a_project_becomes_its_manager(team):
    carol = team.clients["carol"]
    project = carol.post("/api/v1/projects/", {"name": "Carol's desk"}, format="json").json()
    assert project["my_role"] == "manager"
    assert carol.get(f"/api/v1/projects/{project['id']}/members/").json()["results"][0]["username"] == "carol"
