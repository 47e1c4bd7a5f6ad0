"""Dataset import: documents (and pre-annotated spans) from a file, all or nothing, duplicates named.

Every item is built by services.documents.document_values and every span checked by
validation.validate_span / validate_link, like any other document or span. Items are checked
and bulk-inserted in batches inside one transaction, so memory stays bounded; any error
(400), refused duplicate (409) or limit (413) rolls the whole import back.
"""
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from annotate.errors import Conflict, InvalidInput, TooLarge
from annotate.graphemes import DocumentBoundaries
from annotate.datasets.imports.fields import document_fields
from annotate.datasets.import_writes import BATCH_DOCUMENTS, Batch, BatchWriter, ImportHistory, NewDocument, NewSpan
from annotate.datasets.imports.items import ImportItem, ImportProblem, ParseContext
from annotate.datasets.registry import ARCHIVE_MEMBER_SUFFIXES, IMPORT_FORMATS, import_format, import_format_for_suffix
from annotate.models import Document, Layer, Membership, Project, Span
from annotate.offsets import OffsetMap, Utf16Index, normalize_text, normalize_with_map
from annotate.permissions import IMPORT_DOCUMENTS, WRITE_OTHERS_LAYERS, Access, check, role_may
from annotate.services.documents import document_values
from annotate.validation import validate_link, validate_spans

LAYERS = frozenset(Layer.values)
LAYER_NAMES = tuple(Layer.values)  # `in` a tuple compares, so an unhashable value is just not one
ON_DUPLICATE = ("refuse", "skip", "merge")
# every format's own fields (a module's OPTIONS), for forms and the API
IMPORT_OPTIONS = tuple(sorted({name for format in IMPORT_FORMATS for name in getattr(import_format(format), "OPTIONS", ())}))
MAX_REPORTED = 100
SPAN_KEYS = frozenset(
    {"start", "end", "label", "quote", "annotator", "layer", "note", "source", "dispute_basis", "evidence_links", "links"}
)


def import_format_for(*, format: str | None, file_name: str) -> str:
    """The format asked for, or the one the file name's extension says; InvalidInput if neither."""
    if format:
        if format not in IMPORT_FORMATS:
            raise InvalidInput({"format": [f"Use one of: {', '.join(IMPORT_FORMATS)}."]})
        return format
    suffix = PurePosixPath(file_name).suffix.lower().lstrip(".")
    if name := import_format_for_suffix(suffix):
        return name
    raise InvalidInput({"format": [f"Say the format ({', '.join(IMPORT_FORMATS)}): the file name does not tell it."]})


def _member_parser(suffix: str):
    name = import_format_for_suffix(suffix, in_archive=True)
    return import_format(name).parse if name else None


def _parse(*, format: str, stream: BinaryIO, file_name: str, options: dict, member_names: frozenset[str] = frozenset()):
    context = ParseContext(
        max_expanded_bytes=settings.DATASET_IMPORT_MAX_EXPANDED_BYTES,
        max_members=settings.DATASET_IMPORT_MAX_MEMBERS,
        member_parser=_member_parser,
        member_suffixes=ARCHIVE_MEMBER_SUFFIXES,
        options=options,
        member_names=member_names,
    )
    return import_format(format).parse(stream, file=file_name, context=context)


def format_options_checked(format: str, options: dict) -> dict:
    """The given options (brat: mapping, annotator) that `format` takes; InvalidInput naming one
    it does not take, so a mapping sent with a jsonl file is not silently unused."""
    given = {name: value for name, value in options.items() if value not in (None, "")}
    taken = getattr(import_format(format), "OPTIONS", ())
    wrong = sorted(set(given) - set(taken))
    if wrong:
        raise InvalidInput({wrong[0]: [f"Only for format {' or '.join(n for n in IMPORT_FORMATS if wrong[0] in getattr(import_format(n), 'OPTIONS', ()))}."]})
    return given


_SPAN_FIELD = re.compile(r"spans\[(\d+)\](?:\.(.+))?")


