"""An export reads its own project's spans and links from the span table, not every project's:
the span query probes the index that leads with the document (annotate.datasets.selectors
_in_documents), where `document_id IN (subquery)` was planned as a hash join over a whole scan
of the span table. Read off PostgreSQL's own plan, run with ANALYZE: the rows each scan of the
span table returned."""
import json

import pytest
from django.db import connection

from annotate.datasets.selectors import ExportFilters, export_links, export_spans
from annotate.models import Document, Span, SpanLink
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")

TEXT = "The ministry said that prices rose. " * 3


def _project_with_spans(annotator, documents: int, spans_each: int):
    project = ProjectFactory()
    Document.objects.bulk_create(
        Document(project=project, external_id=f"d{n}", title=f"d{n}", text=TEXT, length=len(TEXT)) for n in range(documents)
    )
    ids = Document.objects.filter(project=project).values_list("id", flat=True)
    Span.objects.bulk_create(
        Span(document_id=document_id, annotator=annotator, label="assertion", start=k, end=k + 4, quote=TEXT[k:k + 4])
        for document_id in ids for k in range(spans_each)
    )
    return project


def _span_table_rows_read(queryset) -> int:
    """The most rows any one node reading annotate_span returned, over all its loops."""
    plan = json.loads(queryset.explain(format="json", analyze=True))

    def walk(node):
        if node.get("Relation Name") == "annotate_span":
            yield node["Actual Rows"] * node["Actual Loops"]
        for child in node.get("Plans", ()):
            yield from walk(child)

    return max(walk(plan[0]["Plan"]))


@pytest.fixture
def two_projects(db):
    annotator = UserFactory()
    ours = _project_with_spans(annotator, documents=100, spans_each=10)
    _project_with_spans(annotator, documents=300, spans_each=10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotate_document")
        cursor.execute("ANALYZE annotate_span")
    return ours


def test_the_span_query_reads_only_the_projects_spans(two_projects):
    spans = export_spans(project_id=two_projects.pk, filters=ExportFilters()).order_by("document_id")
    assert spans.count() == 1000
    assert _span_table_rows_read(spans.values_list("id", "document_id", "quote")) == 1000


def test_the_link_query_reads_only_the_projects_attributions(two_projects):
    attributions = Span.objects.filter(document__project=two_projects).order_by("id")[:20]
    spans = list(attributions)
    Span.objects.filter(pk__in=[s.pk for s in spans[::2]]).update(label="attribution")
    SpanLink.objects.bulk_create(SpanLink(attribution=a, target=b) for a, b in zip(spans[::2], spans[1::2]))
    links = export_links(project_id=two_projects.pk, filters=ExportFilters())
    assert links.count() == 10
    assert _span_table_rows_read(links.values_list("attribution_id", "target_id")) <= 1000
