"""txt import: the whole file is one document; its file name is its title and external_id."""
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from annotate.datasets.imports.items import UTF8_BOM, ImportItem, ImportProblem, ParseContext

FORMAT = "txt"
EXTENSIONS = ("txt",)
IN_ARCHIVE = True


def parse(stream: BinaryIO, *, file: str, context: ParseContext) -> Iterator[ImportItem | ImportProblem]:
    data = stream.read(context.max_expanded_bytes + 1)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        yield ImportProblem(file, line, "file", f"Line {line} contains a NUL byte.")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        yield ImportProblem(file, line, "file", f"Line {line} is not valid UTF-8 (byte {data[error.start]:#04x}).")
        return
    text = text.removeprefix(UTF8_BOM)
    yield ImportItem(file=file, line=1, document={"title": PurePosixPath(file).stem or file, "external_id": file, "text": text})
