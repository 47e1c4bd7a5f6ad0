"""The record shape every export format renders, the manifest and the content digest.

A *record* is one document as a plain dict (no model instances, no database ids), so the
same records always render to the same bytes, whether they stream from the database
(annotate.datasets.selectors.export_records) or come from a frozen release.

DocumentRecord (keys in this order; `published_on` is an ISO date or None)::

    {"external_id": "afp-2024-0001",          # "" when the document has none
     "title": "Ministry reports inflation drop",
     "outlet": "Daily Planet", "source_url": "https://...", "author": "", "published_on": "2024-05-02",
     "language": "en",
     "text_sha256": "<SHA-256 of text, UTF-8>",
     "text": "The ministry said ...",         # stored form: \\n line endings, NFC
     "spans": [SpanRecord, ...]}              # sorted by span_sort_key

SpanRecord::

    {"start": 4, "end": 12,                   # code points, half-open [start, end)
     "label": "assertion" | "attribution" | "disputed",
     "quote": "ministry",                     # == text[start:end], always
     "annotator": "carol",                    # username; for gold spans the reviewer who accepted it
     "layer": "individual" | "gold",
     "note": "", "source": "",                # source: attribution only
     "dispute_basis": "",                     # disputed only
     "evidence_links": [],                    # disputed only: http(s) URLs
     "links": [2]}                            # attribution only: indexes of the linked spans in
                                              # this document's "spans" list, ascending

Spans of a document are ordered by (start, end, annotator, label, layer, note), text compared
by code point (never by a database collation), and exact ties by creation; `links` use positions
in that order, so a record means the same thing in any project. A frozen release may store
records as JSON with its keys in any order: render() writes them in the order above.

Renderers: each format module exposes
``render(records: Iterable[DocumentRecord], manifest: dict, options: RenderOptions) -> Iterator[str | bytes]``
(str chunks, or UTF-8 bytes where a format already holds them: jsonl's orjson lines) and
``MEDIA_TYPE``, ``EXTENSION``, ``OFFSET_UNITS``; they read nothing else (annotate.datasets.registry
finds them; ExportFormat.render_bytes joins their chunks). `manifest` comes from manifest_build.
The records' SHA-256 (content_sha256) is computed while rendering by ContentDigest and written
where the format has room for it (the last line or key); it does not depend on the format or
the offset unit, so two exports hold the same labels exactly when their content_sha256 match.
"""
import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypedDict

import orjson

from annotate.models import Label
from annotate.offsets import Utf16Index

FORMAT_VERSION = 1  # of a format module that does not set its own FORMAT_VERSION

DOCUMENT_FIELDS = (
    "external_id",
    "title",
    "outlet",
    "source_url",
    "author",
    "published_on",
    "language",
    "text_sha256",
    "text",
    "spans",
)
SPAN_FIELDS = (
    "start",
    "end",
    "label",
    "quote",
    "annotator",
    "layer",
    "note",
    "source",
    "dispute_basis",
    "evidence_links",
    "links",
)


class SpanRecord(TypedDict):
    start: int
    end: int
    label: str
    quote: str
    annotator: str
    layer: Literal["individual", "gold"]
    note: str
    source: str
    dispute_basis: str
    evidence_links: list[str]
    links: list[int]


class DocumentRecord(TypedDict):
    external_id: str
    title: str
    outlet: str
    source_url: str
    author: str
    published_on: str | None
    language: str
    text_sha256: str
    text: str
    spans: list[SpanRecord]


CSV_SAFETY = ("spreadsheet", "raw")


@dataclass(frozen=True)
class RenderOptions:
    offset_unit: Literal["codepoint", "utf16"] = "codepoint"
    # csv only: "spreadsheet" defuses cells a spreadsheet would run as a formula; "raw" keeps
    # every cell exact, for research code that reads the file itself.
    csv_safety: Literal["spreadsheet", "raw"] = "spreadsheet"
    # conll only: write the manifest, document, annotator and counts as "# ..." comment lines
    # (off by default: spacy convert and most CoNLL readers would read them as tokens).
    comments: bool = False
    # package only (annotate.datasets.exports.package): further formats beside jsonl, the
    # train/validation/test percentages and their seed, the dataset card's licence, and the
    # files the caller adds (agreement.json, guidelines.md) as (name, bytes) pairs.
    formats: tuple[str, ...] = ()
    split: tuple[int, int, int] | None = None
    seed: int = 0
    license: str = "other"
    attachments: tuple[tuple[str, bytes], ...] = ()


def span_sort_key(span: dict) -> tuple:
    """The one order of spans in a record (see the module docstring)."""
    return (span["start"], span["end"], span["annotator"], span["label"], span["layer"], span["note"])


def canonical_span(span: dict) -> dict:
    return {name: span[name] for name in SPAN_FIELDS}


