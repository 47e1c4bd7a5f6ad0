"""Bad input gets a clear 4xx, never a 500."""
import pytest

from tests.factories import SpanFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/99999999999999999999999/",
        "/api/v1/documents/9223372036854775808/",
        "/api/v1/spans/0/",
        "/api/v1/documents/1/spans/?annotator=%00",
        "/api/v1/projects/{p}/documents/?search=%00",
        "/api/v1/projects/{p}/documents/?page=999",
        "/api/v1/projects/{p}/documents/?page_size=-1",
        "/api/v1/projects/{p}/members/nobody/",
    ],
)
def test_strange_urls_and_parameters_are_4xx(team, path):
    response = team.clients["alice"].get(path.format(p=team.project.pk))
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.content
    assert response.status_code != 500


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("\xff\xfe", "application/json"),
        ("<xml/>", "application/xml"),
    ],
)
def test_undecodable_bodies(team, body, content_type):
    response = team.clients["carol"].post(
        f"/api/v1/documents/{team.document.pk}/spans/", body, content_type=content_type
    )
    assert response.status_code in (400, 415)


def test_unsupported_charset_is_400(team):
    response = team.clients["carol"].post(
        f"/api/v1/documents/{team.document.pk}/spans/", b'{"start":0}', content_type="application/json; charset=bz2_codec"
    )
    assert response.status_code == 400


def test_member_with_unknown_user_or_role(team):
    members = f"/api/v1/projects/{team.project.pk}/members/"
    alice = team.clients["alice"]
    assert "username" in alice.post(members, {"username": "ghost", "role": "annotator"}, format="json").json()
    assert "role" in alice.post(members, {"username": "mallory", "role": "owner"}, format="json").json()
    assert alice.post(members, {"username": "carol", "role": "annotator"}, format="json").status_code == 409


def test_project_fields_are_checked(team):
    alice = team.clients["alice"]
    assert "name" in alice.post("/api/v1/projects/", {"name": ""}, format="json").json()
    bad = alice.patch(f"/api/v1/projects/{team.project.pk}/", {"reviewers_per_document": 9}, format="json")
    assert bad.status_code == 400 and "reviewers_per_document" in bad.json()


def test_wrong_method_is_405(team):
    span = SpanFactory(document=team.document, annotator=team.carol)
    assert team.clients["carol"].put(f"/api/v1/spans/{span.pk}/", {}, format="json").status_code == 405


def test_token_endpoint(team):
    ok = team.anonymous.post("/api/v1/auth/token/", {"username": "carol", "password": "pass-word-123"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = team.anonymous.post("/api/v1/auth/token/", {"username": "carol", "password": "nope"}, format="json")
    assert bad.status_code in (400, 401)
    assert team.anonymous.post("/api/v1/auth/token/", {}, format="json").status_code == 400
    assert team.anonymous.get("/api/v1/projects/", HTTP_AUTHORIZATION="Token nonsense").status_code == 401
