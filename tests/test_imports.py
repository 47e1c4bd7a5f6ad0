"""POST /api/v1/projects/{id}/import/ and the import service: formats, round trip, all or nothing,
duplicates, limits and hostile archives."""
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.models import Document, Membership, Role, Span, SpanEvent, SpanLink
from tests.conftest import client_for
from tests.dataset_builders import golden_project
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory


@pytest.fixture(autouse=True)
def _imports_run_in_the_request(settings):
    """These tests check the import's rules, which hold the same in a worker; the queued path
    (202, the job) is tested in tests/jobs/."""
    settings.JOBS_INLINE_IMPORT_MAX_BYTES = 512 * 1024 * 1024


def post(client, project, content: bytes, name: str, **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(f"/api/v1/projects/{project.pk}/import/", {"file": upload, **fields}, format="multipart")


def export_jsonl(client, project) -> str:
    response = client.get(f"/api/v1/projects/{project.pk}/export/?format=jsonl")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def state(project) -> tuple:
    """Everything an import could change in a project."""
    return (
        list(Document.objects.filter(project=project).values_list("pk", "text_sha256")),
        list(Span.objects.filter(document__project=project).values_list("pk", "quote")),
        SpanLink.objects.filter(attribution__document__project=project).count(),
        SpanEvent.objects.filter(project=project).count(),
    )


@pytest.fixture
def golden(db):
    return golden_project()


@pytest.fixture
def target(golden):
    """An empty project with the same people, for round trips."""
    project = ProjectFactory(name="Copy")
    for user, role in ((golden.alice, Role.MANAGER), (golden.bob, Role.REVIEWER), (golden.carol, Role.ANNOTATOR)):
        MembershipFactory(project=project, user=user, role=role)
    return project


def test_round_trip_export_import_export_gives_identical_documents_and_spans(golden, target):
    alice = client_for(golden.alice)
    first = export_jsonl(alice, golden.project)
    response = post(alice, target, first.encode(), "golden.jsonl")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "succeeded" and response["Location"] == response.json()["url"]
    assert response.json()["result"] == {"documents": 3, "spans": 6, "skipped": 0, "duplicates": []}
    second = export_jsonl(alice, target)
    # Compared: every document line (provenance, text, spans with offsets, labels, quotes,
    # annotators, layers, notes, sources, dispute bases, evidence links, links) byte for byte;
    # the file holds nothing else (jsonl format_version 2), so the whole file is the same.
    assert first == second
    link = SpanLink.objects.get(attribution__document__project=target)
    assert (link.attribution.quote, link.target.quote) == ("The ministry said", "inflation fell to 3%")
    assert SpanEvent.objects.filter(project=target, action="create").count() == 6


def test_gold_layer_round_trips_too(golden, target):
    alice = client_for(golden.alice)
    response = alice.get(f"/api/v1/projects/{golden.project.pk}/export/?layer=gold")
    first = b"".join(response.streaming_content).decode()
    assert post(alice, target, first.encode(), "gold.jsonl").status_code == 201
    second = b"".join(alice.get(f"/api/v1/projects/{target.pk}/export/?layer=gold").streaming_content).decode()
    assert first == second


def test_utf16_export_imports_back_to_the_same_code_points(golden, target):
    alice = client_for(golden.alice)
    utf16 = b"".join(alice.get(f"/api/v1/projects/{golden.project.pk}/export/?offset_unit=utf16").streaming_content)
    # a jsonl export holds documents only (format_version 2); the import learns the unit from a
    # first manifest line, as format_version 1 files had it
    stated = b'{"manifest":{"offset_unit":"utf16"}}\n' + utf16
    assert post(alice, target, stated, "utf16.jsonl").status_code == 201
    assert export_jsonl(alice, target) == export_jsonl(alice, golden.project)


def _line(text: str, n: int, quote: str | None = None, **extra) -> str:
    span = {"start": 0, "end": 4, "label": "assertion", "annotator": "carol"}
    if quote is not None:
        span["quote"] = quote
    return json.dumps({"title": f"Doc {n}", "external_id": f"bulk-{n}", "text": text, "spans": [span], **extra})


def test_a_failure_on_line_9000_leaves_the_project_unchanged(golden):
    before = state(golden.project)
    lines = [_line(f"Item {n} is fine.", n, quote="Item") for n in range(1, 9001)]
    lines[8999] = _line("Item 9000 has a wrong quote.", 9000, quote="Itam")
    response = post(client_for(golden.alice), golden.project, "\n".join(lines).encode(), "big.jsonl")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == [
        {"file": "big.jsonl", "line": 9000, "field": "spans[0].quote", "message": errors[0]["message"]}
    ]
    assert "Itam" not in errors[0]["message"] and "'Item'" in errors[0]["message"]
    assert state(golden.project) == before


def test_a_span_that_cuts_a_grapheme_cluster_fails_the_import_with_the_line_named(golden):
    before = state(golden.project)
    lines = [_line("Item 🇦🇿 is fine.", 1), _line("Flag🇦🇿 cut in half.", 2)]
    lines[1] = lines[1].replace('"end": 4', '"end": 5')  # 🇦🇿 is two code points: 5 is between them
    response = post(client_for(golden.alice), golden.project, "\n".join(lines).encode(), "flags.jsonl")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "file": "flags.jsonl",
            "line": 2,
            "field": "spans[0].end",
            "message": "end 5 falls inside a grapheme cluster (flag 🇦🇿); nearest boundaries are 4 and 6.",
        }
    ]
    assert state(golden.project) == before