class CanonicalRecord(dict):
    """A DocumentRecord whose keys, and its spans' keys, are in the documented order because it
    was built that way (the database selector's records): canonical_record() takes it as it is,
    without looking at every span (a tenth of a jsonl export's time on 100,000 spans)."""

    __slots__ = ()


def canonical_record(record: dict) -> dict:
    """The record with its keys in the documented order (a frozen release stored as jsonb comes
    back with its keys reordered; rendering must not care)."""
    if type(record) is CanonicalRecord:
        return record
    if tuple(record) == DOCUMENT_FIELDS and all(tuple(span) == SPAN_FIELDS for span in record["spans"]):
        return record  # already in order, as the database selector builds them: no copy
    out = {name: record[name] for name in DOCUMENT_FIELDS[:-1]}
    out["spans"] = [canonical_span(span) for span in record["spans"]]
    return out


def compact_json_bytes(value) -> bytes:
    """json.dumps(value, ensure_ascii=False, separators=(",", ":")) in UTF-8, byte for byte, made
    by orjson (several times faster; checked identical on every code point). A string orjson
    refuses (a lone surrogate) goes to json, which writes what it always wrote."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def compact_json(value) -> str:
    return compact_json_bytes(value).decode("utf-8", "surrogatepass")


def record_json_bytes(record: dict) -> bytes:
    """One record as compact JSON on one line, UTF-8, no trailing newline: the jsonl line for
    code points, and the unit ContentDigest hashes."""
    return compact_json_bytes(canonical_record(record))


def record_json(record: dict) -> str:
    return record_json_bytes(record).decode("utf-8", "surrogatepass")


def with_offset_unit(record: dict, offset_unit: str) -> dict:
    """The record with span offsets in the requested unit (a new dict; the input is unchanged)."""
    if offset_unit == "codepoint":
        return record
    index = Utf16Index(record["text"])
    spans = [{**span, "start": index.to_utf16(span["start"]), "end": index.to_utf16(span["end"])} for span in record["spans"]]
    return {**record, "spans": spans}


class ContentDigest:
    """SHA-256 over the records, whatever the format: each record's record_json line plus "\\n",
    in export order. For a code-point jsonl export that is exactly the bytes between its first
    (manifest) and last (end) line: `sed '1d;$d' export.jsonl | sha256sum`."""

    def __init__(self):
        self._hash = hashlib.sha256()
        self.documents = 0
        self.spans = 0

    def add(self, record: dict, line: bytes | None = None) -> None:
        """`line`: record_json_bytes(record) when the caller already has it."""
        self._hash.update(line if line is not None else record_json_bytes(record))
        self._hash.update(b"\n")
        self.documents += 1
        self.spans += len(record["spans"])

    def summary(self) -> dict:
        return {"documents": self.documents, "spans": self.spans, "content_sha256": self._hash.hexdigest()}


def content_summary(records: Iterable[dict]) -> dict:
    """{"documents", "spans", "content_sha256"} of records (for a manifest written beside a file)."""
    digest = ContentDigest()
    for record in records:
        digest.add(record)
    return digest.summary()


def manifest_build(
    *,
    project_id: int | None,
    project_name: str,
    format: str,
    layer: str,
    filters: dict,
    offset_unit: str,
    last_changed_at: str,
    documents: int,
    spans: int,
    extra: dict | None = None,
    csv_safety: str = "spreadsheet",
) -> dict:
    """The manifest that starts (or comes with) every export. Pure: the caller counts documents
    and spans in the same snapshot it exports, and gives last_changed_at as an ISO string (the
    time of the project's last change, not of the request). content_sha256 is not here: it is
    known only once the records have streamed, so each format writes it at its end."""
    manifest = {
        "generator": "annotate",
        "format": format,
        "format_version": _format_version(format),
        "project": {"id": project_id, "name": project_name},
        "labels": [{"value": value, "name": str(name)} for value, name in Label.choices],
        "layer": layer,
        "filters": dict(sorted(filters.items())),
        "offset_unit": offset_unit,
        "last_changed_at": last_changed_at,
        "documents": documents,
        "spans": spans,
    }
    if format == "csv":
        manifest["csv_safety"] = csv_safety
    if extra:
        manifest.update(extra)
    return manifest


def _format_version(format: str) -> int:
    """The format module's FORMAT_VERSION (jsonl 2: document lines only). Imported here, not at
    the top: the registry imports this module."""
    from annotate.datasets.registry import export_format

    try:
        return export_format(format).format_version
    except KeyError:
        return FORMAT_VERSION


def as_bytes(chunk: str | bytes) -> bytes:
    return chunk if isinstance(chunk, bytes) else chunk.encode("utf-8", "surrogatepass")


# Every zip an export writes stamps its members with this date, so the same records give the
# same bytes (a release downloads byte-identically).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """One deflated member with the fixed date and plain file permissions."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
