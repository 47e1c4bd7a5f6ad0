"""Pure rules, no database: what makes a span, a document or a link valid.

Services call these; serializers only check types and shape; the database constraints in
annotate.models back them up.
"""
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from annotate.errors import InvalidInput, PreconditionFailed, PreconditionRequired
from annotate.graphemes import Cut, find_cut
from annotate.models import DisputeBasis, Label

MAX_NOTE_CHARS = 10_000
MAX_SOURCE_CHARS = 300
MAX_EVIDENCE_LINKS = 20
MAX_URL_CHARS = 2000
# TextChoices.values builds a new list on every call; imports check 200,000 spans at a time.
LABELS = frozenset(Label.values)
DISPUTE_BASES = frozenset(DisputeBasis.values)


class SpanFields(NamedTuple):
    """A checked span's fields, as stored. A named tuple: an import makes 101,000 of them, and a
    frozen dataclass took 1.6 us each to build (four times the tuple)."""

    start: int
    end: int
    label: str
    quote: str
    note: str = ""
    source: str = ""
    dispute_basis: str = ""
    evidence_links: tuple[str, ...] = ()


def validate_span(
    *,
    text_length: int,
    slice_text: Callable[[int, int], str],
    start: int,
    end: int,
    label: str,
    quote: str | None = None,
    note: str = "",
    source: str = "",
    dispute_basis: str = "",
    evidence_links: list[str] | tuple[str, ...] = (),
    cut_at: Callable[[int], Cut | None] | None = None,
) -> SpanFields:
    """Check one span against its document; return the fields to store or raise InvalidInput.

    `slice_text(start, end)` returns the document's text[start:end]; it is a function so a
    service can read just that slice (and a few characters around each end) from the database
    instead of a whole 1 MB text. A quote the client sends must equal that slice; without one,
    the slice becomes the quote. Both ends must fall on grapheme cluster boundaries: `cut_at`
    tells, for an offset, the cluster it would cut (graphemes.find_cut on slice_text unless a
    caller with many spans on one text passes graphemes.DocumentBoundaries(text).cut).
    """
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if label not in LABELS:
        err("label", f"'{label}' is not a label; use one of: {', '.join(Label.values)}.")
    if start < 0:
        err("start", "Must be 0 or more.")
    if end > text_length:
        err("end", f"Must be at most {text_length}, the length of the text in code points.")
    if end <= start:
        err("end", "Must be greater than start: a span covers at least one character.")
    if errors:
        raise InvalidInput(errors)
    if cut_at is None:
        cut_at = lambda offset: find_cut(offset=offset, text_length=text_length, slice_text=slice_text)  # noqa: E731
    for field, offset in (("start", start), ("end", end)):
        if cut := cut_at(offset):
            err(field, f"{field} {cut.describe()}")
    if errors:
        raise InvalidInput(errors)

    actual = slice_text(start, end)
    if quote is not None and quote != actual:
        err("quote", f"Does not match the text at [{start}, {end}), which is {actual!r}.")
    if actual.strip() == "":
        err("end", "The span covers only white space.")

    if len(note) > MAX_NOTE_CHARS:
        err("note", f"At most {MAX_NOTE_CHARS} characters.")
    if source and label != Label.ATTRIBUTION:
        err("source", "Only an attribution span names a source.")
    if len(source) > MAX_SOURCE_CHARS:
        err("source", f"At most {MAX_SOURCE_CHARS} characters.")
    elif source and (message := invisible_character_error(source)):
        err("source", message)
    if dispute_basis and label != Label.DISPUTED:
        err("dispute_basis", "Only a disputed span has a basis.")
    elif dispute_basis and dispute_basis not in DISPUTE_BASES:
        err("dispute_basis", f"Use one of: {', '.join(DisputeBasis.values)}.")
    if evidence_links and label != Label.DISPUTED:
        err("evidence_links", "Only a disputed span has evidence links.")
    for message in _evidence_link_errors(list(evidence_links)) if evidence_links else ():
        err("evidence_links", message)
    if errors:
        raise InvalidInput(errors)

    return SpanFields(
        start=start,
        end=end,
        label=label,
        quote=actual,
        note=note,
        source=source.strip(),
        dispute_basis=dispute_basis,
        evidence_links=tuple(evidence_links),
    )


def validate_spans(*, text: str, spans: list[tuple], cut_at: Callable[[int], Cut | None]) -> list[SpanFields | InvalidInput]:
    """validate_span for many spans of one text held in memory (an import's document), each given
    as (start, end, label, quote, note, source, dispute_basis, evidence_links): for each, its
    SpanFields or the InvalidInput validate_span raises for it, in order. The common span (no note,
    source or evidence links) is checked here in one loop, without a keyword call per span; any
    other goes through validate_span, which names each problem. `cut_at`: DocumentBoundaries.cut."""
    length = len(text)
    out: list[SpanFields | InvalidInput] = []
    append = out.append
    for start, end, label, quote, note, source, basis, links in spans:
        if (
            label in LABELS
            and 0 <= start < end <= length
            and not note and not source and not links
            and (not basis or (label == Label.DISPUTED and basis in DISPUTE_BASES))
            and cut_at(start) is None
            and cut_at(end) is None
        ):  # fmt: skip
            actual = text[start:end]
            if (quote is None or quote == actual) and not actual.isspace():
                append(SpanFields(start, end, label, actual, "", "", basis, ()))
                continue
        try:
            append(validate_span(
                text_length=length, slice_text=lambda s, e: text[s:e], start=start, end=end, label=label, quote=quote,
                note=note, source=source, dispute_basis=basis, evidence_links=links, cut_at=cut_at,
            ))  # fmt: skip
        except InvalidInput as error:
            append(error)
    return out


