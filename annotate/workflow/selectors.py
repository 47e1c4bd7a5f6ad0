"""Workflow reads: whose layers count, agreement input, adjudication groups, progress, history."""
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from annotate.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Layer,
    Project,
    Span,
    SpanAction,
    SpanChange,
    SpanEvent,
    SpanLink,
)
from annotate.permissions import (
    ADJUDICATE,
    SEE_AGREEMENT,
    SEE_HISTORY,
    SEE_PROGRESS,
    SEE_RELEASES,
    Access,
    check,
    check_may_adjudicate,
    documents_with_others_hidden,
    readable_assignments,
    readable_spans,
)
from annotate.selectors import links_of, project_last_changed_at, span_as_dict
from annotate.workflow import units
from annotate.workflow.agreement import DocumentLayers, SpanKey, agreement_report
from annotate.workflow.history_pages import HistoryEvents
from annotate.workflow.models import GoldOrigin, Release, SpanRejection


def counted_layers(*, project: Project, document_ids: list[int] | None = None) -> dict[int, set[int]]:
    """{document id: user ids whose individual layer counts}: a member's layer on a document
    counts when their assignment for it is done, or when they have spans on it and did not skip
    it. Agreement and adjudication compare exactly these layers."""
    assignments = Assignment.objects.filter(document__project=project)
    spans = Span.objects.filter(document__project=project, layer=Layer.INDIVIDUAL)
    if document_ids is not None:
        assignments = assignments.filter(document_id__in=document_ids)
        spans = spans.filter(document_id__in=document_ids)
    status = {(d, u): s for d, u, s in assignments.values_list("document_id", "user_id", "status")}
    layers: dict[int, set[int]] = defaultdict(set)
    for (document_id, user_id), value in status.items():
        if value == AssignmentStatus.DONE:
            layers[document_id].add(user_id)
    for document_id, user_id in spans.values_list("document_id", "annotator_id").distinct():
        if status.get((document_id, user_id)) != AssignmentStatus.SKIPPED:
            layers[document_id].add(user_id)
    return layers


def agreement_input(*, project: Project, leave_out: set[int] = frozenset()) -> list[DocumentLayers]:
    """Every document with two or more counted layers, with those layers' spans, but the
    documents in `leave_out`."""
    layers = counted_layers(project=project)
    compared = sorted(d for d, users in layers.items() if len(users) >= 2 and d not in leave_out)
    documents = {
        d.pk: DocumentLayers(document_id=d.pk, title=d.title, text=d.text)
        for d in Document.objects.filter(pk__in=compared).only("id", "title", "text")
    }
    rows = (
        Span.objects.filter(document_id__in=compared, layer=Layer.INDIVIDUAL)
        .values_list("document_id", "annotator_id", "annotator__username", "label", "start", "end")
        .order_by("document_id", "start", "end", "id")
    )
    names = _usernames_for({u for d in compared for u in layers[d]})
    for document_id in compared:
        for user_id in layers[document_id]:
            documents[document_id].layers.setdefault(names[user_id], [])
    for document_id, user_id, username, label, start, end in rows:
        if user_id in layers[document_id]:
            documents[document_id].layers[username].append(SpanKey(label, start, end))
    return [documents[d] for d in compared]



BLIND_REVIEW_AGREEMENT_NOTE = (
    "blind review: documents whose assignment you have not finished are left out of every figure"
)


def project_agreement(*, project: Project, access: Access) -> dict:
    """The agreement report, cached until the project's spans, documents or assignments change
    (a large project takes seconds to compute and the page is read far more than written).

    For a reader (`access`) under blind review the documents they have not finished are left out
    of every figure, per document and pooled: agreement on them is made of others' spans."""
    check(access, SEE_AGREEMENT, project=project)
    hidden = documents_with_others_hidden(access=access)
    assignments = Assignment.objects.filter(document__project=project).aggregate(n=Count("id"), at=Max("updated_at"))
    key = "agreement:" + ":".join(
        str(part)
        for part in (
            project.pk,
            project.created_at.timestamp(),
            project_last_changed_at(project=project).timestamp(),
            assignments["n"],
            assignments["at"].timestamp() if assignments["at"] else 0,
        )
    )
    if hidden:
        key += ":without:" + hashlib.sha256(",".join(map(str, sorted(hidden))).encode()).hexdigest()
    report = cache.get(key)
    if report is None:
        report = agreement_report(agreement_input(project=project, leave_out=hidden))
        if hidden:
            report["withheld"] = {"documents": len(hidden), "reason": BLIND_REVIEW_AGREEMENT_NOTE}
        cache.set(key, report, timeout=24 * 3600)
    return report


