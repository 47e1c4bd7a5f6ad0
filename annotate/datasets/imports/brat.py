"""brat import (format=brat): a zip of brat standoff, ``<name>.txt`` with its ``.ann`` files.

Files. Two layouts, also mixed in one zip:

- collections (what the brat export writes, and how brat projects keep one layer per
  annotator): ``<annotator>/<name>.txt`` + ``<annotator>/<name>.ann``. A folder named like a
  member of the project (the folder the .txt is in) holds that member's spans; ``gold/`` holds
  gold-layer spans, written by the ``annotator`` field or the uploader, who must be a reviewer
  or manager (the same rule as ``layer=gold``). The document is ``<name>`` with that folder left
  out of its path (``export/carol/a.txt`` is ``export/a``), so one ``<name>.txt`` in several
  folders is ONE document with each folder's layer; its texts must be identical, else an error
  names both files.
- flat (brat corpora in the wild): ``<name>.txt`` with ``<name>_<annotator>.ann`` beside it for
  that annotator's spans (the longest ``.txt`` name that fits wins, so ``doc_01.txt`` takes
  ``doc_01_alice.ann``) and a plain ``<name>.ann`` for the spans of the ``annotator`` field, or
  of the uploader. A folder not named like a member (``train/``, ``corpus/``) is part of the
  document's path.

Each document's title is its last path part, its external_id the path without ``.txt``.
``layer=gold`` puts every span in the gold layer (each file's annotator a reviewer or manager:
a gold export of the flat layout imports back as gold). ``.conf`` files and ``manifest.json``
(what the brat export adds) are skipped; any other member is refused.

Mapping. The ``mapping`` field (JSON object) says what each brat type becomes, or null to
ignore it; lines left out are counted in the answer (``ignored``: {type: lines}). Types not
in it take the default: an entity type named like one of our labels (any case) is that
label; a relation type ``Attribution`` is an attribution link; attributes ``Source``,
``DisputeBasis`` and ``Evidence`` (as the export writes them) fill those fields; note type
``AnnotatorNotes`` is the note. Anything else is an error naming the type, file and line.

- ``T`` (text-bound): a type -> a label. Offsets count code points of the .txt as given
  (normalised with it, see annotate.offsets.normalize_with_map); the text field must be the
  covered text (fragments joined by a space, white space compared loosely).
  Discontinuous ranges (``0 5;9 14``): fragments separated only by white space (brat's way of
  writing a span across line breaks) are joined into one span; other fragments become one span
  each, with the same label, fields, note and links (our spans are contiguous and a link only
  ties an attribution to what it attributes, so nothing can tie fragments together); the
  answer counts them (``split_discontinuous``: annotations split).
- ``R`` (relation): a type -> ``link`` (or ``attribution``): one argument must be an
  attribution span; the link goes from it to the other (the cue to its content).
- ``E`` (event): the trigger's T type decides; an attribution trigger links to every argument.
- ``A``/``M`` (attribute): a name -> ``source``, ``dispute_basis`` or ``evidence_links``
  (values percent-decoded; evidence links separated by white space).
- ``#`` (note): a type -> ``note``; ``\\n``, ``\\r``, ``\\t`` and ``\\\\`` are unescaped as the
  export writes them; several notes on one span are joined by a line break.
- ``N`` (normalisation) and ``*`` (equivalence) have nothing to become: map them to null.

All or nothing: every problem names the file, line and field (``T3.start``, ``type``...).
"""
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote

from annotate.datasets.imports.items import UTF8_BOM, ImportItem, ImportProblem, ParseContext, numbered_lines
from annotate.datasets.imports.txt import decode_text
from annotate.datasets.imports.zip import READ_ERRORS, MemberReader, checked_members, open_archive
from annotate.models import Label

FORMAT = "brat"
DESCRIPTION = "brat standoff: a zip of .txt and .ann files (spans, links, notes; several annotators)"
EXTENSIONS = ()  # a brat corpus is a .zip: only when asked for by name
IN_ARCHIVE = False
OPTIONS = ("mapping", "annotator", "layer")

