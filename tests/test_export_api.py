"""GET /api/v1/projects/{id}/export/ (streamed), its manifest endpoint, and manage.py export_project."""
import datetime as dt
import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotate.models import Assignment, AssignmentStatus, Document, Layer, Role, Span
from tests.conftest import client_for
from tests.dataset_builders import add_span, docbin_docs, golden_project
from rest_framework.test import APIClient

from tests.factories import DocumentFactory, UserFactory


def url(project, **params):
    from urllib.parse import urlencode

    query = urlencode(params, doseq=True)
    return f"/api/v1/projects/{project.pk}/export/" + (f"?{query}" if query else "")


def body(response) -> str:
    assert response.status_code == 200, getattr(response, "data", response)
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def jsonl(response) -> tuple[dict, list[dict], dict]:
    """(manifest, records, end) of a jsonl export: the records are its lines (format_version 2),
    the manifest and digest come from the manifest URL its headers give (same snapshot data)."""
    text = body(response)
    records = [json.loads(line) for line in text.splitlines()]
    manifest_url = response["X-Dataset-Manifest-URL"]
    manifest = response.client.get(manifest_url).json()  # the test client that made the request
    if manifest["offset_unit"] == "codepoint":  # the digest is of the code-point jsonl file
        assert manifest["content_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    end = {"documents": len(records), "spans": sum(len(r["spans"]) for r in records), "content_sha256": manifest["content_sha256"]}
    return manifest, records, end


@pytest.fixture
def golden(db):
    return golden_project()


def test_jsonl_export_streams_documents_only_with_the_manifest_in_its_headers(golden):
    response = client_for(golden.alice).get(url(golden.project, format="jsonl"))
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert f'filename="project-{golden.project.pk}-individual.jsonl"' in response["Content-Disposition"]
    assert "/export/manifest/?format=jsonl" in response["Link"]
    assert response["X-Dataset-Manifest-URL"] == f"/api/v1/projects/{golden.project.pk}/export/manifest/?format=jsonl"
    assert (response["X-Dataset-Format"], response["X-Dataset-Format-Version"]) == ("jsonl", "2")
    assert (response["X-Dataset-Documents"], response["X-Dataset-Spans"]) == ("3", "6")
    assert (response["X-Dataset-Layer"], response["X-Dataset-Offset-Unit"]) == ("individual", "codepoint")
    manifest, records, end = jsonl(response)
    assert manifest["format_version"] == 2
    assert manifest["project"] == {"id": golden.project.pk, "name": "Golden"}
    assert [label["value"] for label in manifest["labels"]] == ["assertion", "attribution", "disputed"]
    assert (manifest["documents"], manifest["spans"]) == (3, 6) == (end["documents"], end["spans"])
    assert [r["external_id"] for r in records] == ["golden-1", "golden-2", ""]


def test_manifest_gives_the_time_of_the_last_change_not_of_the_request(golden):
    last_span = Span.objects.filter(document__project=golden.project).order_by("-created_at").first()
    manifest, _, _ = jsonl(client_for(golden.alice).get(url(golden.project)))
    exported_at = manifest["last_changed_at"]
    assert exported_at <= timezone.now().isoformat().replace("+00:00", "Z")
    # the latest change is the latest document save or span event, not "now"
    latest = max(
        Document.objects.filter(project=golden.project).order_by("-updated_at").first().updated_at,
        last_span.created_at,
    )
    assert abs(timezone.datetime.fromisoformat(exported_at.replace("Z", "+00:00")) - latest).total_seconds() < 1


def test_two_exports_of_an_unchanged_project_are_byte_identical(golden):
    client = client_for(golden.alice)
    for format in ("jsonl", "w3c", "conll", "spacy", "csv"):
        assert b"".join(client.get(url(golden.project, format=format)).streaming_content) == b"".join(
            client.get(url(golden.project, format=format)).streaming_content
        )


def test_a_change_shows_in_the_manifest_and_the_digest(golden):
    client = client_for(golden.alice)
    before_manifest, _, before_end = jsonl(client.get(url(golden.project)))
    add_span(golden.documents[2], golden.carol, Role.ANNOTATOR, "labelled", "assertion")
    after_manifest, _, after_end = jsonl(client.get(url(golden.project)))
    assert after_manifest["last_changed_at"] > before_manifest["last_changed_at"]
    assert after_end["content_sha256"] != before_end["content_sha256"]


def test_non_member_gets_404_and_anonymous_401_or_403(golden):
    mallory = client_for(UserFactory(username="mallory"))
    assert mallory.get(url(golden.project)).status_code == 404
    assert mallory.get(f"/api/v1/projects/{golden.project.pk}/export/manifest/").status_code == 404
    assert APIClient().get(url(golden.project)).status_code in (401, 403)


def test_annotator_exports_only_their_own_individual_spans(golden):
    carol = client_for(golden.carol)
    manifest, records, _ = jsonl(carol.get(url(golden.project)))
    assert {s["annotator"] for r in records for s in r["spans"]} == {"carol"}
    assert manifest["filters"]["annotators"] == ["carol"]
    assert carol.get(url(golden.project, layer="gold")).status_code == 403
    assert carol.get(url(golden.project, annotator="bob")).status_code == 403


def test_reviewer_exports_every_annotator_and_the_gold_layer(golden):
    bob = client_for(golden.bob)
    _, records, _ = jsonl(bob.get(url(golden.project)))
    assert {s["annotator"] for r in records for s in r["spans"]} == {"bob", "carol"}
    manifest, records, _ = jsonl(bob.get(url(golden.project, layer="gold")))
    assert manifest["layer"] == "gold"
    assert [(s["quote"], s["layer"]) for r in records for s in r["spans"]] == [("the mayor's office denied it", "gold")]


def test_filters_by_annotator_and_label(golden):
    alice = client_for(golden.alice)
    _, records, _ = jsonl(alice.get(url(golden.project, annotator="bob")))
    assert [s["quote"] for r in records for s in r["spans"]] == ["👩🏽‍🔬 lead scientist"]
    _, records, _ = jsonl(alice.get(url(golden.project, label=["attribution", "disputed"])))
    assert sorted(s["label"] for r in records for s in r["spans"]) == ["attribution", "disputed"]
    # a link whose target is filtered out is not written (it could not point anywhere)
    assert all(s["links"] == [] for r in records for s in r["spans"])
    _, records, _ = jsonl(alice.get(url(golden.project, label="attribution,assertion", annotator="carol,bob")))
    assert sorted(s["label"] for r in records for s in r["spans"]) == ["assertion"] * 4 + ["attribution"]


def test_done_only_keeps_documents_marked_done_by_the_chosen_annotators(golden):
    first, second, _ = golden.documents
    Assignment.objects.create(document=first, user=golden.carol, status=AssignmentStatus.DONE)
    Assignment.objects.create(document=second, user=golden.bob, status=AssignmentStatus.DONE)
    Assignment.objects.create(document=golden.documents[2], user=golden.carol, status=AssignmentStatus.IN_PROGRESS)
    alice = client_for(golden.alice)
    manifest, records, _ = jsonl(alice.get(url(golden.project, done_only="true")))
    assert [r["external_id"] for r in records] == ["golden-1", "golden-2"] and manifest["documents"] == 2
    _, records, _ = jsonl(alice.get(url(golden.project, done_only="true", annotator="carol")))
    assert [r["external_id"] for r in records] == ["golden-1"]
    assert {s["annotator"] for s in records[0]["spans"]} == {"carol"}


def test_date_range_filters(golden):
    first, second, third = golden.documents
    Document.objects.filter(pk=first.pk).update(published_on="2024-05-01")
    Document.objects.filter(pk=second.pk).update(published_on="2024-06-01")
    alice = client_for(golden.alice)
    _, records, _ = jsonl(alice.get(url(golden.project, published_after="2024-05-15", published_before="2024-12-31")))
    assert [r["external_id"] for r in records] == ["golden-2"]
    Span.objects.filter(document=first, label="attribution").update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    _, records, _ = jsonl(alice.get(url(golden.project, annotated_before="2020-01-01")))
    assert [s["quote"] for r in records for s in r["spans"]] == ["The ministry said"]
    today = timezone.now().date().isoformat()
    _, records, _ = jsonl(alice.get(url(golden.project, annotated_after=today)))
    assert "The ministry said" not in [s["quote"] for r in records for s in r["spans"]]
    assert alice.get(url(golden.project, published_after="2024-06-01", published_before="2024-01-01")).status_code == 400


@pytest.mark.parametrize(
    "params, field",
    [
        ({"format": "xml"}, "format"),
        ({"layer": "draft"}, "layer"),
        ({"label": "opinion"}, "label"),
        ({"annotator": "nobody"}, "annotator"),
        ({"published_after": "May"}, "published_after"),
        ({"format": "conll", "offset_unit": "utf16"}, "offset_unit"),
        ({"format": "spacy", "offset_unit": "utf16"}, "offset_unit"),
        ({"offset_unit": "bytes"}, "offset_unit"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(golden, params, field):
    response = client_for(golden.alice).get(url(golden.project, **params))
    assert response.status_code == 400
    assert field in response.json()


def test_utf16_export_states_its_unit(golden):
    manifest, records, _ = jsonl(client_for(golden.alice).get(url(golden.project, offset_unit="utf16")))
    assert manifest["offset_unit"] == "utf16"
    span = next(s for s in records[0]["spans"] if s["quote"] == "inflation fell to 3%")
    assert span["start"] == records[0]["text"].index("inflation") + 6  # astral before it: 📰, 🇦🇿 (two), 👩, 🏽, 🔬


def test_manifest_endpoint_gives_the_digest_the_export_ends_with(golden):
    alice = client_for(golden.alice)
    manifest = alice.get(f"/api/v1/projects/{golden.project.pk}/export/manifest/?format=csv").json()
    _, _, end = jsonl(alice.get(url(golden.project)))
    assert manifest["format"] == "csv"
    assert manifest["content_sha256"] == end["content_sha256"]
    assert (manifest["documents"], manifest["spans"]) == (3, 6)


def test_conll_comment_lines_only_when_asked_for(golden):
    alice = client_for(golden.alice)
    plain = body(alice.get(url(golden.project, format="conll")))
    commented = body(alice.get(url(golden.project, format="conll", comments="1")))
    assert "#" not in {line[:1] for line in plain.splitlines()}
    assert commented.startswith("# annotate conll export") and '# annotator = "carol"' in commented
    assert [line for line in commented.splitlines() if not line.startswith("#")] == plain.splitlines()


def test_every_format_streams_through_the_api(golden):
    alice = client_for(golden.alice)
    for format, media in [("w3c", "application/ld+json"), ("conll", "text/plain"), ("csv", "text/csv")]:
        response = alice.get(url(golden.project, format=format))
        assert response["Content-Type"].startswith(media)
        assert "🇦🇿" in body(response)
    response = alice.get(url(golden.project, format="spacy"))
    assert response["Content-Type"] == "application/octet-stream"
    assert f'filename="project-{golden.project.pk}-individual.spacy"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert "🇦🇿" in docbin_docs(data)[0].text


def test_spacy_manifest_counts_spans_that_do_not_align(golden):
    manifest = client_for(golden.alice).get(f"/api/v1/projects/{golden.project.pk}/export/manifest/?format=spacy").json()
    assert manifest["format_version"] == 2 and manifest["spans_not_aligned"] == 0


def _export_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url(project)))
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_documents(golden):
    client = client_for(golden.alice)
    small = _export_queries(client, golden.project)
    for n in range(40):
        document = DocumentFactory(project=golden.project, text=f"Document {n} says the 📰 ministry lied.", outlet="")
        add_span(document, golden.carol, Role.ANNOTATOR, "ministry lied", "disputed", dispute_basis="fact_check")
        add_span(document, golden.bob, Role.REVIEWER, "Document", "assertion")
    assert _export_queries(client, golden.project) == small
    assert small <= 14


def test_export_streams_from_server_side_chunks(golden, monkeypatch):
    """Chunks far smaller than the project still give the whole, identical export."""
    from annotate.datasets import selectors as dataset_selectors

    client = client_for(golden.alice)
    whole = body(client.get(url(golden.project)))
    monkeypatch.setattr(dataset_selectors, "DOCUMENT_CHUNK", 1)
    monkeypatch.setattr(dataset_selectors, "SPAN_CHUNK", 1)
    assert body(client.get(url(golden.project))) == whole


def test_management_command_writes_the_export_and_its_manifest(golden, tmp_path, capsysbinary):
    out, manifest_file = tmp_path / "export.conll", tmp_path / "manifest.json"
    call_command("export_project", golden.project.pk, "--format", "conll", "--output", str(out), "--manifest", str(manifest_file))
    assert out.read_text(encoding="utf-8").startswith("-DOCSTART- -X- O O\n")  # plain IOB2 by default
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert manifest["format"] == "conll" and len(manifest["content_sha256"]) == 64
    call_command("export_project", golden.project.pk, "--layer", "gold", "--annotator", "bob")
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert len(lines) == 3  # one line per document, nothing else
    assert [s["quote"] for line in lines for s in json.loads(line)["spans"]] == ["the mayor's office denied it"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="REPEATABLE READ snapshot is PostgreSQL's")
def test_export_reads_one_snapshot_while_people_keep_annotating(transactional_db):
    """Spans written (by another connection) while an export streams are not in it, and its end
    counts match its manifest."""
    import threading

    from django.db import connections

    from annotate.datasets import selectors as dataset_selectors
    from annotate.datasets.selectors import ExportFilters, export_stream
    from annotate.permissions import access_for
    from annotate.datasets.records import as_bytes

    golden = golden_project()
    manager = access_for(golden.alice, golden.project.pk)
    head: dict = {}
    chunks = export_stream(
        access=manager, project_id=golden.project.pk, format="jsonl", filters=ExportFilters(), manifest_head=head
    )
    first = as_bytes(next(chunks)).decode("utf-8")  # the snapshot is taken and `head` filled
    assert head["spans"] == 6

    def annotate_meanwhile():
        try:
            add_span(golden.documents[2], golden.carol, Role.ANNOTATOR, "labelled", "assertion")
            add_span(golden.documents[1], golden.carol, Role.ANNOTATOR, "Cámara", "assertion")
        finally:
            connections.close_all()

    try:
        writer = threading.Thread(target=annotate_meanwhile)
        writer.start()
        writer.join()
        # this connection is still inside the export's snapshot: it does not see them either
        assert Span.objects.filter(document__project=golden.project).count() == 7
        rest = b"".join(as_bytes(chunk) for chunk in chunks).decode("utf-8")
    finally:
        chunks.close()
    assert dataset_selectors.connection.in_atomic_block is False  # the snapshot's transaction ended
    assert Span.objects.filter(document__project=golden.project).count() == 9  # they were committed
    records = [json.loads(line) for line in (first + rest).splitlines()]
    assert [len(r["spans"]) for r in records] == [5, 1, 0]


def test_manifest_written_beside_a_csv_export_describes_that_export(golden, tmp_path):
    out, manifest_file = tmp_path / "labels.csv", tmp_path / "manifest.json"
    call_command("export_project", golden.project.pk, "--format", "csv", "--output", str(out), "--manifest", str(manifest_file))
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    _, _, end = jsonl(client_for(golden.alice).get(url(golden.project)))
    assert manifest["content_sha256"] == end["content_sha256"]
    assert manifest["spans"] == len(out.read_text(encoding="utf-8").splitlines()) - 1 == 6


def _members(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_package_export_holds_data_manifest_agreement_guidelines_and_card(golden):
    golden.project.guidelines = "# Label claims\nMark every assertion."
    golden.project.save(update_fields=["guidelines"])
    response = client_for(golden.alice).get(url(golden.project, format="package", formats="conll,spacy", split="60,20,20", seed=5))
    assert response["Content-Type"] == "application/zip" and response["X-Dataset-Format"] == "package"
    assert f'filename="project-{golden.project.pk}-individual.zip"' in response["Content-Disposition"]
    files = _members(b"".join(response.streaming_content))
    assert {"README.md", "manifest.json", "agreement.json", "guidelines.md"} <= set(files)
    assert {name.split("/")[0] for name in files if "/" in name} == {"data", "conll", "spacy"}
    assert files["guidelines.md"].decode() == "# Label claims\nMark every assertion."
    manifest = json.loads(files["manifest.json"])
    assert manifest["split"]["seed"] == 5 and sum(manifest["split"]["documents"].values()) == 3
    assert "documents" in json.loads(files["agreement.json"]) or "overall" in json.loads(files["agreement.json"])
    records = [json.loads(line) for name in files if name.startswith("data/") for line in files[name].splitlines()]
    assert sorted(r["external_id"] for r in records) == ["", "golden-1", "golden-2"]


def test_an_annotators_package_holds_only_their_spans(golden):
    files = _members(b"".join(client_for(golden.carol).get(url(golden.project, format="package")).streaming_content))
    records = [json.loads(line) for line in files["data/train.jsonl"].splitlines()]
    assert {s["annotator"] for r in records for s in r["spans"]} == {"carol"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"formats": "xml"}, "formats"),
        ({"formats": "package"}, "formats"),
        ({"split": "80,10"}, "split"),
        ({"split": "80,10,20"}, "split"),
        ({"split": "a,b,c"}, "split"),
        ({"license": "Not A Licence!"}, "license"),
        ({"offset_unit": "utf16"}, "offset_unit"),
    ],
)
def test_bad_package_parameters_are_400(golden, params, field):
    response = client_for(golden.alice).get(url(golden.project, format="package", **params))
    assert response.status_code == 400 and field in response.json()


