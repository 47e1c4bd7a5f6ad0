"""The span save's shortcuts give what Django and DRF would: the one statement's column values
are Model.save's (annotate.services.spans._insert_parts)."""
import datetime as dt

import pytest
from django.db import connection
from django.db.models.sql import InsertQuery

from annotate.models import Span, SpanAction, SpanChange
from annotate.services.spans import _insert_parts

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def djangos_insert(obj) -> tuple[list[str], list]:
    """The columns and parameters of the INSERT Django's compiler makes for obj."""
    fields = [f for f in type(obj)._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return [connection.ops.quote_name(f.column) for f in fields], list(params)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: AT)


def test_insert_parts_are_the_orm_insert_of_a_span(team, frozen_now):
    span = Span(
        document_id=team.document.pk, annotator=team.carol, layer="individual", label="disputed", start=4, end=12,
        quote="ministry", note="n", source="", dispute_basis="data", evidence_links=["https://example.org/a"],
    )  # fmt: skip
    columns, values, params = _insert_parts(span)
    django_columns, django_params = djangos_insert(span)
    assert columns.split(", ") == django_columns
    assert values == ", ".join(["%s"] * len(django_columns))
    assert [_plain(p) for p in params] == [_plain(p) for p in django_params]


def test_insert_parts_of_a_history_row_with_an_expression_in_place_of_a_column(team, frozen_now):
    change = SpanChange(
        project_id=team.project.pk, document_id=team.document.pk, span_id_value=0, actor=team.carol,
        action=SpanAction.CREATE, before=None, after={"id": 0, "label": "assertion"}, at=AT,
    )  # fmt: skip
    columns, values, params = _insert_parts(change, sql={"span_id_value": "s.id"})
    django_columns, django_params = djangos_insert(change)
    assert columns.split(", ") == django_columns
    i = django_columns.index('"span_id_value"')
    assert values.split(", ")[i] == "s.id"
    del django_params[i]
    assert [_plain(p) for p in params] == [_plain(p) for p in django_params]


def _plain(param):
    """A JSON adapter compares by its type and what it wraps."""
    return type(param).__name__, getattr(param, "obj", param)