def test_an_import_line_with_the_same_span_twice_is_refused_with_the_line_named(golden):
    before = state(golden.project)
    record = json.loads(_line("Item one is fine.", 1, quote="Item"))
    record["spans"].append(dict(record["spans"][0], note="again"))
    response = post(client_for(golden.alice), golden.project, json.dumps(record).encode(), "twice.jsonl")
    assert response.status_code == 400
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(1, "spans[1]")]
    assert "spans[0]" in response.json()["errors"][0]["message"]
    assert state(golden.project) == before


def test_every_bad_span_of_a_line_is_named_in_span_order_whichever_check_it_fails(golden):
    """The spans are checked in passes (shape and annotator, then validate_spans for all of them,
    then repeats); the errors still come in span order, each span's own in field order."""
    text = "Item one is fine, item two is not."
    spans = [
        {"start": 0, "end": 4, "label": "assertion", "quote": "Itam"},  # validate_span: quote
        {"start": 0, "end": 4, "label": "assertion", "annotator": "mallory"},  # not a member
        {"start": 0, "end": 4, "label": "assertion"},
        {"start": 0, "end": 4, "label": "assertion"},  # repeats spans[2]
        {"start": "5", "end": 8, "label": "assertion"},  # shape
        {"start": 9, "end": 99, "label": "opinion"},  # validate_span: label and end
    ]
    line = json.dumps({"title": "Many", "text": text, "spans": spans})
    response = post(client_for(golden.alice), golden.project, line.encode(), "many.jsonl")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [
        "spans[0].quote", "spans[1].annotator", "spans[3]", "spans[4].start", "spans[5].label", "spans[5].end",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "line, field",
    [
        ('{"title": "No text"}', "text"),
        ('{"text": "No title"}', "title"),
        ('{"title": "t", "text": "x", "published_on": "May"}', "published_on"),
        ('{"title": "t", "text": "x", "source_url": "javascript:alert(1)"}', "source_url"),
        ('{"title": "t", "text": "x", "lable": "oops"}', "lable"),
        ('{"title": "t", "text": "Hello", "text_sha256": "00"}', "text_sha256"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 9, "label": "assertion"}]}', "spans[0].end"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": "0", "end": 2, "label": "assertion"}]}', "spans[0].start"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "opinion"}]}', "spans[0].label"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "assertion", "annotator": "mallory"}]}', "spans[0].annotator"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "assertion", "annotator": "carol", "layer": "gold"}]}', "spans[0].annotator"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "assertion", "links": [0]}]}', "spans[0].links[0]"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "attribution", "links": [5]}]}', "spans[0].links[0]"),
        ('{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "assertion", "source": "x"}]}', "spans[0].source"),
        ("[1, 2]", "line"),
        ("{not json", "line"),
    ],
)
def test_a_bad_record_is_named_by_line_and_field(golden, line, field):
    content = '{"title": "Good", "text": "A good first line."}\n' + line + "\n"
    response = post(client_for(golden.alice), golden.project, content.encode(), "bad.jsonl")
    assert response.status_code == 400, response.json()
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(2, field)]
    assert not Document.objects.filter(project=golden.project, title="Good").exists()