def _named_at_origins(item: ImportItem, problems: list[ImportProblem]) -> list[ImportProblem]:
    """Problems with spans[i] named where the span came from, for a format that says (brat:
    the .ann file, its line and T id: "T3.start")."""
    if not item.span_origins:
        return problems

    def name(match: re.Match) -> str:
        return item.span_origins[int(match.group(1))][2] + (f".{match.group(2)}" if match.group(2) else "")

    named = []
    for problem in problems:
        match = _SPAN_FIELD.fullmatch(problem.field)
        if match is None:
            named.append(problem)
            continue
        file, line, _ = item.span_origins[int(match.group(1))]
        message = re.sub(r"spans\[(\d+)\]", lambda m: item.span_origins[int(m.group(1))][2], problem.message)
        named.append(ImportProblem(file, line, name(match), message))
    return named


def _problem_of(item: ImportItem, field: str, messages) -> ImportProblem:
    message = " ".join(messages) if isinstance(messages, list) else str(messages)
    return ImportProblem(item.file, item.line, field, message)


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_shape(raw: dict) -> bool:
    """The common span, checked at a glance (101,000 spans spent seconds in the named check)."""
    get = raw.get
    return (
        type(get("start")) is int
        and type(get("end")) is int
        and type(get("label")) is str
        and type(get("quote", "")) is str
        and type(get("note", "")) is str
        and type(get("source", "")) is str
        and type(get("dispute_basis", "")) is str
        and type(get("annotator", "")) is str
        and type(get("evidence_links", [])) is list
        and not get("links")
        and get("layer", Layer.INDIVIDUAL) in LAYER_NAMES
    )


def _shape_problem(raw: dict) -> tuple[str, str] | None:
    """(field, message) for the first span field of the wrong type, or None."""
    shape = {
        "start": _int(raw.get("start")),
        "end": _int(raw.get("end")),
        "label": isinstance(raw.get("label"), str),
        "quote": raw.get("quote") is None or isinstance(raw.get("quote"), str),
        "note": isinstance(raw.get("note", ""), str),
        "source": isinstance(raw.get("source", ""), str),
        "dispute_basis": isinstance(raw.get("dispute_basis", ""), str),
        "evidence_links": isinstance(raw.get("evidence_links", []), list),
        "links": isinstance(raw.get("links", []), list) and all(_int(i) for i in raw.get("links", [])),
        "annotator": isinstance(raw.get("annotator", ""), str),
        "layer": raw.get("layer", Layer.INDIVIDUAL) in LAYERS,
    }
    wrong = [name for name, ok in shape.items() if not ok]
    if wrong:
        expected = {"start": "an integer", "end": "an integer", "links": "a list of span indexes", "layer": "individual or gold"}
        name = wrong[0]
        return name, f"Must be {expected.get(name, 'a string' if name != 'evidence_links' else 'a list of URLs')}."
    return None


