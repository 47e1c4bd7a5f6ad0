"""Releases: numbered, frozen, rendered in every export format, the same bytes whatever
happens to the project afterwards."""
import base64
import hashlib
import json

import pytest

from annotate.datasets.registry import EXPORT_FORMATS as FORMATS
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


def _download(team, number, fmt, who="alice", **params):
    response = team.clients[who].get(f"/api/v1/projects/{team.project.pk}/releases/{number}/download/{fmt}/", params)
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
    assert manifest["content_sha256"] == body["content_sha256"] == manifest["layers"]["gold"]["content_sha256"]
    assert _freeze(team, "Second").json()["number"] == 2
    download = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/1/download/jsonl/")
    lines = download.content.decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert download["X-Dataset-Layer"] == "gold" and download["X-Dataset-Format-Version"] == "2"
    assert download["X-Dataset-Manifest-URL"] == f"/api/v1/projects/{team.project.pk}/releases/1/download/manifest/"
    assert download["Repr-Digest"] == "sha-256=:" + base64.b64encode(hashlib.sha256(download.content).digest()).decode() + ":"
    assert records[0]["text"] == team.document.text
    assert [(s["start"], s["end"], s["quote"], s["layer"]) for s in records[0]["spans"]] == [
        (23, 50, "inflation fell to 3% in May", "gold")
    ]
    # the manifest's digest is the export's: SHA-256 of the (code point) jsonl file
    digest = hashlib.sha256(download.content).hexdigest()
    assert digest == download["X-Dataset-Content-SHA256"] == manifest["content_sha256"]
    provenance = [json.loads(line) for line in _download(team, 1, "provenance").splitlines()]
    assert {o["annotator"] for o in provenance[0]["gold"][0]["origins"]} == {"carol", "dave"}
    assert json.loads(_download(team, 1, "agreement"))["reviewers"] == ["carol", "dave"]


def test_a_release_holds_what_an_export_of_the_gold_layer_held_at_freeze_time(team):
    _gold_document(team)
    export = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/export/", {"format": "jsonl", "layer": "gold"})
    exported = b"".join(export.streaming_content).decode().splitlines()
    _freeze(team)
    released = _download(team, 1, "jsonl").decode().splitlines()
    assert released == exported  # the same records, so the same digest


def test_downloads_are_byte_identical_after_the_project_changes(team):
    _gold_document(team)
    _freeze(team, include_individual=True)
    files = [(fmt, "gold") for fmt in FORMATS] + [(fmt, "individual") for fmt in FORMATS]
    files += [("manifest", "gold"), ("agreement", "gold"), ("provenance", "gold")]
    before = {(fmt, layer): _download(team, 1, fmt, layer=layer) for fmt, layer in files}
    before["utf16"] = _download(team, 1, "jsonl", offset_unit="utf16")
    assert b'"carol"' in before[("jsonl", "individual")]
    # change everything the release was made of
    gold = team.clients["bob"].get(f"/api/v1/documents/{team.document.pk}/adjudication/").json()["gold"][0]
    assert team.clients["bob"].delete(f"/api/v1/spans/{gold['id']}/", HTTP_IF_MATCH=f'"{gold["version"]}"').status_code == 204
    label(team.dave, team.document, 0, 3)
    renamed = team.clients["alice"].patch(f"/api/v1/documents/{team.document.pk}/", {"title": "Renamed", "version": 1}, format="json")
    assert renamed.status_code == 200
    team.clients["alice"].patch(f"/api/v1/projects/{team.project.pk}/", {"name": "Renamed project"}, format="json")
    team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/documents/", {"title": "New", "text": "New text."}, format="json")
    after = {(fmt, layer): _download(team, 1, fmt, layer=layer) for fmt, layer in files}
    after["utf16"] = _download(team, 1, "jsonl", offset_unit="utf16")
    assert after == before
    assert _download(team, 1, "csv", who="bob") == before[("csv", "gold")]
    # even deleting the document leaves the release intact
    Document.objects.filter(pk=team.document.pk).delete()
    assert _download(team, 1, "w3c") == before[("w3c", "gold")]
    assert Release.objects.get(project=team.project, number=1).content_sha256 == json.loads(before[("manifest", "gold")])["content_sha256"]


@pytest.mark.parametrize(
    "fmt,params,status",
    [
        ("xml", {}, 404),
        ("jsonl", {"layer": "individual"}, 400),  # this release has only gold
        ("jsonl", {"layer": "everything"}, 400),
        ("conll", {"offset_unit": "utf16"}, 400),
        ("jsonl", {"offset_unit": "bytes"}, 400),
    ],
)
def test_bad_download_requests(team, fmt, params, status):
    _freeze(team)
    response = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/1/download/{fmt}/", params)
    assert response.status_code == status


def test_a_release_needs_a_name(team):
    assert _freeze(team, name=" ").status_code == 400
    assert team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/9/").status_code == 404


def test_release_list_uses_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    for i in range(3):
        _freeze(team, name=f"r{i}")
    with django_assert_max_num_queries(4):
        rows = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/releases/").json()
    assert [r["number"] for r in rows] == [3, 2, 1]


def _gold_on(team, document, start, end):
    for name in ("carol", "dave"):
        label(getattr(team, name), document, start, end)
        Assignment.objects.get_or_create(document=document, user=getattr(team, name), defaults={"status": AssignmentStatus.DONE})
    assert team.clients["bob"].post(f"/api/v1/documents/{document.pk}/gold/accept-agreed/").status_code == 200


def _provenance_per_document(project):
    """What release_provenance recorded before it read the project at once: gold_rows per document."""
    from annotate.workflow import selectors

    out = []
    for document in project.documents.order_by("id"):
        gold = selectors.gold_rows(document_id=document.pk)
        if gold:
            out.append({"external_id": document.external_id, "title": document.title, "text_sha256": document.text_sha256,
                        "gold": [{"start": g["start"], "end": g["end"], "label": g["label"],
                                  "origins": [{k: o[k] for k in ("annotator", "label", "start", "end")} for o in g["origins"]]}
                                 for g in gold]})  # fmt: skip
    return out


def test_release_provenance_reads_the_project_in_a_fixed_number_of_queries(team, docs, django_assert_num_queries):
    """Freezing a 5,000-document project ran three queries per document (25 of its 32 s in
    bench/anchors.py's release step); the count must not grow with the documents."""
    from annotate.workflow.releases import release_provenance

    _gold_on(team, docs[0], 23, 50)
    _gold_on(team, docs[2], 0, 12)
    with django_assert_num_queries(2):
        two = release_provenance(project=team.project)
    _gold_on(team, docs[3], 4, 12)
    label(team.carol, docs[3], 52, 59)  # an individual span that is not gold is not provenance
    with django_assert_num_queries(2):
        three = release_provenance(project=team.project)
    assert [p["gold"][0]["start"] for p in two] == [23, 0]
    assert three == _provenance_per_document(team.project)
    assert [len(p["gold"][0]["origins"]) for p in three] == [2, 2, 2]