def test_malformed_utf8_and_nul_bytes_are_refused_with_the_line_named(golden):
    alice = client_for(golden.alice)
    good = b'{"title": "t", "text": "fine"}\n'
    response = post(alice, golden.project, good + good + b'{"title": "t", "text": "caf\xe9"}\n', "latin1.jsonl")
    assert response.status_code == 400
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(3, "file")]
    assert "UTF-8" in response.json()["errors"][0]["message"]
    response = post(alice, golden.project, good + b'{"title": "t", "text": "a\x00b"}\n', "nul.jsonl")
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [(2, "file")]
    assert "NUL" in response.json()["errors"][0]["message"]
    response = post(alice, golden.project, b"line one\nline two\xff\n", "doc.txt")
    assert response.status_code == 400 and response.json()["errors"][0]["line"] == 2
    response = post(alice, golden.project, b"text,title\nok,fine\n\"bad\x00\",x\n", "docs.csv")
    assert response.status_code == 400 and response.json()["errors"][0]["line"] == 3


def test_duplicates_are_refused_or_skipped_as_the_caller_chooses(golden):
    alice = client_for(golden.alice)
    golden_1 = golden.documents[0]
    content = "\n".join(
        [
            json.dumps({"title": "Same id", "external_id": "golden-1", "text": "Different text."}),
            json.dumps({"title": "Same text", "text": golden.documents[2].text}),
            json.dumps({"title": "New", "external_id": "new-1", "text": "Something new."}),
            json.dumps({"title": "Repeat in file", "external_id": "new-1", "text": "Something else."}),
        ]
    ).encode()
    before = state(golden.project)
    response = post(alice, golden.project, content, "dups.jsonl")
    assert response.status_code == 409
    assert [(d["line"], d["reason"]) for d in response.json()["duplicates"]] == [
        (1, "external_id"), (2, "text_sha256"), (4, "external_id"),
    ]  # fmt: skip
    assert state(golden.project) == before
    response = post(alice, golden.project, content, "dups.jsonl", on_duplicate="skip")
    assert response.status_code == 201
    assert (response.json()["result"]["documents"], response.json()["result"]["skipped"]) == (1, 3)
    assert Document.objects.get(project=golden.project, external_id="new-1").text == "Something new."
    assert Document.objects.get(pk=golden_1.pk).text == golden_1.text


def test_csv_one_document_a_row_with_named_columns(golden):
    content = (
        "external_id,title,text,outlet,published_on,source_url\r\n"
        'csv-1,First,"Line one\r\nline two, with a comma",Planet,2024-05-01,https://example.org/1\r\n'
        'csv-2,,"Untitled 📰 row",,,\r\n'
    ).encode()
    response = post(client_for(golden.alice), golden.project, content, "docs.csv")
    assert response.status_code == 201, response.json()
    first = Document.objects.get(project=golden.project, external_id="csv-1")
    assert first.text == "Line one\nline two, with a comma"
    assert (first.outlet, str(first.published_on), first.source_url) == ("Planet", "2024-05-01", "https://example.org/1")
    assert Document.objects.get(project=golden.project, external_id="csv-2").title == "Untitled 📰 row"


