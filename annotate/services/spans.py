"""Spans and the links between them. Each write is checked by annotate.validation and
recorded in the span history (annotate.services.history: the audit history, and the project's
"last changed" clock)."""
import json
from contextlib import nullcontext
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Substr
from django.db.models.sql import InsertQuery
from django.utils import timezone

from annotate.errors import Conflict, InvalidInput, NotFound
from annotate.models import Document, Label, Layer, Span, SpanAction, SpanChange, SpanLink
from annotate.permissions import (
    WRITE_OTHERS_LAYERS,
    Access,
    check,
    check_may_edit_span,
    document_window_for_user,
    still_member_of_document_sql,
    token_user_and_document_window,
)
from annotate.raw_rows import hot_cursor
from annotate.selectors import span_as_dict
from annotate.services.history import record_change, release_from_batches, release_linking_to
from annotate.validation import check_version, validate_link, validate_span

EDITABLE_FIELDS = ("start", "end", "label", "quote", "note", "source", "dispute_basis", "evidence_links")


# Lock order, so that concurrent writes wait for each other instead of deadlocking: the document
# row first (FOR KEY SHARE: span writes don't block each other, but document_update and
# document_delete take FOR UPDATE and so wait for them, and they for it), then span rows FOR
# UPDATE in ascending id order. A row that vanished while we waited is a 404, not a 500.
_GONE = "It was deleted by another request a moment ago."


def _document_window(document_id: int, start: int, end: int) -> tuple[int, str]:
    """(length of the text, text[start:end]) read in the database, not the whole text, with the
    document row locked FOR KEY SHARE (see the lock order above); NotFound when it is gone."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT length, substr(text, %s, %s) FROM annotate_document WHERE id = %s FOR KEY SHARE",
                [max(start, 0) + 1, max(end - start, 0), document_id],
            )
            row = cursor.fetchone()
    else:
        row = (
            Document.objects.filter(pk=document_id)
            .annotate(window=Substr("text", max(start, 0) + 1, max(end - start, 0)))
            .values_list("length", "window")
            .first()
        )
    if row is None:
        raise NotFound({"detail": f"No such document. {_GONE}"})
    return row


def _lock_document(document_id: int) -> None:
    _document_window(document_id, 0, 0)


def _locked_spans(*span_ids: int) -> dict[int, Span]:
    """The spans, locked FOR UPDATE in id order (after their document: see the lock order);
    only the span rows, not the joined annotator's."""
    return {
        span.pk: span
        for span in Span.objects.select_for_update(of=("self",))
        .select_related("annotator")
        .filter(pk__in=span_ids)
        .order_by("pk")
    }


def _locked_span(span: Span) -> Span:
    _lock_document(span.document_id)
    locked = _locked_spans(span.pk).get(span.pk)
    if locked is None:
        raise NotFound({"detail": f"No such span. {_GONE}"})
    return locked


# Read this much text each side of a span with it: the grapheme boundary check looks there.
_CONTEXT = 32


def _window_bounds(start, end) -> tuple[int, int]:
    """[lo, hi): the text read with the lock for a span at [start, end), context included."""
    if not (isinstance(start, int) and isinstance(end, int) and end > start >= 0):
        start = end = 0  # offsets out of order: validation reports it without reading text
    return max(start - _CONTEXT, 0), end + _CONTEXT


class _TextAround:
    """slice_text for validate_span: the text from [start - _CONTEXT, end + _CONTEXT) is read with
    the lock (or was read with it: `read` = (length, text[lo:hi])); a slice outside it (a rare
    long cluster or run of flags) is one more read."""

    def __init__(self, document_id: int, start: int, end: int, read: tuple[int, str] | None = None):
        self.document_id = document_id
        self.lo, hi = _window_bounds(start, end)
        self.length, self.window = read if read is not None else _document_window(document_id, self.lo, hi)

    def __call__(self, start: int, end: int) -> str:
        start, end = max(start, 0), min(end, self.length)
        if self.lo <= start and end <= self.lo + len(self.window):
            return self.window[start - self.lo : end - self.lo]
        return _document_window(self.document_id, start, end)[1]


