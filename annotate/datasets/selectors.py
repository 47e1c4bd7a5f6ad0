"""Export reads: filters, the consistent snapshot, and records streamed from the database in chunks.

The records (annotate.datasets.records) come from three ordered cursors read side by side -
documents by id, their spans by document, the spans' links by document - so the number of
queries does not depend on the number of documents and memory holds one chunk of each.
On PostgreSQL the cursors are server-side and everything is read in one REPEATABLE READ,
READ ONLY transaction: an export is one snapshot even while people keep annotating.
"""
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace

from django.db import connection, transaction
from django.http import Http404
from django.db.models import Exists, F, Func, Lookup, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Collate

from annotate.errors import InvalidInput
from annotate.datasets.fetch_ahead import FetchAheadRows, fetch_ahead_pipeline
from annotate.datasets.records import CanonicalRecord, ContentDigest, RenderOptions, as_bytes, manifest_build
from annotate.datasets.registry import EXPORT_FORMATS, export_format, offset_unit_problem
from annotate.models import Assignment, AssignmentStatus, Document, Label, Layer, Membership, Project, Role, Span, SpanLink
from annotate.permissions import (
    EXPORT_ALL_LAYERS,
    SEE_AGREEMENT,
    Access,
    check,
    documents_with_others_hidden,
    may,
    readable_spans,
)
from annotate.selectors import project_last_changed_at

DOCUMENT_CHUNK = 200
SPAN_CHUNK = 5000

_DOCUMENT_COLUMNS = (
    "id",
    "external_id",
    "title",
    "outlet",
    "source_url",
    "author",
    "published_on",
    "language",
    "text_sha256",
    "text",
)
_SPAN_COLUMNS = (
    "id",
    "document_id",
    "start",
    "end",
    "label",
    "quote",
    "annotator__username",
    "extras",  # _Extras: the four fields nearly every span leaves empty, in one value
)


@dataclass(frozen=True)
class ExportFilters:
    """What to export. Dates are inclusive; `annotated_*` look at when a span last changed,
    `published_*` at the document's publication date."""

    layer: str = Layer.INDIVIDUAL
    annotators: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    done_only: bool = False
    published_after: dt.date | None = None
    published_before: dt.date | None = None
    annotated_after: dt.date | None = None
    annotated_before: dt.date | None = None
    # Whose export this is: blind review then withholds other members' spans on the documents the
    # reader has not finished (permissions.readable_spans). None: everything (releases, manage.py).
    reader: Access | None = field(default=None, compare=False)

    def as_manifest(self) -> dict:
        """The filters as the manifest states them (layer is stated on its own)."""
        values = asdict(self)
        values.pop("layer")
        values.pop("reader")
        return {
            key: (sorted(value) if isinstance(value, tuple) else value.isoformat() if isinstance(value, dt.date) else value)
            for key, value in values.items()
        }


def export_filters_for(*, access: Access, project_id: int, filters: ExportFilters) -> ExportFilters:
    """The filters narrowed to what the caller may export: an annotator gets only their own
    individual spans (403 when asking for more). Unknown labels, layers or annotators are 400."""
    if filters.layer not in Layer.values:
        raise InvalidInput({"layer": [f"Use one of: {', '.join(Layer.values)}."]})
    unknown_labels = sorted(set(filters.labels) - set(Label.values))
    if unknown_labels:
        raise InvalidInput({"label": [f"Not a label: {', '.join(unknown_labels)}."]})
    for field, first, last in (
        ("published", filters.published_after, filters.published_before),
        ("annotated", filters.annotated_after, filters.annotated_before),
    ):
        if first and last and first > last:
            raise InvalidInput({f"{field}_before": [f"Must not be earlier than {field}_after."]})
    if filters.annotators:
        members = set(
            Membership.objects.filter(project_id=project_id, user__username__in=filters.annotators).values_list(
                "user__username", flat=True
            )
        )
        missing = sorted(set(filters.annotators) - members)
        if missing:
            raise InvalidInput({"annotator": [f"Not a member of this project: {', '.join(missing)}."]})
    if may(access, EXPORT_ALL_LAYERS):
        return replace(filters, reader=access)
    if filters.layer != Layer.INDIVIDUAL:
        check(access, EXPORT_ALL_LAYERS)  # 403: the gold layer is not an annotator's own
    own = Membership.objects.filter(project_id=project_id, user_id=access.user_id).values_list(
        "user__username", flat=True
    ).get()
    if filters.annotators and set(filters.annotators) != {own}:
        check(access, EXPORT_ALL_LAYERS)
    return replace(filters, annotators=(own,), reader=access)


