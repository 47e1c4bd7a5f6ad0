"""Writing an import's checked batches: documents, spans, links and the import's one history
batch event, by binary COPY on PostgreSQL (annotate.copy_in), bulk_create elsewhere.

On PostgreSQL the batches are written by a thread of their own (BatchWriter), on the import's
own connection and inside its transaction, while the next batch is read and checked: the writes
mostly wait on PostgreSQL (COPY, its indexes and constraints) and the reading works in Python,
so the two overlap on a second core. Nothing else uses the connection meanwhile:
BatchWriter.wait() comes before any other query of the import.
"""
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from annotate.copy_in import copy_rows, copy_rows_keys_checked_per_table
from annotate.models import Document, Project, Span, SpanBatch, SpanLink
from annotate.services.history import batch_add, batch_create

BATCH_DOCUMENTS = 500


@dataclass
class Batch:
    """Checked documents and spans waiting to be written."""

    documents: list = field(default_factory=list)
    spans: list = field(default_factory=list)  # (document index in batch, [(Span, links)])
    merged: list = field(default_factory=list)  # (saved Document, [(Span, links)]): on_duplicate=merge


@dataclass(slots=True)
class NewDocument:
    """A checked document waiting to be written: services.documents.document_values."""

    values: dict
    pk: int | None = None

    @property
    def text(self) -> str:
        return self.values["text"]

    @property
    def text_sha256(self) -> str:
        return self.values["text_sha256"]

    @property
    def external_id(self) -> str:
        return self.values.get("external_id", "")


@dataclass(slots=True)
class NewSpan:
    """A checked span waiting to be written (a Span model instance costs more than the write)."""

    annotator_id: int
    layer: str
    label: str
    start: int
    end: int
    quote: str
    note: str
    source: str
    dispute_basis: str
    evidence_links: list
    pk: int | None = None
    document_id: int | None = None
    version: int = 1
    created_at: object = None
    updated_at: object = None


class ImportHistory:
    """The import's one batch event, made at its first write (an import that writes nothing,
    or rolls back, leaves none)."""

    def __init__(self, *, project: Project, actor):
        self.project, self.actor, self.batch = project, actor, None

    def add(self, spans, now) -> None:
        if not spans:
            return
        if self.batch is None:
            self.batch = batch_create(project_id=self.project.pk, actor=self.actor, reason=SpanBatch.Reason.IMPORT, at=now)
        by_document: dict[int, list[int]] = {}
        for span in spans:
            by_document.setdefault(span.document_id, []).append(span.pk)
        batch_add(batch=self.batch, spans_by_document=by_document)


def _insert(batch: "Batch", *, history: ImportHistory) -> tuple[int, int]:
    """Write one batch: documents by bulk_create, then spans and links (COPY on PostgreSQL,
    bulk_create elsewhere), then the rows of the import's batch event that name them."""
    documents = _insert_documents(batch.documents, project_id=history.project.pk, creator_id=history.actor.pk)
    spans, pairs = [], []
    for document, built in [*zip(documents, batch.spans), *batch.merged]:
        offset, document_id = len(spans), document.pk
        for index, (span, links) in enumerate(built):
            span.document_id = document_id
            if links:
                pairs += [(offset + index, offset + target) for target in links]
        spans += [span for span, _ in built]
    now = timezone.now()  # the spans' created_at and updated_at, written by `write`
    write = _write_copy if connection.vendor == "postgresql" else _write_orm
    write(spans=spans, pairs=pairs, now=now)
    history.add(spans, now)
    return len(documents), len(spans)


def _insert_documents(documents: list[NewDocument], *, project_id: int, creator_id: int | None) -> list[NewDocument]:
    """bulk_create, or on PostgreSQL a binary COPY (copy_in) with ids from the table's sequence:
    bulk_create's arrays of 4 KB texts were quoted in Python (a second per 5,000 documents).
    Columns a document's values do not name take the field's default."""
    if not documents:
        return documents
    own = {"project_id": project_id, "created_by_id": creator_id}
    if connection.vendor != "postgresql":
        rows = Document.objects.bulk_create([Document(**own, **d.values) for d in documents], batch_size=BATCH_DOCUMENTS)
        for document, row in zip(documents, rows):
            document.pk = row.pk
        return documents
    fields = [f for f in Document._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    fixed = {f.attname: f.get_default() for f in fields} | own | {"created_at": now, "updated_at": now}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('annotate_document', 'id')) FROM generate_series(1, %s)", [len(documents)]
        )
        for document, (pk,) in zip(documents, cursor.fetchall()):
            document.pk = pk
        names = [f.attname for f in fields]
        copy_rows(cursor, Document._meta.db_table, ["id", *(f.column for f in fields)],
                  ([d.pk, *map((fixed | d.values).__getitem__, names)] for d in documents))  # fmt: skip
    return documents