def project_assignments(*, project: Project, access: Access) -> QuerySet[Assignment]:
    """Every assignment for a manager; a reviewer's or annotator's own otherwise."""
    queryset = (
        Assignment.objects.filter(document__project=project)
        .select_related("document", "user", "assigned_by")
        .defer("document__text")
        .order_by("document_id", "user__username")
    )
    return queryset if access.sees_everyones_assignments else queryset.filter(user_id=access.user_id)


def adjudication_groups(*, document: Document, access: Access) -> dict:
    """The document's counted individual spans grouped by (label, start, end), each group saying
    which reviewers marked it, whether all of them did, and whether it is decided (accepted into
    gold or rejected); the groups' marks and units (indices into groups and marks, see
    annotate/workflow/units.py); plus the gold layer with the origin of each gold span."""
    check_may_adjudicate(access=access, document=document)
    layers = counted_layers(project=document.project, document_ids=[document.pk]).get(document.pk, set())
    # Plain rows, not model instances: with 4 reviewers x 400 spans, building Span objects was
    # most of the page's server time (bench/workspace.py, docs/benchmarks.md).
    individual = Span.objects.filter(document_id=document.pk, layer=Layer.INDIVIDUAL, annotator_id__in=layers)
    counted = individual.values("id")  # a subquery: 1,600 ids as parameters cost more than the rows
    spans = list(
        individual.order_by("start", "end", "label", "annotator__username")
        .values("id", "label", "start", "end", "quote", "note", "source", "dispute_basis", "evidence_links",
                "annotator__username")
    )
    reviewers = sorted(_usernames_for(layers).values())
    accepted = set(GoldOrigin.objects.filter(source_span_id__in=counted).values_list("source_span_id", flat=True))
    rejected = set(SpanRejection.objects.filter(span_id__in=counted).values_list("span_id", flat=True))
    links = defaultdict(list)
    for attribution_id, target_id in SpanLink.objects.filter(attribution_id__in=counted).values_list(
        "attribution_id", "target_id"
    ):
        links[attribution_id].append(target_id)
    groups: dict[tuple, dict] = {}
    for span in spans:
        key = (span["label"], span["start"], span["end"])
        group = groups.setdefault(
            key,
            {"label": span["label"], "start": span["start"], "end": span["end"], "quote": span["quote"], "spans": []},
        )
        pk = span["id"]
        group["spans"].append(
            {
                "id": pk,
                "annotator": span["annotator__username"],
                "note": span["note"],
                "source": span["source"],
                "dispute_basis": span["dispute_basis"],
                "evidence_links": list(span["evidence_links"]),
                "links": links.get(pk, []),
                "state": "accepted" if pk in accepted else "rejected" if pk in rejected else "pending",
            }
        )
    result = []
    for group in groups.values():
        who = {s["annotator"] for s in group["spans"]}
        group["reviewers"] = sorted(who)
        group["agreed"] = bool(reviewers) and who >= set(reviewers)
        states = {s["state"] for s in group["spans"]}
        group["state"] = "pending" if "pending" in states else "accepted" if "accepted" in states else "rejected"
        result.append(group)
    # Which groups are versions of one mark and which marks one decision: annotate/workflow/units.py.
    marks = units.marks_of(result)
    return {
        "reviewers": reviewers,
        "groups": result,
        "marks": marks,
        "units": units.units_of(result, marks),
        "gold": gold_rows(document_id=document.pk),
    }


def undecided_units(view: dict) -> int:
    """How many of adjudication_groups's units still wait for a decision: a unit (an attribution
    with its content, each mark with its versions) is undecided while any of its groups is, as
    the page's decisions list counts them (static/js/adjudicate.js)."""
    groups, marks = view["groups"], view["marks"]
    return sum(
        any(groups[g]["state"] == "pending" for m in unit for g in marks[m]["versions"]) for unit in view["units"]
    )


