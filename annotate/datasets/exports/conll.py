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
from annotate.datasets.tokenize import token_columns

DESCRIPTION = "CoNLL, plain IOB2 tags (spacy convert, seqeval)"  # what the export form shows
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
    starts, ends = _bounds(tokens)
    tags = ["O"] * len(tokens)
    kept, dropped = kept_ranges(starts, ends, spans)
    for first, last, label in kept:
        tags[first] = "B-" + label
        tags[first + 1 : last] = ["I-" + label] * (last - first - 1)
    return tags, dropped


def _bounds(tokens: list[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(zip(*tokens)) if tokens else ((), ())  # type: ignore[return-value]


def kept_ranges(starts, ends, spans: list[dict]) -> tuple[list[tuple[int, int, str]], int]:
    """[(first token, last token + 1, label)] of the spans OVERLAP_RULE keeps, and how many it
    dropped. Work per span, not per token: most tokens of a news text carry no span."""
    kept: list[tuple[int, int, str]] = []
    reach = 0  # one past the last token a kept span covers
    dropped = 0
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"], s["label"])):
        first = bisect_right(ends, span["start"])  # first token ending after the span starts
        last = bisect_left(starts, span["end"])  # tokens before this one start inside the span
        # spans come by start, so every kept range starts at or before `first`: it overlaps one
        # exactly when one reaches past `first`
        if first >= last or first < reach:
            dropped += 1  # no token (cannot happen for non-blank spans), or shares one with a kept span
            continue
        reach = last
        kept.append((first, last, span["label"]))
    return kept, dropped


def _tagged_lines(words: list[str], kept: list[tuple[int, int, str]]) -> list[str]:
    """The TOKEN<TAB>TAG lines of one block (each ending in a newline), as a few joined runs: the
    O tokens between kept spans, and each span's B and I tokens (no Python code per token)."""
    parts, done = [], 0
    for first, last, label in kept:
        if first > done:
            parts += ("\tO\n".join(words[done:first]), "\tO\n")
        parts += (words[first], "\tB-", label, "\n")
        if last > first + 1:
            inside = "\tI-" + label + "\n"
            parts += (inside.join(words[first + 1 : last]), inside)
        done = last
    if done < len(words):
        parts += ("\tO\n".join(words[done:]), "\tO\n")
    return parts


def _document_key(record: dict) -> str:
    return record["external_id"] or "sha256:" + record["text_sha256"]


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
        starts, ends, words = token_columns(text)
        by_annotator: dict[str, list[dict]] = {}
        for span in record["spans"]:
            by_annotator.setdefault(span["annotator"], []).append(span)
        out = []
        for annotator in sorted(by_annotator) or [""]:
            kept, dropped = kept_ranges(starts, ends, by_annotator.get(annotator, []))
            dropped_total += dropped
            out.append(DOCUMENT_LINE + "\n")
            if comments:
                out.append(
                    f"# document = {_dumps(_document_key(record))}\n# annotator = {_dumps(annotator)}\n"
                    f"# dropped_overlapping_spans = {dropped}\n"
                )
            out.append("\n")
            out.extend(_tagged_lines(words, kept) if words else ("\n",))
            out.append("\n")
        yield "".join(out)
    if digest is not None:
        yield f"# end = {_dumps({**digest.summary(), 'dropped_overlapping_spans': dropped_total})}\n"
