"""Writes of the span history. A single change is one SpanChange: a create holds the span as
created, an update only the fields it changed (old in `before`, new in `after`), a delete the span
as it was. Many spans created in one action are one SpanBatch naming them per document; such a
span's row is its created state until its first change, which first writes that state as a
SpanChange create (at the batch's time) and takes the span out of the batch."""
from django.db import connection

from annotate.copy_in import copy_rows
from annotate.models import Span, SpanAction, SpanBatch, SpanBatchDocument, SpanChange
from annotate.selectors import links_of, span_as_dict


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose values differ, with their old and their new values."""
    keys = [key for key in after if before.get(key) != after[key]] + [key for key in before if key not in after]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def record_change(*, span, project_id: int, actor, action: str, before: dict | None, after: dict | None) -> None:
    if action == SpanAction.UPDATE:
        before, after = changed_fields(before, after)
    SpanChange.objects.create(
        project_id=project_id,
        document_id=span.document_id,
        span_id_value=span.pk,
        actor=actor,
        action=action,
        before=before,
        after=after,
    )


def release_from_batches(*, document_id: int, spans: list[Span]) -> None:
    """Before the first change of spans a batch created: write each one's created state (its
    row as it is now, never changed since) as a SpanChange create and take it out of the batch.
    One plain read when no batch names these spans."""
    wanted = {span.pk for span in spans}
    parts = [
        pk
        for pk, ids in SpanBatchDocument.objects.filter(document_id=document_id).values_list("pk", "span_ids")
        if wanted.intersection(ids)
    ]
    if not parts:
        return
    by_id = {span.pk: span for span in spans}
    rows = []
    # locked and read again: of two writes releasing the same span, the second finds it gone
    # only these rows, not their batch's (of=self): a lock on the batch row would queue every
    # first edit in the whole import behind each other (tests/test_history_races.py)
    locked = SpanBatchDocument.objects.select_for_update(of=("self",)).select_related("batch")
    for part in locked.filter(pk__in=parts).order_by("pk"):
        mine = wanted.intersection(part.span_ids)
        if not mine:
            continue
        part.span_ids = [i for i in part.span_ids if i not in mine]
        if part.span_ids:
            part.save(update_fields=["span_ids"])
        else:
            part.delete()
        rows += [(by_id[i], part.batch) for i in sorted(mine)]
    links = links_of([span.pk for span, _ in rows])
    SpanChange.objects.bulk_create(
        SpanChange(
            project_id=batch.project_id,
            document_id=span.document_id,
            span_id_value=span.pk,
            actor_id=batch.actor_id,
            action=SpanAction.CREATE,
            after=span_as_dict(span, annotator_username=span.annotator.username, links=links.get(span.pk, [])),
            at=batch.at,
        )
        for span, batch in rows
    )


def release_linking_to(*, span: Span) -> None:
    """Before `span` is deleted: the attributions linking to it lose that link without a change
    of their own, so those still in a batch write their created state first."""
    attributions = list(
        Span.objects.filter(links_out__target=span).select_related("annotator").exclude(pk=span.pk).distinct()
    )
    if attributions:
        release_from_batches(document_id=span.document_id, spans=attributions)


def batch_create(*, project_id: int, actor, reason: str, at) -> SpanBatch:
    return SpanBatch.objects.create(project_id=project_id, actor=actor, reason=reason, at=at)


def batch_add(*, batch: SpanBatch, spans_by_document: dict[int, list[int]]) -> None:
    """Name the batch's spans, one row per document (COPY on PostgreSQL: no per-row quoting)."""
    # sorted: the history's pages read a row's first and last id as its range (workflow.history_pages)
    parts = [(document_id, sorted(ids)) for document_id, ids in spans_by_document.items() if ids]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_rows(cursor, "annotate_spanbatchdocument", ("batch_id", "document_id", "span_ids"),
                      ((batch.pk, document_id, ids) for document_id, ids in parts))  # fmt: skip
    else:
        SpanBatchDocument.objects.bulk_create(
            [SpanBatchDocument(batch=batch, document_id=document_id, span_ids=ids) for document_id, ids in parts],
            batch_size=500,
        )