def _spans_of(item: ImportItem, document: Document | NewDocument, members: dict, actor, existing: dict | None = None) -> tuple[list, list[ImportProblem]]:
    """[(unsaved span, [link indexes])] for the item's spans, or the problems, each naming
    spans[i].field. Offsets in utf16 are converted to code points first. `existing`: the
    span_unique_identical keys of the spans a merged-into document has, to their ids.
    Three passes: each span's shape, offsets and annotator; validate_spans for all of them at
    once; then repeats. A span's problems come from the first pass it fails, and are reported
    in span order, as one pass over each span would."""
    problems: list[tuple[int, ImportProblem]] = []  # (span index, problem)
    text = document.text
    received = item.document.get("text")  # the offsets count this text, as given in the file
    to_codepoints = Utf16Index(received).from_utf16 if item.offset_unit == "utf16" and item.spans else None
    to_stored = normalize_with_map(received)[1] if item.spans and received != text else OffsetMap()
    plain_offsets = to_codepoints is None and to_stored.identity  # the file's offsets are the stored text's

    def problem(index: int, field: str, message: str) -> None:
        problems.append((index, ImportProblem(item.file, item.line, f"spans[{index}]{field}", message)))

    checked: list[tuple] = []  # (index, annotator id, layer, links) of the spans that pass the first pass
    fields: list[tuple] = []  # and their fields, for validate_spans
    for index, raw in enumerate(item.spans):
        if not isinstance(raw, dict):
            problem(index, "", "Must be an object.")
            continue
        if not SPAN_KEYS.issuperset(raw):
            problem(index, f".{sorted(set(raw) - SPAN_KEYS)[0]}", "Unknown span field.")
            continue
        if not _plain_shape(raw) and (wrong := _shape_problem(raw)):
            problem(index, f".{wrong[0]}", wrong[1])
            continue
        if plain_offsets:
            start, end = raw["start"], raw["end"]
        else:
            try:
                name = "start"  # utf16 -> code points of the text as given -> of the stored text
                start = to_stored.map(to_codepoints(raw["start"]) if to_codepoints else raw["start"])
                name = "end"
                end = to_stored.map(to_codepoints(raw["end"]) if to_codepoints else raw["end"])
            except ValueError as error:
                problem(index, f".{name}", str(error))
                continue
        quote = raw.get("quote")
        if quote is not None and not to_stored.identity:
            quote = normalize_text(quote)  # the quote is of the text as given, too
        username = raw.get("annotator") or actor.username
        layer = raw.get("layer", Layer.INDIVIDUAL)
        member = members.get(username)
        if member is None:
            problem(index, ".annotator", f"{username!r} is not a member of this project.")
            continue
        if layer == Layer.GOLD and not role_may(member[1], WRITE_OTHERS_LAYERS):
            problem(index, ".annotator", "Gold spans belong to reviewers or managers.")
            continue
        checked.append((index, member[0], layer, raw.get("links")))
        fields.append((start, end, raw["label"], quote, raw.get("note") or "", raw.get("source") or "",
                       raw.get("dispute_basis") or "", raw.get("evidence_links") or ()))  # fmt: skip
    built: list = []
    seen: dict[tuple, int] = {}  # the span_unique_identical key -> the index that first had it
    boundaries = DocumentBoundaries(text)  # one segmentation for all the item's spans, if any needs it
    for (index, annotator_id, layer, links), valid in zip(checked, validate_spans(text=text, spans=fields, cut_at=boundaries.cut)):
        if isinstance(valid, InvalidInput):
            for name, messages in valid.detail.items():
                problems.append((index, _problem_of(item, f"spans[{index}].{name}", messages)))
            continue
        key = (annotator_id, layer, valid.start, valid.end, valid.label)
        if existing and key in existing:
            problem(index, "", f"This span exists already: span {existing[key]}.")
            continue
        if key in seen:
            problem(index, "", f"Same span as spans[{seen[key]}] (annotator, layer, offsets, label).")
            continue
        seen[key] = index
        span = NewSpan(annotator_id, layer, valid.label, valid.start, valid.end, valid.quote, valid.note, valid.source,
                        valid.dispute_basis, list(valid.evidence_links))  # fmt: skip
        built.append((span, list(links) if links else []))
    if problems:
        problems.sort(key=lambda pair: pair[0])  # stable: a span's own problems keep their order
        return [], [p for _, p in problems]
    return built, _link_problems(item, built)


def _link_problems(item: ImportItem, built: list) -> list[ImportProblem]:
    """What is wrong with the links of the item's checked spans (indexes into the same list)."""
    problems: list[ImportProblem] = []
    for index, (span, links) in enumerate(built):
        for position, target_index in enumerate(links):
            field_name = f"spans[{index}].links[{position}]"
            if not 0 <= target_index < len(built):
                problems.append(ImportProblem(item.file, item.line, field_name, f"No span {target_index} in this document."))
                continue
            target = built[target_index][0]
            try:
                validate_link(
                    attribution=SimpleNamespace(label=span.label, pk=index, document_id=0, annotator_id=span.annotator_id, layer=span.layer),
                    target=SimpleNamespace(pk=target_index, document_id=0, annotator_id=target.annotator_id, layer=target.layer),
                )
            except InvalidInput as error:
                for messages in error.detail.values():
                    problems.append(_problem_of(item, field_name, messages))
        if len(set(links)) != len(links):
            problems.append(ImportProblem(item.file, item.line, f"spans[{index}].links", "Links to the same span twice."))
    return problems