def export_documents(*, project_id: int, filters: ExportFilters) -> QuerySet[Document]:
    documents = Document.objects.filter(project_id=project_id)
    if filters.published_after:
        documents = documents.filter(published_on__gte=filters.published_after)
    if filters.published_before:
        documents = documents.filter(published_on__lte=filters.published_before)
    if filters.done_only:
        done = Assignment.objects.filter(document_id=OuterRef("pk"), status=AssignmentStatus.DONE)
        if filters.annotators:
            done = done.filter(user__username__in=filters.annotators)
        documents = documents.filter(Exists(done))
    return documents


def _span_conditions(filters: ExportFilters, prefix: str = "") -> Q:
    """The span filters as conditions on the span that `prefix` leads to ("" or "target__")."""
    conditions = Q(**{f"{prefix}layer": filters.layer})
    if filters.annotators:
        conditions &= Q(**{f"{prefix}annotator__username__in": filters.annotators})
    if filters.labels:
        conditions &= Q(**{f"{prefix}label__in": filters.labels})
    if filters.annotated_after:
        conditions &= Q(**{f"{prefix}updated_at__date__gte": filters.annotated_after})
    if filters.annotated_before:
        conditions &= Q(**{f"{prefix}updated_at__date__lte": filters.annotated_before})
    if filters.reader is not None:
        conditions &= readable_spans(access=filters.reader, prefix=prefix)
    return conditions


class _AnyOfArray(Lookup):
    """`lhs = ANY(ARRAY(subquery))`: PostgreSQL reads the subquery first and then probes an index
    with its values, where `lhs IN (subquery)` is planned as a join and may scan the whole table."""

    lookup_name = "any_of_array"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _in_documents(field: str, documents: QuerySet) -> Q:
    """`field` (a document id) is one of `documents`' ids. On PostgreSQL by an index probe of
    the span index that leads with the document: a project's spans are read, not every
    project's (the IN join read the whole span table, in parallel workers: three times the
    CPU of the export's span query on a database of three such projects)."""
    if connection.vendor == "postgresql":
        return Q(_AnyOfArray(F(field), Subquery(documents.order_by().values("pk"))))
    return Q(**{f"{field}__in": documents.values("pk")})


def export_spans(*, project_id: int, filters: ExportFilters) -> QuerySet[Span]:
    documents = export_documents(project_id=project_id, filters=filters)
    return Span.objects.filter(_span_conditions(filters), _in_documents("document_id", documents))


def export_links(*, project_id: int, filters: ExportFilters) -> QuerySet[SpanLink]:
    """Links whose both spans are exported. Both ends of a link share document, layer and
    annotator (validate_link), so the document and layer are checked once, on the attribution."""
    documents = export_documents(project_id=project_id, filters=filters)
    return SpanLink.objects.filter(
        _span_conditions(filters, "attribution__"),
        _span_conditions(filters, "target__"),
        _in_documents("attribution__document_id", documents),
    )


class _Ahead:
    """Rows ordered by the item at `key_index`, handed out one key's rows at a time."""

    def __init__(self, rows, key_index: int = 0):
        self._rows = iter(rows)
        self._key = key_index
        self._next = next(self._rows, None)

    def take(self, key) -> list:
        taken = []
        while self._next is not None and self._next[self._key] == key:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _in_code_point_order(field: str) -> Collate:
    """Text compared by code point, as Python compares it (UTF-8 bytes sort in code point order)."""
    return Collate(F(field), "C" if connection.vendor == "postgresql" else "BINARY")


