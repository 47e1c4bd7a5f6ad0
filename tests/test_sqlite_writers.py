"""SQLite, the zero-setup default (`make run`: a web server and a job worker on one file): a
transaction takes the write lock when it begins (Django's transaction_mode IMMEDIATE), so two
writers wait for each other within the busy timeout. A deferred transaction that had read first
got "database is locked" at once when it came to write beside another writer, whatever the
timeout (the workspace's suggestions request beside the worker's job, on a first `make run`)."""
import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = [pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking"), pytest.mark.django_db]


def test_a_transaction_holds_the_write_lock_from_its_start(tmp_path):
    path = tmp_path / "writers.sqlite3"
    ours = DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "TEST": {}}, alias="writers")
    try:
        with ours.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
        with _atomic(ours):
            with ours.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM t")  # a read first, as the suggestions request does
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # the other writer waits for this one, not the reverse
            other.close()
    finally:
        ours.close()


class _atomic:
    """The start of transaction.atomic() on SQLite, for a connection that is not in
    django.db.connections: the BEGIN it sends (its _start_transaction_under_autocommit)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def __enter__(self):
        self.wrapper.ensure_connection()
        self.wrapper._start_transaction_under_autocommit()

    def __exit__(self, *exc):
        self.wrapper.cursor().execute("ROLLBACK")