def _evidence_link_errors(links: list[str]) -> list[str]:
    if len(links) > MAX_EVIDENCE_LINKS:
        return [f"At most {MAX_EVIDENCE_LINKS} links."]
    return [message for index, url in enumerate(links) if (message := url_error(url, index))]


def url_error(url: str, index: int | None = None) -> str | None:
    """Only absolute http(s) links: a javascript: or data: link must never reach a page."""
    where = "" if index is None else f"Link {index}: "
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        return f"{where}must be a URL of at most {MAX_URL_CHARS} characters."
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"{where}{url!r} is not a URL."
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{where}{url!r} must be an absolute http or https URL."
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return f"{where}must not contain spaces or control characters."
    return None


def validate_link(*, attribution, target) -> None:
    """attribution and target are Span rows (or anything with the same attributes)."""
    if attribution.label != Label.ATTRIBUTION:
        raise InvalidInput({"attribution": ["Only an attribution span links to what it attributes."]})
    if attribution.pk == target.pk:
        raise InvalidInput({"target": ["A span cannot attribute itself."]})
    if attribution.document_id != target.document_id:
        raise InvalidInput({"target": ["The target span must be in the same document."]})
    if attribution.annotator_id != target.annotator_id or attribution.layer != target.layer:
        raise InvalidInput({"target": ["The target span must be in the same annotator's layer."]})


# If-Match: * : the client says on purpose that any version will do.
ANY_VERSION = "*"


def check_version(*, what: str, current: int, expected: int | str | None, required: bool) -> None:
    """Optimistic concurrency for one row: 412 when the client edited a version that is no
    longer current; 428 when it named none and the setting says it must (see
    REQUIRE_PRECONDITION), so a forgotten version never silently overwrites someone's edit."""
    if expected is None:
        if required:
            raise PreconditionRequired(
                {
                    "detail": f"Say which version of the {what} you changed: send the header "
                    f'If-Match: "<version>" (the ETag of your GET) or "version": <version> in the JSON body. '
                    "If someone changed it since, the answer is 412."
                }
            )
        return
    if expected != ANY_VERSION and expected != current:
        raise PreconditionFailed(
            {"version": [f"The {what} is at version {current}, not {expected}: reload it and try again."]}
        )


def validate_document_text(text: str, *, max_chars: int, field: str = "text") -> None:
    if not text.strip():
        raise InvalidInput({field: ["The text is empty."]})
    if len(text) > max_chars:
        raise InvalidInput({field: [f"At most {max_chars} characters."]})
    if "\x00" in text:
        raise InvalidInput({field: ["The text contains a NUL character."]})


# Invisible characters a name or title must not hold: bidi controls (U+202A-202E, U+2066-2069,
# U+200E/200F, U+061C) reorder what a reader sees around them ("gpj.exe" shown as "exe.jpg"),
# and other format (Cf) and control (Cc) characters hide text. Kept: ZWNJ and ZWJ, which
# Persian, Indic scripts and emoji sequences (👩🏽‍🔬) need, and the tag characters of a flag
# sequence (🏴 + tags + cancel tag, e.g. Scotland's flag).
_JOINERS = frozenset("\u200c\u200d")
_FLAG_TAGS = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")


_LINE_BREAKS = frozenset("\n\r\t")  # what a multi-line description may hold besides visible text


def invisible_character_error(value: str, *, multiline: bool = False) -> str | None:
    """A message naming the first forbidden invisible character in a one-line name (or, with
    `multiline`, a description, which may also hold line breaks and tabs), or None."""
    if value.isascii() and value.isprintable():
        return None  # the common case, at C speed
    allowed = _JOINERS | _LINE_BREAKS if multiline else _JOINERS
    for position, char in enumerate(_FLAG_TAGS.sub("\U0001F3F4", value)):
        if char in allowed or unicodedata.category(char) not in ("Cf", "Cc", "Zl", "Zp"):
            continue
        name = unicodedata.name(char, "control character")
        return f"Contains an invisible control character, U+{ord(char):04X} {name}, at position {position}; remove it."
    return None


def check_plain_text_fields(fields: dict, names, *, multiline=()) -> None:
    """InvalidInput naming each of `names` (one-line names) and `multiline` (descriptions) in
    `fields` whose value holds a forbidden invisible character."""
    errors = {
        name: [message]
        for name in (*names, *multiline)
        if isinstance(fields.get(name), str)
        and (message := invisible_character_error(fields[name], multiline=name in multiline))
    }
    if errors:
        raise InvalidInput(errors)