def _rows(queryset: QuerySet, chunk: int):
    """The rows of a values_list queryset, streamed `chunk` at a time: on PostgreSQL through a
    cursor whose next chunk is asked for ahead (fetch_ahead; inside fetch_ahead_pipeline()),
    elsewhere by Django's iterator."""
    if connection.vendor == "postgresql":
        return FetchAheadRows(queryset, chunk)
    return queryset.iterator(chunk_size=chunk)


class _Extras(Func):
    """[note, source, dispute_basis, evidence_links] as JSON text, or NULL when all four are empty,
    as they are on nearly every span: one value to read a span instead of four (the reading of
    the rows was the biggest part of a jsonl export's time: docs/benchmarks.md, session 13)."""

    output_field = TextField()
    _SQL = {
        "postgresql": "CASE WHEN {note} = '' AND {source} = '' AND {basis} = '' AND {links} = '[]'::jsonb THEN NULL"
        " ELSE json_build_array({note}, {source}, {basis}, {links})::text END",
        "sqlite": "CASE WHEN {note} = '' AND {source} = '' AND {basis} = '' AND json({links}) = '[]' THEN NULL"
        " ELSE json_array({note}, {source}, {basis}, json({links})) END",
    }

    def __init__(self):
        super().__init__(F("note"), F("source"), F("dispute_basis"), F("evidence_links"))

    def as_sql(self, compiler, connection, **extra_context):
        note, source, basis, links = (compiler.compile(column)[0] for column in self.get_source_expressions())  # no params
        return self._SQL[connection.vendor].format(note=note, source=source, basis=basis, links=links), []


def _ordered_span_rows(*, project_id: int, filters: ExportFilters):
    """Span rows by document, then in span_sort_key order (ties by id), sorted by the database."""
    return _rows(
        export_spans(project_id=project_id, filters=filters)
        .annotate(
            extras=_Extras(),
            annotator_key=_in_code_point_order("annotator__username"),
            note_key=_in_code_point_order("note"),
        )
        .order_by("document_id", "start", "end", "annotator_key", "label", "layer", "note_key", "id")
        .values_list(*_SPAN_COLUMNS),
        SPAN_CHUNK,
    )


def _span_groups(rows, layer: str):
    """(document id, [SpanRecord], [span id]) per document, spans in span_sort_key order; `layer`
    is the export's, which every span has (export_spans). (Letting PostgreSQL build the span
    objects with json_agg, or their JSON text, was tried: slower, docs/benchmarks.md, session 13.)
    One flat loop building each dict in place: a function call and a next() per span cost a
    third of it."""
    loads = json.loads
    current, records, ids = None, [], []
    try:
        for span_id, document_id, start, end, label, quote, annotator, extras in rows:
            if document_id != current:
                if current is not None:
                    yield current, records, ids
                current, records, ids = document_id, [], []
            if extras is None:
                note = source = basis = ""
                evidence_links = []
            else:
                note, source, basis, evidence_links = loads(extras)
            records.append({
                "start": start,
                "end": end,
                "label": label,
                "quote": quote,
                "annotator": annotator,
                "layer": layer,
                "note": note,
                "source": source,
                "dispute_basis": basis,
                "evidence_links": evidence_links,
                "links": [],
            })  # fmt: skip
            ids.append(span_id)
        if current is not None:
            yield current, records, ids
    finally:
        rows.close()


