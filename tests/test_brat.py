"""brat standoff: the export (annotate/datasets/exports/brat.py) and the import
(annotate/datasets/imports/brat.py), round trip and a corpus written by hand."""
import io
import zipfile

import pytest

from annotate.datasets.exports.brat import encode_value, escape_note, fragments
from annotate.datasets.registry import export_format
from annotate.models import Role
from tests.conftest import client_for
from tests.dataset_builders import add_span, golden_project
from tests.factories import DocumentFactory


def export_zip(client, project, **params) -> bytes:
    response = client.get(f"/api/v1/projects/{project.pk}/export/", {"format": "brat", **params})
    assert response.status_code == 200, getattr(response, "data", response)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.brat.zip"')
    return b"".join(response.streaming_content)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def golden(db):
    return golden_project()


def test_export_is_a_zip_of_txt_and_ann_per_document_and_annotator(golden):
    files = members(export_zip(client_for(golden.alice), golden.project))
    assert sorted(files) == [
        "annotation.conf", "doc-6c0283bf54bf.ann", "doc-6c0283bf54bf.txt", "golden-1.txt", "golden-1_bob.ann",
        "golden-1_carol.ann", "golden-2.txt", "golden-2_carol.ann", "manifest.json",
    ]  # fmt: skip
    # the .txt is the stored text byte for byte (CRLF stored as LF, NFC), as brat's offsets need
    for document in golden.documents:
        name = document.external_id or f"doc-{document.text_sha256[:12]}"
        assert files[f"{name}.txt"] == document.text.encode("utf-8")
    carol = files["golden-1_carol.ann"].decode("utf-8").splitlines()
    text = golden.documents[0].text
    for line in carol:
        if line.startswith("T"):
            _, middle, quote = line.split("\t")
            label, start, end = middle.split(" ")
            assert text[int(start) : int(end)] == quote  # code points of the .txt
    assert "R1\tAttribution Arg1:T3 Arg2:T4" in carol
    assert "A3\tSource T3 the%20ministry" in carol


def test_a_span_across_lines_is_written_as_fragments_and_notes_are_escaped(golden):
    document = DocumentFactory(project=golden.project, title="Lines", text="First line\nsecond line\n\nthird", external_id="lines")
    add_span(document, golden.carol, Role.ANNOTATOR, "line\nsecond line\n\nthird", "assertion", note="a\\b\nc\td")
    ann = members(export_zip(client_for(golden.alice), golden.project))["lines_carol.ann"].decode("utf-8")
    assert ann == "T1\tassertion 6 10;11 22;24 29\tline second line third\n#1\tAnnotatorNotes T1\ta\\\\b\\nc\\td\n"


def test_helpers():
    assert fragments("ab\ncd", 0, 5) == [(0, 2), (3, 5)]
    assert fragments("ab\n\ncd", 1, 6) == [(1, 2), (4, 6)]
    assert encode_value("a b|c,d:e=f%g\u00a0é") == "a%20b%7Cc%2Cd%3Ae%3Df%25g%C2%A0é"
    assert escape_note("x\r\ny") == "x\\r\\ny"


def test_same_records_give_the_same_bytes(golden):
    alice = client_for(golden.alice)
    assert export_zip(alice, golden.project) == export_zip(alice, golden.project)
    assert export_format("brat").offset_units == ("codepoint",)


def test_utf16_offsets_are_refused_for_brat(golden):
    response = client_for(golden.alice).get(f"/api/v1/projects/{golden.project.pk}/export/", {"format": "brat", "offset_unit": "utf16"})
    assert response.status_code == 400