def test_conll_through_the_api_is_the_golden_file(golden):
    """The API reads for conll only the fields it writes (export_partial_records): same bytes."""
    from tests.test_exports import GOLDEN

    assert body(client_for(golden.alice).get(url(golden.project, format="conll"))) == (GOLDEN / "golden.conll").read_bytes().decode()


def test_partial_records_hold_the_records_documents_and_spans(golden):
    from annotate.datasets.selectors import ExportFilters, export_partial_records, export_records, export_snapshot

    fields = ("start", "end", "label", "annotator")
    for filters in (
        ExportFilters(),
        ExportFilters(layer=Layer.GOLD),
        ExportFilters(annotators=("carol",), labels=("assertion",)),
        ExportFilters(published_after=dt.date(2999, 1, 1)),
    ):
        with export_snapshot():
            whole = list(export_records(project_id=golden.project.pk, filters=filters))
            partial = list(export_partial_records(project_id=golden.project.pk, filters=filters, document_fields=("text",), span_fields=fields))
        assert [set(record) for record in partial] == [{"text", "spans"}] * len(whole)
        assert [record["text"] for record in partial] == [record["text"] for record in whole]
        assert [sorted(tuple(span.values()) for span in record["spans"]) for record in partial] == [
            sorted(tuple(span[name] for name in fields) for span in record["spans"]) for record in whole
        ]
