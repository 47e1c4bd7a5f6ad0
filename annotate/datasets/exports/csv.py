"""csv: one span a row, for spreadsheets; the manifest comes beside it (export manifest URL or --manifest).

Columns, in order: see COLUMNS. evidence_links are joined with a space, links (indexes of
linked spans within the same document, like span_index) with a space. Documents without spans
do not appear. RFC 4180 quoting, \\r\\n row ends, UTF-8 without BOM.

Annotators write the quotes, notes and sources, so a cell may start with what a spreadsheet runs
as a formula. By default (csv_safety "spreadsheet", OWASP's rule) a text cell that starts with
=, +, -, @, a tab or a carriage return gets a single quote in front: the spreadsheet shows it as
text. csv_safety "raw" writes every cell exactly as stored.
"""
import csv
import io
from collections.abc import Iterable, Iterator

from annotate.datasets.records import SPAN_FIELDS, RenderOptions, with_offset_unit

DESCRIPTION = "CSV, one span a row"  # what the export form shows
MEDIA_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"
OFFSET_UNITS = ("codepoint", "utf16")

COLUMNS = ("document_external_id", "document_title", "document_text_sha256", "span_index", *SPAN_FIELDS)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """The cell as a spreadsheet shows it as text: a leading single quote before a formula start."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    safe = options.csv_safety != "raw"
    for record in records:
        shown = with_offset_unit(record, options.offset_unit)
        for index, span in enumerate(shown["spans"]):
            row = (
                record["external_id"],
                record["title"],
                record["text_sha256"],
                index,
                span["start"],
                span["end"],
                span["label"],
                span["quote"],
                span["annotator"],
                span["layer"],
                span["note"],
                span["source"],
                span["dispute_basis"],
                " ".join(span["evidence_links"]),
                " ".join(str(i) for i in span["links"]),
            )
            writer.writerow(tuple(map(spreadsheet_safe, row)) if safe else row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
