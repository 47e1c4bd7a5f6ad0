"""Reads that matter, each scoped to what the caller may see. Lists start here, never from
Model.objects.all(): DRF checks object permissions on single objects only."""
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from annotate.models import Document, Layer, Membership, Project, Span, SpanEvent, SpanLink
from annotate.permissions import Access, others_hidden


def visible_projects(*, user) -> QuerySet[Project]:
    """The user's projects, each annotated with `my_role`."""
    role = Membership.objects.filter(project_id=OuterRef("pk"), user_id=user.pk).values("role")[:1]
    return Project.objects.annotate(my_role=Subquery(role)).filter(my_role__isnull=False).order_by("id")


def project_members(*, project: Project) -> QuerySet[Membership]:
    return Membership.objects.filter(project=project).select_related("user").order_by("id")


def project_documents(*, project: Project, with_text: bool = False) -> QuerySet[Document]:
    queryset = Document.objects.filter(project=project).order_by("id")
    return queryset if with_text else queryset.defer("text")


def project_last_changed_at(*, project: Project):
    """When the project's content last changed: the latest of its span history, its documents'
    updates and its own clock (moved by deletions and settings changes)."""
    span_at = SpanEvent.objects.filter(project=project).aggregate(at=Max("at"))["at"]
    document_at = Document.objects.filter(project=project).aggregate(at=Max("updated_at"))["at"]
    return max(at for at in (span_at, document_at, project.content_changed_at) if at is not None)


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
        "created_at": span.created_at.isoformat().replace("+00:00", "Z") if span.created_at else None,
        "updated_at": span.updated_at.isoformat().replace("+00:00", "Z") if span.updated_at else None,
    }


def visible_spans(*, document: Document, access: Access, annotator: str | None = None) -> QuerySet[Span]:
    """Spans of the document the caller may see. `annotator`: None for the caller's own layer,
    "all" for every layer, or a username (reviewers and managers only, else PermissionDenied).

    Under blind review a reviewer whose own assignment for the document is not done gets only
    their own spans for "all", and PermissionDenied for another member's username."""
    queryset = Span.objects.filter(document_id=document.pk, layer=Layer.INDIVIDUAL)
    if annotator is None or annotator == "":
        return queryset.filter(annotator_id=access.user_id)
    if not access.sees_all_layers:
        raise PermissionDenied("Annotators see only their own spans.")
    hidden = others_hidden(access=access, document_id=document.pk)
    if annotator == "all":
        return queryset.filter(annotator_id=access.user_id) if hidden else queryset
    if hidden and not get_user_model().objects.filter(pk=access.user_id, username=annotator).exists():
        raise PermissionDenied(
            "Blind review: you see other members' spans on this document once your own assignment is done."
        )
    return queryset.filter(annotator__username=annotator)


def span_rows(spans: QuerySet[Span]) -> list[dict]:
    """The spans as API dicts, in text order, in two queries whatever their number."""
    links = defaultdict(list)
    link_pairs = SpanLink.objects.filter(attribution__in=spans.filter(label="attribution").values("pk"))
    for attribution_id, target_id in link_pairs.order_by("id").values_list("attribution_id", "target_id"):
        links[attribution_id].append(target_id)
    spans = spans.select_related("annotator").order_by("start", "end", "id")
    return [span_as_dict(s, annotator_username=s.annotator.username, links=links.get(s.pk, [])) for s in spans]


def label_counts(*, documents: QuerySet[Document]) -> dict[int, dict[str, int]]:
    """{document id: {label: count}} for a page of documents, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Span.objects.filter(document__in=documents).values("document_id", "label").annotate(n=Count("id"))
    for row in rows:
        counts[row["document_id"]][row["label"]] = row["n"]
    return counts

