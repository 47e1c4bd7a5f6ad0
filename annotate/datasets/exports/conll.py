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

A block is written from the text cut at the kept spans' edges (_lines_by_text): offsets are
needed only there, and each stretch between cuts is tokenized by one split() (tokenize.spaced).
Texts the simple rules do not fit take the token columns of the whole text (_lines_by_tokens);
tests/test_conll_runs.py holds the two to the same bytes.
"""
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json
from annotate.datasets.tokenize import first_token_start, spaced, token_columns

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


def _overlap_order(span: dict) -> tuple:
    return span["start"], -span["end"], span["label"]


def kept_ranges(starts, ends, spans: list[dict]) -> tuple[list[tuple[int, int, str]], int]:
    """[(first token, last token + 1, label)] of the spans OVERLAP_RULE keeps, and how many it
    dropped. Work per span, not per token: most tokens of a news text carry no span."""
    kept: list[tuple[int, int, str]] = []
    reach = 0  # one past the last token a kept span covers
    dropped = 0
    for span in sorted(spans, key=_overlap_order):
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


def _lines_by_tokens(columns: tuple[list[int], list[int], list[str]], spans: list[dict]) -> tuple[list[str], int]:
    """One block's lines (or a blank line when the text has no token) and its dropped count, from
    the token columns of the whole text: any text."""
    starts, ends, words = columns
    kept, dropped = kept_ranges(starts, ends, spans)
    return (_tagged_lines(words, kept) if words else ["\n"]), dropped


CUT = "\x1f"  # white space (str.isspace) that marks the cuts; a text holding it takes _lines_by_tokens


def _lines_by_text(text: str, spans: list[dict]) -> tuple[list[str], int] | None:
    """What _lines_by_tokens gives, made without the whole text's offsets. kept_ranges' rule in
    code points: a token is named by its start (token order is start order), len(text) standing
    for "no token". The text is cut before each kept span's first token and after its last; the
    stretches, spaced() in one call, split into their tokens. None (the caller uses the token
    columns) when the simple rules do not apply to the text (spaced() tells), when a span edge
    lies in a stretch without white space longer than tokenize.RESTART_WINDOW, or when the text
    holds CUT."""
    if CUT in text:
        return None
    cuts, labels = [0], []
    reach = dropped = 0
    length = len(text)
    isspace = str.isspace
    for span in sorted(spans, key=_overlap_order):
        start, end = span["start"], span["end"]
        # Most spans start on a word after white space: that is a token's start. Most end before
        # white space (or at the end): then no token crosses the end, and no token starts between
        # it and the next token's start, so the end stands for that start, in the comparisons
        # and as the cut.
        if 0 < start < length and isspace(text[start - 1]) and not isspace(text[start]) or start == 0 < length and not isspace(text[0]):
            first = start
        else:
            first = first_token_start(text, start, ending_after=True)
        if end >= length:
            last = length
        elif end <= 0 or isspace(text[end]) or isspace(text[end - 1]):
            last = max(end, 0)
        else:
            last = first_token_start(text, end, ending_after=False)
        if first is None or last is None:
            return None
        if first >= last or first < reach:
            dropped += 1
            continue
        reach = last
        cuts += (first, last)
        labels.append(span["label"])
    cuts.append(length)
    pieces = [text[cut:after] for cut, after in zip(cuts, cuts[1:])]
    # the cuts before are right only if the simple rules apply: spaced() says whether they do
    text_spaced = spaced(CUT.join(pieces))
    if text_spaced is None:
        return None
    stretches = text_spaced.split(CUT)  # outside, span, outside, ..., span, outside
    words = stretches[0].split()
    parts = ["\tO\n".join(words), "\tO\n"] if words else []
    for label, inside, outside in zip(labels, stretches[1::2], stretches[2::2]):
        words = inside.split()  # a kept span has a token
        if len(words) == 1:
            parts += (words[0], _BEGIN[label])
        else:
            parts += (words[0], _BEGIN[label], _INSIDE[label].join(words[1:]), _INSIDE[label])
        words = outside.split()
        if words:
            parts += ("\tO\n".join(words), "\tO\n")
    return parts or ["\n"], dropped


class _TagLines(dict):
    """label -> the end of its token lines ("\\tB-assertion\\n"), made once per label."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def __missing__(self, label: str) -> str:
        self[label] = line_end = f"\t{self.prefix}-{label}\n"
        return line_end


_BEGIN, _INSIDE = _TagLines("B"), _TagLines("I")


def _document_key(record: dict) -> str:
    return record["external_id"] or "sha256:" + record["text_sha256"]


def record_fields(options: RenderOptions) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The document and span fields render() reads with these options, in any span order (it
    sorts them itself); None when it needs whole records: the comments digest them."""
    return None if options.comments else (("text",), ("start", "end", "label", "annotator"))


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
        by_text = True  # until a block finds the simple rules do not fit
        columns = None
        by_annotator: dict[str, list[dict]] = {}
        for span in record["spans"]:
            by_annotator.setdefault(span["annotator"], []).append(span)
        out = []
        for annotator in sorted(by_annotator) or [""]:
            spans = by_annotator.get(annotator, [])
            block = _lines_by_text(text, spans) if by_text else None
            if block is None:
                by_text = False
                columns = columns or token_columns(text)
                block = _lines_by_tokens(columns, spans)
            lines, dropped = block
            dropped_total += dropped
            out.append(DOCUMENT_LINE + "\n")
            if comments:
                out.append(
                    f"# document = {_dumps(_document_key(record))}\n# annotator = {_dumps(annotator)}\n"
                    f"# dropped_overlapping_spans = {dropped}\n"
                )
            out.append("\n")
            out.extend(lines)
            out.append("\n")
        yield "".join(out)
    if digest is not None:
        yield f"# end = {_dumps({**digest.summary(), 'dropped_overlapping_spans': dropped_total})}\n"
