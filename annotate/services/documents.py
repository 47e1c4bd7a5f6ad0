"""Documents: created one at a time or in all-or-nothing batches; text frozen once labelled."""
from django.conf import settings
from django.db import IntegrityError, transaction

from annotate.errors import Conflict, InvalidInput, NotFound, TooLarge
from annotate.models import Document, Project, Span
from annotate.offsets import normalize_text, sha256_hex
from annotate.permissions import ADD_DOCUMENTS, DELETE_DOCUMENTS, EDIT_DOCUMENTS, Access, check
from annotate.services.projects import project_touch
from annotate.validation import check_plain_text_fields, check_version, validate_document_text

METADATA_FIELDS = ("title", "outlet", "source_url", "author", "published_on", "language", "external_id")
# Shown as one line wherever the document is listed (the external id in exports and file names):
# no bidi or other invisible controls.
PLAIN_TEXT_FIELDS = ("title", "outlet", "author", "external_id")


def document_build(*, project: Project, actor, fields: dict) -> Document:
    """An unsaved Document from already shape-checked fields; raises InvalidInput."""
    return Document(project=project, created_by=actor, **document_values(fields))


def document_values(fields: dict) -> dict:
    """A new document's own column values (text as stored, length, hashes, metadata), from
    already shape-checked fields; raises InvalidInput. An import writes these as they are,
    without a Document instance (5,000 of them cost it 0.1 s)."""
    received = fields["text"]
    title = (fields.get("title") or "").strip()
    problems = {} if title else {"title": ["A document needs a title."]}
    try:  # both problems at once: a form shows each beside its field
        validate_document_text(received, max_chars=settings.MAX_DOCUMENT_CHARS)
    except InvalidInput as error:
        raise InvalidInput({**problems, **error.detail}) from error
    if problems:
        raise InvalidInput(problems)
    check_plain_text_fields(fields, PLAIN_TEXT_FIELDS)
    text = normalize_text(received)
    values = {field: fields[field] for field in METADATA_FIELDS if fields.get(field) is not None}
    values["title"] = title
    digest = sha256_hex(text)
    values.update(
        text=text, length=len(text), text_sha256=digest, received_sha256=digest if received == text else sha256_hex(received)
    )
    return values


def documents_create(*, project: Project, access: Access, actor, items: list[dict]) -> list[Document]:
    """Create all the documents or none. Errors name the item index:
    {"items": [{"index": 6, "errors": {"text": ["..."]}}]}."""
    check(access, ADD_DOCUMENTS, project=project)
    if len(items) > settings.BULK_DOCUMENTS_MAX:
        raise TooLarge({"detail": f"At most {settings.BULK_DOCUMENTS_MAX} documents per request."})
    documents, problems = [], []
    seen_ids: dict[str, int] = {}
    for index, fields in enumerate(items):
        try:
            document = document_build(project=project, actor=actor, fields=fields)
        except InvalidInput as error:
            problems.append({"index": index, "errors": error.detail})
            continue
        if document.external_id:
            if document.external_id in seen_ids:
                problems.append(
                    {
                        "index": index,
                        "errors": {"external_id": [f"Repeats item {seen_ids[document.external_id]}."]},
                    }
                )
            seen_ids.setdefault(document.external_id, index)
        documents.append(document)
    if problems:
        raise InvalidInput({"items": problems})

    taken = set(
        Document.objects.filter(project=project, external_id__in=list(seen_ids)).values_list("external_id", flat=True)
    )
    if taken:
        raise Conflict(
            {
                "items": [
                    {"index": seen_ids[eid], "errors": {"external_id": [f"{eid!r} is already in this project."]}}
                    for eid in sorted(taken, key=seen_ids.get)
                ]
            }
        )
    try:
        with transaction.atomic():
            created = Document.objects.bulk_create(documents, batch_size=500)
    except IntegrityError as error:  # a concurrent request took an external_id in between
        raise Conflict({"external_id": ["An external_id is already in this project."]}) from error
    return created


@transaction.atomic
def document_update(
    *,
    document: Document,
    access: Access,
    fields: dict,
    expected_version: int | str | None = None,
    version_required: bool = False,
) -> Document:
    """Metadata can always change; the text only while no span points into it (else 409).
    Every change moves the version; `expected_version` is checked as for spans (412/428)."""
    check(access, EDIT_DOCUMENTS, project=Project(pk=document.project_id))
    check_plain_text_fields(fields, PLAIN_TEXT_FIELDS)
    # FOR UPDATE waits for span inserts in flight (they hold a key-share lock on the row).
    document = _locked(document)
    check_version(what="document", current=document.version, expected=expected_version, required=version_required)
    changed = []
    if "text" in fields:
        received = fields["text"]
        validate_document_text(received, max_chars=settings.MAX_DOCUMENT_CHARS)
        text = normalize_text(received)
        if text != document.text:
            if Span.objects.filter(document_id=document.pk).exists():
                raise Conflict({"text": ["The text cannot change: spans are labelled on it."]})
            document.text, document.length = text, len(text)
            document.text_sha256, document.received_sha256 = sha256_hex(text), sha256_hex(received)
            changed += ["text", "length", "text_sha256", "received_sha256"]
    for field in METADATA_FIELDS:
        if field in fields:
            value = fields[field]
            if field == "title":
                value = (value or "").strip()
                if not value:
                    raise InvalidInput({"title": ["A document needs a title."]})
            setattr(document, field, value if value is not None else "" if field != "published_on" else None)
            changed.append(field)
    if changed:
        document.version += 1  # the row is locked: no other write can read the same version
        try:
            with transaction.atomic():
                document.save(update_fields=[*changed, "version", "updated_at"])
        except IntegrityError as error:
            raise Conflict({"external_id": ["This external_id is already in the project."]}) from error
    return document


def _locked(document: Document, *, with_text: bool = True) -> Document:
    rows = Document.objects.select_for_update().filter(pk=document.pk)
    locked = (rows if with_text else rows.defer("text")).first()
    if locked is None:
        raise NotFound({"detail": "No such document. It was deleted by another request a moment ago."})
    return locked


@transaction.atomic
def document_delete(
    *, document: Document, access: Access, expected_version: int | str | None = None, version_required: bool = False
) -> None:
    """Locked first, so span writes in flight finish before the spans are collected for the
    cascade and new ones wait, then find the document gone (404), instead of one racing past
    the collection and failing the delete's foreign key check (a 500)."""
    check(access, DELETE_DOCUMENTS, project=Project(pk=document.project_id))
    project_id = document.project_id
    document = _locked(document, with_text=False)
    check_version(what="document", current=document.version, expected=expected_version, required=version_required)
    document.delete()
    project_touch(project_id=project_id)
