"""CSV formula injection: the spreadsheet csv (export and release downloads) puts a single quote
before a cell that starts with =, +, -, @, tab or CR (OWASP); csv_safety=raw keeps cells exact;
the manifest says which one a file is."""
import csv
import io

import pytest
from django.core.management import call_command

from annotate.datasets.exports.csv import spreadsheet_safe
from annotate.models import Assignment, AssignmentStatus
from tests.factories import DocumentFactory
from tests.workflow.conftest import label

TEXT = "=SUM(A1) +1 -3% @cmd plain"
HOSTILE = ["=SUM(A1)", "+1", "-3%", "@cmd"]


@pytest.fixture
def hostile(team):
    document = DocumentFactory(project=team.project, title="=HYPERLINK(\"http://evil\")", text=TEXT, external_id="-x")
    for quote in HOSTILE:
        start = TEXT.index(quote)
        label(team.carol, document, start, start + len(quote), note="\tnote" if quote == "+1" else "")
    start = TEXT.index("plain")
    label(team.carol, document, start, start + 5, note="\rcarriage")
    return document


def rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def export(team, **params) -> bytes:
    response = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/export/", {"format": "csv", **params})
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-3%", "'-3%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain = text", "plain = text"),
        ("", ""),
        (3, 3),
    ],
)
def test_the_owasp_rule(cell, shown):
    assert spreadsheet_safe(cell) == shown


def test_the_csv_export_defuses_formula_cells_by_default(team, hostile):
    exported = [row for row in rows(export(team)) if row["document_external_id"] == "'-x"]
    assert sorted(row["quote"] for row in exported) == sorted(["'" + q for q in HOSTILE] + ["plain"])
    assert {row["document_title"] for row in exported} == {"'=HYPERLINK(\"http://evil\")"}
    assert {row["note"] for row in exported} == {"", "'\tnote", "'\rcarriage"}
    assert all(row["start"].isdigit() for row in exported)


def test_raw_gives_the_cells_exactly(team, hostile):
    exported = [row for row in rows(export(team, csv_safety="raw")) if row["document_external_id"] == "-x"]
    assert sorted(row["quote"] for row in exported) == sorted([*HOSTILE, "plain"])
    assert {row["note"] for row in exported} == {"", "\tnote", "\rcarriage"}


def test_the_manifest_says_which_csv_it_describes(team, hostile):
    url = f"/api/v1/projects/{team.project.pk}/export/manifest/"
    alice = team.clients["alice"]
    assert alice.get(url, {"format": "csv"}).json()["csv_safety"] == "spreadsheet"
    assert alice.get(url, {"format": "csv", "csv_safety": "raw"}).json()["csv_safety"] == "raw"
    assert "csv_safety" not in alice.get(url, {"format": "jsonl"}).json()
    assert alice.get(url, {"format": "csv", "csv_safety": "unsafe"}).status_code == 400


def test_the_export_command_writes_the_same_choice(team, hostile, tmp_path):
    out, manifest = tmp_path / "labels.csv", tmp_path / "manifest.json"
    call_command("export_project", team.project.pk, "--format", "csv", "--output", str(out), "--manifest", str(manifest))
    assert any(row["quote"] == "'=SUM(A1)" for row in rows(out.read_bytes()))
    assert '"csv_safety": "spreadsheet"' in manifest.read_text()
    call_command("export_project", team.project.pk, "--format", "csv", "--csv-safety", "raw", "--output", str(out))
    assert any(row["quote"] == "=SUM(A1)" for row in rows(out.read_bytes()))


def test_release_csv_downloads_follow_the_same_rule(team, hostile):
    Assignment.objects.create(document=hostile, user=team.carol, status=AssignmentStatus.DONE)
    accepted = team.clients["bob"].post(f"/api/v1/documents/{hostile.pk}/gold/accept-agreed/")
    assert accepted.status_code == 200, accepted.content
    alice = team.clients["alice"]
    number = alice.post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1", "include_individual": True}, format="json"
    ).json()["number"]
    url = f"/api/v1/projects/{team.project.pk}/releases/{number}/download/csv/"
    safe = rows(alice.get(url, {"layer": "individual"}).content)
    raw = rows(alice.get(url, {"layer": "individual", "csv_safety": "raw"}).content)
    assert "'=SUM(A1)" in {row["quote"] for row in safe} and "=SUM(A1)" not in {row["quote"] for row in safe}
    assert "=SUM(A1)" in {row["quote"] for row in raw}
    assert alice.get(url, {"csv_safety": "nope"}).status_code in (400, 404)
