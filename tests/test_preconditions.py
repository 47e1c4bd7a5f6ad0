"""Optimistic concurrency: a PATCH or DELETE of a document or a span names the version it read
(If-Match or "version"); without one it is 428, with a stale one 412."""
import pytest

from annotate.models import Document, Span
from tests.factories import SpanFactory

pytestmark = pytest.mark.django_db


def test_a_document_has_a_version_and_an_etag_that_every_write_moves(team):
    alice, url = team.clients["alice"], f"/api/v1/documents/{team.document.pk}/"
    read = alice.get(url)
    assert read.json()["version"] == 1 and read["ETag"] == '"1"'
    changed = alice.patch(url, {"title": "Renamed", "version": 1}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2 and changed["ETag"] == '"2"'
    assert alice.patch(url, {"outlet": "Other"}, format="json", HTTP_IF_MATCH='"2"')["ETag"] == '"3"'
    assert Document.objects.get(pk=team.document.pk).version == 3
    listed = alice.get(f"/api/v1/projects/{team.project.pk}/documents/").json()["results"]
    assert [d["version"] for d in listed if d["id"] == team.document.pk] == [3]


def test_a_document_write_without_a_version_is_428_and_says_what_to_send(team):
    alice, url = team.clients["alice"], f"/api/v1/documents/{team.document.pk}/"
    for response in (alice.patch(url, {"title": "Renamed"}, format="json"), alice.delete(url)):
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"] and '"version"' in response.json()["detail"]
    document = Document.objects.get(pk=team.document.pk)
    assert (document.title, document.version) == ("Ministry reports inflation drop", 1)


def test_a_stale_document_write_is_412_and_changes_nothing(team):
    alice, url = team.clients["alice"], f"/api/v1/documents/{team.document.pk}/"
    assert alice.patch(url, {"title": "First", "version": 1}, format="json").status_code == 200
    stale = alice.patch(url, {"title": "Second", "version": 1}, format="json")
    assert stale.status_code == 412 and "version 2" in stale.json()["version"][0]
    assert alice.delete(url, HTTP_IF_MATCH='W/"1"').status_code == 412
    assert Document.objects.get(pk=team.document.pk).title == "First"
    assert alice.delete(url, HTTP_IF_MATCH='"2"').status_code == 204


def test_if_match_star_is_an_explicit_any_version(team):
    url = f"/api/v1/documents/{team.document.pk}/"
    assert team.clients["alice"].delete(url, HTTP_IF_MATCH="*").status_code == 204


def test_a_malformed_if_match_is_400(team):
    url = f"/api/v1/documents/{team.document.pk}/"
    response = team.clients["alice"].delete(url, HTTP_IF_MATCH='"abc"')
    assert response.status_code == 400 and "If-Match" in response.json()


def test_a_span_write_without_a_version_is_428(team):
    span = SpanFactory(document=team.document, annotator=team.carol)
    carol, url = team.clients["carol"], f"/api/v1/spans/{span.pk}/"
    patched = carol.patch(url, {"note": "x"}, format="json")
    assert patched.status_code == 428 and "If-Match" in patched.json()["detail"]
    assert carol.delete(url).status_code == 428
    assert Span.objects.get(pk=span.pk).note == ""


def test_permission_comes_before_the_precondition(team):
    url = f"/api/v1/documents/{team.document.pk}/"
    assert team.clients["bob"].patch(url, {"title": "x"}, format="json").status_code == 403
    assert team.clients["mallory"].delete(url).status_code == 404


def test_a_setting_relaxes_the_rule_for_old_clients(team, settings):
    settings.REQUIRE_PRECONDITION = False
    span = SpanFactory(document=team.document, annotator=team.carol)
    assert team.clients["carol"].patch(f"/api/v1/spans/{span.pk}/", {"note": "x"}, format="json").status_code == 200
    assert team.clients["alice"].patch(f"/api/v1/documents/{team.document.pk}/", {"title": "t"}, format="json").status_code == 200
    # A version, when sent, is still checked.
    stale = team.clients["alice"].patch(f"/api/v1/documents/{team.document.pk}/", {"title": "u", "version": 1}, format="json")
    assert stale.status_code == 412