LINK = "link"
FIELDS = ("source", "dispute_basis", "evidence_links")
NOTE = "note"
SKIPPED_NAMES = ("manifest.json",)
DEFAULTS = {
    "T": {label: label for label in Label.values},
    "R": {"attribution": LINK},
    "A": {"source": "source", "disputebasis": "dispute_basis", "dispute_basis": "dispute_basis",
          "evidence": "evidence_links", "evidence_links": "evidence_links"},
    "#": {"annotatornotes": NOTE},
}  # fmt: skip
TARGETS = {"T": tuple(Label.values), "R": (LINK, Label.ATTRIBUTION), "A": FIELDS, "#": (NOTE,), "N": (), "*": ()}
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


class _LineError(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


@dataclass
class _Entity:
    line: int
    label: str
    ranges: list[tuple[int, int]]
    fields: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # ids of the entities it attributes


def _mapping_of(options: dict, *, file: str) -> dict | ImportProblem:
    raw = options.get("mapping")
    if raw in (None, ""):
        return {}
    try:
        mapping = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ImportProblem(file, 0, "mapping", "Must be a JSON object: {\"brat type\": \"our label\" or null}.")
    if not isinstance(mapping, dict) or not all(isinstance(v, str) or v is None for v in mapping.values()):
        return ImportProblem(file, 0, "mapping", "Must be a JSON object of strings or null: {\"brat type\": \"our label\" or null}.")
    known = {*Label.values, LINK, *FIELDS, NOTE}
    wrong = sorted(v for v in mapping.values() if v is not None and v not in known)
    if wrong:
        return ImportProblem(file, 0, "mapping", f"{wrong[0]!r} is nothing here; use a label ({', '.join(Label.values)}), "
                             f"{LINK}, {', '.join(FIELDS)}, {NOTE}, or null to ignore.")  # fmt: skip
    return mapping


class _Mapper:
    def __init__(self, mapping: dict):
        self.mapping = mapping
        self.ignored: dict[str, int] = {}

    def target(self, kind: str, type_: str) -> str | None:
        """What a line of `kind` (T, R, A, #, N, *) and brat type becomes; None: ignored (counted
        by the caller with ignore()); _LineError when neither mapped nor ignored."""
        if type_ in self.mapping:
            value = self.mapping[type_]
        else:
            value = DEFAULTS.get(kind, {}).get(type_.lower(), False)
            if value is False:
                raise _LineError("type", f"The brat type {type_!r} is neither mapped nor ignored: give it in mapping "
                                 f"(e.g. {{\"{type_}\": {_example(kind)!r}}} or null to ignore it).")  # fmt: skip
        if value is not None and value not in TARGETS[kind]:
            allowed = " or ".join(map(repr, TARGETS[kind])) or "nothing (map it to null)"
            raise _LineError("type", f"mapping maps {type_!r} to {value!r}, but this line can become {allowed}.")
        return LINK if kind == "R" and value is not None else value

    def ignore(self, type_: str) -> None:
        self.ignored[type_] = self.ignored.get(type_, 0) + 1


def _example(kind: str) -> str:
    return {"T": Label.ASSERTION, "R": LINK, "A": "source", "#": NOTE}.get(kind, "null")


def _ranges(text: str, value: str) -> list[tuple[int, int]]:
    ranges = []
    for part in value.split(";"):
        bounds = part.split(" ")
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise _LineError("offsets", f"{value!r} is not 'start end' or 'start end;start end'.")
        start, end = int(bounds[0]), int(bounds[1])
        if not start < end <= len(text):
            raise _LineError("offsets", f"{start} {end} is not a range within the text (0 to {len(text)} code points).")
        ranges.append((start, end))
    ranges.sort()
    if any(a[1] > b[0] for a, b in zip(ranges, ranges[1:])):
        raise _LineError("offsets", f"The fragments of {value!r} overlap.")
    return ranges


def _joined(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fragments separated by white space only become one (how brat writes a span across lines)."""
    out = [ranges[0]]
    for start, end in ranges[1:]:
        if text[out[-1][1] : start].strip() == "":
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _parse_ann(lines, *, file: str, text: str, mapper: _Mapper) -> tuple[dict[str, _Entity], list[ImportProblem]]:
    """The entities of one .ann file by id (ignored ones map to None), their fields, notes and links."""
    entities: dict[str, _Entity | None] = {}
    later: list[tuple[int, str, str, str]] = []  # (line, kind, id, rest): lines that refer to entities
    problems: list[ImportProblem] = []
    for entry in lines:
        if isinstance(entry, ImportProblem):
            problems.append(entry)
            continue
        number, line = entry
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        kind = ident[:1]
        try:
            if kind == "T":
                middle, tab, quote = rest.partition("\t")
                type_, _, offsets = middle.partition(" ")
                if not tab:
                    raise _LineError("text", "A T line is 'T<n><TAB><type> <start> <end><TAB><text>'.")
                label = mapper.target("T", type_)
                ranges = _ranges(text, offsets)
                covered = " ".join(text[s:e] for s, e in ranges)
                if covered.split() != quote.split():
                    raise _LineError("text", f"Is {quote!r}, but the text at {offsets} is {covered!r}.")
                if ident in entities:
                    raise _LineError("id", f"{ident} is used twice in this file.")
                entities[ident] = None if label is None else _Entity(number, label, _joined(text, ranges))
                if label is None:
                    mapper.ignore(type_)
            elif kind in ("R", "E", "A", "M", "#", "N", "*"):
                later.append((number, kind, ident, rest))
            else:
                raise _LineError("id", f"{ident!r} is not a brat annotation id (T, R, E, A, M, #, N or *).")
        except _LineError as error:
            problems.append(ImportProblem(file, number, error.field, error.message))
    for number, kind, ident, rest in later:
        try:
            _refer(kind, rest, entities, mapper)
        except _LineError as error:
            problems.append(ImportProblem(file, number, error.field, error.message))
    return {ident: entity for ident, entity in entities.items() if entity is not None}, problems


def _entity(entities: dict, ident: str, role: str) -> "_Entity | None":
    if ident not in entities:
        raise _LineError(role, f"{ident!r} is not a T annotation of this file.")
    return entities[ident]


def _refer(kind: str, rest: str, entities: dict, mapper: _Mapper) -> None:
    """Apply one R, E, A/M, # or N/* line to the entities it refers to."""
    if kind in ("R", "N", "*"):
        head = rest.split("\t", 1)[0].split(" ")
        type_ = head[0]
        target = mapper.target("*" if kind == "*" else kind, type_)
        if target is None:
            return mapper.ignore(type_)
        roles = dict(arg.partition(":")[::2] for arg in head[1:])
        args = [roles.get("Arg1"), roles.get("Arg2")] if kind == "R" else head[1:3]
        if len(head) != 3 or len(args) != 2 or not all(args):
            raise _LineError("arguments", "A relation is '<type> Arg1:T<n> Arg2:T<n>'.")
        first, second = _entity(entities, args[0], "Arg1"), _entity(entities, args[1], "Arg2")
        if first is None or second is None:
            return mapper.ignore(type_)  # one end was ignored
        if first.label == Label.ATTRIBUTION:
            first.links.append(args[1])
        elif second.label == Label.ATTRIBUTION:
            second.links.append(args[0])
        else:
            raise _LineError("arguments", f"Neither {args[0]} ({first.label}) nor {args[1]} ({second.label}) is an attribution span, "
                             "so there is no attribution to link.")  # fmt: skip
    elif kind == "E":
        parts = rest.split()
        type_, _, trigger_id = parts[0].partition(":") if parts else ("", "", "")
        trigger = _entity(entities, trigger_id, "trigger")
        if trigger is None:
            return mapper.ignore(type_)
        if trigger.label != Label.ATTRIBUTION:
            raise _LineError("trigger", f"The trigger {trigger_id} is {trigger.label}; an event becomes links only from an attribution trigger.")
        for arg in parts[1:]:
            ident = arg.partition(":")[2]
            if ident.startswith("E"):
                raise _LineError("arguments", f"{ident} is an event: events as arguments have no equivalent here.")
            if _entity(entities, ident, "arguments") is not None and ident not in trigger.links:
                trigger.links.append(ident)
    elif kind in ("A", "M"):
        parts = rest.split(" ", 2)
        type_ = parts[0]
        target = mapper.target("A", type_)
        if target is None:
            return mapper.ignore(type_)
        if len(parts) < 3 or not parts[2].strip():
            raise _LineError("value", f"{type_} needs a value ('{type_} T<n> <value>').")
        entity = _entity(entities, parts[1], "target")
        if entity is None:
            return mapper.ignore(type_)
        value = unquote(parts[2].strip())
        entity.fields[target] = value.split() if target == "evidence_links" else value
    elif kind == "#":
        middle, _, note = rest.partition("\t")
        type_, _, ident = middle.partition(" ")
        target = mapper.target("#", type_)
        if target is None:
            return mapper.ignore(type_)
        entity = _entity(entities, ident.strip(), "target")
        if entity is None:
            return mapper.ignore(type_)
        entity.notes.append(_UNESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(0)), note))


