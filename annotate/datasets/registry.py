"""The one registry of dataset formats: every module in exports/ is an export format, every module
in imports/ that sets FORMAT is an import format. A new format is one module (plus its golden
file in tests/golden/); nothing else lists formats.

An export module exposes MEDIA_TYPE, EXTENSION, OFFSET_UNITS (the units it can write) and
``render(records, manifest, options) -> Iterator[str | bytes]`` (see annotate.datasets.records).
An import module exposes FORMAT, DESCRIPTION (what the upload forms show), EXTENSIONS (file-name
suffixes that imply it; empty: only when asked for by name), IN_ARCHIVE (whether a zip may hold
such files), optionally OPTIONS (names of its own fields, e.g. brat's mapping; in
ParseContext.options) and
``parse(stream, *, file, context) -> Iterator[ImportItem | ImportProblem]``.
"""
import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from annotate.datasets import exports, imports
from annotate.datasets.records import FORMAT_VERSION, RenderOptions, as_bytes

DEFAULT_EXPORT_FORMAT = "jsonl"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    module: ModuleType = field(repr=False)

    @property
    def media_type(self) -> str:
        return self.module.MEDIA_TYPE

    @property
    def extension(self) -> str:
        return self.module.EXTENSION

    @property
    def format_version(self) -> int:
        return getattr(self.module, "FORMAT_VERSION", FORMAT_VERSION)

    @property
    def offset_units(self) -> tuple[str, ...]:
        return self.module.OFFSET_UNITS

    def render(
        self, records: Iterable[dict], manifest: dict, options: RenderOptions | None = None
    ) -> Iterator[str | bytes]:
        return self.module.render(records, manifest, options or RenderOptions())

    def render_bytes(self, records: Iterable[dict], manifest: dict, options: RenderOptions | None = None) -> bytes:
        """The whole rendering as bytes (for a release file or a test)."""
        return b"".join(as_bytes(chunk) for chunk in self.render(records, manifest, options))


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{package.__name__}.{info.name}")


def _export_formats() -> dict[str, ExportFormat]:
    found = {module.__name__.rsplit(".", 1)[1]: module for module in _modules(exports)}
    # the default first, then by name: the order of every choice list and message
    names = sorted(found, key=lambda name: (name != DEFAULT_EXPORT_FORMAT, name))
    return {name: ExportFormat(name=name, module=found[name]) for name in names}


_EXPORTS = _export_formats()
_IMPORTS = {module.FORMAT: module for module in _modules(imports) if hasattr(module, "FORMAT")}

EXPORT_FORMATS: tuple[str, ...] = tuple(_EXPORTS)
IMPORT_FORMATS: tuple[str, ...] = tuple(_IMPORTS)
OFFSET_UNITS = ("codepoint", "utf16")
# file-name suffixes of the members a zip import reads
ARCHIVE_MEMBER_SUFFIXES: tuple[str, ...] = tuple(
    suffix for module in _IMPORTS.values() if module.IN_ARCHIVE for suffix in module.EXTENSIONS
)


def export_format(name: str) -> ExportFormat:
    """The registered export format called `name`; KeyError for an unknown one."""
    return _EXPORTS[name]


def formats_with_offset_unit(unit: str) -> tuple[str, ...]:
    return tuple(name for name, fmt in _EXPORTS.items() if unit in fmt.offset_units)


def import_format(name: str) -> ModuleType:
    """The registered import format module called `name`; KeyError for an unknown one."""
    return _IMPORTS[name]


def import_format_for_suffix(suffix: str, *, in_archive: bool = False) -> str | None:
    """The import format a file-name suffix ("jsonl", no dot) implies, or None."""
    for name, module in _IMPORTS.items():
        if suffix in module.EXTENSIONS and (module.IN_ARCHIVE or not in_archive):
            return name
    return None


def offset_unit_problem(format: str, offset_unit: str) -> str | None:
    """Why `format` cannot be written with `offset_unit` offsets, or None when it can."""
    if offset_unit not in OFFSET_UNITS:
        return f"Use {' or '.join(OFFSET_UNITS)}."
    if offset_unit not in export_format(format).offset_units:
        able = " and ".join(formats_with_offset_unit(offset_unit))
        return f"{format} exports count code points; {offset_unit} is for {able}."
    return None