def gold_rows(*, document_id: int) -> list[dict]:
    """The gold spans of a document, each with its links and origins."""
    gold = list(Span.objects.filter(document_id=document_id, layer=Layer.GOLD).order_by("start", "end", "id"))
    origins = defaultdict(list)
    for origin in GoldOrigin.objects.filter(gold_span__in=gold).order_by("id"):
        origins[origin.gold_span_id].append(
            {
                "span": origin.source_span_id,
                "annotator": origin.source_username,
                "label": origin.source_label,
                "start": origin.source_start,
                "end": origin.source_end,
            }
        )
    links = defaultdict(list)
    for attribution_id, target_id in SpanLink.objects.filter(attribution__in=gold).values_list(
        "attribution_id", "target_id"
    ):
        links[attribution_id].append(target_id)
    return [
        {
            "id": span.pk,
            "label": span.label,
            "start": span.start,
            "end": span.end,
            "quote": span.quote,
            "note": span.note,
            "source": span.source,
            "dispute_basis": span.dispute_basis,
            "evidence_links": list(span.evidence_links),
            "links": links.get(span.pk, []),
            "version": span.version,
            "origins": origins.get(span.pk, []),
        }
        for span in gold
    ]


def adjudication_documents(*, project: Project, access: Access) -> list[dict]:
    """Per document: its counted reviewers, how many individual spans are still undecided, and
    its gold span count — the adjudicator's to-do list."""
    check(access, ADJUDICATE, project=project)
    layers = counted_layers(project=project)
    documents = Document.objects.filter(project=project).defer("text").order_by("id")
    gold = dict(
        Span.objects.filter(document__project=project, layer=Layer.GOLD)
        .values("document_id")
        .annotate(n=Count("id"))
        .values_list("document_id", "n")
    )
    pending = defaultdict(int)
    candidate = Span.objects.filter(document__project=project, layer=Layer.INDIVIDUAL, gold_uses__isnull=True)
    candidate = candidate.filter(rejection__isnull=True)
    for document_id, user_id in candidate.values_list("document_id", "annotator_id"):
        if user_id in layers.get(document_id, ()):
            pending[document_id] += 1
    names = _usernames_for({u for users in layers.values() for u in users})
    return [
        {
            "id": d.pk,
            "title": d.title,
            "reviewers": sorted(names[u] for u in layers.get(d.pk, ())),
            "pending": pending.get(d.pk, 0),
            "gold": gold.get(d.pk, 0),
        }
        for d in documents
    ]


def _usernames_for(user_ids) -> dict[int, str]:
    return dict(get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "username"))


