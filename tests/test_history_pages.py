"""The history's pages (workflow.history_pages) give exactly the view's events in the view's
order, for every slice: single changes before, between and after batches, a batch's spans whose
first change wrote their created state at the batch's time (inside a run's id range), two
batches at one time with overlapping runs, deletes, links; for a manager, for an annotator (own
actions only) and per document. Then the API's pages and the history page read that way, in a
fixed number of queries."""
import pytest
from django.test import Client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotate.models import Label, Role, Span, SpanBatch
from annotate.permissions import access_for
from annotate.services import span_create, span_delete, span_link_create, span_update
from annotate.services.history import batch_add, batch_create
from annotate.workflow import selectors
from tests.conftest import client_for
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory

TEXT = "The ministry said that inflation fell to 3% in May, and critics dispute the figure today."


def _batch(actor, spans_by_document: dict, at=None):
    batch = batch_create(project_id=next(iter(spans_by_document)).project_id, actor=actor, reason=SpanBatch.Reason.IMPORT,
                         at=at or timezone.now())  # fmt: skip
    batch_add(batch=batch, spans_by_document={d.pk: [s.pk for s in spans] for d, spans in spans_by_document.items()})
    return batch


@pytest.fixture
def busy(db):
    alice, carol = UserFactory(username="alice"), UserFactory(username="carol")
    project = ProjectFactory()
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    MembershipFactory(project=project, user=carol, role=Role.ANNOTATOR)
    docs = [DocumentFactory(project=project, text=TEXT) for _ in range(3)]
    manager, annotator = access_for(alice, project.pk), access_for(carol, project.pk)
    span_create(document=docs[0], access=annotator, actor=carol, fields={"start": 0, "end": 3, "label": "assertion"})
    first = {d: [SpanFactory(document=d, annotator=alice, start=i, end=i + 5) for i in range(0, 20, 4)] for d in docs}
    _batch(alice, first)
    span_create(document=docs[1], access=annotator, actor=carol, fields={"start": 4, "end": 12, "label": "assertion"})
    # first changes: the created state written at the batch's time, inside its run's id range
    span_update(span=first[docs[0]][2], access=manager, actor=alice, fields={"note": "checked"})
    span_delete(span=first[docs[1]][1], access=manager, actor=alice)
    attribution = first[docs[2]][3]
    span_update(span=attribution, access=manager, actor=alice, fields={"label": Label.ATTRIBUTION, "source": "the ministry"})
    span_link_create(attribution=Span.objects.get(pk=attribution.pk), target=first[docs[2]][0], access=manager, actor=alice)
    # two batches at one time (a carol one among them), their runs' id ranges overlapping
    at = timezone.now()
    interleaved = {d: [] for d in docs[:2]}
    for i in range(4):
        for d in docs[:2]:
            interleaved[d].append(SpanFactory(document=d, annotator=carol, start=30 + i, end=40 + i))
    _batch(alice, {docs[0]: interleaved[docs[0]]}, at=at)
    _batch(carol, {docs[1]: interleaved[docs[1]]}, at=at)
    span_update(span=interleaved[docs[1]][1], access=annotator, actor=carol, fields={"note": "mine"})
    span_update(span=first[docs[0]][2], access=manager, actor=alice, fields={"note": "checked twice"})
    span_create(document=docs[2], access=annotator, actor=carol, fields={"start": 50, "end": 60, "label": "assertion"})
    return project, docs, manager, annotator


def _shown(events) -> list[tuple]:
    return [(e.pk, e.at, e.actor_id, e.action, e.document_id, e.span_id_value, e.before, e.after, e.batch_id,
             e.actor.username if e.actor else None, e.document.title) for e in events]  # fmt: skip


@pytest.mark.parametrize("who", ["manager", "annotator"])
@pytest.mark.parametrize("per_document", [None, 0, 1, 2])
def test_every_slice_is_the_views(busy, who, per_document):
    project, docs, manager, annotator = busy
    access = manager if who == "manager" else annotator
    document_id = None if per_document is None else docs[per_document].pk
    view = list(selectors.span_history(project=project, access=access, document_id=document_id))
    pages = selectors.span_history_pages(project=project, access=access, document_id=document_id)
    assert pages.count() == len(view)
    if who == "manager" and per_document is None:
        assert len(view) > 30 and {e.batch_id for e in view} - {None}  # the data is what this test is about
    expected = _shown(view)
    for start in range(len(view) + 1):
        for length in (1, 2, 5, 13, len(view)):
            assert _shown(pages[start : start + length]) == expected[start : start + length], (start, length)
    assert _shown(pages.latest(7)) == expected[::-1][:7]
    assert [selectors.event_as_dict(e) for e in selectors.history_expanded(pages[0 : len(view)])] == [
        selectors.event_as_dict(e) for e in selectors.history_expanded(view)
    ]


def test_the_api_pages_are_the_views_order_in_a_fixed_number_of_queries(busy):
    project, docs, manager, _ = busy
    view = [selectors.event_as_dict(e) for e in selectors.history_expanded(list(selectors.span_history(project=project, access=manager)))]
    alice = UserFactory._meta.model.objects.get(pk=manager.user_id)
    client = client_for(alice)
    pages, counts, url = [], [], f"/api/v1/projects/{project.pk}/history/?page_size=7"
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        counts.append(len(queries))
        assert body["count"] == len(view)
        pages += body["results"]
        url = body["next"]
    assert pages == view
    # a fixed number whatever the page and the project's size: the layout 4 to 6 (batch rows,
    # batches, change counts, change rows of batch times, cut counts, overlapping runs' ids), the
    # page's run ids, change rows, stretches 1 to 2, actors and documents 2, expansion 3, the request's own
    assert max(counts) <= 18, counts
    page = Client()
    page.force_login(alice)
    html = page.get(f"/projects/{project.pk}/history/").content.decode()
    assert f"{len(view)} span changes" in html
    # newest first: the last event's span, then the first's at the bottom
    assert html.index(f"span {view[-1]['span']}<") < html.rindex(f"span {view[0]['span']}<")