def _spans(entities: dict[str, _Entity], *, file: str, annotator: str, layer: str | None, shift: int) -> tuple[list, list, int]:
    """(raw span dicts, their origins, annotations split) for one .ann file's entities; links
    are indexes into the item's span list from `base` on, set by the caller."""
    spans, origins, split, indexes = [], [], 0, {}
    for ident, entity in entities.items():
        split += len(entity.ranges) > 1
        indexes[ident] = []
        for number, (start, end) in enumerate(entity.ranges):
            name = ident if len(entity.ranges) == 1 else f"{ident}[{number}]"
            indexes[ident].append(len(spans))
            spans.append({"start": start - shift, "end": end - shift, "label": entity.label, **entity.fields,
                          **({"note": "\n".join(entity.notes)} if entity.notes else {}),
                          **({"annotator": annotator} if annotator else {}), **({"layer": layer} if layer else {})})  # fmt: skip
            origins.append((file, entity.line, name))
    for ident, entity in entities.items():
        targets = sorted({index for other in entity.links for index in indexes[other]})
        for index in indexes[ident]:
            if targets:
                spans[index]["links"] = targets
    return spans, origins, split


GOLD_FOLDER = "gold"


def _collection(stem: str, member_names: frozenset[str]) -> tuple[str, str, str | None]:
    """(document path, annotator or "", layer or None) of a .txt stem: the folder it is in is
    a member's or gold's collection (left out of the path), else a plain part of the path."""
    folder, _, base = stem.rpartition("/")
    parent, _, last = folder.rpartition("/")
    owner = unquote(last)  # the export writes a username of dots only with %2E
    if not folder or (owner != GOLD_FOLDER and owner not in member_names):
        return stem, "", None
    path = f"{parent}/{base}" if parent else base
    return (path, "", GOLD_FOLDER) if owner == GOLD_FOLDER else (path, owner, None)


