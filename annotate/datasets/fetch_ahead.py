"""Rows of querysets read through server-side cursors on one PostgreSQL connection in pipeline
mode (psycopg's): each cursor's next FETCHes (AHEAD of them) are sent before the rows of its
last one are handed out, so PostgreSQL reads the next chunks while Python turns this one into
records.

With Django's .iterator() each FETCH waited for its answer, and PostgreSQL waited while Python
worked: the API's jsonl export of 5,000 documents took 0.54 s that way and 0.48 s this way
(docs/benchmarks.md, session 11). A pipeline's results come back in the order the
statements were sent, whichever cursor asks first; psycopg keeps each statement's result with
its own cursor object until it is read, so several FetchAheadRows can be read side by side.

Values come as psycopg loads them, without a field's from_db_value: for the plain columns an
export selects (text, integers, dates, a JSON column cast to text). PostgreSQL only, inside a
transaction (export_snapshot) and inside fetch_ahead_pipeline().
"""
import collections
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.models import QuerySet

_names = itertools.count()
# FETCHes a cursor keeps sent and unread. PostgreSQL's work per chunk comes in bursts (a chunk
# of 200 documents is 800 KB of text), and with one FETCH ahead Python waited for it: with
# three, the jsonl export of 101,000 spans took 0.85x the time, paired over 20 alternated
# repetitions (docs/benchmarks.md, session 13; six ahead were no better than three).
AHEAD = 3


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
        self._ahead = collections.deque(self._send_fetch() for _ in range(AHEAD))

    def _send_fetch(self) -> psycopg.Cursor:
        """In pipeline mode execute() only sends: the answer is read by fetchall()."""
        cursor = self._raw.cursor()
        cursor.execute(f"FETCH FORWARD {self._chunk} FROM {self._name}")
        return cursor

    def __iter__(self) -> Iterator[tuple]:
        while self._ahead:
            rows = self._ahead.popleft().fetchall()
            if len(rows) == self._chunk:
                # another FETCH goes out now: PostgreSQL works on it while these rows are used
                self._ahead.append(self._send_fetch())
            else:
                self._ahead.clear()  # the end: the FETCHes sent past it answer no rows
            yield from rows

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._ahead.clear()
            self._raw.cursor().execute(f"CLOSE {self._name}")
