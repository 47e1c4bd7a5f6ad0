"""Concurrent first changes of spans one batch created (an import, an accept-all-agreed): each
writes that span's created state as a SpanChange create and takes the span out of its
SpanBatchDocument row. Real requests against a live server, each in its own thread and
connection: every span ends with one create and its changes, no 500, no deadlock, no span
left named by its batch."""
import pytest
from django.db import connection
from django.utils import timezone

from annotate.models import Label, SpanBatch, SpanBatchDocument, SpanChange, SpanEvent, SpanLink
from annotate.services.history import batch_add, batch_create
from tests.factories import DocumentFactory, SpanFactory
from tests.test_races import ROUNDS, _at_once, _document_with_manager, _no_500, manager  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: row locks (SQLite serialises writers; see tests/test_races.py)")


def _batched(user, documents: int = 1, spans: int = 2, **span_fields) -> list:
    """`spans` spans in each of `documents` documents of one project, named by one batch."""
    first = _document_with_manager(user)
    made = []
    for document in [first] + [DocumentFactory(project=first.project) for _ in range(documents - 1)]:
        made += [
            SpanFactory(document=document, annotator=user, start=4 * i, end=4 * i + 3, **span_fields) for i in range(spans)
        ]
    batch = batch_create(project_id=first.project_id, actor=user, reason=SpanBatch.Reason.IMPORT, at=timezone.now())
    by_document: dict[int, list[int]] = {}
    for span in made:
        by_document.setdefault(span.document_id, []).append(span.pk)
    batch_add(batch=batch, spans_by_document=by_document)
    return made


def _note(pk: int, text: str, version: int = 1):
    return lambda c: c.patch(f"/api/v1/spans/{pk}/", json={"note": text, "version": version})


def _history_of(span_id: int) -> list[tuple[str, dict | None, dict | None]]:
    return list(
        SpanEvent.objects.filter(span_id_value=span_id).order_by("at", "span_id_value", "id").values_list("action", "before", "after")
    )


def _assert_one_create_each(spans) -> None:
    for span in spans:
        assert SpanChange.objects.filter(span_id_value=span.pk, action="create").count() == 1, span.pk
        assert SpanEvent.objects.filter(span_id_value=span.pk, action="create").count() == 1, span.pk
    named = [i for ids in SpanBatchDocument.objects.values_list("span_ids", flat=True) for i in ids]
    assert not set(named) & {span.pk for span in spans}


def test_first_edits_of_two_spans_of_one_batch_document_at_once(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        spans = _batched(user, spans=3)
        results = _at_once(live_server, [(token, _note(span.pk, f"seen {span.pk}")) for span in spans[:2]])
        _no_500(results)
        assert [status for status, _ in results] == [200, 200], results
        _assert_one_create_each(spans[:2])
        assert SpanBatchDocument.objects.get(document=spans[0].document).span_ids == [spans[2].pk]
        for span in spans[:2]:
            (create, _, created), (update, before, after) = [(a, b, c) for a, b, c in _history_of(span.pk)]
            assert (create, created["note"], created["version"]) == ("create", "", 1)
            assert (update, before, after) == ("update", {"note": "", "version": 1, "updated_at": before["updated_at"]},
                                               {"note": f"seen {span.pk}", "version": 2, "updated_at": after["updated_at"]})  # fmt: skip


def test_two_first_edits_of_the_same_batch_span_at_once(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        [span] = _batched(user, spans=1)
        results = _at_once(live_server, [(token, _note(span.pk, "first")), (token, _note(span.pk, "second"))])
        _no_500(results)
        # both said they changed version 1: the one that locked the span second is told it changed since
        assert sorted(status for status, _ in results) == [200, 412], results
        _assert_one_create_each([span])
        assert not SpanBatchDocument.objects.filter(document=span.document).exists()
        kept = "first" if results[0][0] == 200 else "second"
        history = _history_of(span.pk)
        assert [(action, (after or {}).get("note")) for action, _, after in history] == [("create", ""), ("update", kept)]
        assert history[1][1]["note"] == "" and history[1][1]["version"] == 1


def test_first_edits_across_the_documents_of_one_batch_at_once(live_server, manager):
    """Each writer locks only its document's batch row, not the batch itself: four documents'
    first edits run side by side (and a lock on the batch row shared by all could not deadlock
    them against each other's document rows)."""
    user, token = manager
    for _ in range(ROUNDS // 2):
        spans = _batched(user, documents=4, spans=2)
        results = _at_once(live_server, [(token, _note(span.pk, "seen")) for span in spans])
        _no_500(results)
        assert {status for status, _ in results} == {200}, results
        _assert_one_create_each(spans)
        assert not SpanBatchDocument.objects.filter(batch__project=spans[0].document.project).exists()


def test_deleting_a_batch_span_while_the_attribution_linking_to_it_is_edited(live_server, manager):
    """The delete writes the attribution's created state too (its link goes with the target):
    whichever runs first, the attribution has one create, and its edit and the lost link follow."""
    user, token = manager
    for _ in range(ROUNDS):
        attribution, target = _batched(user, spans=2)
        attribution.label, attribution.source = Label.ATTRIBUTION, "the ministry"
        attribution.save()
        SpanLink.objects.create(attribution=attribution, target=target)
        results = _at_once(
            live_server,
            [
                (token, _note(attribution.pk, "checked")),
                (token, lambda c, t=target.pk: c.delete(f"/api/v1/spans/{t}/", headers={"If-Match": '"1"'})),
            ],
        )
        _no_500(results)
        assert [status for status, _ in results] == [200, 204], results
        _assert_one_create_each([attribution, target])
        history = _history_of(attribution.pk)
        assert history[0][0] == "create" and history[0][2]["links"] == [target.pk]
        assert [action for action, _, _ in history] == ["create", "update"]
        assert history[-1][2]["note"] == "checked"
        assert [action for action, _, _ in _history_of(target.pk)] == ["create", "delete"]
