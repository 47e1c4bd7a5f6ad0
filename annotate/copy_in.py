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
    with raw.copy(f"COPY {cursor.db.ops.quote_name(table)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[column] for column in columns])
        for row in rows:
            copy.write_row(row)