def _owner(ann: str, txt_stems: set[str]) -> tuple[str, str] | None:
    """(the .txt stem an .ann file belongs to, annotator or "" for a plain <name>.ann)."""
    stem = ann[: -len(".ann")]
    if stem in txt_stems:
        return stem, ""
    cut = len(stem)
    while (cut := stem.rfind("_", 0, cut)) > 0:
        if stem[:cut] in txt_stems and stem[cut + 1 :]:
            return stem[:cut], stem[cut + 1 :]
    return None


def parse(stream: BinaryIO, *, file: str, context: ParseContext) -> Iterator[ImportItem | ImportProblem]:
    mapping = _mapping_of(context.options, file=file)
    if isinstance(mapping, ImportProblem):
        yield mapping
        return
    archive = open_archive(stream, file=file, context=context)
    if isinstance(archive, ImportProblem):
        yield archive
        return
    with archive:
        members, problems = checked_members(
            archive,
            context,
            readable=lambda name: name.lower().endswith((".txt", ".ann", ".conf")) or PurePosixPath(name).name in SKIPPED_NAMES,
            unreadable=lambda suffix: f"Unknown file type {suffix}: a brat zip holds .txt and .ann files (and .conf).",
        )
        by_name = {info.filename: info for info in members}
        txt_stems = {name[: -len(".txt")] for name in by_name if name.endswith(".txt")}
        collections = {stem: _collection(stem, context.member_names) for stem in txt_stems}
        # document path -> [(.txt name, [(.ann name, annotator or "", layer or None)])]
        documents: dict[str, list[tuple[str, list]]] = {}
        anns: dict[str, list[tuple[str, str, str | None]]] = {stem: [] for stem in txt_stems}
        for stem in sorted(txt_stems):
            documents.setdefault(collections[stem][0], []).append((f"{stem}.txt", anns[stem]))
        for name in by_name:
            if name.endswith(".ann"):
                owner = _owner(name, txt_stems)
                if owner is None:
                    problems.append(ImportProblem(name, 0, "file", "No .txt for this .ann: name it <name>.ann or <name>_<annotator>.ann "
                                                  "beside <name>.txt (<annotator>/<name>.ann in an annotator's folder)."))  # fmt: skip
                    continue
                stem, annotator = owner
                _, folder_annotator, layer = collections[stem]
                if annotator and (folder_annotator or layer):
                    problems.append(ImportProblem(name, 0, "file", f"In the collection folder of {stem}.txt the folder says whose "
                                                  f"the spans are: name it {stem.rpartition('/')[2]}.ann."))  # fmt: skip
                    continue
                anns[stem].append((name, annotator or folder_annotator, layer))
            elif not name.endswith((".txt", ".ann")) and name.lower().endswith((".txt", ".ann")):
                problems.append(ImportProblem(name, 0, "file", "Write the suffix in lower case (.txt, .ann)."))
        if not txt_stems and not problems:
            problems.append(ImportProblem(file, 0, "file", "The zip holds no .txt file."))
        if problems:
            yield from problems
            return
        reader = MemberReader(archive, context)
        for path in sorted(documents):
            yield from _document(path, documents[path], by_name, reader, context, mapping)


