"""A span save sent with an API token looks the token's user up in the same query as the
document and membership (annotate.api.views.SpanListView.initial, permissions.
token_user_and_document_window). Whatever that query does not find is answered as before:
401 for an unknown, revoked or inactive user's token, 404 for a non-member or no such
document, 400 for a bad body; and the request is the token's user's everywhere after it."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotate.models import Span

pytestmark = pytest.mark.django_db

BODY = {"start": 4, "end": 12, "label": "attribution"}


def url(document) -> str:
    return f"/api/v1/documents/{document.pk}/spans/"


def test_the_save_is_the_token_users(team):
    response = team.clients["carol"].post(url(team.document), BODY, format="json")
    assert response.status_code == 201
    assert response.json()["annotator"] == "carol"
    assert Span.objects.get(pk=response.json()["id"]).annotator == team.carol


def test_an_unknown_token_gets_401(team):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.post(url(team.document), BODY, format="json")
    assert response.status_code == 401
    assert not Span.objects.exists()


def test_a_revoked_token_gets_401(team):
    Token.objects.filter(user=team.carol).delete()
    assert team.clients["carol"].post(url(team.document), BODY, format="json").status_code == 401
    assert not Span.objects.exists()


def test_an_inactive_users_token_gets_401(team):
    team.carol.is_active = False
    team.carol.save(update_fields=["is_active"])
    assert team.clients["carol"].post(url(team.document), BODY, format="json").status_code == 401
    assert not Span.objects.exists()


@pytest.mark.parametrize("header", ["Token", "Token a b", "Bearer " + "0" * 40])
def test_a_malformed_header_is_answered_as_drf_answers_it(team, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.post(url(team.document), BODY, format="json").status_code in (401, 403)
    assert not Span.objects.exists()


def test_a_non_member_gets_404_and_no_such_document_404(team):
    assert team.clients["mallory"].post(url(team.document), BODY, format="json").status_code == 404
    assert team.clients["carol"].post(url(team.other_document), BODY, format="json").status_code == 404
    assert team.clients["carol"].post("/api/v1/documents/99999999/spans/", BODY, format="json").status_code == 404
    assert not Span.objects.exists()


def test_a_bad_body_with_a_good_token_gets_400(team):
    response = team.clients["carol"].post(url(team.document), {"start": 12, "end": 4, "label": "assertion"}, format="json")
    assert response.status_code == 400
    response = team.clients["carol"].post(url(team.document), {"start": 4, "end": 12, "label": "opinion"}, format="json")
    assert response.status_code == 400 and "label" in response.json()