def export_records(*, project_id: int, filters: ExportFilters) -> Iterator[dict]:
    """The project's DocumentRecords in document id order, streamed. Run it inside
    export_snapshot() (server-side cursors on PostgreSQL live only inside a transaction)."""
    with fetch_ahead_pipeline():
        documents = _rows(
            export_documents(project_id=project_id, filters=filters).order_by("id").values_list(*_DOCUMENT_COLUMNS),
            DOCUMENT_CHUNK,
        )
        span_groups = _span_groups(_ordered_span_rows(project_id=project_id, filters=filters), filters.layer)
        link_rows = _rows(
            export_links(project_id=project_id, filters=filters)
            .order_by("attribution__document_id", "attribution_id", "target_id")
            .values_list("attribution__document_id", "attribution_id", "target_id"),
            SPAN_CHUNK,
        )
        try:
            yield from _document_records(documents, _Ahead(span_groups), _Ahead(link_rows))
        finally:
            # Close every server-side cursor now, inside the snapshot's transaction: left to the
            # garbage collector, a half-read cursor is closed later, after its transaction or
            # savepoint has ended, and that failing CLOSE aborts whatever transaction runs then.
            for rows in (documents, span_groups, link_rows):
                rows.close()


def _document_records(documents, spans: "_Ahead", links: "_Ahead") -> Iterator[dict]:
    for document_id, external_id, title, outlet, source_url, author, published_on, language, sha, text in documents:
        group = spans.take(document_id)
        span_records, ids = (group[0][1], group[0][2]) if group else ([], [])
        document_links = links.take(document_id)
        if document_links:
            index_of = {span_id: position for position, span_id in enumerate(ids)}
            for _, attribution_id, target_id in document_links:
                span_records[index_of[attribution_id]]["links"].append(index_of[target_id])
            for span in span_records:
                span["links"].sort()
        yield CanonicalRecord({
            "external_id": external_id,
            "title": title,
            "outlet": outlet,
            "source_url": source_url,
            "author": author,
            "published_on": published_on.isoformat() if published_on else None,
            "language": language,
            "text_sha256": sha,
            "text": text,
            "spans": span_records,
        })  # fmt: skip


# The span fields a partial record may hold (export_partial_records): the plain columns
_PLAIN_SPAN_COLUMNS = {
    "start": "start",
    "end": "end",
    "label": "label",
    "quote": "quote",
    "annotator": "annotator__username",
    "layer": "layer",
    "note": "note",
    "source": "source",
    "dispute_basis": "dispute_basis",
}


def export_partial_records(
    *, project_id: int, filters: ExportFilters, document_fields: tuple[str, ...], span_fields: tuple[str, ...]
) -> Iterator[dict]:
    """export_records' documents and spans, each record holding only `document_fields` (plain
    text columns: not published_on) and `spans` with only `span_fields` (from _PLAIN_SPAN_COLUMNS),
    a document's spans in no set order. For a renderer that reads no more and orders spans
    itself (conll without comments): it spares the span sort by collations, the quotes (the
    bulk of the span rows) and the links, most of the reading. Inside export_snapshot()."""
    with fetch_ahead_pipeline():
        documents = _rows(
            export_documents(project_id=project_id, filters=filters).order_by("id").values_list("id", *document_fields),
            DOCUMENT_CHUNK,
        )
        span_rows = _rows(
            export_spans(project_id=project_id, filters=filters)
            .order_by("document_id")
            .values_list("document_id", *(_PLAIN_SPAN_COLUMNS[name] for name in span_fields)),
            SPAN_CHUNK,
        )
        spans = _Ahead(span_rows)
        try:
            for document_id, *values in documents:
                record = dict(zip(document_fields, values))
                record["spans"] = [dict(zip(span_fields, row[1:])) for row in spans.take(document_id)]
                yield record
        finally:
            for rows in (documents, span_rows):
                rows.close()  # inside the snapshot (see export_records)