def _document(
    path: str, parts: list, by_name: dict, reader: MemberReader, context: ParseContext, mapping: dict
) -> Iterator[ImportItem | ImportProblem]:
    """One document from its .txt files (one per folder it is in, identical) and their .ann files."""
    txt_name = parts[0][0]
    try:
        raws = []
        for name, _ in parts:
            with reader.open(by_name[name]) as member:
                raws.append(member.read())
        raw = raws[0]
        for (name, _), other in zip(parts[1:], raws[1:]):
            if other != raw:
                yield ImportProblem(name, 0, "file", f"{name} and {txt_name} are one document ({path}) in two folders, "
                                    "but their texts differ; they must be identical.")  # fmt: skip
                return
        text = decode_text(raw, file=txt_name)
        if isinstance(text, ImportProblem):
            yield text
            return
        shift = 1 if raw.startswith(UTF8_BOM.encode()) else 0  # brat counts the BOM as a character
        given = UTF8_BOM * shift + text
        mapper = _Mapper(mapping)
        spans, origins, split, problems = [], [], 0, []
        for ann_name, annotator, layer in sorted(ann for _, anns in parts for ann in anns):
            with reader.open(by_name[ann_name]) as member:
                entities, found = _parse_ann(numbered_lines(member, file=ann_name), file=ann_name, text=given, mapper=mapper)
            problems += found
            if found:
                continue
            base = len(spans)
            owner = annotator or context.options.get("annotator") or ""
            more, where, count = _spans(
                entities, file=ann_name, annotator=owner, layer=layer or context.options.get("layer"), shift=shift
            )
            for span in more:
                if "links" in span:
                    span["links"] = [base + index for index in span["links"]]
            spans += more
            origins += where
            split += count
    except READ_ERRORS as error:
        yield ImportProblem(txt_name, 0, "file", f"The member cannot be read: {error}.")
        return
    if problems:
        yield from problems
        return
    if shift and any(span["start"] < 0 for span in spans):
        yield ImportProblem(txt_name, 1, "file", "A span covers the byte order mark at the start of the text.")
        return
    yield ImportItem(
        file=txt_name,
        line=1,
        document={"title": PurePosixPath(path).name, "external_id": path, "text": text},
        spans=spans,
        span_origins=origins,
        report={"ignored": mapper.ignored, "split_discontinuous": split},
    )
