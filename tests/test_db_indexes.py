"""The tables written most (spans, documents, their history and links) keep no index that another
index already serves: each one costs every span an import or a save writes (migration 0010)."""
import pytest
from django.db import connection

from annotate.models import Assignment, Document, Membership, Span, SpanChange, SpanLink

# (model, column): lookups by the column are served by an index that leads with it
LED_BY_A_COMPOSITE = [
    (Span, "document_id"),
    (Document, "project_id"),
    (SpanChange, "project_id"),
    (SpanLink, "attribution_id"),
    (Assignment, "document_id"),
    (Membership, "project_id"),
]


def _indexes(model) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


@pytest.mark.django_db
@pytest.mark.parametrize("model,column", LED_BY_A_COMPOSITE, ids=lambda v: getattr(v, "__name__", v))
def test_no_index_of_its_own_where_a_composite_leads_with_the_column(model, column):
    indexes = _indexes(model)
    alone = [name for name, c in indexes.items() if c["index"] and not c["primary_key"] and c["columns"] == [column]]
    assert alone == []
    leading = [name for name, c in indexes.items() if (c["index"] or c["unique"]) and len(c["columns"]) > 1
               and c["columns"][0] == column]  # fmt: skip
    assert leading, f"no index of {model._meta.db_table} leads with {column}"


@pytest.mark.django_db
def test_the_spans_other_indexes_are_kept():
    columns = [c["columns"] for c in _indexes(Span).values() if c["index"] or c["unique"]]
    assert ["annotator_id"] in columns  # a member's spans across documents, and PROTECT on deleting a user
    assert ["document_id", "layer", "annotator_id", "start", "end", "label"] in columns
