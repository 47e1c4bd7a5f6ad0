"""Export formats (annotate/datasets/exports/): golden files, quotes at their offsets, W3C required fields,
CoNLL overlaps, UTF-16 offsets, and determinism of render()."""
import csv
import io
import json
import os
from pathlib import Path

import pytest

from annotate.datasets.selectors import ExportFilters, export_records, export_snapshot
from annotate.datasets.exports.conll import tag_tokens
from annotate.datasets.records import RenderOptions, content_summary, manifest_build, record_json
from annotate.datasets.registry import EXPORT_FORMATS as FORMATS, export_format
from annotate.datasets.tokenize import tokenize
from annotate.models import Layer
from annotate.offsets import utf16_length
from tests.dataset_builders import export_text, golden_project

GOLDEN = Path(__file__).parent / "golden"
# The manifest's own values (project id, time of the last change) differ on every test run;
# the golden files fix them, so what they pin is the rendering of the project's records.
FIXED = {"project_id": 1, "project_name": "Golden", "last_changed_at": "2026-01-02T03:04:05Z"}


def _records(project, layer=Layer.INDIVIDUAL):
    with export_snapshot():
        return list(export_records(project_id=project.pk, filters=ExportFilters(layer=layer)))


def _manifest(format, records, layer="individual", offset_unit="codepoint"):
    return manifest_build(
        **FIXED,
        format=format,
        layer=layer,
        filters=ExportFilters().as_manifest(),
        offset_unit=offset_unit,
        documents=len(records),
        spans=sum(len(r["spans"]) for r in records),
    )


def _render(format, records, **options):
    manifest = _manifest(format, records, offset_unit=options.get("offset_unit", "codepoint"))
    data = export_format(format).render_bytes(records, manifest, RenderOptions(**options))
    return export_text(data)  # a DocBin as tests.dataset_builders.docbin_text


# golden files of a format with options: name -> (format, RenderOptions fields)
GOLDEN_OPTIONS = {"conll-comments": ("conll", {"comments": True})}


@pytest.mark.parametrize("name", [*FORMATS, *GOLDEN_OPTIONS])
def test_golden_file(db, name):
    format, options = GOLDEN_OPTIONS.get(name, (name, {}))
    records = _records(golden_project().project)
    output = _render(format, records, **options)
    extension = export_format(format).extension
    stem = "golden" + name.removeprefix(format)  # golden-comments.conll
    # a zip format's golden file is its members as text (tests.dataset_builders.export_text)
    path = GOLDEN / (f"{stem}.{extension}.txt" if export_format(format).media_type == "application/zip" else f"{stem}.{extension}")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(output, encoding="utf-8", newline="")
    assert output == path.read_bytes().decode("utf-8")


def test_golden_gold_layer_holds_only_gold_spans(db):
    records = _records(golden_project().project, layer=Layer.GOLD)
    spans = [span for record in records for span in record["spans"]]
    assert [(s["quote"], s["layer"], s["annotator"]) for s in spans] == [("the mayor's office denied it", "gold", "bob")]


def test_every_quote_equals_the_text_at_its_offsets(db):
    records = _records(golden_project().project)
    spans = [(record["text"], span) for record in records for span in record["spans"]]
    assert len(spans) == 6
    for text, span in spans:
        assert text[span["start"] : span["end"]] == span["quote"]
    # and in what each format wrote
    jsonl_lines = _render("jsonl", records).splitlines()
    for line in jsonl_lines:
        record = json.loads(line)
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["quote"]
    texts = {r["external_id"]: r["text"] for r in records}
    for row in csv.DictReader(io.StringIO(_render("csv", records))):
        assert texts[row["document_external_id"]][int(row["start"]) : int(row["end"])] == row["quote"]
    spacy = [json.loads(line) for line in _render("spacy", records).splitlines()]
    for record, doc in zip(records, spacy):
        for (text, label, annotator), index in zip(doc["spans"], doc["span_index"]):
            assert text == record["spans"][index]["quote"]


