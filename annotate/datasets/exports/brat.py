"""brat: brat standoff in a zip, what brat, INCEpTION and most attribution corpora read.

Layout: one brat *collection* (a folder brat lists and opens) per layer, because brat pairs
``<name>.ann`` only with ``<name>.txt`` in the same folder and shows one .ann per text:

- individual layer: ``<annotator>/<name>.txt`` + ``<annotator>/<name>.ann`` for each annotator
  with spans in the document (the folder is the username; a username of dots only is written
  with ``%2E``). A document nobody has spans in is ``<name>.txt`` + an empty ``<name>.ann`` at
  the zip root, so it is kept and opens (the root is a collection too); it is not copied into
  every annotator's folder, since the export streams and does not know all annotators until
  its end.
- gold layer (``layer=gold``): ``gold/<name>.txt`` + ``gold/<name>.ann`` for every document,
  an empty .ann where there are no gold spans. brat has no place for who wrote a gold span.

``annotation.conf`` (the types below, the same file) is at the root and in every collection
folder, where brat looks for it; ``manifest.json`` (the export's manifest with its
content_sha256) is at the root. To open it in brat, unzip it into brat's data directory. The
brat import reads this layout back: a folder named like a project member is that member's
layer, ``gold/`` the gold layer, and one ``<name>.txt`` in several folders is one document.
A member named ``gold`` exports into ``gold/`` too, and would import back as gold.

``<name>`` is the document's external_id when that is a safe file name (letters, digits, ``.``
and ``-``, no ``_`` so that the flat ``<name>_<annotator>.ann`` layout the import also reads
splits one way; not ending in ``.txt`` or ``.ann``), else ``doc-<first 12 hex of
text_sha256>``; a name taken twice (ignoring case) gets ``-<n>``. The same name in two folders
is the same document.

In an .ann file, in the order of the document's spans (annotate.datasets.records):

- ``T<n>\\t<label> <start> <end>\\t<quote>``: one span; offsets in code points of the .txt,
  as brat counts them. A span that crosses line breaks is written as brat writes one, as
  fragments split at the line breaks (``0 5;6 12``, quote fragments joined by one space);
  the import joins fragments separated only by white space back into one span.
- ``R<n>\\tAttribution Arg1:T<attribution> Arg2:T<linked span>``: an attribution link.
- ``A<n>\\tSource T<n> <value>``, ``A<n>\\tDisputeBasis T<n> <value>``,
  ``A<n>\\tEvidence T<n> <url>%20<url>...``: an attribution's source, a disputed span's basis
  and evidence links. brat attribute values are one token, so ``%``, white space, ``|``, ``,``,
  ``:`` and ``=`` in a value are percent-encoded (UTF-8); annotation.conf lists every value used.
- ``#<n>\\tAnnotatorNotes T<n>\\t<note>``: the span's note, with ``\\`` written ``\\\\`` and line
  breaks and tabs as ``\\n``, ``\\r``, ``\\t`` (an .ann line cannot hold them).

The zip's members carry a fixed time stamp, so the same records give the same bytes.
"""
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json, zip_member
from annotate.models import DisputeBasis, Label

MEDIA_TYPE = "application/zip"
EXTENSION = "brat.zip"
OFFSET_UNITS = ("codepoint",)  # brat counts code points of the .txt
FORMAT_VERSION = 2  # 1 was flat: <name>.txt with <name>_<annotator>.ann, which brat itself cannot open

RELATION = "Attribution"
ATTRIBUTES = {"source": "Source", "dispute_basis": "DisputeBasis", "evidence_links": "Evidence"}
NOTE_TYPE = "AnnotatorNotes"
CONF_NAME = "annotation.conf"
MANIFEST_NAME = "manifest.json"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,150}")
_ENCODED = frozenset("%|,:=")
_NOTE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def encode_value(value: str) -> str:
    """An attribute value as one brat token (see the module docstring)."""
    return "".join(
        "".join(f"%{byte:02X}" for byte in ch.encode("utf-8")) if ch in _ENCODED or ch.isspace() else ch for ch in value
    )


def escape_note(note: str) -> str:
    return "".join(_NOTE_ESCAPES.get(ch, ch) for ch in note)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) split at line breaks, the breaks left out (how brat writes such a span)."""
    pieces, position = [], start
    for index in range(start, end + 1):
        if index == end or text[index] == "\n":
            if index > position:
                pieces.append((position, index))
            position = index + 1
    return pieces or [(start, end)]


def document_name(record: dict, taken: set[str]) -> str:
    external_id = record["external_id"]
    name = external_id
    if not _SAFE_NAME.fullmatch(name) or name.lower().endswith((".txt", ".ann")):
        name = f"doc-{record['text_sha256'][:12]}"
    unique, n = name, 1
    while unique.lower() in taken:
        n += 1
        unique = f"{name}-{n}"
    taken.add(unique.lower())
    return unique


GOLD_FOLDER = "gold"


def folder_of(span: dict) -> str:
    """The collection a span is written in: its annotator's folder, or gold/."""
    if span["layer"] == "gold":
        return GOLD_FOLDER
    name = span["annotator"]
    return name.replace(".", "%2E") if set(name) == {"."} else name  # never a "." or ".." path part


