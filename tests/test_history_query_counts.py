"""History writes and imports take a fixed number of queries and history rows, whatever their size."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotate.models import Role, Span, SpanBatch, SpanBatchDocument, SpanChange
from annotate.permissions import access_for
from annotate.services import span_update
from tests.conftest import client_for
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

TEXT = "The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure."


@pytest.fixture(autouse=True)
def _imports_run_in_the_request(settings):
    settings.JOBS_INLINE_IMPORT_MAX_BYTES = 512 * 1024 * 1024


def _jsonl(documents: int, first: int = 0) -> bytes:
    spans = [
        {"start": 4, "end": 12, "label": "attribution", "source": "the ministry", "links": [1]},
        {"start": 23, "end": 50, "label": "assertion"},
        {"start": 52, "end": 81, "label": "disputed", "dispute_basis": "within_text"},
    ]
    lines = [json.dumps({"title": f"Story {n}", "text": f"{TEXT} {n}", "external_id": f"d{n}", "spans": spans}) for n in range(first, first + documents)]
    return "\n".join(lines).encode()


@pytest.fixture
def manager(db):
    user = UserFactory(username="alice")
    return user


def _import(user, content: bytes):
    project = ProjectFactory()
    MembershipFactory(project=project, user=user, role=Role.MANAGER)
    upload = SimpleUploadedFile("x.jsonl", content, content_type="application/octet-stream")
    with CaptureQueriesContext(connection) as queries:
        response = client_for(user).post(f"/api/v1/projects/{project.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    return project, len(queries)


def test_an_import_takes_as_many_queries_for_400_documents_as_for_3(manager):
    """Within one write batch (500 documents) the count is the same; each further batch adds a
    fixed few."""
    _import(manager, _jsonl(1, first=1000))  # the first request of a test fills caches
    small, small_queries = _import(manager, _jsonl(3))
    large, large_queries = _import(manager, _jsonl(400, first=10))
    assert Span.objects.filter(document__project=large).count() == 1200
    if connection.vendor == "postgresql":  # COPY: the same statements for 1,200 spans as for 9
        assert large_queries == small_queries
    else:  # not one per row (1,600): SQLite splits each bulk insert by its limit of 999 parameters,
        # about 21 more INSERTs for 1,200 spans (11 columns), 400 documents (14), links and batch rows
        assert large_queries <= small_queries + 30
    # history rows: one batch event and one row per document naming its spans, none per span
    for project, documents in ((small, 3), (large, 400)):
        assert SpanBatch.objects.filter(project=project).count() == 1
        assert SpanBatchDocument.objects.filter(batch__project=project).count() == documents
        assert not SpanChange.objects.filter(project=project).exists()


def test_an_edit_writes_one_history_row_in_a_fixed_number_of_queries(manager):
    project, _ = _import(manager, _jsonl(3))
    access = access_for(manager, project.pk)
    spans = list(Span.objects.filter(document__project=project).order_by("id"))
    counts = []
    for span in spans[:3]:
        with CaptureQueriesContext(connection) as queries:
            span_update(span=span, access=access, actor=manager, fields={"note": "seen"})
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            span_update(span=Span.objects.get(pk=span.pk), access=access, actor=manager, fields={"note": "seen twice"})
        counts.append(len(queries))
    # the first edit of an imported span writes its created state too; later edits only their diff
    assert counts[0] == counts[2] == counts[4] and counts[1] == counts[3] == counts[5]
    assert counts[1] < counts[0]
    assert SpanChange.objects.filter(project=project, action="create").count() == 3
    assert SpanChange.objects.filter(project=project, action="update").count() == 6