@contextmanager
def export_snapshot():
    """One consistent view of the data for the whole export. PostgreSQL: REPEATABLE READ,
    READ ONLY (when already inside a transaction, as in tests, that transaction is the
    snapshot). SQLite: a read transaction already sees one snapshot."""
    if connection.vendor == "postgresql":
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # The export reads every row of its cursors: plan for all of them (hash joins,
                # one sort), not for the first 10% as PostgreSQL does for a cursor by default.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
                # JIT compiling these plans costs more than it saves (100-300 ms on a big export).
                cursor.execute("SET LOCAL jit = off")
            yield
    else:
        with transaction.atomic():
            yield


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def export_manifest(
    *, project_id: int, format: str, filters: ExportFilters, offset_unit: str, csv_safety: str = "spreadsheet"
) -> dict:
    """The manifest, read in the caller's snapshot (counts and last change of the same data)."""
    project = Project.objects.get(pk=project_id)
    return manifest_build(
        csv_safety=csv_safety,
        extra=_withheld(project_id=project_id, filters=filters),
        project_id=project.pk,
        project_name=project.name,
        format=format,
        layer=filters.layer,
        filters=filters.as_manifest(),
        offset_unit=offset_unit,
        last_changed_at=_iso(project_last_changed_at(project=project)),
        documents=export_documents(project_id=project_id, filters=filters).count(),
        spans=export_spans(project_id=project_id, filters=filters).count(),
    )


BLIND_REVIEW_NOTE = (
    "blind review: other members' spans on documents whose assignment you have not finished are left out"
)


def _withheld(*, project_id: int, filters: ExportFilters) -> dict | None:
    """{"withheld": {...}} when blind review leaves other members' spans out of the reader's export."""
    if filters.reader is None:
        return None
    hidden = documents_with_others_hidden(access=filters.reader)
    if not hidden:
        return None
    documents = export_documents(project_id=project_id, filters=filters).filter(pk__in=hidden).count()
    return {"withheld": {"documents": documents, "reason": BLIND_REVIEW_NOTE}} if documents else None


def check_export_options(*, format: str, offset_unit: str) -> None:
    """400 for a format or offset unit that does not exist or does not fit together."""
    try:
        export_format(format)
    except KeyError:
        raise InvalidInput({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]}) from None
    if problem := offset_unit_problem(format, offset_unit):
        raise InvalidInput({"offset_unit": [problem]})


def export_request_checked(
    *, access: Access, project_id: int, format: str, filters: ExportFilters, offset_unit: str
) -> ExportFilters:
    """The caller's filters narrowed to what they may export (400/403 now, before any byte
    streams or any job is queued): check_export_options, then export_filters_for."""
    if access.project_id != project_id:
        raise Http404("No such project.")
    check_export_options(format=format, offset_unit=offset_unit)
    return export_filters_for(access=access, project_id=project_id, filters=filters)


def export_stream(
    *,
    access: Access,
    project_id: int,
    format: str,
    filters: ExportFilters,
    offset_unit: str = "codepoint",
    manifest_out: dict | None = None,
    csv_safety: str = "spreadsheet",
    manifest_head: dict | None = None,
    render_options: dict | None = None,
) -> Iterator[str | bytes]:
    """The whole export as chunks (str, or UTF-8 bytes), from one snapshot, of
    what the caller (`access`) may export: the filters and options are checked here, at once
    (400/403 are raised by this call, not while streaming). `manifest_out`, when given, receives
    the manifest with its content_sha256 once the stream ends: the manifest of exactly these
    bytes (for a file written beside a csv export). `manifest_head`, when given, receives the
    manifest (without content_sha256) as soon as the snapshot is taken, before the first chunk:
    what the response headers say (annotate.datasets.http). `render_options`: further
    RenderOptions fields (conll's `comments`)."""
    filters = export_request_checked(access=access, project_id=project_id, format=format, filters=filters, offset_unit=offset_unit)
    return _export_chunks(
        project_id=project_id, format=format, filters=filters, offset_unit=offset_unit, manifest_out=manifest_out,
        csv_safety=csv_safety, manifest_head=manifest_head, render_options=render_options or {},
    )


