"""csv import: one document a row; a header row names the columns (text is required).

Columns: text, title, external_id, outlet, source_url, author, published_on (YYYY-MM-DD),
language. A row without a title takes its text's first line. Empty cells are empty values.
"""
import csv
import sys
from collections.abc import Iterator
from typing import BinaryIO

from annotate.datasets.imports.fields import MAX_LENGTHS, title_from_text
from annotate.datasets.imports.items import ImportItem, ImportProblem, ParseContext, numbered_lines

FORMAT = "csv"
DESCRIPTION = "csv (one document a row)"
EXTENSIONS = ("csv",)
IN_ARCHIVE = True

COLUMNS = ("text", "title", *sorted(set(MAX_LENGTHS) - {"title"}), "published_on")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a document's text may be megabytes in one cell


def parse(stream: BinaryIO, *, file: str, context: ParseContext | None = None) -> Iterator[ImportItem | ImportProblem]:
    problems: list[ImportProblem] = []

    def lines():
        for entry in numbered_lines(stream, file=file):
            if isinstance(entry, ImportProblem):
                problems.append(entry)
                yield "\n"  # keep the reader's line count right; the problem is reported
            else:
                yield entry[1]

    reader = csv.reader(lines())
    header = next(reader, None)
    yield from problems
    problems.clear()
    if header is None:
        yield ImportProblem(file, 1, "header", "The file is empty; the first row must name the columns.")
        return
    header = [name.strip() for name in header]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "text" not in header or len(set(header)) != len(header):
        message = (
            f"Unknown column {unknown[0]!r}" if unknown else "Repeated column" if "text" in header else "No text column"
        )
        yield ImportProblem(file, 1, "header", f"{message}; columns are: {', '.join(COLUMNS)}.")
        return
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield ImportProblem(file, first_line, "row", f"Not CSV: {error}.")
            return
        yield from problems
        if problems:
            problems.clear()
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield ImportProblem(file, first_line, "row", f"Has {len(row)} cells; the header has {len(header)}.")
            continue
        document = {name: cell for name, cell in zip(header, row) if cell != ""}
        document.setdefault("text", "")
        if not document.get("title"):
            document["title"] = title_from_text(document["text"])
        yield ImportItem(file=file, line=first_line, document=document)
