"""Documents through the API: single and bulk creation, normal form, frozen text, filters."""
import hashlib

import pytest

from annotate.models import Document
from tests.factories import DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db


def url(team):
    return f"/api/v1/projects/{team.project.pk}/documents/"


def test_create_one_document_normalises_text_and_keeps_both_hashes(team):
    received = "Cafe\u0301 owners\r\nsaid so."
    response = team.clients["alice"].post(
        url(team),
        {"title": "Cafés", "text": received, "outlet": "Gazette", "published_on": "2026-05-01", "external_id": "g-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == "Café owners\nsaid so."
    assert body["length"] == len("Café owners\nsaid so.")
    assert body["text_sha256"] == hashlib.sha256(body["text"].encode()).hexdigest()
    assert body["received_sha256"] == hashlib.sha256(received.encode()).hexdigest()
    assert Document.objects.get(pk=body["id"]).published_on.isoformat() == "2026-05-01"


def test_bulk_create_returns_ids_in_order(team):
    items = [{"title": f"Doc {i}", "text": f"Text number {i}."} for i in range(10)]
    response = team.clients["alice"].post(url(team), items, format="json")
    assert response.status_code == 201
    ids = response.json()["ids"]
    assert len(ids) == 10
    assert [Document.objects.get(pk=i).title for i in ids] == [f"Doc {i}" for i in range(10)]


def test_bulk_create_failing_on_item_7_of_10_leaves_nothing(team):
    before = Document.objects.count()
    items = [{"title": f"Doc {i}", "text": f"Text number {i}."} for i in range(10)]
    items[6]["text"] = "   "  # the 7th item (index 6)
    response = team.clients["alice"].post(url(team), items, format="json")
    assert response.status_code == 400
    assert response.json() == {"items": [{"index": 6, "errors": {"text": ["The text is empty."]}}]}
    assert Document.objects.count() == before


def test_bulk_create_shape_error_names_item_and_field(team):
    items = [{"title": "ok", "text": "fine"}, {"title": "no text"}, {"title": "x", "text": "y", "published_on": "May"}]
    response = team.clients["alice"].post(url(team), items, format="json")
    assert response.status_code == 400
    errors = {item["index"]: item["errors"] for item in response.json()["items"]}
    assert set(errors) == {1, 2} and "text" in errors[1] and "published_on" in errors[2]
    assert Document.objects.filter(title="ok").count() == 0


def test_duplicate_external_id_in_batch_or_project_is_refused_whole(team):
    DocumentFactory(project=team.project, external_id="taken")
    client = team.clients["alice"]
    same_batch = [{"title": "a", "text": "a", "external_id": "x"}, {"title": "b", "text": "b", "external_id": "x"}]
    response = client.post(url(team), same_batch, format="json")
    assert response.status_code == 400 and response.json()["items"][0]["index"] == 1
    taken = [{"title": "a", "text": "a", "external_id": "new"}, {"title": "b", "text": "b", "external_id": "taken"}]
    response = client.post(url(team), taken, format="json")
    assert response.status_code == 409 and response.json()["items"][0]["index"] == 1
    assert not Document.objects.filter(external_id="new").exists()


def test_same_external_id_is_fine_in_another_project(team):
    DocumentFactory(project=team.other_project, external_id="shared")
    response = team.clients["alice"].post(url(team), {"title": "a", "text": "a", "external_id": "shared"}, format="json")
    assert response.status_code == 201


def test_more_than_1000_documents_is_413(team):
    items = [{"title": "t", "text": "x"}] * 1001
    response = team.clients["alice"].post(url(team), items, format="json")
    assert response.status_code == 413
    assert Document.objects.filter(project=team.project).count() == 1


def test_oversized_body_is_413(team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = team.clients["alice"].post(url(team), {"title": "big", "text": "x" * 20_000}, format="json")
    assert response.status_code == 413


def test_body_over_the_request_cap_is_refused_before_reading(team, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = team.clients["alice"].post(url(team), {"title": "big", "text": "x" * 2000}, format="json")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t", "text": "nul \x00 byte"}, "text"),
        ({"title": "", "text": "x"}, "title"),
        ({"title": "t", "text": "x", "source_url": "javascript:alert(1)"}, "source_url"),
        ({"title": "t", "text": ["a list"]}, "text"),
        ({"title": "t"}, "text"),
    ],
)
def test_bad_documents_get_400_with_the_field(team, payload, field):
    response = team.clients["alice"].post(url(team), payload, format="json")
    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()


def test_text_is_frozen_once_a_span_exists(team):
    client = team.clients["alice"]
    doc = team.document
    assert client.patch(f"/api/v1/documents/{doc.pk}/", {"title": "New title", "version": 1}, format="json").status_code == 200
    SpanFactory(document=doc, annotator=team.carol, start=0, end=3)
    response = client.patch(f"/api/v1/documents/{doc.pk}/", {"text": "Something else", "version": 2}, format="json")
    assert response.status_code == 409
    doc.refresh_from_db()
    assert doc.text.startswith("The ministry") and doc.title == "New title"
    # Sending the same text (even with CRLF) is not a change.
    same = doc.text.replace("\n", "\r\n")
    assert client.patch(f"/api/v1/documents/{doc.pk}/", {"text": same, "version": 2}, format="json").status_code == 200


def test_text_can_change_while_no_span_exists(team):
    response = team.clients["alice"].patch(
        f"/api/v1/documents/{team.document.pk}/", {"text": "Fresh text\r\n", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["text"] == "Fresh text\n" and response.json()["length"] == 11


def test_list_is_paginated_and_filters_and_searches(team):
    DocumentFactory(project=team.project, title="Harbour strike", outlet="Valley Gazette", language="en")
    DocumentFactory(project=team.project, title="Bridge", outlet="Harbour Courier", language="pt")
    DocumentFactory(project=team.project, title="Other", outlet="Valley Gazette", published_on="2026-01-02")
    client = team.clients["carol"]
    body = client.get(url(team) + "?page_size=2").json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    assert "text" not in body["results"][0]
    titles = lambda q: sorted(d["title"] for d in client.get(url(team) + q).json()["results"])  # noqa: E731
    assert titles("?search=harbour") == ["Bridge", "Harbour strike"]
    assert titles("?outlet=Valley%20Gazette") == ["Harbour strike", "Other"]
    assert titles("?language=pt") == ["Bridge"]
    assert titles("?published_after=2026-01-01") == ["Other"]
    assert client.get(url(team) + "?published_after=yesterday").status_code == 400


def test_delete_document_removes_its_spans(team):
    SpanFactory(document=team.document, annotator=team.carol, start=0, end=3)
    assert team.clients["alice"].delete(f"/api/v1/documents/{team.document.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert not Document.objects.filter(pk=team.document.pk).exists()


def test_lone_surrogate_in_json_is_400_not_500(team):
    body = '{"title": "t", "text": "lone \\ud800 surrogate"}'
    response = team.clients["alice"].post(url(team), body, content_type="application/json")
    assert response.status_code == 400
    assert "text" in response.json()


@pytest.mark.parametrize("body", ['{"title": "t", "text": ', "[1, 2", "null", '"just a string"', "[[]]"])
def test_malformed_json_bodies_are_400(team, body):
    response = team.clients["alice"].post(url(team), body, content_type="application/json")
    assert response.status_code == 400
