"""What every import parser yields: an item to create, or a problem that names its file, line and field."""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

UTF8_BOM = "\ufeff"


@dataclass
class ImportItem:
    """One document to create. `document` holds raw document fields (title, text, provenance);
    `spans` raw span dicts (jsonl only), offsets in `offset_unit`."""

    file: str
    line: int
    document: dict
    spans: list = field(default_factory=list)
    offset_unit: str = "codepoint"
    # where each span came from, for a format whose spans are not on the item's line (brat's
    # .ann lines): (file, line, name), problems with spans[i] are named there as "<name>.<field>"
    span_origins: list[tuple[str, int, str]] | None = None
    # what the answer counts besides documents and spans: {"ignored": {brat type: lines}, ...}
    report: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ParseContext:
    """What a parser may need besides its stream: the import's limits, and (for an archive) the
    parser of each member by its file-name suffix (None for a suffix no format reads there)."""

    max_expanded_bytes: int
    max_members: int
    member_parser: Callable[[str], Callable | None]
    member_suffixes: tuple[str, ...] = ()  # for the message naming what an archive may hold
    options: dict = field(default_factory=dict)  # a format's own fields (brat: mapping, annotator)
    member_names: frozenset[str] = frozenset()  # usernames of the project's members (brat: collection folders)


@dataclass
class ImportProblem:
    file: str
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


def numbered_lines(stream: BinaryIO, *, file: str) -> Iterator[tuple[int, str] | ImportProblem]:
    """(line number from 1, line as str with its ending) for each line of a UTF-8 byte stream;
    an ImportProblem instead for a line that is not UTF-8 or holds a NUL byte."""
    for number, raw in enumerate(stream, start=1):
        if b"\x00" in raw:
            yield ImportProblem(file, number, "file", f"Line {number} contains a NUL byte.")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield ImportProblem(
                file, number, "file", f"Line {number} is not valid UTF-8 (byte {raw[error.start]:#04x} at column {error.start + 1})."
            )
            continue
        if number == 1 and line.startswith(UTF8_BOM):
            line = line[1:]
        yield number, line