def ann_lines(record: dict, folder: str, values: dict[str, set[str]]) -> list[str]:
    """The .ann lines of a record's spans in one folder; `values` collects attribute values.
    Links stay within a folder (both ends of a link share layer and annotator)."""
    text = record["text"]
    indexes = [i for i, span in enumerate(record["spans"]) if folder_of(span) == folder]
    ids = {index: f"T{n}" for n, index in enumerate(indexes, start=1)}
    entities, relations, attributes, notes = [], [], [], []
    for index in indexes:
        span, tid = record["spans"][index], ids[index]
        pieces = fragments(text, span["start"], span["end"])
        ranges = ";".join(f"{s} {e}" for s, e in pieces)
        entities.append(f"{tid}\t{span['label']} {ranges}\t{' '.join(text[s:e] for s, e in pieces)}")
        for target in span["links"]:
            relations.append(f"{RELATION} Arg1:{tid} Arg2:{ids[target]}")
        for field, name in ATTRIBUTES.items():
            value = span[field]
            if value:
                token = "%20".join(map(encode_value, value)) if isinstance(value, list) else encode_value(value)
                values[name].add(token)
                attributes.append(f"{name} {tid} {token}")
        if span["note"]:
            notes.append(f"{NOTE_TYPE} {tid}\t{escape_note(span['note'])}")
    return [
        *entities,
        *(f"R{n}\t{line}" for n, line in enumerate(relations, start=1)),
        *(f"A{n}\t{line}" for n, line in enumerate(attributes, start=1)),
        *(f"#{n}\t{line}" for n, line in enumerate(notes, start=1)),
    ]


def annotation_conf(values: dict[str, set[str]]) -> str:
    """brat's annotation.conf: our labels as entities, overlaps allowed (our spans overlap),
    the attribution relation, and the attributes with the values this export uses."""
    arg = {"Source": Label.ATTRIBUTION, "DisputeBasis": Label.DISPUTED, "Evidence": Label.DISPUTED}
    listed = {"DisputeBasis": set(DisputeBasis.values)}
    lines = ["# annotate's labels; written by the brat export", "[entities]", *Label.values, "", "[relations]"]
    lines += [
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        f"{RELATION}\tArg1:{Label.ATTRIBUTION}, Arg2:<ENTITY>",
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    for name in ATTRIBUTES.values():
        used = sorted(values[name] | listed.get(name, set()))
        lines.append(f"{name}\tArg:{arg[name]}" + (f", Value:{'|'.join(used)}" if used else ""))
    return "\n".join(lines) + "\n"


class _Chunks(io.RawIOBase):
    """A write-only, unseekable file: zipfile streams into it and render() hands out what it holds."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data



def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[bytes]:
    if options.offset_unit != "codepoint":
        raise ValueError("brat counts code points of the .txt.")
    out = _Chunks()
    digest = ContentDigest()
    values: dict[str, set[str]] = {name: set() for name in ATTRIBUTES.values()}
    taken: set[str] = set()
    gold = manifest.get("layer") == "gold"
    folders: set[str] = set()  # the collections written, each gets an annotation.conf
    with zipfile.ZipFile(out, "w") as archive:
        for record in records:
            digest.add(record)
            name = document_name(record, taken)
            text = record["text"].encode("utf-8", "surrogatepass")
            used = sorted({folder_of(span) for span in record["spans"]} | ({GOLD_FOLDER} if gold else set()))
            for folder in used or [""]:  # "": nobody's spans, at the root
                prefix = f"{folder}/" if folder else ""
                lines = ann_lines(record, folder, values) if folder else []
                zip_member(archive, f"{prefix}{name}.txt", text)
                zip_member(archive, f"{prefix}{name}.ann", "".join(line + "\n" for line in lines).encode("utf-8"))
            folders.update(used)
            yield out.take()
        conf = annotation_conf(values).encode("utf-8")
        for folder in ["", *sorted(folders)]:
            zip_member(archive, f"{folder}/{CONF_NAME}" if folder else CONF_NAME, conf)
        zip_member(archive, MANIFEST_NAME, (compact_json({**manifest, **digest.summary()}) + "\n").encode("utf-8"))
    yield out.take()
