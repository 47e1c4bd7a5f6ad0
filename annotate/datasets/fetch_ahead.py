"""Rows of querysets read through server-side cursors on one PostgreSQL connection in pipeline
mode (psycopg's): each cursor's next FETCH is sent before the rows of its last one are handed
out, so PostgreSQL reads the next chunk while Python turns this one into records.

With Django's .iterator() each FETCH waited for its answer, and PostgreSQL waited while Python
worked: the API's jsonl export of 5,000 documents took 0.54 s that way and 0.48 s this way
(docs/benchmarks.md, session 11). A pipeline's results come back in the order the
statements were sent, whichever cursor asks first; psycopg keeps each statement's result with
its own cursor object until it is read, so several FetchAheadRows can be read side by side.

Values come as psycopg loads them, without a field's from_db_value: for the plain columns an
export selects (text, integers, dates, a JSON column cast to text). PostgreSQL only, inside a
transaction (export_snapshot) and inside fetch_ahead_pipeline().
"""
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.models import QuerySet

_names = itertools.count()


@contextmanager
def fetch_ahead_pipeline():
    """The connection in pipeline mode for the block (on PostgreSQL; elsewhere nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.connection.pipeline():
        yield


class FetchAheadRows:
    """The rows of a values_list `queryset`, `chunk` at a time, the next chunk asked for before
    this one is handed out. close() it inside the transaction it was opened in."""

    def __init__(self, queryset: QuerySet, chunk: int):
        sql, params = queryset.query.sql_with_params()
        self._raw = connection.connection  # psycopg's own; the transaction is Django's
        self._name = f"fetch_ahead_{next(_names)}"
        self._chunk = chunk
        self._closed = False
        # bound on the client, as Django binds its queries (the SQL holds %s placeholders)
        declare = psycopg.ClientCursor(self._raw)
        started = time.monotonic()
        declare.execute(f"DECLARE {self._name} NO SCROLL CURSOR FOR {sql}", params)
        if connection.queries_logged:  # one entry a cursor, as Django logs its own server-side cursors
            connection.queries_log.append({"sql": declare.mogrify(sql, params), "time": f"{time.monotonic() - started:.3f}"})
        self._pending = self._send_fetch()

    def _send_fetch(self) -> psycopg.Cursor:
        """In pipeline mode execute() only sends: the answer is read by fetchall()."""
        cursor = self._raw.cursor()
        cursor.execute(f"FETCH FORWARD {self._chunk} FROM {self._name}")
        return cursor

    def __iter__(self) -> Iterator[tuple]:
        while self._pending is not None:
            rows = self._pending.fetchall()
            # the next FETCH goes out now, and PostgreSQL works on it while these rows are used
            self._pending = self._send_fetch() if len(rows) == self._chunk else None
            yield from rows

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pending = None
            self._raw.cursor().execute(f"CLOSE {self._name}")
