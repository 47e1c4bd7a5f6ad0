"""Every span field an export writes is the stored value, exactly: the export reads the four
fields nearly every span leaves empty (note, source, dispute_basis, evidence_links) as one JSON
value, NULL when all are empty (annotate.datasets.selectors._Extras), and the layer from the
filter. Checked on strings that JSON writers escape differently: every code point below U+0080,
the line and paragraph separators, astral code points, quotes and backslashes."""
import pytest

from annotate.datasets.selectors import ExportFilters, export_records, export_snapshot
from annotate.models import Label, Layer, Role, Span
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory

EVERY_LOW_CODE_POINT = "".join(map(chr, range(1, 0x80)))
ODD = 'q"uo\\te\u2028\u2029\u00e9\U0001f4f0\x7f\x1f/</script>'


@pytest.fixture
def project(db):
    project = ProjectFactory()
    annotator = UserFactory(username="zoë")
    MembershipFactory(project=project, user=annotator, role=Role.REVIEWER)
    text = f"The ministry said {ODD} that prices rose."
    document = DocumentFactory(project=project, text=text)
    SpanFactory(document=document, annotator=annotator, label=Label.ATTRIBUTION, start=0, end=17,
                note=EVERY_LOW_CODE_POINT, source=ODD)  # fmt: skip
    SpanFactory(document=document, annotator=annotator, label=Label.ASSERTION, start=18, end=18 + len(ODD))
    SpanFactory(document=document, annotator=annotator, label=Label.DISPUTED, start=4, end=12, dispute_basis="fact_check",
                evidence_links=['https://e.example/?a="b"&c=\\', "https://f.example/ü"])  # fmt: skip
    SpanFactory(document=document, annotator=annotator, label=Label.DISPUTED, start=4, end=12, layer=Layer.GOLD, note=ODD)
    return project


def _stored(layer: str) -> list[dict]:
    spans = Span.objects.filter(layer=layer).order_by("start", "end", "label")
    return [
        {"start": s.start, "end": s.end, "label": s.label, "quote": s.quote, "annotator": s.annotator.username,
         "layer": s.layer, "note": s.note, "source": s.source, "dispute_basis": s.dispute_basis,
         "evidence_links": s.evidence_links, "links": []}
        for s in spans
    ]  # fmt: skip


@pytest.mark.parametrize("layer", [Layer.INDIVIDUAL, Layer.GOLD])
def test_the_exported_spans_hold_the_stored_values(project, layer):
    with export_snapshot():
        (record,) = export_records(project_id=project.pk, filters=ExportFilters(layer=layer))
    assert record["spans"] == _stored(layer)
    assert len(record["spans"]) == (3 if layer == Layer.INDIVIDUAL else 1)


def test_an_empty_span_gets_lists_of_its_own(project):
    with export_snapshot():
        (record,) = export_records(project_id=project.pk, filters=ExportFilters())
    plain = [span for span in record["spans"] if not span["evidence_links"]]
    assert len(plain) == 2
    assert plain[0]["evidence_links"] is not plain[1]["evidence_links"]