def test_crlf_origin_text_is_exported_with_newlines_and_codepoint_offsets(db):
    records = _records(golden_project().project)
    first = records[0]
    assert "\r" not in first["text"] and first["text"].count("\n") == 2
    said = next(span for span in first["spans"] if span["label"] == "attribution")
    assert first["text"].index("The ministry said") == said["start"]


def test_links_are_span_indexes_within_the_document(db):
    records = _records(golden_project().project)
    spans = records[0]["spans"]
    attribution = next(span for span in spans if span["label"] == "attribution")
    assert [spans[i]["quote"] for i in attribution["links"]] == ["inflation fell to 3%"]


def test_utf16_offsets_count_surrogate_pairs(db):
    records = _records(golden_project().project)
    lines = _render("jsonl", records, offset_unit="utf16").splitlines()
    first = json.loads(lines[0])
    for span in first["spans"]:
        # the JavaScript view of the text: UTF-16 code units
        units = first["text"].encode("utf-16-le")
        assert units[2 * span["start"] : 2 * span["end"]].decode("utf-16-le") == span["quote"]
    emoji_span = next(s for s in first["spans"] if s["quote"].startswith("🇦🇿"))
    assert emoji_span["start"] == utf16_length(first["text"][: first["text"].index("🇦🇿")])


def test_render_is_deterministic_and_ignores_key_order(db):
    records = _records(golden_project().project)
    shuffled = [dict(reversed(list(r.items()))) for r in records]
    for record in shuffled:
        record["spans"] = [dict(reversed(list(s.items()))) for s in record["spans"]]
    for format in FORMATS:
        assert _render(format, records) == _render(format, shuffled)


def test_content_sha256_is_the_same_in_every_format(db):
    records = _records(golden_project().project)
    expected = content_summary(records)
    assert json.loads(_render("w3c", records))["end"] == expected
    conll_end = _render("conll", records, comments=True).splitlines()[-1]
    assert json.loads(conll_end.removeprefix("# end = "))["content_sha256"] == expected["content_sha256"]
    # the digest is of the code-point jsonl file, so anyone can check it with sha256sum
    import hashlib

    body = _render("jsonl", records)
    assert hashlib.sha256(body.encode()).hexdigest() == expected["content_sha256"]
    assert body == "".join(record_json(r) + "\n" for r in records)


W3C_MOTIVATIONS = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
    "identifying", "linking", "moderating", "questioning", "replying", "tagging",
}  # fmt: skip


def test_w3c_output_has_the_data_models_required_fields(db):
    records = _records(golden_project().project)
    collection = json.loads(_render("w3c", records))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and ":" in collection["id"]
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and ":" in page["id"]
    annotations = page["items"]
    assert len(annotations) == collection["total"] == 6
    ids = {a["id"] for a in annotations}
    assert len(ids) == len(annotations)
    texts = {r["external_id"] or "sha256:" + r["text_sha256"]: r["text"] for r in records}
    for annotation in annotations:
        assert annotation["type"] == "Annotation"
        assert annotation["id"].startswith("urn:annotate:")
        assert annotation["motivation"] in W3C_MOTIVATIONS
        assert annotation["creator"]["type"] == "Person" and annotation["creator"]["nickname"]
        bodies = annotation["body"]
        tags = [b for b in bodies if b.get("purpose") == "tagging"]
        assert len(tags) == 1 and tags[0]["type"] == "TextualBody" and tags[0]["value"] in {"assertion", "attribution", "disputed"}
        for body in bodies:
            assert body["purpose"] in W3C_MOTIVATIONS
            assert ("value" in body) if body["type"] == "TextualBody" else body["type"] == "SpecificResource" and body["source"]
            if body["purpose"] == "linking":
                assert body["source"] in ids
        target = annotation["target"]
        position, quote = target["selector"]
        assert position["type"] == "TextPositionSelector" and quote["type"] == "TextQuoteSelector"
        assert 0 <= position["start"] < position["end"]
        key = target["source"].removeprefix("urn:annotate:doc:").removeprefix("urn:annotate:")
        text = texts[key]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])