def project_progress(*, project: Project, access: Access) -> dict:
    """The dashboard: assignments per reviewer and status, spans per label and layer, span writes
    per day (last 30 days with activity), and time spent per finished document. Spans and
    assignments are those the caller may read (readable_spans, readable_assignments: blind
    review and annotators' privacy hold here too); the document totals are the project's."""
    check(access, SEE_PROGRESS, project=project)
    per_reviewer: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in AssignmentStatus.values})
    for username, status, n in (
        Assignment.objects.filter(readable_assignments(access=access), document__project=project)
        .values_list("user__username", "status")
        .annotate(n=Count("id"))
        .order_by("user__username")
    ):
        per_reviewer[username][status] = n
    labels = {layer: defaultdict(int) for layer in Layer.values}
    for layer, label, n in (
        Span.objects.filter(readable_spans(access=access), document__project=project).values_list("layer", "label").annotate(n=Count("id")).order_by()
    ):
        labels[layer][label] = n
    per_day = [
        {"day": day.isoformat(), "writes": n}
        for day, n in SpanEvent.objects.filter(project=project)
        .annotate(day=TruncDate("at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by("-day")[:30]
    ][::-1]
    durations = [
        (title, username, done - started)
        for title, username, started, done in Assignment.objects.filter(
            readable_assignments(access=access),
            document__project=project,
            status=AssignmentStatus.DONE,
            started_at__isnull=False,
            done_at__isnull=False,
        )
        .values_list("document__title", "user__username", "started_at", "done_at")
        .order_by("done_at")
    ]
    seconds = sorted(d.total_seconds() for _, _, d in durations)  # of the rows the reader may read
    documents_total = Document.objects.filter(project=project).count()
    documents_done = (
        Document.objects.filter(project=project)
        .annotate(done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.DONE)))
        .filter(done__gte=project.reviewers_per_document)
        .count()
    )
    return {
        "documents": documents_total,
        "documents_complete": documents_done,
        "reviewers": {name: dict(counts) for name, counts in sorted(per_reviewer.items())},
        "labels": {layer: dict(counts) for layer, counts in labels.items()},
        "per_day": per_day,
        "time_per_document": [
            {"title": title, "annotator": username, "seconds": round(d.total_seconds())}
            for title, username, d in durations[-50:]
        ],
        "median_seconds": round(seconds[len(seconds) // 2]) if seconds else None,
    }


def span_history(*, project: Project, access: Access, document_id: int | None = None) -> QuerySet[SpanEvent]:
    """Span events, oldest first. Managers see every event; other members see the events of
    their own actions only (the history would otherwise reveal blind layers). Read them through
    history_expanded: a batch's creates and the updates are stored short."""
    check(access, SEE_HISTORY, project=project)
    queryset = SpanEvent.objects.filter(project=project).select_related("actor", "document").defer("document__text")
    if document_id is not None:
        queryset = queryset.filter(document_id=document_id)
    if not access.sees_everyones_history:
        queryset = queryset.filter(actor_id=access.user_id)
    return queryset


def span_history_pages(*, project: Project, access: Access, document_id: int | None = None) -> HistoryEvents:
    """span_history's events for pages (count, slices, latest): read without sorting the view."""
    check(access, SEE_HISTORY, project=project)
    return HistoryEvents(
        project_id=project.pk,
        document_id=document_id,
        actor_id=None if access.sees_everyones_history else access.user_id,
    )


def history_expanded(events: list[SpanEvent]) -> list[SpanEvent]:
    """The events with whole `before` and `after` spans, in at most three more queries: a batch's
    create is its span row (unchanged since: its first change writes a SpanChange create); an
    update's changed fields are laid over the span's state before it, replayed from its create."""
    batched = [e for e in events if e.batch_id is not None]
    if batched:
        ids = {e.span_id_value for e in batched}
        links = links_of(ids)
        # plain rows, not Span instances: building models was most of a 100,000-event export
        shown = {
            row.pk: span_as_dict(row, annotator_username=row.annotator_username, links=links[row.pk])
            for row in map(_SpanRow._make, Span.objects.filter(pk__in=ids).values_list(*_SpanRow._fields_in_db))
        }
        for event in batched:
            event.after = shown.get(event.span_id_value)
    updated = {e.span_id_value for e in events if e.action == SpanAction.UPDATE}
    if updated:
        whole: dict[int, tuple[dict, dict]] = {}
        state: dict[int, dict] = {}
        for pk, span_id, action, before, after in (
            SpanChange.objects.filter(span_id_value__in=updated)
            .order_by("at", "id")
            .values_list("pk", "span_id_value", "action", "before", "after")
        ):
            if action == SpanAction.CREATE:
                state[span_id] = after or {}
            elif action == SpanAction.UPDATE:
                prior = state.get(span_id, {})
                state[span_id] = {**prior, **(after or {})}
                whole[pk] = ({**prior, **(before or {})}, state[span_id])
        for event in events:
            if event.pk in whole:
                event.before, event.after = whole[event.pk]
    return events


class _SpanRow(NamedTuple):
    """What span_as_dict reads of a span, as a plain row."""

    pk: int
    document_id: int
    annotator_username: str
    layer: str
    label: str
    start: int
    end: int
    quote: str
    note: str
    source: str
    dispute_basis: str
    evidence_links: list
    version: int
    created_at: object
    updated_at: object


_SpanRow._fields_in_db = ("pk", "document_id", "annotator__username", *_SpanRow._fields[3:])


@dataclass(slots=True)
class HistoryRow:
    """An event of the history export: the columns it shows, no model instances."""

    pk: int
    at: object
    actor_username: str | None
    action: str
    document_id: int
    span_id_value: int
    before: dict | None
    after: dict | None
    batch_id: int | None


def history_rows(events: QuerySet[SpanEvent], chunk: int = 2000) -> Iterator[HistoryRow]:
    """span_history's events, expanded, read in chunks as plain rows (the export)."""
    rows = events.select_related(None).values_list(
        "pk", "at", "actor__username", "action", "document_id", "span_id_value", "before", "after", "batch_id"
    )
    batch: list[HistoryRow] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(HistoryRow(*row))
        if len(batch) == chunk:
            yield from history_expanded(batch)
            batch = []
    yield from history_expanded(batch)


def event_as_dict(event: SpanEvent | HistoryRow) -> dict:
    """One event of history_expanded's."""
    actor = event.actor_username if isinstance(event, HistoryRow) else (event.actor.username if event.actor else None)
    return {
        "id": event.pk,
        "at": event.at.isoformat().replace("+00:00", "Z"),
        "actor": actor,
        "action": event.action,
        "document": event.document_id,
        "span": event.span_id_value,
        "before": event.before,
        "after": event.after,
    }


def project_releases(*, project: Project, access: Access) -> QuerySet[Release]:
    check(access, SEE_RELEASES, project=project)
    return Release.objects.filter(project=project).defer("records").order_by("-number")

