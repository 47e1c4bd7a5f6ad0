"""Bulk writes by PostgreSQL COPY in its binary format, for imports and the history rows they make.

Why binary, with each column's type read from the catalog: psycopg then dumps every value with
the one dumper of its column (set_types) instead of looking one up per value, and PostgreSQL
parses no integers or timestamps. For the anchor import's 101,000 spans that is about a third
of text COPY's cost on both sides. The types come from pg_attribute at each call (one query),
so a migration that changes a column can never meet a stale type.

Values are plain Python values of the column's type: str, int, date, an aware datetime, None,
and for a jsonb column the Python object itself (lists of ids or links), written as compact
JSON by records.compact_json_bytes.
"""
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, ProgrammingError, transaction
from psycopg.types.json import set_json_dumps

from annotate.datasets.records import compact_json_bytes


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY `rows` (tuples in the order of `columns`) into `table`. `cursor`: a Django cursor
    on PostgreSQL."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    types = dict(cursor.fetchall())
    raw = cursor.cursor  # psycopg's own cursor: COPY is not part of Django's cursor API
    set_json_dumps(compact_json_bytes, context=raw)
    names = ", ".join(cursor.db.ops.quote_name(column) for column in columns)
    copy_sql = f"COPY {cursor.db.ops.quote_name(table)} ({names}) FROM STDIN (FORMAT BINARY)"
    with cursor.db.wrap_database_errors, raw.copy(copy_sql) as copy:  # errors as Django's, as for execute()
        copy.set_types([types[column] for column in columns])
        for row in rows:
            copy.write_row(row)


def copy_rows_keys_checked_per_table(cursor, table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
    """copy_rows, with each of the table's foreign keys checked by one query for all the rows
    instead of one trigger per row.

    Why: a foreign key is checked by a trigger per row (RI_FKey_check), deferred to the COMMIT.
    For an import's 101,000 spans with two keys each that was 202,000 lookups, a third of the
    import (0.6-1.4 s). Here the keys' distinct values are looked up once per key and locked FOR
    KEY SHARE, as each trigger would have done (a referenced row cannot be deleted before the
    COMMIT), and a missing one raises IntegrityError before any row is written. The COPY then
    runs with the transaction's session_replication_role set to replica, which queues no
    trigger, and the role is set back right after.

    The plain copy_rows is used instead where that would skip anything else: the role may not
    be set (it needs a superuser, or on PostgreSQL 15+ GRANT SET ON PARAMETER
    session_replication_role), the table has an insert trigger or a rule of its own, or a key of
    several columns. The keys and triggers are read from the catalog at each call, so a key
    added by a later migration is checked too."""
    keys = _single_column_keys(cursor, table, columns)
    if keys is None or not _replica_role_set(cursor):
        copy_rows(cursor, table, columns, rows)
        return
    quote = cursor.db.ops.quote_name
    for name, column, target, target_column in keys:
        index = list(columns).index(column)
        wanted = {row[index] for row in rows} - {None}
        cursor.execute(
            f"SELECT {quote(target_column)} FROM {quote(target)} WHERE {quote(target_column)} = ANY(%s) FOR KEY SHARE",
            [sorted(wanted)],
        )
        missing = wanted - {found for (found,) in cursor.fetchall()}
        if missing:
            cursor.execute("SET LOCAL session_replication_role = origin")
            raise IntegrityError(
                f'insert on table "{table}" violates foreign key constraint "{name}": '
                f'key ({column})=({min(missing)}) is not present in table "{target}"'
            )
    copy_rows(cursor, table, columns, rows)
    cursor.execute("SET LOCAL session_replication_role = origin")


def _single_column_keys(cursor, table: str, columns: Sequence[str]) -> list[tuple] | None:
    """(constraint, column, referenced table, referenced column) of each foreign key of `table`;
    None where checking them as sets would leave something out (see above)."""
    cursor.execute(
        """
        SELECT (SELECT relhasrules FROM pg_class WHERE oid = %(t)s::regclass)
            OR EXISTS (SELECT FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal
                       AND tgtype & 4 <> 0 AND tgenabled IN ('O', 'R'))
            OR EXISTS (SELECT FROM pg_constraint WHERE conrelid = %(t)s::regclass AND contype = 'f'
                       AND cardinality(conkey) <> 1)
        """,
        {"t": table},
    )
    if cursor.fetchone()[0]:
        return None
    cursor.execute(
        """
        SELECT c.conname, a.attname, t.relname, fa.attname
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.conrelid = %s::regclass AND c.contype = 'f'
        ORDER BY c.conname
        """,
        [table],
    )
    keys = cursor.fetchall()
    if any(column not in columns for _, column, _, _ in keys):
        return None  # a key column the COPY leaves to its default: let its trigger judge it
    return keys


def _replica_role_set(cursor) -> bool:
    """SET LOCAL session_replication_role = replica, if this role may (in a savepoint: a refusal
    would otherwise abort the transaction)."""
    try:
        with transaction.atomic(using=cursor.db.alias):
            cursor.execute("SET LOCAL session_replication_role = replica")
    except ProgrammingError:
        return False
    return True
