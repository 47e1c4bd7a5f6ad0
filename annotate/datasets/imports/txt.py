"""txt import: the whole file is one document; its file name is its title and external_id."""
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from annotate.datasets.imports.items import UTF8_BOM, ImportItem, ImportProblem, ParseContext

FORMAT = "txt"
DESCRIPTION = "txt (one document)"
EXTENSIONS = ("txt",)
IN_ARCHIVE = True


def decode_text(data: bytes, *, file: str) -> str | ImportProblem:
    """A whole file's text (UTF-8, a leading BOM dropped), or the problem naming the bad line."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return ImportProblem(file, line, "file", f"Line {line} contains a NUL byte.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return ImportProblem(file, line, "file", f"Line {line} is not valid UTF-8 (byte {data[error.start]:#04x}).")
    return text.removeprefix(UTF8_BOM)


def parse(stream: BinaryIO, *, file: str, context: ParseContext) -> Iterator[ImportItem | ImportProblem]:
    text = decode_text(stream.read(context.max_expanded_bytes + 1), file=file)
    if isinstance(text, ImportProblem):
        yield text
        return
    yield ImportItem(file=file, line=1, document={"title": PurePosixPath(file).stem or file, "external_id": file, "text": text})
