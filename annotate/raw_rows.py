"""One model instance from one plain SQL query, for the hot paths (token authentication, the
span save's permission read): Model.objects.raw() resolved the model's columns and built its
iterator machinery on every call, which cost more than the query's own work in Python.

The query selects the model's columns named in `attnames`, in that order, then `extra` values
that become attributes of the instance (e.g. the caller's role). Columns left out load lazily
on access, as with .defer()."""
from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=None)
def _converters(model, attnames: tuple[str, ...]) -> tuple:
    """(position, converter functions) of the columns whose values Django converts on read
    (a JSONField's from_db_value, the backend's own), as a queryset would."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out = []
    for i, name in enumerate(attnames):
        column = fields[name].get_col(model._meta.db_table)  # what a queryset's converters are given
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            out.append((i, column, tuple(functions)))
    return tuple(out)


def hot_cursor():
    """A cursor for a statement run on every request of a hot path: on PostgreSQL one whose
    statements get prepared (annotate.ops.postgresql: prepared_cursor), else a plain one."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def first_instance(model, sql: str, params: list, attnames: tuple[str, ...], extra: tuple[str, ...] = ()):
    """The first row of `sql` as an instance of `model` (None when there is none), by a
    prepared statement where there are such (hot_cursor)."""
    instances = first_instances(sql, params, (model, attnames, extra))
    return None if instances is None else instances[0]


def first_instances(sql: str, params: list, *parts: tuple) -> tuple | None:
    """The first row of `sql` as one instance per part, each part (model, attnames, extra)
    taking the row's next len(attnames) + len(extra) values (None when there is no row)."""
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, at = [], 0
    for model, attnames, extra in parts:
        values = list(row[at : at + len(attnames)])
        for i, column, functions in _converters(model, attnames):
            for function in functions:
                values[i] = function(values[i], column, connection)
        instance = model.from_db(connection.alias, attnames, values)
        at += len(attnames)
        for name, value in zip(extra, row[at : at + len(extra)]):
            setattr(instance, name, value)
        at += len(extra)
        instances.append(instance)
    return tuple(instances)


def select_list(model, alias: str, *, without: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """The SELECT list of `model`'s columns (table alias `alias`) less `without` (field names),
    and their attnames in that order, for first_instance."""
    fields = [f for f in model._meta.concrete_fields if f.name not in without]
    return ", ".join(f'{alias}."{f.column}"' for f in fields), tuple(f.attname for f in fields)
