"""Offsets in an import refer to the text as given in the file; the stored text is normalised
(CRLF -> LF, NFC), so the import maps them through the normalisation (annotate.offsets)."""
import json

import pytest

from annotate.models import Layer, Role, Span
from tests.conftest import client_for
from tests.dataset_builders import golden_project
from tests.factories import MembershipFactory, ProjectFactory
from tests.test_imports import post

RECEIVED = "Cafe\u0301 owner said\r\nprices rose."


@pytest.fixture
def golden(db):
    return golden_project()


def _line(spans, text=RECEIVED, **extra) -> bytes:
    return (json.dumps({"title": "Not NFC", "text": text, "spans": spans, **extra}) + "\n").encode()


def _at(piece: str, label="assertion", **extra) -> dict:
    start = RECEIVED.index(piece)
    return {"start": start, "end": start + len(piece), "label": label, "quote": piece, **extra}


def test_offsets_of_a_non_nfc_crlf_text_are_mapped_to_the_stored_text(golden):
    spans = [_at("Cafe\u0301 owner"), _at("prices rose."), _at("said\r\nprices", label="disputed")]
    response = post(client_for(golden.alice), golden.project, _line(spans), "not-nfc.jsonl")
    assert response.status_code == 201, response.json()
    stored = {span.quote: (span.start, span.end) for span in Span.objects.filter(document__project=golden.project, document__title="Not NFC")}
    assert stored == {"Café owner": (0, 10), "prices rose.": (16, 28), "said\nprices": (11, 22)}


def test_utf16_offsets_count_the_text_as_given_too(golden):
    text = "😀 Cafe\u0301\r\nsaid so."
    start = 2 + len(" Cafe\u0301\r\n")  # "said": 😀 is two UTF-16 units
    line = json.dumps({"manifest": {"offset_unit": "utf16"}}) + "\n" + _line([{"start": start, "end": start + 4, "label": "assertion"}], text=text).decode()
    response = post(client_for(golden.alice), golden.project, line.encode(), "utf16.jsonl")
    assert response.status_code == 201, response.json()
    span = Span.objects.get(document__project=golden.project, quote="said")
    assert (span.start, span.end) == (7, 11)


@pytest.mark.parametrize(
    "start,end,field,inside",
    [(4, 10, "start", "e\u0301"), (0, 4, "end", "e\u0301"), (17, 22, "start", "\r\n")],
)
def test_a_boundary_inside_a_changed_sequence_is_refused_with_line_and_field(golden, start, end, field, inside):
    good = _at("prices rose.")
    line = b'{"title": "first", "text": "First."}\n' + _line([good, {"start": start, "end": end, "label": "assertion"}])
    response = post(client_for(golden.alice), golden.project, line, "bad.jsonl")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("bad.jsonl", 2, f"spans[1].{field}")
    assert repr(inside) in error["message"]


def test_a_utf16_export_imports_back_with_the_offset_unit_field(golden):
    """A jsonl export holds nothing but documents (format_version 2), so the offset unit of a
    utf16 export is said with the upload's offset_unit field, as it was asked for at export."""
    exported = client_for(golden.alice).get(f"/api/v1/projects/{golden.project.pk}/export/?format=jsonl&offset_unit=utf16")
    assert exported.status_code == 200 and exported["X-Dataset-Offset-Unit"] == "utf16"
    body = b"".join(exported.streaming_content)
    target = ProjectFactory(name="Copy")
    for user, role in ((golden.alice, Role.MANAGER), (golden.bob, Role.REVIEWER), (golden.carol, Role.ANNOTATOR)):
        MembershipFactory(project=target, user=user, role=role)
    as_codepoints = post(client_for(golden.alice), target, body, "labels.jsonl")
    assert as_codepoints.status_code == 400  # the golden texts hold astral characters: the quotes do not match
    imported = post(client_for(golden.alice), target, body, "labels.jsonl", offset_unit="utf16")
    assert imported.status_code == 201, imported.json()
    spans = lambda project: sorted(Span.objects.filter(document__project=project, layer=Layer.INDIVIDUAL).values_list("quote", "start", "end", "label", "annotator__username"))  # noqa: E731
    assert spans(target) == spans(golden.project) and len(spans(target)) > 3


def test_the_offset_unit_field_is_checked(golden):
    response = post(client_for(golden.alice), golden.project, _line([]), "a.jsonl", offset_unit="bytes")
    assert response.status_code == 400 and "offset_unit" in response.json()
