"""Reads that matter, each scoped to what the caller may see. Lists start here, never from
Model.objects.all(): DRF checks object permissions on single objects only."""
from collections import defaultdict
from datetime import timezone

from django.db.models import CharField, Count, Func, Max, OuterRef, QuerySet, Subquery

from annotate.errors import InvalidInput
from annotate.models import Document, Layer, Membership, Project, Span, SpanBatch, SpanChange, SpanLink
from annotate.permissions import Access, layers_readable_on


def visible_projects(*, user) -> QuerySet[Project]:
    """The user's projects, each annotated with `my_role`."""
    role = Membership.objects.filter(project_id=OuterRef("pk"), user_id=user.pk).values("role")[:1]
    return Project.objects.annotate(my_role=Subquery(role)).filter(my_role__isnull=False).order_by("id")


def project_members(*, project: Project) -> QuerySet[Membership]:
    return Membership.objects.filter(project=project).select_related("user").order_by("id")


def layer_owner(*, project_id: int, username: str):
    """The member of the project called `username`, whose layer a span is written to."""
    membership = Membership.objects.filter(project_id=project_id, user__username=username).select_related("user").first()
    if membership is None:
        raise InvalidInput({"annotator": [f"{username!r} is not a member of this project."]})
    return membership.user


def project_documents(*, project: Project, with_text: bool = False) -> QuerySet[Document]:
    queryset = Document.objects.filter(project=project).order_by("id")
    return queryset if with_text else queryset.defer("text")


def project_last_changed_at(*, project: Project):
    """When the project's content last changed: the latest of its span history, its documents'
    updates and its own clock (moved by deletions and settings changes)."""
    def latest(model, field="at"):
        rows = model.objects.filter(project_id=OuterRef("pk")).order_by().values("project_id")
        return Subquery(rows.annotate(latest=Max(field)).values("latest"))

    moments = (
        Project.objects.filter(pk=project.pk)
        .annotate(change=latest(SpanChange), batch=latest(SpanBatch), document=latest(Document, "updated_at"))
        .values_list("change", "batch", "document")
        .first()
    ) or ()
    return max(at for at in (*moments, project.content_changed_at) if at is not None)


def _iso(moment) -> str | None:
    """ISO 8601 in UTC with microseconds, the same text IsoTimestamp makes in the database."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def span_as_dict(span: Span, *, annotator_username: str, links: list[int]) -> dict:
    """The public shape of a span (API responses and audit history)."""
    return {
        "id": span.pk,
        "document": span.document_id,
        "annotator": annotator_username,
        "layer": span.layer,
        "label": span.label,
        "start": span.start,
        "end": span.end,
        "quote": span.quote,
        "note": span.note,
        "source": span.source,
        "dispute_basis": span.dispute_basis,
        "evidence_links": list(span.evidence_links),
        "links": links,
        "version": span.version,
        "created_at": _iso(span.created_at),
        "updated_at": _iso(span.updated_at),
    }


def links_of(span_ids) -> dict[int, list[int]]:
    """{attribution span id: the ids it links to, in link order} for these spans (one query)."""
    links: dict[int, list[int]] = defaultdict(list)
    for attribution, target in (
        SpanLink.objects.filter(attribution_id__in=span_ids).order_by("id").values_list("attribution_id", "target_id")
    ):
        links[attribution].append(target)
    return links


def visible_spans(*, document: Document, access: Access, annotator: str | None = None) -> QuerySet[Span]:
    """Spans of the document the caller may see. `annotator`: None for the caller's own layer,
    "all" for every layer, or a username; permissions.layers_readable_on decides (403 for an
    annotator asking for others, blind review)."""
    queryset = Span.objects.filter(document_id=document.pk, layer=Layer.INDIVIDUAL)
    return queryset.filter(layers_readable_on(access=access, document_id=document.pk, annotator=annotator))


class IsoTimestamp(Func):
    """A UTC timestamp as ISO 8601 text, formatted by the database: Django's psycopg loader for
    timestamptz is pure Python and cost half the time of reading 5,000 spans."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps aware datetimes in SQLite as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
        return self.as_sql(compiler, connection, template="replace(%(expressions)s, ' ', 'T') || 'Z'", **extra)


_SPAN_COLUMNS = (
    "id", "document_id", "annotator__username", "layer", "label", "start", "end", "quote", "note", "source",
    "dispute_basis", "evidence_links", "version", "created_iso", "updated_iso",
)


def span_rows(spans: QuerySet[Span]) -> list[dict]:
    """The spans as API dicts (the span_as_dict shape), in text order, in two queries whatever
    their number. Reads plain rows, not model instances: 5,000 spans of a long document are
    the workspace's first request and this is most of its time."""
    links = defaultdict(list)
    link_pairs = SpanLink.objects.filter(attribution__in=spans.filter(label="attribution").values("pk"))
    for attribution_id, target_id in link_pairs.order_by("id").values_list("attribution_id", "target_id"):
        links[attribution_id].append(target_id)
    rows = (
        spans.annotate(created_iso=IsoTimestamp("created_at"), updated_iso=IsoTimestamp("updated_at"))
        .order_by("start", "end", "id")
        .values_list(*_SPAN_COLUMNS)
    )
    return [
        {
            "id": pk, "document": document_id, "annotator": username, "layer": layer, "label": label,
            "start": start, "end": end, "quote": quote, "note": note, "source": source,
            "dispute_basis": basis, "evidence_links": evidence, "links": links.get(pk, []), "version": version,
            "created_at": created, "updated_at": updated,
        }
        for (pk, document_id, username, layer, label, start, end, quote, note, source, basis, evidence, version,
             created, updated) in rows
    ]


def label_counts(*, documents: QuerySet[Document]) -> dict[int, dict[str, int]]:
    """{document id: {label: count}} for a page of documents, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Span.objects.filter(document__in=documents).values("document_id", "label").annotate(n=Count("id"))
    for row in rows:
        counts[row["document_id"]][row["label"]] = row["n"]
    return counts

