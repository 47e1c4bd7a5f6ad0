"""conll: plain IOB2, one token a line (TOKEN<TAB>TAG), one block per document and annotator.

    -DOCSTART- -X- O O

    The	O
    ministry	B-assertion
    ...

Each block starts with the CoNLL-2003 document line `-DOCSTART- -X- O O` and a blank line, as
`spacy convert` (its `conll`/`ner` converter), seqeval users and CoNLL-2003 readers expect; the
file holds nothing else, so they read it as-is. Blocks come by document (export order), then by
annotator (sorted). A document without spans in the export still gets a block (all O), so every
document's tokens appear.

Who annotated a block, which document it is and what the overlap rule dropped are in `#` comment
lines only when asked for (`comments=1`, RenderOptions.comments)::

    # annotate conll export: IOB2, TOKEN<TAB>TAG, tokenizer annotate.datasets.tokenize
    # overlaps: ... (OVERLAP_RULE)
    # manifest = {...}
    -DOCSTART- -X- O O
    # document = "afp-2024-0001"
    # annotator = "carol"
    # dropped_overlapping_spans = 1

    The	O
    ...
    # end = {"documents": 2, "spans": 7, "content_sha256": "...", "dropped_overlapping_spans": 1}

Tokens: annotate.datasets.tokenize, the one tokenizer the agreement figures use too. A token
carries a span's tag when they share at least one code point. IOB2 cannot hold overlapping
spans, so OVERLAP_RULE decides which to keep (the manifest and the comments count the rest).
"""
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json
from annotate.datasets.tokenize import tokenize

MEDIA_TYPE = "text/plain; charset=utf-8"
EXTENSION = "conll"
OFFSET_UNITS = ("codepoint",)  # see render()
FORMAT_VERSION = 2  # 1 had the comment lines always
DOCUMENT_LINE = "-DOCSTART- -X- O O"
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
    for span, first, last in _token_ranges(starts, ends, spans):
        if first >= last or any(tag != "O" for tag in tags[first:last]):
            dropped += 1  # no token (cannot happen for non-blank spans), or overlaps one taken
            continue
        tags[first] = "B-" + span["label"]
        for i in range(first + 1, last):
            tags[i] = "I-" + span["label"]
    return tags, dropped


def _token_ranges(starts: list[int], ends: list[int], spans: list[dict]):
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"], s["label"])):
        first = bisect_right(ends, span["start"])  # first token ending after the span starts
        last = bisect_left(starts, span["end"])  # tokens before this one start inside the span
        yield span, first, last


def _document_key(record: dict) -> str:
    return record["external_id"] or "sha256:" + record["text_sha256"]


def _block(words: list[str], plain: list[str], tokens, spans: list[dict]) -> tuple[list[str], int]:
    """The block's token lines: `plain` (every token O) copied, and only the tagged lines
    rewritten, so a mostly unlabelled text costs one list copy, not a string per token."""
    tags, dropped = tag_tokens(tokens, spans)
    lines = plain.copy()
    for i, tag in enumerate(tags):
        if tag != "O":
            lines[i] = f"{words[i]}\t{tag}"
    return lines, dropped


def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[str]:
    if options.offset_unit != "codepoint":
        raise ValueError("conll has no offsets to convert.")
    comments = options.comments
    if comments:
        yield (
            "# annotate conll export: IOB2, TOKEN<TAB>TAG, tokenizer annotate.datasets.tokenize\n"
            f"# overlaps: {OVERLAP_RULE}\n"
            f"# manifest = {_dumps(manifest)}\n"
        )
    digest = ContentDigest() if comments else None
    dropped_total = 0
    for record in records:
        if digest is not None:
            digest.add(record)
        text = record["text"]
        tokens = tokenize(text)
        words = [text[start:end] for start, end in tokens]
        plain = [word + "\tO" for word in words]
        by_annotator: dict[str, list[dict]] = {}
        for span in record["spans"]:
            by_annotator.setdefault(span["annotator"], []).append(span)
        out = []
        for annotator in sorted(by_annotator) or [""]:
            spans = by_annotator.get(annotator, [])
            lines, dropped = _block(words, plain, tokens, spans) if spans else (plain, 0)
            dropped_total += dropped
            out.append(DOCUMENT_LINE + "\n")
            if comments:
                out.append(
                    f"# document = {_dumps(_document_key(record))}\n# annotator = {_dumps(annotator)}\n"
                    f"# dropped_overlapping_spans = {dropped}\n"
                )
            out.append("\n" + "\n".join(lines) + "\n\n")
        yield "".join(out)
    if digest is not None:
        yield f"# end = {_dumps({**digest.summary(), 'dropped_overlapping_spans': dropped_total})}\n"
