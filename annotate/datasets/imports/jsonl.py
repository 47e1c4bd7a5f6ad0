"""jsonl import: the shape the jsonl export writes (annotate.datasets.records), one document a line.

How the span offsets count: the upload's ``offset_unit`` field (``codepoint``, the default, or
``utf16`` for a utf16 export), or a first line {"manifest": {"offset_unit": ...}} as format_version 1
exports wrote; their last line {"end": {...}} is read, not imported. utf16 offsets are converted back.
"""
from collections.abc import Iterator
from typing import BinaryIO

from annotate import json_input
from annotate.datasets.records import DOCUMENT_FIELDS
from annotate.datasets.imports.items import ImportItem, ImportProblem, ParseContext, numbered_lines

FORMAT = "jsonl"
DESCRIPTION = "jsonl (as exported, spans included)"
EXTENSIONS = ("jsonl",)
IN_ARCHIVE = True
OPTIONS = ("offset_unit",)
OFFSET_UNITS = ("codepoint", "utf16")

ACCEPTED_KEYS = frozenset(DOCUMENT_FIELDS)


def parse(stream: BinaryIO, *, file: str, context: ParseContext | None = None) -> Iterator[ImportItem | ImportProblem]:
    offset_unit = (context.options.get("offset_unit") if context else None) or "codepoint"
    if offset_unit not in OFFSET_UNITS:
        yield ImportProblem(file, 0, "offset_unit", "Must be codepoint or utf16.")
        return
    for entry in numbered_lines(stream, file=file):
        if isinstance(entry, ImportProblem):
            yield entry
            continue
        number, line = entry
        if not line.strip():
            continue
        try:
            value = json_input.loads(line)
        except json_input.JSONInputError as error:
            yield ImportProblem(file, number, error.field or "line", error.message)
            continue
        if not isinstance(value, dict):
            yield ImportProblem(file, number, "line", "Each line must be a JSON object (one document).")
            continue
        if set(value) == {"manifest"}:
            unit = value["manifest"].get("offset_unit", "codepoint") if isinstance(value["manifest"], dict) else None
            if unit not in OFFSET_UNITS:
                yield ImportProblem(file, number, "manifest.offset_unit", "Must be codepoint or utf16.")
            else:
                offset_unit = unit
            continue
        if set(value) == {"end"}:
            continue
        unknown = sorted(set(value) - ACCEPTED_KEYS)
        if unknown:
            yield ImportProblem(file, number, unknown[0], f"Unknown field; a document line has: {', '.join(DOCUMENT_FIELDS)}.")
            continue
        spans = value.pop("spans", None)
        if spans is None:
            spans = []
        if not isinstance(spans, list):
            yield ImportProblem(file, number, "spans", "Must be a list of spans.")
            continue
        yield ImportItem(file=file, line=number, document=value, spans=spans, offset_unit=offset_unit)