def dataset_import(
    *,
    project: Project,
    access: Access,
    actor,
    stream: BinaryIO,
    file_name: str,
    size: int,
    format: str | None = None,
    on_duplicate: str = "refuse",
    options: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Import the file into the project (managers only). Returns {"documents", "spans",
    "duplicates": [{"file", "line", "external_id", "text_sha256", "reason"}], "skipped"}, with
    "merged" (documents the spans were added to) for on_duplicate="merge", and what the format
    reports (brat: "ignored", "split_discontinuous"). `options`: the format's own fields
    (format_options_checked). Raises InvalidInput {"errors": [{"file", "line", "field",
    "message"}]}, Conflict with {"duplicates": [...]} when on_duplicate="refuse" (or "merge" and
    the texts differ), TooLarge past a limit.
    progress(documents read so far) is called after each batch; an exception it raises (a job
    being cancelled) rolls the import back like any error."""
    check(access, IMPORT_DOCUMENTS, project=project)
    if size > settings.DATASET_IMPORT_MAX_BYTES:
        raise TooLarge({"detail": f"The file is {size} bytes; imports take at most {settings.DATASET_IMPORT_MAX_BYTES}."})
    if on_duplicate not in ON_DUPLICATE:
        raise InvalidInput({"on_duplicate": [f"Use {', '.join(ON_DUPLICATE[:-1])} or {ON_DUPLICATE[-1]}."]})
    format = import_format_for(format=format, file_name=file_name)
    options = format_options_checked(format, options or {})
    members = {
        username: (user_id, role)
        for username, user_id, role in Membership.objects.filter(project=project).values_list("user__username", "user_id", "role")
    }
    taken = Document.objects.filter(project=project)
    taken_ids = set(taken.exclude(external_id="").values_list("external_id", flat=True))
    taken_hashes = set(taken.values_list("text_sha256", flat=True))
    problems: list[ImportProblem] = []
    duplicates: list[dict] = []
    unmergeable: list[dict] = []
    report: dict = {}
    seen = merged = 0
    batch = Batch()
    writer = BatchWriter(ImportHistory(project=project, actor=actor))

    def flush() -> None:
        nonlocal batch
        writer.write(batch)
        batch = Batch()

    try:
        with transaction.atomic(), writer:  # the writer's last write ends before the transaction does
            for entry in _parse(format=format, stream=stream, file_name=file_name, options=options, member_names=frozenset(members)):
                if isinstance(entry, ImportProblem):
                    problems.append(entry)
                else:
                    seen += 1
                    if seen > settings.DATASET_IMPORT_MAX_DOCUMENTS:
                        raise TooLarge({"detail": f"At most {settings.DATASET_IMPORT_MAX_DOCUMENTS} documents per import."})
                    _add_report(report, entry.report)
                    document = _document_of(entry, problems=problems)
                    if document is not None:
                        reason = (
                            "external_id" if document.external_id and document.external_id in taken_ids
                            else "text_sha256" if document.text_sha256 in taken_hashes else None
                        )
                        if reason and on_duplicate == "merge":
                            if not problems and batch.documents:
                                flush()  # an earlier document of this file may be the one to merge into
                            writer.wait()  # before this thread's own queries on the connection
                            into = _merge_target(project, document)
                            if into is None:
                                unmergeable.append(_duplicate(entry, document, "external_id (another text)"))
                            else:
                                existing = dict(_existing_spans(into))
                                spans, span_problems = _spans_of(entry, into, members, actor, existing=existing)
                                problems += _named_at_origins(entry, span_problems)
                                batch.merged.append((into, spans))
                                merged += 1
                        elif reason:
                            duplicates.append(_duplicate(entry, document, reason))
                        else:
                            taken_hashes.add(document.text_sha256)
                            if document.external_id:
                                taken_ids.add(document.external_id)
                            spans, span_problems = _spans_of(entry, document, members, actor)
                            problems += _named_at_origins(entry, span_problems)
                            batch.documents.append(document)
                            batch.spans.append(spans)
                if len(problems) >= MAX_REPORTED:
                    break
                if problems:
                    batch = Batch()  # nothing more is written; keep checking to report more problems
                elif len(batch.documents) + len(batch.merged) >= BATCH_DOCUMENTS:
                    flush()
                if progress is not None and seen % BATCH_DOCUMENTS == 0 and not isinstance(entry, ImportProblem):
                    progress(seen)
            if problems:
                raise InvalidInput({"detail": "Nothing was imported.", "errors": [p.as_dict() for p in problems[:MAX_REPORTED]]})
            refused = duplicates if on_duplicate == "refuse" else unmergeable
            if refused:
                raise Conflict(
                    {"detail": "Nothing was imported: some documents are already in the project"
                     + (" with another text, so their spans cannot be merged." if refused is unmergeable else "."),
                     "duplicates": refused[:MAX_REPORTED]}
                )  # fmt: skip
            if batch.documents or batch.merged:
                flush()
            writer.wait()  # the last batch's error raises here, inside the transaction
    except IntegrityError as error:  # a concurrent request took an external_id in between
        raise Conflict({"detail": "A document's external_id was taken meanwhile; nothing was imported."}) from error
    created_documents, created_spans = writer.counts
    result = {
        "documents": created_documents,
        "spans": created_spans,
        "skipped": len(duplicates),
        "duplicates": duplicates[:MAX_REPORTED],
    }
    if on_duplicate == "merge":
        result["merged"] = merged
    return {**result, **report}


def _duplicate(item: ImportItem, document: NewDocument, reason: str) -> dict:
    return {"file": item.file, "line": item.line, "external_id": document.external_id, "text_sha256": document.text_sha256, "reason": reason}


def _add_report(total: dict, report: dict) -> None:
    """Sum what parsers report ({"ignored": {"Type": 3}, "split_discontinuous": 1}) over the items."""
    for key, value in report.items():
        if isinstance(value, dict):
            bucket = total.setdefault(key, {})
            for name, count in value.items():
                bucket[name] = bucket.get(name, 0) + count
        else:
            total[key] = total.get(key, 0) + value


def _merge_target(project: Project, document: NewDocument) -> Document | None:
    """The project's document with the same text (and, if the incoming one names an
    external_id that is taken, that document, which must have the same text)."""
    same = Document.objects.filter(project=project)
    if document.external_id and (named := same.filter(external_id=document.external_id).first()) is not None:
        return named if named.text_sha256 == document.text_sha256 else None
    return same.filter(text_sha256=document.text_sha256).order_by("pk").first()


def _existing_spans(document: Document):
    """(span_unique_identical key, span id) of a document's spans, for on_duplicate=merge."""
    for annotator_id, layer, start, end, label, pk in Span.objects.filter(document=document).values_list(
        "annotator_id", "layer", "start", "end", "label", "pk"
    ):
        yield (annotator_id, layer, start, end, label), pk


def _document_of(item: ImportItem, *, problems: list) -> NewDocument | None:
    fields, errors = document_fields(item.document)
    if not errors:
        try:
            document = NewDocument(document_values(fields))
        except InvalidInput as error:
            errors = {name: " ".join(messages) for name, messages in error.detail.items()}
        else:
            claimed = item.document.get("text_sha256")
            if claimed is None or claimed == document.text_sha256:
                return document
            errors = {"text_sha256": "Does not match the text (SHA-256 of its stored form, UTF-8)."}
    problems += [ImportProblem(item.file, item.line, name, message) for name, message in errors.items()]
    return None