def test_conll_is_plain_iob2_without_comment_lines(db):
    records = _records(golden_project().project)
    output = _render("conll", records)
    assert not any(line.startswith("#") for line in output.splitlines())
    blocks = [b for b in output.split("-DOCSTART- -X- O O\n\n") if b]
    assert len(blocks) == 4  # golden-1: bob and carol; golden-2: carol; the third document, all O
    for block in blocks:
        assert all(len(line.split("\t")) == 2 for line in block.splitlines() if line)


def test_conll_comments_state_the_overlap_rule_and_count_dropped_spans(db):
    records = _records(golden_project().project)
    output = _render("conll", records, comments=True)
    assert output.startswith("# annotate conll export: IOB2")
    assert "# overlaps: within one document and annotator" in output
    end = json.loads(output.splitlines()[-1].removeprefix("# end = "))
    # carol's disputed span overlaps her first assertion in golden-1: one dropped
    assert end["dropped_overlapping_spans"] == 1
    blocks = [b for b in output.split("-DOCSTART- -X- O O\n") if b.startswith("# document")]
    # golden-1: bob and carol; golden-2: carol; the third document: one empty block
    assert [b.splitlines()[1] for b in blocks] == ['# annotator = "bob"', '# annotator = "carol"', '# annotator = "carol"', '# annotator = ""']
    for block in blocks:
        tags = [line.split("\t")[1] for line in block.splitlines() if line and not line.startswith("#")]
        for previous, tag in zip(["O", *tags], tags):  # IOB2: I-x only after B-x or I-x
            if tag.startswith("I-"):
                assert previous[2:] == tag[2:]
    # without comments the same tokens and tags, in the same blocks
    plain = [line for line in _render("conll", records).splitlines()]
    assert plain == [line for line in output.splitlines() if not line.startswith("#")][: len(plain)]


def test_tokenizer_keeps_graphemes_and_words_whole():
    text = "Critics 📰 say 🇦🇿🇦🇿 👩🏽‍🔬 don't well-known q\u0303x 3%."
    assert [text[s:e] for s, e in tokenize(text)] == [
        "Critics", "📰", "say", "🇦🇿", "🇦🇿", "👩🏽‍🔬", "don't", "well-known", "q\u0303x", "3", "%", ".",
    ]  # fmt: skip


def test_tag_tokens_drops_the_later_overlapping_span_and_counts_it():
    tokens = tokenize("a b c d e")
    spans = [
        {"start": 2, "end": 5, "label": "assertion"},  # b c
        {"start": 4, "end": 9, "label": "disputed"},  # c d e: overlaps at c
        {"start": 8, "end": 9, "label": "attribution"},  # e
    ]
    tags, dropped = tag_tokens(tokens, spans)
    assert tags == ["O", "B-assertion", "I-assertion", "O", "B-attribution"]
    assert dropped == 1


def test_compact_json_writes_exactly_what_json_dumps_writes():
    """record_json's bytes are defined as json.dumps(..., ensure_ascii=False, separators=(",", ":"));
    orjson only makes them faster. Every code point outside the surrogates, in keys and values."""
    from annotate.datasets.records import compact_json

    for first in range(0, 0x110000, 0x800):
        chars = "".join(chr(c) for c in range(first, first + 0x800) if not 0xD800 <= c <= 0xDFFF)
        value = {chars[:8]: [chars, 0, 2**31 - 1, None, "", {"links": []}]}
        assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert compact_json({"lone": "\ud800"}) == json.dumps({"lone": "\ud800"}, ensure_ascii=False, separators=(",", ":"))
