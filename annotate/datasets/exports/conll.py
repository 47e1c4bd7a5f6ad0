"""conll: one token a line with its IOB2 tag (TOKEN<TAB>TAG), one block per document and annotator.

    # annotate conll export: IOB2, TOKEN<TAB>TAG, tokenizer annotate.datasets.tokenize
    # overlaps: ... (OVERLAP_RULE)
    # manifest = {...}

    # document = "afp-2024-0001"
    # annotator = "carol"
    # dropped_overlapping_spans = 1
    The	O
    ministry	B-assertion
    ...

    # end = {"documents": 2, "spans": 7, "content_sha256": "...", "dropped_overlapping_spans": 1}

A token carries a span's tag when they share at least one code point. IOB2 cannot hold
overlapping spans, so OVERLAP_RULE decides which to keep; each block and the end line count
what was dropped. A document without spans in the export still gets a block (all O, annotator
""), so every document's tokens appear.
"""
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json
from annotate.datasets.tokenize import tokenize

MEDIA_TYPE = "text/plain; charset=utf-8"
EXTENSION = "conll"
OFFSET_UNITS = ("codepoint",)  # see render()
OVERLAP_RULE = (
    "within one document and annotator, spans are taken by start, then longest first, then label; "
    "a span sharing a token with a span already taken is dropped and counted"
)


_dumps = compact_json


def tag_tokens(tokens: list[tuple[int, int]], spans: list[dict]) -> tuple[list[str], int]:
    """IOB2 tags for the tokens from one annotator's spans, and how many spans were dropped."""
    tags = ["O"] * len(tokens)
    ends = [end for _, end in tokens]
    starts = [start for start, _ in tokens]
    dropped = 0
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"], s["label"])):
        first = bisect_right(ends, span["start"])  # first token ending after the span starts
        last = bisect_left(starts, span["end"])  # tokens before this one start inside the span
        if first >= last:
            dropped += 1  # the span covers no token (cannot happen for non-blank spans)
            continue
        if any(tag != "O" for tag in tags[first:last]):
            dropped += 1
            continue
        tags[first] = "B-" + span["label"]
        for i in range(first + 1, last):
            tags[i] = "I-" + span["label"]
    return tags, dropped


def _document_key(record: dict) -> str:
    return record["external_id"] or "sha256:" + record["text_sha256"]


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[str]:
    if options.offset_unit != "codepoint":
        raise ValueError("conll has no offsets to convert.")
    yield (
        "# annotate conll export: IOB2, TOKEN<TAB>TAG, tokenizer annotate.datasets.tokenize\n"
        f"# overlaps: {OVERLAP_RULE}\n"
        f"# manifest = {_dumps(manifest)}\n"
    )
    digest = ContentDigest()
    dropped_total = 0
    for record in records:
        digest.add(record)
        text = record["text"]
        tokens = tokenize(text)
        by_annotator: dict[str, list[dict]] = {}
        for span in record["spans"]:
            by_annotator.setdefault(span["annotator"], []).append(span)
        for annotator in sorted(by_annotator) or [""]:
            tags, dropped = tag_tokens(tokens, by_annotator.get(annotator, []))
            dropped_total += dropped
            lines = [
                "",
                f"# document = {_dumps(_document_key(record))}",
                f"# annotator = {_dumps(annotator)}",
                f"# dropped_overlapping_spans = {dropped}",
            ]
            lines += [f"{text[start:end]}\t{tag}" for (start, end), tag in zip(tokens, tags)]
            yield "\n".join(lines) + "\n"
    yield f"\n# end = {_dumps({**digest.summary(), 'dropped_overlapping_spans': dropped_total})}\n"
