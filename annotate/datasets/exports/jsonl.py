"""jsonl: one document a line (text, provenance, spans) and nothing else (format_version 2).

    {"external_id": ..., "title": ..., ..., "text": ..., "spans": [{"start": ..., ...}]}
    ...

The lines are the records of annotate.datasets.records as compact JSON, keys in the documented
order; `links` are indexes into the same line's `spans`. So `datasets.load_dataset("json",
data_files=...)` and `pandas.read_json(..., lines=True)` give exactly one row per document.
The manifest (counts, filters, offset unit) and content_sha256 are not in the file: they come in
the response headers (X-Dataset-*), from the manifest endpoint and in a package's manifest.json
(docs/export-formats.md). content_sha256 is the SHA-256 of a code-point jsonl export's bytes:
`sha256sum export.jsonl`. This is also the shape `jsonl` import reads, so an export of one project
imports into another unchanged (format_version 1 files, with a manifest line first and an end
line last, still import).
"""
from collections.abc import Iterable, Iterator

from annotate.datasets.records import RenderOptions, record_json_bytes, with_offset_unit

DESCRIPTION = "JSON Lines (jsonl): one document a line with its spans, re-importable"  # what the export form shows (annotate.templatetags.datasets)
MEDIA_TYPE = "application/x-ndjson; charset=utf-8"
EXTENSION = "jsonl"
OFFSET_UNITS = ("codepoint", "utf16")
FORMAT_VERSION = 2


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[bytes]:
    for record in records:
        if options.offset_unit != "codepoint":
            record = with_offset_unit(record, options.offset_unit)
        yield record_json_bytes(record) + b"\n"  # bytes as orjson made them: no str round trip