def test_csv_with_an_unknown_column_is_refused_at_the_header(golden):
    response = post(client_for(golden.alice), golden.project, b"text,headline\nx,y\n", "docs.csv")
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 1 and "headline" in response.json()["errors"][0]["message"]


def test_txt_and_zip_of_mixed_files(golden):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("notes/one.txt", "First plain text.\r\nWith CRLF.")
        zf.writestr("two.jsonl", '{"title": "From jsonl", "text": "Hello there", "spans": [{"start": 0, "end": 5, "label": "assertion", "annotator": "carol"}]}\n')
        zf.writestr("three.csv", "text\nFrom csv\n")
        zf.writestr("__MACOSX/._one.txt", "resource fork")
    response = post(client_for(golden.alice), golden.project, archive.getvalue(), "batch.zip")
    assert response.status_code == 201, response.json()
    assert (response.json()["result"]["documents"], response.json()["result"]["spans"]) == (3, 1)
    one = Document.objects.get(project=golden.project, external_id="notes/one.txt")
    assert (one.title, one.text) == ("one", "First plain text.\nWith CRLF.")
    response = post(client_for(golden.alice), golden.project, "Just text.".encode(), "plain.txt")
    assert response.status_code == 201 and Document.objects.filter(project=golden.project, external_id="plain.txt").exists()


def test_zip_member_names_that_climb_out_are_refused(golden):
    for name in ("../evil.txt", "/etc/passwd.txt", "a/../../b.txt", "dir\\x.txt", "C:/x.txt"):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("fine.txt", "fine")
            zf.writestr(name, "bad")
        response = post(client_for(golden.alice), golden.project, archive.getvalue(), "batch.zip")
        assert response.status_code == 400, name
        assert response.json()["errors"][0]["file"] == name
        assert "Refused member name" in response.json()["errors"][0]["message"]
    assert not Document.objects.filter(project=golden.project, external_id="fine.txt").exists()


def test_zip_bomb_is_413(golden, settings):
    settings.DATASET_IMPORT_MAX_EXPANDED_BYTES = 10 * 1024 * 1024
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", b"a" * (50 * 1024 * 1024))
    assert len(archive.getvalue()) < 100_000
    before = state(golden.project)
    response = post(client_for(golden.alice), golden.project, archive.getvalue(), "bomb.zip")
    assert response.status_code == 413 and "expands" in response.json()["detail"]
    assert state(golden.project) == before


def test_zip_whose_declared_sizes_lie_is_refused(golden, settings):
    """Headers that declare a tiny member do not get a big one past the expanded-size limit."""
    settings.DATASET_IMPORT_MAX_EXPANDED_BYTES = 1000
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", "x" * 50_000)
    data = bytearray(archive.getvalue())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = (10).to_bytes(4, "little")  # uncompressed size: 10 bytes
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    before = state(golden.project)
    response = post(client_for(golden.alice), golden.project, bytes(data), "liar.zip")
    assert response.status_code in (400, 413)
    assert state(golden.project) == before
    assert response.json().get("errors", [{}])[0].get("file", "big.txt") == "big.txt"


def test_expanded_size_is_counted_across_members(golden, settings):
    settings.DATASET_IMPORT_MAX_EXPANDED_BYTES = 1000
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(5):
            zf.writestr(f"{n}.txt", f"document {n} " + "x" * 400)
    assert post(client_for(golden.alice), golden.project, archive.getvalue(), "many.zip").status_code == 413


def test_too_many_members_is_413(golden, settings):
    settings.DATASET_IMPORT_MAX_MEMBERS = 3
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(4):
            zf.writestr(f"{n}.txt", f"doc {n}")
    assert post(client_for(golden.alice), golden.project, archive.getvalue(), "many.zip").status_code == 413


