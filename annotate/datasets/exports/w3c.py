"""w3c: the W3C Web Annotation Data Model (JSON-LD), one AnnotationCollection with one page.

Each span is an Annotation: the label is a `tagging` TextualBody, the annotator the creator
(a Person with a nickname), the target a TextPositionSelector (code points, as the model
requires) plus a TextQuoteSelector (exact, prefix, suffix: up to CONTEXT_CHARS code points
each side). Notes, attribution sources, dispute bases and evidence links are further bodies;
an attribution span's links are `linking` bodies naming the linked spans' annotations.

Identifiers are URNs that do not depend on database ids:
document  urn:annotate:doc:<external_id, percent-encoded>  (or urn:annotate:sha256:<text hash>)
span      <document>:span:<index of the span in the document's span list>
"""
from collections.abc import Iterable, Iterator
from urllib.parse import quote as percent_encode

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json

DESCRIPTION = "W3C Web Annotation (JSON-LD)"  # what the export form shows
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8'
EXTENSION = "jsonld"
OFFSET_UNITS = ("codepoint",)  # see render()
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32


_dumps = compact_json


def document_iri(record: dict) -> str:
    if record["external_id"]:
        return "urn:annotate:doc:" + percent_encode(record["external_id"], safe="")
    return "urn:annotate:sha256:" + record["text_sha256"]


def _bodies(span: dict, document: str) -> list[dict]:
    bodies = [{"type": "TextualBody", "purpose": "tagging", "value": span["label"]}]
    if span["note"]:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": span["note"]})
    if span["source"]:
        bodies.append({"type": "TextualBody", "purpose": "describing", "value": span["source"]})
    if span["dispute_basis"]:
        bodies.append({"type": "TextualBody", "purpose": "classifying", "value": span["dispute_basis"]})
    for url in span["evidence_links"]:
        bodies.append({"type": "SpecificResource", "purpose": "questioning", "source": url})
    for target in span["links"]:
        bodies.append({"type": "SpecificResource", "purpose": "linking", "source": f"{document}:span:{target}"})
    return bodies


def annotation(record: dict, index: int, span: dict) -> dict:
    document = document_iri(record)
    text, start, end = record["text"], span["start"], span["end"]
    return {
        "id": f"{document}:span:{index}",
        "type": "Annotation",
        "motivation": "tagging",
        "creator": {"type": "Person", "nickname": span["annotator"]},
        "body": _bodies(span, document),
        "target": {
            "source": document,
            "selector": [
                {"type": "TextPositionSelector", "start": start, "end": end},
                {
                    "type": "TextQuoteSelector",
                    "exact": span["quote"],
                    "prefix": text[max(0, start - CONTEXT_CHARS) : start],
                    "suffix": text[end : end + CONTEXT_CHARS],
                },
            ],
        },
    }


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[str]:
    if options.offset_unit != "codepoint":
        raise ValueError("The W3C model counts code points in a TextPositionSelector.")
    project = manifest["project"]
    collection = f"urn:annotate:export:{manifest['layer']}:{percent_encode(str(project['name']), safe='')}"
    head = {
        "@context": CONTEXT,
        "id": collection,
        "type": "AnnotationCollection",
        "label": f"{project['name']} ({manifest['layer']} layer)",
        "total": manifest["spans"],
        "manifest": manifest,
    }
    yield _dumps(head)[:-1] + ',\n"first":{"id":' + _dumps(collection + ":page:0") + ',"type":"AnnotationPage","startIndex":0,"items":['
    digest = ContentDigest()
    separator = "\n"
    for record in records:
        digest.add(record)
        for index, span in enumerate(record["spans"]):
            yield separator + _dumps(annotation(record, index, span))
            separator = ",\n"
    yield '\n]},\n"end":' + _dumps(digest.summary()) + "}\n"
