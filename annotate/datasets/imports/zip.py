"""zip import: a .zip of files of the formats an archive may hold (jsonl, csv, txt), read in member-name order without extracting.

Guards: at most DATASET_IMPORT_MAX_MEMBERS members and DATASET_IMPORT_MAX_EXPANDED_BYTES
uncompressed in total, counted while reading (a member's declared size can lie), else 413;
names that are absolute, climb out with "..", or use backslashes or drive letters are
refused (400) though nothing is ever written to disk: they become titles and external_ids.
"""
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from annotate.errors import TooLarge
from annotate.datasets.imports.items import ImportItem, ImportProblem, ParseContext

FORMAT = "zip"
EXTENSIONS = ("zip",)
IN_ARCHIVE = False

IGNORED_PREFIXES = ("__MACOSX/",)


class _CountingReader:
    """A member's stream that raises TooLarge once the archive's expanded total passes the limit."""

    def __init__(self, stream: BinaryIO, budget: list[int], limit: int):
        self._stream, self._budget, self._limit = stream, budget, limit

    def _count(self, data: bytes) -> bytes:
        self._budget[0] += len(data)
        if self._budget[0] > self._limit:
            raise TooLarge({"detail": f"The archive expands to more than {self._limit} bytes."})
        return data

    def read(self, size: int = -1) -> bytes:
        return self._count(self._stream.read(size))

    def __iter__(self):
        for line in self._stream:
            yield self._count(line)


def _listed(suffixes: tuple[str, ...]) -> str:
    names = [f".{suffix}" for suffix in suffixes]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def unsafe_name_reason(name: str) -> str | None:
    if "\\" in name:
        return "uses a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "climbs out of the archive with '..'"
    if any(ord(ch) < 32 for ch in name):
        return "contains control characters"
    return None


def parse(stream: BinaryIO, *, file: str, context: ParseContext) -> Iterator[ImportItem | ImportProblem]:
    max_members, max_expanded_bytes = context.max_members, context.max_expanded_bytes
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        yield ImportProblem(file, 1, "file", "Not a zip archive.")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and not info.filename.startswith(IGNORED_PREFIXES)]
        if len(members) > max_members:
            raise TooLarge({"detail": f"The archive holds {len(members)} files; at most {max_members}."})
        declared = sum(info.file_size for info in members)
        if declared > max_expanded_bytes:
            raise TooLarge({"detail": f"The archive expands to {declared} bytes; at most {max_expanded_bytes}."})
        problems = []
        for info in members:
            reason = unsafe_name_reason(info.filename)
            suffix = PurePosixPath(info.filename).suffix.lower()
            if reason:
                problems.append(ImportProblem(info.filename, 0, "file", f"Refused member name: it {reason}."))
            elif info.flag_bits & 0x1:
                problems.append(ImportProblem(info.filename, 0, "file", "Encrypted members are not read."))
            elif context.member_parser(suffix.lstrip(".")) is None:
                problems.append(
                    ImportProblem(info.filename, 0, "file", f"Unknown file type {suffix or '(none)'}: use {_listed(context.member_suffixes)}.")
                )
        if problems:
            yield from problems
            return
        budget = [0]
        for info in sorted(members, key=lambda i: i.filename):
            parser = context.member_parser(PurePosixPath(info.filename).suffix.lower().lstrip("."))
            try:
                with archive.open(info) as member:
                    yield from parser(_CountingReader(member, budget, max_expanded_bytes), file=info.filename, context=context)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                yield ImportProblem(info.filename, 0, "file", f"The member cannot be read: {error}.")