def test_over_size_upload_is_413(golden, settings):
    settings.DATASET_IMPORT_MAX_BYTES = 1000
    response = post(client_for(golden.alice), golden.project, b"x" * 2000, "big.txt")
    assert response.status_code == 413 and "at most 1000" in response.json()["detail"]
    settings.MAX_REQUEST_BYTES = 1500
    assert post(client_for(golden.alice), golden.project, b"x" * 2000, "big.txt").status_code == 413


def test_not_a_zip_and_unknown_members_are_400(golden):
    alice = client_for(golden.alice)
    assert post(alice, golden.project, b"not a zip", "x.zip").status_code == 400
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("image.png", b"\x89PNG")
    response = post(alice, golden.project, archive.getvalue(), "x.zip")
    assert response.status_code == 400 and response.json()["errors"][0]["file"] == "image.png"
    assert post(alice, golden.project, b"x", "data.bin").status_code == 400


def test_only_managers_import_and_non_members_get_404(golden):
    assert post(client_for(golden.bob), golden.project, b"text", "a.txt").status_code == 403
    assert post(client_for(golden.carol), golden.project, b"text", "a.txt").status_code == 403
    outsider_project = ProjectFactory()
    assert post(client_for(golden.alice), outsider_project, b"text", "a.txt").status_code == 404
    assert not Membership.objects.filter(project=outsider_project).exists()


def test_import_into_sqlite_or_postgres_creates_documents_with_hashes(golden):
    response = post(client_for(golden.alice), golden.project, "Caf\u0065\u0301 📰\r\n".encode(), "cafe.txt")
    assert response.status_code == 201
    document = Document.objects.get(project=golden.project, external_id="cafe.txt")
    assert document.text == "Café 📰\n" and document.length == 7
    assert DocumentFactory._meta.model.objects.filter(text_sha256=document.text_sha256, project=golden.project).count() == 1


def test_a_write_that_fails_in_the_writer_thread_rolls_the_whole_import_back(golden, monkeypatch):
    """Batches are written by a thread of their own while the next is read: an error of the
    second batch's write is the import's answer, and the first batch is not kept either."""
    from django.db import IntegrityError

    from annotate.datasets import import_writes, services

    monkeypatch.setattr(services, "BATCH_DOCUMENTS", 2)
    written = []
    real_insert = import_writes._insert

    def insert(batch, *, history):
        written.append(len(batch.documents))
        if len(written) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_insert(batch, history=history)

    monkeypatch.setattr(import_writes, "_insert", insert)
    before = state(golden.project)
    lines = [_line(f"Item {n} is fine.", n, quote="Item") for n in range(1, 7)]
    response = post(client_for(golden.alice), golden.project, "\n".join(lines).encode(), "six.jsonl")
    assert response.status_code == 409, response.json()
    assert "nothing was imported" in response.json()["detail"]
    assert written[:2] == [2, 2]
    assert state(golden.project) == before


def test_an_imported_document_has_the_columns_document_build_gives_it(golden):
    """The import writes document_values without a Document instance; every column, defaults
    included, is what the one-document path (document_build) stores."""
    from annotate.services.documents import document_build

    lines = [
        {"title": "Plain", "text": "Plain text.", "external_id": "p"},
        {"title": "Normalised", "text": "Caf\u0065\u0301\r\nend", "outlet": "Planet", "published_on": "2024-05-01"},
    ]
    content = "\n".join(json.dumps(line) for line in lines).encode()
    assert post(client_for(golden.alice), golden.project, content, "two.jsonl").status_code == 201
    skip = {"id", "created_at", "updated_at"}
    for line in lines:
        stored = Document.objects.get(project=golden.project, title=line["title"])
        fields = dict(line, published_on=stored.published_on) if "published_on" in line else line
        built = document_build(project=golden.project, actor=golden.alice, fields=fields)
        for field in Document._meta.concrete_fields:
            if field.attname not in skip:
                assert getattr(stored, field.attname) == getattr(built, field.attname), field.attname
    normalised = Document.objects.get(project=golden.project, title="Normalised")
    assert normalised.received_sha256 != normalised.text_sha256  # the hash of the text as received
