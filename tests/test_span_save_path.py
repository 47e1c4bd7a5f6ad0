"""The span save's shortcuts give what Django and DRF would: the one statement's column values
are Model.save's (annotate.services.spans._insert_parts); the common body, checked without the
serializer (annotate.api.serializers.plain_span_create), is what SpanCreateIn validates it to,
and every other body still goes to SpanCreateIn."""
import datetime as dt

import pytest
from django.db import connection
from django.db.models.sql import InsertQuery
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.api.serializers import MAX_OFFSET, SpanCreateIn, plain_span_create
from annotate.models import Span, SpanAction, SpanChange
from annotate.services.spans import _insert_parts

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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


offsets = st.one_of(
    st.integers(min_value=-2, max_value=MAX_OFFSET + 2), st.sampled_from([0, MAX_OFFSET, -1, MAX_OFFSET + 1]),
    st.booleans(), st.floats(allow_nan=False, max_value=1e12, min_value=-1e12), st.sampled_from(["4", " 4", "4.0", ""]),
    st.none(),
)  # fmt: skip
labels = st.one_of(
    st.sampled_from(["assertion", "attribution", "disputed", " assertion", "assertion ", "Assertion", "", "quote"]),
    st.text(max_size=40), st.integers(), st.none(), st.lists(st.just("assertion"), max_size=1),
)  # fmt: skip
quotes = st.one_of(
    st.text(max_size=12), st.sampled_from(["", " ministry ", "a\x00b", "\ud800", "x\udfff", "😀 ok"]), st.integers(),
    st.none(), st.booleans(),
)  # fmt: skip
bodies = st.fixed_dictionaries(
    {}, optional={"start": offsets, "end": offsets, "label": labels, "quote": quotes, "note": st.text(max_size=3),
                  "annotator": st.just("bob")},
)


@settings(max_examples=600, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(bodies)
def test_the_plain_body_check_agrees_with_the_serializer(body):
    plain = plain_span_create(body)
    if plain is not None:
        serializer = SpanCreateIn(data=body)
        assert serializer.is_valid(), serializer.errors
        assert plain == dict(serializer.validated_data)
        assert set(body) - {"quote"} == {"start", "end", "label"}


def test_the_common_body_takes_the_plain_check_and_anything_else_the_serializer():
    for body in (
        {"start": 4, "end": 12, "label": "attribution"}, {"label": "disputed", "end": MAX_OFFSET, "start": 0},
        {"start": 4, "end": 12, "label": "assertion", "quote": "ministry"},  # what the workspace sends
        {"start": 4, "end": 4, "label": "assertion", "quote": ""},
    ):  # fmt: skip
        serializer = SpanCreateIn(data=body)
        assert serializer.is_valid()
        assert plain_span_create(body) == dict(serializer.validated_data) == body
    for body in (
        {"start": 4, "end": 12, "label": "attribution", "note": ""},  # another field
        {"start": 4, "end": 12, "label": "quote"},  # validate_span names the labels
        {"start": True, "end": 12, "label": "assertion"},
        {"start": "4", "end": 12, "label": "assertion"},
        {"start": 4.0, "end": 12, "label": "assertion"},
        {"start": -1, "end": 12, "label": "assertion"},
        {"start": 4, "end": MAX_OFFSET + 1, "label": "assertion"},
        {"start": 4, "label": "assertion"},
        [{"start": 4, "end": 12, "label": "assertion"}],
        {"start": 4, "end": 12, "label": "assertion", "quote": "a\x00b"},  # DRF refuses NUL
        {"start": 4, "end": 12, "label": "assertion", "quote": "\ud800"},  # and lone surrogates
        {"start": 4, "end": 12, "label": "assertion", "quote": 5},  # DRF would make "5" of it
    ):
        assert plain_span_create(body) is None, body
