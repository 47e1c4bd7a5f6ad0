"""Migrations 0007 and 0008 on rows written before them: whole copies become a batch and diffs,
the history reads the same, and going back restores the whole copies."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("annotate", "0006_attribution_links_trigger")]
AFTER = [("annotate", "0008_span_history_compact_rows")]
AT = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.timezone.utc)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _span_dict(span, username, links=()):
    iso = lambda m: m.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    return {
        "id": span.pk, "document": span.document_id, "annotator": username, "layer": span.layer, "label": span.label,
        "start": span.start, "end": span.end, "quote": span.quote, "note": span.note, "source": span.source,
        "dispute_basis": span.dispute_basis, "evidence_links": list(span.evidence_links), "links": list(links),
        "version": span.version, "created_at": iso(span.created_at), "updated_at": iso(span.updated_at),
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_old_rows_become_a_batch_and_diffs_and_come_back_whole():
    apps = _migrate(BEFORE)
    try:
        User, Project, Document = (apps.get_model(*n) for n in (("auth", "User"), ("annotate", "Project"), ("annotate", "Document")))
        Span, SpanEvent = apps.get_model("annotate", "Span"), apps.get_model("annotate", "SpanEvent")
        alice = User.objects.create(username="alice")
        project = Project.objects.create(name="Old")
        text = "The ministry said that inflation fell."
        document = Document.objects.create(project=project, title="t", text=text, length=len(text), text_sha256="x", received_sha256="x")

        def span(start, end, **fields):
            return Span.objects.create(document=document, annotator=alice, label="assertion", start=start, end=end, quote=text[start:end], **fields)

        imported = [span(0, 3), span(4, 12), span(23, 32)]
        for s in imported:  # as an import wrote them: one actor, one time
            SpanEvent.objects.create(project=project, document=document, span_id_value=s.pk, actor=alice, action="create", after=_span_dict(s, "alice"))
        SpanEvent.objects.filter(project=project).update(at=AT)
        edited = imported[2]
        first = _span_dict(edited, "alice")
        Span.objects.filter(pk=edited.pk).update(note="checked", version=2)
        edited.refresh_from_db()
        second = _span_dict(edited, "alice")
        SpanEvent.objects.create(project=project, document=document, span_id_value=edited.pk, actor=alice, action="update", before=first, after=second)
        single = span(13, 17)
        SpanEvent.objects.create(project=project, document=document, span_id_value=single.pk, actor=alice, action="create", after=_span_dict(single, "alice"))
        old_rows = sorted(SpanEvent.objects.values_list("span_id_value", "action", "before", "after"), key=repr)

        apps = _migrate(AFTER)
        SpanChange, SpanBatch, View = (apps.get_model("annotate", n) for n in ("SpanChange", "SpanBatch", "SpanEvent"))
        batch = SpanBatch.objects.get()
        assert (batch.actor_id, batch.at) == (alice.pk, AT)
        assert sorted(i for part in batch.documents.all() for i in part.span_ids) == [imported[0].pk, imported[1].pk]
        update = SpanChange.objects.get(action="update")
        assert update.before == {"note": "", "version": 1} and update.after == {"note": "checked", "version": 2}
        assert SpanChange.objects.filter(action="create").count() == 2  # the edited span's and the single one
        assert View.objects.filter(action="create").count() == 4

        apps = _migrate(BEFORE)
        SpanEvent = apps.get_model("annotate", "SpanEvent")
        assert sorted(SpanEvent.objects.values_list("span_id_value", "action", "before", "after"), key=repr) == old_rows
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
