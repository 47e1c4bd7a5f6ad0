"""zip import: a .zip of files of the formats an archive may hold (jsonl, csv, txt), read in member-name order without extracting.

Guards: at most DATASET_IMPORT_MAX_MEMBERS members and DATASET_IMPORT_MAX_EXPANDED_BYTES
uncompressed in total, counted while reading (a member's declared size can lie), else 413;
names that are absolute, climb out with "..", or use backslashes or drive letters are
refused (400) though nothing is ever written to disk: they become titles and external_ids.
"""
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from annotate.errors import TooLarge
from annotate.datasets.imports.items import ImportItem, ImportProblem, ParseContext

FORMAT = "zip"
DESCRIPTION = "zip of jsonl, csv and txt files"
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

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._stream.close()

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


def open_archive(stream: BinaryIO, *, file: str, context: ParseContext) -> zipfile.ZipFile | ImportProblem:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        return ImportProblem(file, 1, "file", "Not a zip archive.")


def checked_members(
    archive: zipfile.ZipFile, context: ParseContext, readable: Callable[[str], bool], unreadable: Callable[[str], str]
) -> tuple[list[zipfile.ZipInfo], list[ImportProblem]]:
    """The archive's files in name order, past the guards (TooLarge for too many or too large),
    and a problem for each refused name, encrypted member, or member `readable(name)` refuses
    (`unreadable(suffix)` says why)."""
    members = [info for info in archive.infolist() if not info.is_dir() and not info.filename.startswith(IGNORED_PREFIXES)]
    if len(members) > context.max_members:
        raise TooLarge({"detail": f"The archive holds {len(members)} files; at most {context.max_members}."})
    declared = sum(info.file_size for info in members)
    if declared > context.max_expanded_bytes:
        raise TooLarge({"detail": f"The archive expands to {declared} bytes; at most {context.max_expanded_bytes}."})
    problems = []
    for info in members:
        reason = unsafe_name_reason(info.filename)
        if reason:
            problems.append(ImportProblem(info.filename, 0, "file", f"Refused member name: it {reason}."))
        elif info.flag_bits & 0x1:
            problems.append(ImportProblem(info.filename, 0, "file", "Encrypted members are not read."))
        elif not readable(info.filename):
            suffix = PurePosixPath(info.filename).suffix.lower()
            problems.append(ImportProblem(info.filename, 0, "file", unreadable(suffix or "(none)")))
    return sorted(members, key=lambda i: i.filename), problems


class MemberReader:
    """Opens members so that their expanded sizes count against one budget for the archive."""

    def __init__(self, archive: zipfile.ZipFile, context: ParseContext):
        self._archive, self._limit, self._budget = archive, context.max_expanded_bytes, [0]

    def open(self, info: zipfile.ZipInfo):
        return _CountingReader(self._archive.open(info), self._budget, self._limit)


READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


def parse(stream: BinaryIO, *, file: str, context: ParseContext) -> Iterator[ImportItem | ImportProblem]:
    archive = open_archive(stream, file=file, context=context)
    if isinstance(archive, ImportProblem):
        yield archive
        return
    with archive:
        members, problems = checked_members(
            archive,
            context,
            readable=lambda name: context.member_parser(PurePosixPath(name).suffix.lower().lstrip(".")) is not None,
            unreadable=lambda suffix: f"Unknown file type {suffix}: use {_listed(context.member_suffixes)}."
            + (" A brat corpus? Import it with format=brat." if suffix in (".ann", ".conf") else ""),
        )
        if problems:
            yield from problems
            return
        reader = MemberReader(archive, context)
        for info in members:
            parser = context.member_parser(PurePosixPath(info.filename).suffix.lower().lstrip("."))
            try:
                with reader.open(info) as member:
                    yield from parser(member, file=info.filename, context=context)
            except READ_ERRORS as error:
                yield ImportProblem(info.filename, 0, "file", f"The member cannot be read: {error}.")
