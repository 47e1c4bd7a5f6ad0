"""Database constraints back the validation up: rows that skip the services still can't be wrong."""
import pytest
from django.db import IntegrityError, transaction

from annotate.models import Membership, Span
from tests.factories import DocumentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"label": "opinion", "start": 0, "end": 3, "quote": "The"},
        {"label": "assertion", "start": 3, "end": 3, "quote": ""},
        {"label": "assertion", "start": 5, "end": 3, "quote": "ab"},
        {"label": "assertion", "start": 0, "end": 3, "quote": "Th"},
        {"label": "assertion", "start": 0, "end": 3, "quote": "The", "dispute_basis": "fact_check"},
        {"label": "assertion", "start": 0, "end": 3, "quote": "The", "source": "ministry"},
        {"label": "assertion", "start": 0, "end": 3, "quote": "The", "layer": "draft"},
    ],
)
def test_span_constraints(fields):
    document = DocumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=document, annotator=UserFactory(), **fields)


def test_membership_role_and_uniqueness():
    project, user = ProjectFactory(), UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(project=project, user=user, role="owner")
    Membership.objects.create(project=project, user=user, role="annotator")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(project=project, user=user, role="reviewer")


def test_document_length_and_external_id_constraints():
    document = DocumentFactory(external_id="a-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(project=document.project, external_id="a-1")
    DocumentFactory(project=document.project, external_id="")
    DocumentFactory(project=document.project, external_id="")  # blank ids don't clash
    document.length = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        document.save(update_fields=["length"])


def test_only_attribution_spans_carry_links_even_for_direct_orm_writes(db):
    """The PostgreSQL triggers of migration 0006 (SQLite has none: the services' check and lock are its guard)."""
    from django.db import connection

    from annotate.models import SpanLink

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL trigger")
    document = DocumentFactory(text="The ministry said inflation fell.")
    user = UserFactory()
    make = lambda label, start, end, **more: Span.objects.create(  # noqa: E731
        document=document, annotator=user, label=label, start=start, end=end, quote=document.text[start:end], **more
    )
    attribution, target, other = make("attribution", 0, 12, source="ministry"), make("assertion", 18, 32), make("assertion", 4, 12)
    with pytest.raises(IntegrityError, match="Only attribution spans carry links"), transaction.atomic():
        SpanLink.objects.create(attribution=other, target=target)
    SpanLink.objects.create(attribution=attribution, target=target)
    with pytest.raises(IntegrityError, match="carries links"), transaction.atomic():
        Span.objects.filter(pk=attribution.pk).update(label="assertion", source="")
    assert Span.objects.get(pk=attribution.pk).label == "attribution"
    SpanLink.objects.all().delete()
    Span.objects.filter(pk=attribution.pk).update(label="assertion", source="")  # without links it may change
