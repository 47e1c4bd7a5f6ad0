"""The history rows written before 0007, made compact: an update keeps only the fields it changed,
and the creates an import wrote (many rows with one actor and one time) whose spans never changed
since become one SpanBatch naming them. Reversible: a batch's spans become full create rows again
(their rows are their created state), and updates are replayed into whole before and after."""
from collections import defaultdict
from datetime import timezone

from django.db import migrations
from django.db.models import Count

CHUNK = 2000


def _iso(moment):
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _span_dict(span, links):
    """annotate.selectors.span_as_dict as of this migration (a copy: migrations must not follow
    the app's later changes)."""
    return {
        "id": span.pk,
        "document": span.document_id,
        "annotator": span.annotator.username,
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


def _current(apps, span_ids):
    Span, SpanLink = apps.get_model("annotate", "Span"), apps.get_model("annotate", "SpanLink")
    links = defaultdict(list)
    for attribution, target in (
        SpanLink.objects.filter(attribution_id__in=span_ids).order_by("id").values_list("attribution_id", "target_id")
    ):
        links[attribution].append(target)
    return {
        span.pk: _span_dict(span, links[span.pk])
        for span in Span.objects.filter(pk__in=span_ids).select_related("annotator")
    }


def _diff(before, after):
    keys = [k for k in after if before.get(k) != after[k]] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def updates_to_diffs(apps, schema_editor):
    SpanChange = apps.get_model("annotate", "SpanChange")
    changed = []
    for row in SpanChange.objects.filter(action="update").order_by("id").iterator(chunk_size=CHUNK):
        if row.before and row.after and "quote" in row.before and "quote" in row.after:  # a whole copy
            row.before, row.after = _diff(row.before, row.after)
            changed.append(row)
        if len(changed) >= CHUNK:
            SpanChange.objects.bulk_update(changed, ["before", "after"])
            changed = []
    SpanChange.objects.bulk_update(changed, ["before", "after"])


def diffs_to_updates(apps, schema_editor):
    SpanChange = apps.get_model("annotate", "SpanChange")
    span_ids = list(SpanChange.objects.filter(action="update").values_list("span_id_value", flat=True).distinct())
    for first in range(0, len(span_ids), CHUNK):
        state, changed = {}, []
        rows = SpanChange.objects.filter(span_id_value__in=span_ids[first : first + CHUNK]).order_by("at", "id")
        for row in rows:
            if row.action == "create":
                state[row.span_id_value] = row.after or {}
            elif row.action == "update":
                prior = state.get(row.span_id_value, {})
                state[row.span_id_value] = {**prior, **(row.after or {})}
                row.before, row.after = {**prior, **(row.before or {})}, state[row.span_id_value]
                changed.append(row)
        SpanChange.objects.bulk_update(changed, ["before", "after"], batch_size=CHUNK)


def creates_to_batches(apps, schema_editor):
    SpanChange = apps.get_model("annotate", "SpanChange")
    SpanBatch = apps.get_model("annotate", "SpanBatch")
    SpanBatchDocument = apps.get_model("annotate", "SpanBatchDocument")
    groups = (
        SpanChange.objects.filter(action="create")
        .values("project_id", "actor_id", "at")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("at")
    )
    for group in list(groups):
        rows = list(
            SpanChange.objects.filter(
                action="create", project_id=group["project_id"], actor_id=group["actor_id"], at=group["at"]
            ).values_list("pk", "span_id_value", "document_id", "after")
        )
        ids = [span_id for _, span_id, _, _ in rows]
        changed_since = set(
            SpanChange.objects.filter(span_id_value__in=ids).exclude(action="create").values_list("span_id_value", flat=True)
        )
        now = _current(apps, ids)
        # only a span whose row is still exactly its created state can stand for it
        moved = [(pk, span_id, document_id) for pk, span_id, document_id, after in rows
                 if span_id not in changed_since and now.get(span_id) == after]  # fmt: skip
        if len(moved) < 2:
            continue
        batch = SpanBatch.objects.create(project_id=group["project_id"], actor_id=group["actor_id"], reason="import", at=group["at"])
        by_document = defaultdict(list)
        for _, span_id, document_id in moved:
            by_document[document_id].append(span_id)
        SpanBatchDocument.objects.bulk_create(
            [SpanBatchDocument(batch=batch, document_id=d, span_ids=sorted(i)) for d, i in by_document.items()], batch_size=500
        )
        pks = [pk for pk, _, _ in moved]
        for first in range(0, len(pks), CHUNK):
            SpanChange.objects.filter(pk__in=pks[first : first + CHUNK]).delete()


def batches_to_creates(apps, schema_editor):
    SpanChange = apps.get_model("annotate", "SpanChange")
    SpanBatch = apps.get_model("annotate", "SpanBatch")
    SpanBatchDocument = apps.get_model("annotate", "SpanBatchDocument")
    for batch in SpanBatch.objects.order_by("id"):
        parts = list(SpanBatchDocument.objects.filter(batch=batch).values_list("document_id", "span_ids"))
        ids = sorted(i for _, span_ids in parts for i in span_ids)
        for first in range(0, len(ids), CHUNK):
            chunk = ids[first : first + CHUNK]
            now = _current(apps, chunk)
            SpanChange.objects.bulk_create(
                SpanChange(project_id=batch.project_id, document_id=now[i]["document"], span_id_value=i,
                           actor_id=batch.actor_id, action="create", before=None, after=now[i], at=batch.at)
                for i in chunk if i in now
            )  # fmt: skip
        batch.delete()


class Migration(migrations.Migration):
    dependencies = [("annotate", "0007_span_history_batches")]

    operations = [
        migrations.RunPython(updates_to_diffs, diffs_to_updates),
        migrations.RunPython(creates_to_batches, batches_to_creates),
    ]