def _export_chunks(
    *, project_id: int, format: str, filters: ExportFilters, offset_unit: str, manifest_out: dict | None,
    csv_safety: str, manifest_head: dict | None = None, render_options: dict | None = None,
) -> Iterator[str | bytes]:
    with export_snapshot():
        manifest = export_manifest(
            project_id=project_id, format=format, filters=filters, offset_unit=offset_unit, csv_safety=csv_safety
        )
        if manifest_head is not None:
            manifest_head.update(manifest)
            yield b""  # the caller may now read manifest_head (see ExportView)
        module = export_format(format).module
        render_options = dict(render_options or {})
        if getattr(module, "WANTS_ATTACHMENTS", False):
            render_options["attachments"] = package_attachments(project_id=project_id, reader=filters.reader)
        options = RenderOptions(offset_unit=offset_unit, csv_safety=csv_safety, **render_options)
        # a format that reads only some fields (conll's record_fields) gets only those, unless the
        # whole records are digested for manifest_out
        reads = getattr(module, "record_fields", None)
        fields = reads(options) if reads is not None and manifest_out is None else None
        if fields is not None:
            document_fields, span_fields = fields
            records = export_partial_records(
                project_id=project_id, filters=filters, document_fields=document_fields, span_fields=span_fields
            )
        else:
            records = export_records(project_id=project_id, filters=filters)
        if manifest_out is not None:
            records = _digested(records, manifest, manifest_out)
        yield from export_format(format).render(records, manifest, options)


AGREEMENT_WITHHELD = "your role may not see the agreement report while blind review is on"


def package_attachments(*, project_id: int, reader: Access | None) -> tuple[tuple[str, bytes], ...]:
    """agreement.json (as the reader may see it: blind review holds) and guidelines.md of a package."""
    from annotate.workflow.selectors import project_agreement  # workflow imports this module

    project = Project.objects.get(pk=project_id)
    access = reader or Access(user_id=0, project_id=project_id, role=Role.MANAGER)  # manage.py: everything
    if may(access, SEE_AGREEMENT, project=project):
        agreement = project_agreement(project=project, access=access)
    else:
        agreement = {"withheld": AGREEMENT_WITHHELD}
    return (
        ("agreement.json", json.dumps(agreement, ensure_ascii=False, sort_keys=True, indent=1).encode() + b"\n"),
        ("guidelines.md", project.guidelines.encode("utf-8")),
    )


def _digested(records: Iterator[dict], manifest: dict, manifest_out: dict) -> Iterator[dict]:
    digest = ContentDigest()
    for record in records:
        digest.add(record)
        yield record
    manifest_out.update(manifest, content_sha256=digest.summary()["content_sha256"])


def export_manifest_with_digest(
    *, access: Access, project_id: int, format: str, filters: ExportFilters, offset_unit: str,
    csv_safety: str = "spreadsheet", render_options: dict | None = None,
) -> dict:
    """The manifest plus the export's content_sha256, both from one snapshot: the manifest that
    comes beside a csv export (and that anyone can fetch before downloading a big export)."""
    filters = export_request_checked(access=access, project_id=project_id, format=format, filters=filters, offset_unit=offset_unit)
    digest = ContentDigest()
    with export_snapshot():
        manifest = export_manifest(
            project_id=project_id, format=format, filters=filters, offset_unit=offset_unit, csv_safety=csv_safety
        )
        records = export_records(project_id=project_id, filters=filters)
        counts = format_counts(format, _each_digested(records, digest))
    return {**manifest, **counts, "content_sha256": digest.summary()["content_sha256"]}


def _each_digested(records: Iterator[dict], digest: ContentDigest) -> Iterator[dict]:
    for record in records:
        digest.add(record)
        yield record


def format_counts(format: str, records: Iterable[dict]) -> dict:
    """What a format adds to the manifest once it has seen every record (a module's `counts`:
    spacy's spans_not_aligned), reading the records through either way."""
    count = getattr(export_format(format).module, "counts", None)
    if count is None:
        for _ in records:
            pass
        return {}
    return count(records)


def buffered(chunks: Iterator[str | bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Chunks joined into ~64 KB pieces of UTF-8, so a server writes fewer, larger blocks."""
    parts: list[bytes] = []
    held = 0
    for chunk in chunks:
        chunk = as_bytes(chunk)
        parts.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(parts)
            parts, held = [], 0
    if parts:
        yield b"".join(parts)