def _write_orm(*, spans, pairs, now) -> None:
    rows = [
        Span(
            document_id=s.document_id, annotator_id=s.annotator_id, layer=s.layer, label=s.label, start=s.start,
            end=s.end, quote=s.quote, note=s.note, source=s.source, dispute_basis=s.dispute_basis,
            evidence_links=s.evidence_links,
        )
        for s in spans
    ]  # fmt: skip
    Span.objects.bulk_create(rows, batch_size=2000)
    for span, row in zip(spans, rows):
        span.pk, span.created_at, span.updated_at = row.pk, row.created_at, row.updated_at
    SpanLink.objects.bulk_create(
        [SpanLink(attribution_id=spans[a].pk, target_id=spans[t].pk) for a, t in pairs], batch_size=2000
    )


def _write_copy(*, spans, pairs, now) -> None:
    """Binary COPY (copy_in) with ids taken from the tables' own sequences first. Django's
    bulk_create sends each column as an array that psycopg escapes in Python. The spans' keys
    (document, annotator) are checked per batch, not per span (copy_in)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('annotate_span', 'id')) FROM generate_series(1, %s)", [len(spans)]
        )
        for span, (pk,) in zip(spans, cursor.fetchall()):
            span.pk = pk
        copy_rows_keys_checked_per_table(cursor, "annotate_span", SPAN_COLUMNS, [
            (s.pk, s.document_id, s.annotator_id, s.layer, s.label, s.start, s.end, s.quote, s.note, s.source,
             s.dispute_basis, s.evidence_links, 1, now, now) for s in spans
        ])  # fmt: skip
        if pairs:
            copy_rows(cursor, "annotate_spanlink", ("attribution_id", "target_id", "created_at"),
                      ((spans[a].pk, spans[t].pk, now) for a, t in pairs))  # fmt: skip


SPAN_COLUMNS = ("id", "document_id", "annotator_id", "layer", "label", "start", "end", "quote", "note", "source",
                "dispute_basis", "evidence_links", "version", "created_at", "updated_at")  # fmt: skip


class BatchWriter:
    """Writes the batches given to write(), in order; on PostgreSQL in its own thread, one batch
    at a time (so at most two batches are in memory: the one written, the one being read). An
    error of a write raises from the next write() or wait(). `counts`: documents and spans
    written so far."""

    def __init__(self, history: "ImportHistory"):
        self.history = history
        self.counts = (0, 0)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def write(self, batch: Batch) -> None:
        self.wait()
        if connection.vendor != "postgresql":
            self._done(_insert(batch, history=self.history))
            return
        if self._pool is None:
            # the thread runs its queries on this thread's connection, in the import's transaction
            connection.inc_thread_sharing()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._pending = self._pool.submit(_insert_on, connections[DEFAULT_DB_ALIAS], batch, self.history)

    def wait(self) -> None:
        """Until every batch given is written; raises what a write raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._done(pending.result())

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(self, *exc) -> None:
        """Let the thread go after its last write, also when the import fails (that write's own
        error, if any, is then dropped: the import's is the one to report)."""
        try:
            if self._pending is not None:
                self._pending.exception()  # waits, never raises
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
                connection.dec_thread_sharing()

    def _done(self, counts: tuple[int, int]) -> None:
        self.counts = (self.counts[0] + counts[0], self.counts[1] + counts[1])


def _insert_on(shared, batch: Batch, history: ImportHistory) -> tuple[int, int]:
    connections[DEFAULT_DB_ALIAS] = shared  # `connection` in this thread is the import's
    return _insert(batch, history=history)
