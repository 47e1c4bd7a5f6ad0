"""spacy: a DocBin (`.spacy`), made by spaCy itself, that `spacy train` and `spacy.training.Corpus` read.

One Doc per document, tokenised by `spacy.blank(language)` (the document's language, or "xx",
spaCy's multi-language tokenizer, when it has none or spaCy does not know it):

- doc.spans["annotate"] (SPANS_KEY): every span that aligns with spaCy's tokens, overlaps kept,
  in record order; `span.label_` is the label and `span.id_` the annotator's username. The
  group's attrs["span_index"] gives each span's index in the record's span list.
- doc.ents: the spans that do not overlap, taken as the conll export takes them (by start, then
  longest first, then label), so a NER pipeline trains on them.
- doc.user_data["annotate"]: the document's fields (external_id, title, outlet, source_url,
  author, published_on, language, text_sha256) and its full span records (note, source,
  dispute_basis, evidence_links, links) as annotate.datasets.records writes them.

A span whose boundaries fall inside a spaCy token (`Doc.char_span(..., alignment_mode="strict")`
is None) is never widened: it is left out of doc.spans and doc.ents and counted
(`spans_not_aligned`: the manifest endpoint, a package's manifest.json, and each Doc's
user_data say how many; its record is still in user_data).

    import spacy
    from spacy.tokens import DocBin
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk("labels.spacy").get_docs(nlp.vocab))
"""
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from annotate.datasets.records import RenderOptions, canonical_record

DESCRIPTION = "spaCy DocBin (.spacy: spacy train, doc.spans and doc.ents)"  # what the export form shows
MEDIA_TYPE = "application/octet-stream"
EXTENSION = "spacy"
OFFSET_UNITS = ("codepoint",)  # see render()
FORMAT_VERSION = 2  # 1 was a JSON recipe for Doc.char_span
SPANS_KEY = "annotate"
FALLBACK_LANGUAGE = "xx"


@functools.cache
def blank(language: str):
    """spaCy's blank pipeline (a tokenizer, no model) for the language, built once per process."""
    import spacy

    try:
        return spacy.blank(language or FALLBACK_LANGUAGE)
    except (ImportError, KeyError, ValueError):  # spaCy does not know the code: E048 is an ImportError
        return spacy.blank(FALLBACK_LANGUAGE)


def record_doc(record: dict):
    """(Doc, spans not aligned) for one record."""
    from spacy.tokens import SpanGroup

    record = canonical_record(record)
    doc = blank(record["language"]).make_doc(record["text"])
    aligned, indexes, not_aligned = [], [], 0
    for index, span in enumerate(record["spans"]):
        made = doc.char_span(span["start"], span["end"], label=span["label"], alignment_mode="strict")
        if made is None:
            not_aligned += 1
            continue
        made.id_ = span["annotator"]
        aligned.append(made)
        indexes.append(index)
    doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, attrs={"span_index": indexes}, spans=aligned)
    doc.ents = _non_overlapping(aligned)
    fields = {name: value for name, value in record.items() if name != "text"}
    doc.user_data[SPANS_KEY] = {**fields, "spans_not_aligned": not_aligned}
    return doc, not_aligned


def _non_overlapping(spans: list) -> list:
    taken, used = [], set()
    for span in sorted(spans, key=lambda s: (s.start_char, -s.end_char, s.label_)):
        tokens = range(span.start, span.end)
        if used.isdisjoint(tokens):
            used.update(tokens)
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def counts(records: Iterable[dict]) -> dict:
    """What the manifest adds for this format: spans spaCy's tokens cannot hold."""
    return {"spans_not_aligned": sum(record_doc(record)[1] for record in records)}


def docbin_bytes(records: Iterable[dict]) -> tuple[bytes, int]:
    """The DocBin's bytes (its strings sorted by spaCy, so the same records give the same bytes)
    and how many spans did not align."""
    from spacy.tokens import DocBin

    docs = DocBin(store_user_data=True)
    not_aligned = 0
    with _msgpack_encoders_read_once():
        for record in records:
            doc, missed = record_doc(record)
            docs.add(doc)
            not_aligned += missed
        return docs.to_bytes(), not_aligned


@contextmanager
def _msgpack_encoders_read_once():
    """srsly's msgpack Packer looks its encoders up (installed packages' entry points included)
    each time one is made, and DocBin.add makes three per Doc: 70% of the export's time. The
    lookup is read once for the whole DocBin instead; the encoders are the same ones."""
    from srsly.msgpack import msgpack_encoders

    if "get_all" in vars(msgpack_encoders):  # already inside one (another thread): leave it
        yield
        return
    found = msgpack_encoders.get_all()
    msgpack_encoders.get_all = lambda: found
    try:
        yield
    finally:
        vars(msgpack_encoders).pop("get_all", None)


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[bytes]:
    if options.offset_unit != "codepoint":
        raise ValueError("spacy exports use code points: Doc.char_span takes Python string indexes.")
    yield docbin_bytes(records)[0]  # a DocBin is one compressed message: it cannot stream