def _validated(document_id: int, fields: dict, read: tuple[int, str] | None = None):
    start, end = fields["start"], fields["end"]
    text = _TextAround(document_id, start, end, read)
    return validate_span(
        text_length=text.length,
        slice_text=text,
        start=start,
        end=end,
        label=fields["label"],
        quote=fields.get("quote"),
        note=fields.get("note") or "",
        source=fields.get("source") or "",
        dispute_basis=fields.get("dispute_basis") or "",
        evidence_links=fields.get("evidence_links") or (),
    )


# What makes two spans the same span (the span_unique_identical constraint).
IDENTITY = ("document_id", "layer", "annotator_id", "start", "end", "label")


def _conflict_if_identical(span: Span) -> Conflict | None:
    """The 409 naming the existing span that `span` repeats (after its write failed), or None."""
    existing = (
        Span.objects.filter(**{field: getattr(span, field) for field in IDENTITY})
        .exclude(pk=span.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is None:
        return None
    return Conflict({"detail": f"This span exists already: span {existing}.", "existing_id": existing})


def _saved_unless_identical(span: Span, save) -> None:
    """Run `save` (an insert or update of span) in a savepoint; when the row would repeat an
    existing span, 409 naming that span's id. The constraint decides, not a check before the
    write, so two identical spans posted at the same moment still give one 201 and one 409."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        conflict = _conflict_if_identical(span)
        if conflict is None:
            raise
        raise conflict from None


def _record(*, span: Span, project_id: int, actor, action: str, before: dict | None, after: dict | None):
    record_change(span=span, project_id=project_id, actor=actor, action=action, before=before, after=after)


def span_create(
    *,
    document: Document,
    access: Access,
    actor,
    fields: dict,
    annotator=None,
    layer: str = Layer.INDIVIDUAL,
    recorded: bool = True,
) -> Span:
    """A span in `annotator`'s layer (the actor's own unless a reviewer or manager names another).
    layer=gold is for adjudication: the actor must be a reviewer or manager. recorded=False: the
    caller names the span in a batch event (annotate.services.history.batch_add)."""

    def locate(lo: int, hi: int):
        return document, access, _document_window(document.pk, lo, hi)

    return _create(locate=locate, fields=fields, actor=actor, annotator=annotator, layer=layer, recorded=recorded)


def span_create_read_for_token(*, key: str, document_id: int, fields: dict) -> tuple | None:
    """For a span save sent with an API token (the API's hot path): (the token's user, `read`
    for span_create_for_user), the token lookup, the permission check and the text window in
    one query (permissions.token_user_and_document_window). None when that finds nothing (or
    on SQLite): the request is then authenticated and checked as any other, with its 401 or 404."""
    if connection.vendor != "postgresql":
        return None
    lo, hi = _window_bounds(fields["start"], fields["end"])
    found = token_user_and_document_window(key, document_id, lo=lo, hi=hi)
    if found is None:
        return None
    user, document, _access = found
    return user, (document, lo, hi)


def span_create_for_user(*, user, document_id: int, fields: dict, read: tuple | None = None) -> Span:
    """span_create of the caller's own span, from the document's id (the API's span save): the
    permission check (404 for non-members) reads the text window in the same query
    (permissions.document_window_for_user), or came with the token's lookup (`read`, from
    span_create_read_for_token for these fields). On PostgreSQL the save is then one statement
    (_create_in_one_statement); when that finds the document changed since the read, or on
    SQLite, it is the transaction that holds the document's lock from the read on."""
    if connection.vendor == "postgresql":
        span = _create_in_one_statement(user=user, document_id=document_id, fields=fields, read=read)
        if span is not None:
            return span

    def locate(lo: int, hi: int):
        document, access = document_window_for_user(user, document_id, lo=lo, hi=hi)
        return document, access, (document.length, document.text_window)

    return _create(locate=locate, fields=fields, actor=user, annotator=None, layer=Layer.INDIVIDUAL)


def _create_in_one_statement(*, user, document_id: int, fields: dict, read: tuple | None = None) -> Span | None:
    """The span save in two round trips instead of five (BEGIN, read and lock, two INSERTs,
    COMMIT): the permission check and text window read without a lock, validate_span, then one
    statement that inserts the span and its history row only while the caller is still a
    member and the text is the one validated (permissions.still_member_of_document_sql locks
    the document row for the statement, as the lock order wants). A statement is its own
    transaction, committed durably like any other. None when that check finds nothing (the
    document was deleted, its text changed or the membership ended a moment ago): the caller
    then runs the locked path, which answers as it always did."""
    lo, hi = _window_bounds(fields["start"], fields["end"])
    if read is not None and read[1:] == (lo, hi) and read[0].pk == document_id:
        document = read[0]  # read with the token, for this user (span_create_read_for_token)
    else:
        document, _access = document_window_for_user(user, document_id, lo=lo, hi=hi, lock=False)
    valid = _validated(document.pk, fields, (document.length, document.text_window))
    span = _new_span(valid, document_id=document.pk, annotator=user, layer=Layer.INDIVIDUAL)
    span_columns, span_values, span_params = _insert_parts(span)  # sets created_at, updated_at
    after = span_as_dict(span, annotator_username=user.username, links=[])  # its "id" set in SQL
    change = SpanChange(
        project_id=document.project_id, document_id=document.pk, span_id_value=0, actor=user,
        action=SpanAction.CREATE, before=None, after=None, at=timezone.now(),
    )  # fmt: skip
    change_columns, change_values, change_params = _insert_parts(
        change, sql={"span_id_value": "s.id", "after": "jsonb_set(%s::jsonb, '{id}', to_jsonb(s.id))"},
        params={"after": [json.dumps(after)]},
    )
    guard_sql, guard_params = still_member_of_document_sql(user, document)
    sql = (
        f"WITH d AS ({guard_sql}),"
        f" s AS (INSERT INTO {Span._meta.db_table} ({span_columns}) SELECT {span_values} FROM d RETURNING id),"
        f" h AS (INSERT INTO {SpanChange._meta.db_table} ({change_columns}) SELECT {change_values} FROM s)"
        " SELECT id FROM s"
    )
    # Inside a caller's transaction (tests, a bulk caller) a refused INSERT must not abort it:
    # a savepoint then, as in _create; on its own the statement needs none.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            row = _one_statement(sql, [*guard_params, *span_params, *change_params])
    except IntegrityError:
        conflict = _conflict_if_identical(span)
        if conflict is None:
            raise
        raise conflict from None
    if row is None:
        return None
    span.pk = row[0]
    span._state.adding, span._state.db = False, connection.alias
    return span


def _one_statement(sql: str, params: list) -> tuple | None:
    """The save's write, a prepared statement (a function of its own so
    bench/profile_span_save.py can time it)."""
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _new_span(valid, *, document_id: int, annotator, layer: str) -> Span:
    """The unsaved span of validate_span's result."""
    return Span(
        document_id=document_id,
        annotator=annotator,
        layer=layer,
        label=valid.label,
        start=valid.start,
        end=valid.end,
        quote=valid.quote,
        note=valid.note,
        source=valid.source,
        dispute_basis=valid.dispute_basis,
        evidence_links=list(valid.evidence_links),
    )


@lru_cache(maxsize=None)
def _insertable_fields(model) -> tuple:
    """(field, quoted column) of every column an INSERT of `model` writes (not the primary key)."""
    return tuple(
        (field, connection.ops.quote_name(field.column)) for field in model._meta.concrete_fields if not field.primary_key
    )


def _insert_parts(obj, *, sql: dict | None = None, params: dict | None = None) -> tuple[str, str, list]:
    """(columns, values, params) of the row Model.save would insert for `obj` (Django's own
    field preparation: pre_save for defaults and auto_now, get_db_prep_save for JSON and
    foreign keys), for an INSERT ... SELECT; `sql` replaces the value of some columns with an
    expression (with `params` of its own). A plain value is one %s; a value or field that
    compiles to SQL of its own (an expression, a field with get_placeholder) goes through
    Django's insert compiler, as Model.save would."""
    sql, params = sql or {}, params or {}
    columns, values, out = [], [], []
    compiler = None
    for field, column in _insertable_fields(type(obj)):
        columns.append(column)
        if field.column in sql:
            values.append(sql[field.column])
            out += params.get(field.column, [])
            continue
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
            if compiler is None:
                query = InsertQuery(type(obj))
                query.insert_values([f for f, _ in _insertable_fields(type(obj))], [obj])
                compiler = query.get_compiler(connection=connection)
            [placeholders], [row_params] = compiler.assemble_as_sql([field], [[compiler.prepare_value(field, value)]])
            values.append(placeholders[0])
            out += row_params
            continue
        values.append("%s")
        out.append(field.get_db_prep_save(value, connection))
    return ", ".join(columns), ", ".join(values), out


def _create(*, locate, fields: dict, actor, annotator, layer: str, recorded: bool = True) -> Span:
    """The span write. `locate(lo, hi)` -> (document, access, (length, text[lo:hi])), read inside
    the transaction with the document row locked. No savepoint around the INSERT: an identical
    span (the constraint's IntegrityError) rolls this transaction (or, nested, its savepoint)
    back, and the existing span is looked up after that, for the 409."""
    annotator = annotator or actor
    span = None
    try:
        with transaction.atomic():
            document, access, read = locate(*_window_bounds(fields["start"], fields["end"]))
            if annotator.pk != actor.pk or layer != Layer.INDIVIDUAL:
                check(access, WRITE_OTHERS_LAYERS)
            valid = _validated(document.pk, fields, read)
            span = _new_span(valid, document_id=document.pk, annotator=annotator, layer=layer)
            span.save(force_insert=True)
            if not recorded:
                return span
            _record(
                span=span,
                project_id=document.project_id,
                actor=actor,
                action=SpanAction.CREATE,
                before=None,
                after=span_as_dict(span, annotator_username=annotator.username, links=[]),
            )
            return span
    except IntegrityError:
        conflict = _conflict_if_identical(span) if span is not None else None
        if conflict is None:
            raise
        raise conflict from None


@transaction.atomic
def span_update(
    *,
    span: Span,
    access: Access,
    actor,
    fields: dict,
    expected_version: int | str | None = None,
    version_required: bool = False,
) -> Span:
    """Change any of EDITABLE_FIELDS. A label change drops the fields that belonged to the old
    label (a source, a dispute basis, outgoing links). `expected_version` guards against
    overwriting an edit the client has not seen (412; see validation.check_version)."""
    check_may_edit_span(access=access, span=span)
    span = _locked_span(span)
    check_version(what="span", current=span.version, expected=expected_version, required=version_required)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({field: ["Unknown or read-only field."] for field in unknown})
    release_from_batches(document_id=span.document_id, spans=[span])
    links_before = list(span.links_out.values_list("target_id", flat=True))
    before = span_as_dict(span, annotator_username=span.annotator.username, links=links_before)

    label = fields.get("label", span.label)
    merged = {
        "start": span.start,
        "end": span.end,
        "label": label,
        "note": span.note,
        "source": span.source if label == Label.ATTRIBUTION else "",
        "dispute_basis": span.dispute_basis if label == Label.DISPUTED else "",
        "evidence_links": span.evidence_links if label == Label.DISPUTED else [],
    }
    merged.update(fields)  # a quote, when sent, must match the (possibly new) offsets
    valid = _validated(span.document_id, merged)

    for field in ("start", "end", "label", "quote", "note", "source", "dispute_basis"):
        setattr(span, field, getattr(valid, field))
    span.evidence_links = list(valid.evidence_links)
    span.version += 1
    links_after = links_before
    if label != Label.ATTRIBUTION and links_before:
        # before the relabel: the database refuses an assertion that still carries links (migration 0006)
        SpanLink.objects.filter(attribution=span).delete()
        links_after = []
    _saved_unless_identical(span, span.save)
    _record(
        span=span,
        project_id=access.project_id,
        actor=actor,
        action=SpanAction.UPDATE,
        before=before,
        after=span_as_dict(span, annotator_username=span.annotator.username, links=links_after),
    )
    return span


@transaction.atomic
def span_delete(
    *, span: Span, access: Access, actor, expected_version: int | str | None = None, version_required: bool = False
) -> None:
    check_may_edit_span(access=access, span=span, action="delete this span")
    span = _locked_span(span)
    check_version(what="span", current=span.version, expected=expected_version, required=version_required)
    release_from_batches(document_id=span.document_id, spans=[span])
    release_linking_to(span=span)
    before = span_as_dict(
        span, annotator_username=span.annotator.username, links=list(span.links_out.values_list("target_id", flat=True))
    )
    _record(span=span, project_id=access.project_id, actor=actor, action=SpanAction.DELETE, before=before, after=None)
    span.delete()


def _record_links_changed(*, attribution: Span, access: Access, actor, links_before: list[int]) -> None:
    links_after = list(SpanLink.objects.filter(attribution=attribution).values_list("target_id", flat=True))
    username = attribution.annotator.username
    _record(
        span=attribution,
        project_id=access.project_id,
        actor=actor,
        action=SpanAction.UPDATE,
        before=span_as_dict(attribution, annotator_username=username, links=links_before),
        after=span_as_dict(attribution, annotator_username=username, links=links_after),
    )


@transaction.atomic
def span_link_create(*, attribution: Span, target: Span, access: Access, actor, recorded: bool = True) -> SpanLink:
    """Link an attribution span to the span whose content it attributes (same document, same layer).

    Both spans are locked and re-read first: a relabel of the attribution (span_update drops its
    links) or a delete of either span waits for this link or runs before it, so a link never
    lands on a span that stopped being an attribution or on a span that is gone."""
    check_may_edit_span(access=access, span=attribution)
    _lock_document(attribution.document_id)
    locked = _locked_spans(attribution.pk, target.pk)
    if attribution.pk not in locked:
        raise NotFound({"detail": f"No such span. {_GONE}"})
    if target.pk not in locked:
        raise Conflict({"target": [f"Span {target.pk} was deleted by another request a moment ago."]})
    attribution, target = locked[attribution.pk], locked[target.pk]
    validate_link(attribution=attribution, target=target)
    links_before = list(SpanLink.objects.filter(attribution=attribution).values_list("target_id", flat=True))
    if target.pk in links_before:
        raise Conflict({"target": ["These spans are already linked."]})
    if not recorded:  # the attribution is in the caller's batch: the link is part of its created state
        return SpanLink.objects.create(attribution=attribution, target=target)
    release_from_batches(document_id=attribution.document_id, spans=[attribution])
    link = SpanLink.objects.create(attribution=attribution, target=target)
    _record_links_changed(attribution=attribution, access=access, actor=actor, links_before=links_before)
    return link


@transaction.atomic
def span_link_delete(*, link: SpanLink, access: Access, actor) -> None:
    attribution = link.attribution
    check_may_edit_span(access=access, span=attribution)
    attribution = _locked_span(attribution)
    release_from_batches(document_id=attribution.document_id, spans=[attribution])
    links_before = list(SpanLink.objects.filter(attribution=attribution).values_list("target_id", flat=True))
    link.delete()
    _record_links_changed(attribution=attribution, access=access, actor=actor, links_before=links_before)

