"""Releases: numbered, frozen, the same bytes whatever happens to the project afterwards."""
import hashlib
import json

from annotate.models import Assignment, AssignmentStatus, Document
from annotate.workflow.models import Release
from tests.workflow.conftest import label


def _gold_document(team):
    for name in ("carol", "dave"):
        label(getattr(team, name), team.document, 23, 50)
        Assignment.objects.create(document=team.document, user=getattr(team, name), status=AssignmentStatus.DONE)
    label(team.carol, team.document, 0, 3, label="assertion")
    assert team.clients["bob"].post(f"/api/v1/documents/{team.document.pk}/gold/accept-agreed/").json()["accepted"] == 1


def _freeze(team, name="First release", **extra):
    return team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": name, **extra}, format="json"
    )


def _download(team, number, fmt, who="alice"):
    response = team.clients[who].get(f"/api/v1/projects/{team.project.pk}/releases/{number}/download/{fmt}/")
    assert response.status_code == 200, response.content
    return response.content


def test_freeze_numbers_releases_and_writes_a_manifest(team):
    _gold_document(team)
    first = _freeze(team)
    assert first.status_code == 201
    body = first.json()
    assert body["number"] == 1
    manifest = body["manifest"]
    assert manifest["documents"] == 1 and manifest["gold_spans"] == 1
    assert manifest["gold_spans_per_label"] == {"assertion": 1}
    assert manifest["content_sha256"] == body["content_sha256"]
    assert _freeze(team, "Second").json()["number"] == 2
    lines = _download(team, 1, "jsonl").decode().splitlines()
    record = json.loads(lines[0])
    assert record["text"] == team.document.text
    assert [(s["start"], s["end"], s["quote"]) for s in record["gold"]] == [(23, 50, "inflation fell to 3% in May")]
    assert {o["annotator"] for o in record["gold"][0]["origins"]} == {"carol", "dave"}
    assert "individual" not in record
    records = json.loads(b"[" + b",".join(line.encode() for line in lines) + b"]")
    assert hashlib.sha256(
        json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest() == manifest["content_sha256"]
    agreement = json.loads(_download(team, 1, "agreement"))
    assert agreement["reviewers"] == ["carol", "dave"]


def test_downloads_are_byte_identical_after_the_project_changes(team):
    _gold_document(team)
    _freeze(team, include_individual=True)
    before = {fmt: _download(team, 1, fmt) for fmt in ("jsonl", "manifest", "agreement")}
    assert json.loads(before["jsonl"].splitlines()[0])["individual"]["carol"]
    # change everything the release was made of
    gold = team.clients["bob"].get(f"/api/v1/documents/{team.document.pk}/adjudication/").json()["gold"][0]
    assert team.clients["bob"].delete(f"/api/v1/spans/{gold['id']}/").status_code == 204
    label(team.dave, team.document, 0, 3)
    team.clients["alice"].patch(f"/api/v1/documents/{team.document.pk}/", {"title": "Renamed"}, format="json")
    team.clients["alice"].patch(f"/api/v1/projects/{team.project.pk}/", {"name": "Renamed project"}, format="json")
    team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/documents/", {"title": "New", "text": "New text."}, format="json")
    after = {fmt: _download(team, 1, fmt) for fmt in ("jsonl", "manifest", "agreement")}
    assert after == before
    assert _download(team, 1, "jsonl", who="bob") == before["jsonl"]
    # even deleting the document leaves the release intact
    Document.objects.filter(pk=team.document.pk).delete()
    assert _download(team, 1, "jsonl") == before["jsonl"]
    assert Release.objects.get(project=team.project, number=1).content_sha256 == json.loads(before["manifest"])["content_sha256"]


def test_a_release_needs_a_name_and_unknown_formats_are_404(team):
    assert _freeze(team, name=" ").status_code == 400
    _freeze(team)
    response = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/1/download/xml/")
    assert response.status_code == 404
    assert team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/9/").status_code == 404


def test_release_list_uses_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    for i in range(3):
        _freeze(team, name=f"r{i}")
    with django_assert_max_num_queries(4):
        rows = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/").json()
    assert [r["number"] for r in rows] == [3, 2, 1]
