"""Export rows read through server-side cursors in pipeline mode (annotate.datasets.fetch_ahead):
the same rows in the same order as Django's iterator, whatever the chunk, several cursors read
side by side, the next FETCHes already sent while a chunk is handed out, and a cursor closed half
read leaves its transaction usable."""
import pytest
from django.db import connection, transaction

from annotate.datasets.fetch_ahead import AHEAD, FetchAheadRows, fetch_ahead_pipeline
from annotate.models import Document
from tests.factories import DocumentFactory, ProjectFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pipeline mode and cursors are PostgreSQL's")


@pytest.fixture
def documents(db):
    project = ProjectFactory()
    for n in range(7):
        DocumentFactory(project=project, title=f"doc {n}", text=f"Text number {n} 📰.")
    return Document.objects.filter(project=project).order_by("id")


def read(queryset, chunk: int) -> list:
    with transaction.atomic(), fetch_ahead_pipeline():
        rows = FetchAheadRows(queryset, chunk)
        try:
            return list(rows)
        finally:
            rows.close()


@pytest.mark.parametrize("chunk", [1, 2, 7, 100])
def test_rows_are_the_querysets_in_its_order(documents, chunk):
    queryset = documents.values_list("id", "title", "text")
    assert read(queryset, chunk) == list(queryset)


def test_two_cursors_read_side_by_side(documents):
    ids = list(documents.values_list("id", flat=True))
    with transaction.atomic(), fetch_ahead_pipeline():
        up = FetchAheadRows(documents.values_list("id"), 2)
        down = FetchAheadRows(documents.order_by("-id").values_list("id"), 3)
        pairs = list(zip(up, down))
        up.close(), down.close()
    assert pairs == list(zip([(i,) for i in ids], [(i,) for i in reversed(ids)]))


def test_the_next_fetches_are_sent_before_a_chunk_is_handed_out(documents):
    with transaction.atomic(), fetch_ahead_pipeline():
        rows = FetchAheadRows(documents.values_list("id"), 2)
        iterator = iter(rows)
        next(iterator)  # the first chunk of two is read...
        assert AHEAD > 1 and len(rows._ahead) == AHEAD  # ...and AHEAD more FETCHes are on their way
        rest = list(iterator)
        assert not rows._ahead and len(rest) == 6  # the short fourth chunk ended it
        rows.close()


def test_a_cursor_closed_half_read_leaves_the_transaction_usable(documents):
    with transaction.atomic():
        with fetch_ahead_pipeline():
            rows = FetchAheadRows(documents.values_list("id"), 2)
            next(iter(rows))
            rows.close()
        assert Document.objects.filter(pk__in=documents.values("pk")).count() == 7
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE 'fetch_ahead_%%'")
            assert cursor.fetchone() == (0,)
