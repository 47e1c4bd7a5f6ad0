"""Shape checks of raw document fields from any import format (types, lengths, dates, links)."""
import datetime as dt

from annotate.validation import url_error

MAX_LENGTHS = {"title": 500, "outlet": 200, "source_url": 2000, "author": 300, "language": 35, "external_id": 200}
DOCUMENT_KEYS = frozenset({"text", "published_on", *MAX_LENGTHS})


def document_fields(raw: dict) -> tuple[dict, dict[str, str]]:
    """(fields for services.documents.document_build, {field: message}) from raw values.
    Unknown keys are not checked here: each parser decides what it accepts."""
    fields: dict = {}
    errors: dict[str, str] = {}
    text = raw.get("text")
    if not isinstance(text, str):
        errors["text"] = "A document needs its text as a string."
    else:
        fields["text"] = text
    for name, limit in MAX_LENGTHS.items():
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = "Must be a string."
        elif len(value) > limit:
            errors[name] = f"At most {limit} characters."
        else:
            fields[name] = value
    if fields.get("source_url") and (message := url_error(fields["source_url"])):
        errors["source_url"] = message
    published = raw.get("published_on")
    if published not in (None, ""):
        try:
            fields["published_on"] = dt.date.fromisoformat(published) if isinstance(published, str) else None
            if fields["published_on"] is None:
                raise ValueError
        except ValueError:
            errors["published_on"] = "Must be a date as YYYY-MM-DD."
    return fields, errors


def title_from_text(text: str) -> str:
    """A title for a document that came without one: its first non-blank line, shortened."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 120 else line[:119] + "…"
    return "Untitled"
