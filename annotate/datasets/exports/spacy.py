"""spacy: one JSON object holding each document's text and spans as Doc.char_span takes them.

    {"manifest": {...},
     "documents": [
      {"external_id": "...", "title": "...", "text": "...",
       "spans": [{"start": 4, "end": 12, "label": "assertion", "annotator": "carol"}]}],
     "end": {"documents": 1, "spans": 1, "content_sha256": "..."}}

`start`/`end` are Python string indexes (code points), so with spaCy installed:
`doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")`.
spaCy itself is not needed to write this file.
"""
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json

MEDIA_TYPE = "application/json; charset=utf-8"
EXTENSION = "spacy.json"
OFFSET_UNITS = ("codepoint",)  # see render()


_dumps = compact_json


def _document(record: dict) -> dict:
    return {
        "external_id": record["external_id"],
        "title": record["title"],
        "text": record["text"],
        "spans": [
            {"start": span["start"], "end": span["end"], "label": span["label"], "annotator": span["annotator"]}
            for span in record["spans"]
        ],
    }


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[str]:
    if options.offset_unit != "codepoint":
        raise ValueError("spacy exports use code points: Doc.char_span takes Python string indexes.")
    digest = ContentDigest()
    yield '{"manifest":' + _dumps(manifest) + ',\n"documents":['
    separator = "\n"
    for record in records:
        digest.add(record)
        yield separator + _dumps(_document(record))
        separator = ",\n"
    yield '\n],\n"end":' + _dumps(digest.summary()) + "}\n"
