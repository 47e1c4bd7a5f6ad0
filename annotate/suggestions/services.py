"""Suggestions: run the suggester on a document, read what is proposed to a member, accept
(into the member's own layer, through the span services) or reject.

Lock order as everywhere: the document row first (suggestions of a document are rewritten under
it), then spans, through the span services.
"""
import hashlib
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from annotate.errors import Conflict, InvalidInput, NotFound
from annotate.models import Document, Label, Span
from annotate.permissions import (
    ACCEPT_SUGGESTIONS,
    EDIT_PROJECT,
    SEE_SUGGESTION_STATS,
    SEE_SUGGESTIONS,
    Access,
    check,
)
from annotate.selectors import span_as_dict
from annotate.services.spans import span_create, span_link_create

from .engine import suggest
from .models import Decision, SuggestedDocument, Suggestion, SuggestionDecision, SuggestionSettings
from .rules import RULES_DIR

ENGINE_VERSION = "1"


@lru_cache(maxsize=None)
def rules_version(language: str) -> str:
    """Changes when the engine or the language's rule file changes, so stored suggestions are redone."""
    primary = (language or "en").split("-")[0].lower()
    path = RULES_DIR / f"{primary}.json"
    data = path.read_bytes() if path.is_file() else b""
    return f"{ENGINE_VERSION}:{hashlib.sha256(data).hexdigest()[:16]}"


def suggestions_enabled(project_id: int) -> bool:
    return not SuggestionSettings.objects.filter(project_id=project_id, enabled=False).exists()


def suggestions_configure(*, access: Access, enabled) -> bool:
    """Turn the project's suggestions on or off (managers). The role is checked before the input."""
    check(access, EDIT_PROJECT)
    if not isinstance(enabled, bool):
        raise InvalidInput({"enabled": ["true or false."]})
    SuggestionSettings.objects.update_or_create(project_id=access.project_id, defaults={"enabled": enabled})
    return enabled


def _is_current(document_id: int, version: str) -> bool:
    return SuggestedDocument.objects.filter(document_id=document_id, rules_version=version).exists()


def document_suggest(*, document_id: int, force: bool = False) -> bool:
    """Run the suggester on one document and store its proposals, unless the stored ones come
    from the same rules (or `force`). True when it ran.

    Proposals nobody has decided on are replaced; those a member accepted or rejected are kept
    (a rejection stays remembered). The suggester runs before the document is locked (a 1 MB
    text takes a second or so): span writes on the document wait only for the store."""
    document = Document.objects.only("pk", "text", "language").filter(pk=document_id).first()
    if document is None:
        raise NotFound({"detail": "No such document."})
    version = rules_version(document.language)
    if not force and _is_current(document_id, version):
        return False
    proposals = suggest(document.text, document.language or "en")
    with transaction.atomic():
        if not Document.objects.select_for_update().filter(pk=document_id).exists():
            raise NotFound({"detail": "No such document."})
        if not force and _is_current(document_id, version):
            return False  # another request stored them meanwhile
        _store(document_id=document_id, version=version, proposals=proposals)
    return True


def _store(*, document_id: int, version: str, proposals) -> None:
    existing = {(s.label, s.start, s.end): s for s in Suggestion.objects.filter(document_id=document_id)}
    decided = set(
        SuggestionDecision.objects.filter(suggestion__document_id=document_id).values_list("suggestion_id", flat=True)
    )
    wanted: dict[tuple, tuple] = {}  # key -> (span, key of its cue or None)
    for proposal in proposals:
        cue_key = None
        if proposal.cue:
            cue_key = (proposal.cue.label, proposal.cue.start, proposal.cue.end)
            wanted.setdefault(cue_key, (proposal.cue, None))
        for content in proposal.contents:
            wanted.setdefault((content.label, content.start, content.end), (content, cue_key))
    stale = [s.pk for key, s in existing.items() if key not in wanted and s.pk not in decided]
    Suggestion.objects.filter(pk__in=stale).delete()
    stored = {key: s for key, s in existing.items() if s.pk not in stale}
    for cues_first in (True, False):  # cues first: their content rows point at them
        new_rows = []
        for key, (span, cue_key) in wanted.items():
            if (cue_key is None) != cues_first:
                continue
            cue = stored.get(cue_key) if cue_key else None
            fields = {"quote": span.quote, "source": span.source, "rule": span.rule, "score": span.score, "cue": cue}
            if key in stored:
                row = stored[key]
                if any(getattr(row, name) != value for name, value in fields.items()):
                    Suggestion.objects.filter(pk=row.pk).update(**fields)
            else:
                new_rows.append(Suggestion(document_id=document_id, label=span.label, start=span.start, end=span.end, **fields))
        # One INSERT per batch, ids returned (PostgreSQL, and SQLite from 3.35): a 1 MB text has thousands.
        for row in Suggestion.objects.bulk_create(new_rows, batch_size=1000):
            stored[(row.label, row.start, row.end)] = row
    SuggestedDocument.objects.update_or_create(document_id=document_id, defaults={"rules_version": version})


def _as_dict(suggestion: Suggestion, contents: dict[int, list[int]], decision: str | None = None) -> dict:
    return {
        "id": suggestion.pk,
        "document": suggestion.document_id,
        "label": suggestion.label,
        "start": suggestion.start,
        "end": suggestion.end,
        "quote": suggestion.quote,
        "source": suggestion.source,
        "score": suggestion.score,
        "rule": suggestion.rule,
        "cue": suggestion.cue_id,
        "links": contents.get(suggestion.pk, []),
        "decision": decision,
    }


def document_suggestions(*, document: Document, access: Access, include_decided: bool = False) -> dict:
    """What is proposed to this member on this document: every suggestion they have not decided
    on and that is not already one of their own spans (same label and offsets)."""
    check(access, SEE_SUGGESTIONS)
    if not suggestions_enabled(document.project_id):
        return {"enabled": False, "suggestions": []}
    document_suggest(document_id=document.pk)
    rows = list(Suggestion.objects.filter(document_id=document.pk).order_by("start", "end", "label"))
    decisions = dict(
        SuggestionDecision.objects.filter(suggestion__document_id=document.pk, user_id=access.user_id).values_list(
            "suggestion_id", "decision"
        )
    )
    own = set(
        Span.objects.filter(document_id=document.pk, annotator_id=access.user_id, layer="individual").values_list(
            "label", "start", "end"
        )
    )
    contents: dict[int, list[int]] = {}
    for row in rows:
        if row.cue_id:
            contents.setdefault(row.cue_id, []).append(row.pk)
    out = []
    for row in rows:
        decision = decisions.get(row.pk)
        if not include_decided and (decision or (row.label, row.start, row.end) in own):
            continue
        out.append(_as_dict(row, contents, decision))
    return {"enabled": True, "suggestions": out}


def _span_for(*, suggestion: Suggestion, document: Document, access: Access, actor, fields: dict) -> Span:
    """The member's span for a suggestion: created, or their identical span if they have it already."""
    try:
        with transaction.atomic():
            return span_create(document=document, access=access, actor=actor, fields=fields)
    except Conflict as conflict:
        existing = conflict.detail.get("existing_id") if isinstance(conflict.detail, dict) else None
        if existing is None:
            raise
        return Span.objects.get(pk=existing)


def _decide(*, suggestion: Suggestion, access: Access, decision: str, span: Span | None = None, edited=False) -> None:
    try:
        with transaction.atomic():
            SuggestionDecision.objects.create(
                suggestion=suggestion, user_id=access.user_id, decision=decision, span=span, edited=edited
            )
    except IntegrityError:
        raise Conflict({"detail": "You have already decided on this suggestion."}) from None


EDITABLE = ("label", "start", "end", "quote", "source", "note")


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, document: Document, access: Access, actor, changes: dict | None = None) -> dict:
    """Accept one suggestion into the caller's own layer, with `changes` (edit, then accept).

    A cue is accepted with its content, linked, as one unit; content whose cue the caller has
    accepted before is linked to that span. Returns the spans written (the span API's shape)
    and which suggestions were accepted, so a client can undo the whole unit."""
    check(access, ACCEPT_SUGGESTIONS)
    if not suggestions_enabled(document.project_id):
        raise Conflict({"detail": "Suggestions are turned off in this project."})
    Document.objects.select_for_update().filter(pk=document.pk).exists()  # no rerun rewrites the unit meanwhile
    changes = dict(changes or {})
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({field: ["Not a field of a suggestion you may change."] for field in sorted(unknown)})
    unit = [suggestion]
    if suggestion.label == Label.ATTRIBUTION:
        decided = SuggestionDecision.objects.filter(user_id=access.user_id).values("suggestion_id")
        unit += list(suggestion.contents.exclude(pk__in=decided).order_by("start"))
    written: dict[int, Span] = {}
    for item in unit:
        fields = {"label": item.label, "start": item.start, "end": item.end, "quote": item.quote}
        if item.label == Label.ATTRIBUTION and item.source:
            fields["source"] = item.source
        edited = item is suggestion and bool(changes)
        if edited:
            fields.update(changes)
            if "quote" not in changes and ("start" in changes or "end" in changes):
                fields.pop("quote")  # the server reads the quote of the new offsets
            if fields.get("label") != Label.ATTRIBUTION:
                fields.pop("source", None)
        written[item.pk] = _span_for(suggestion=item, document=document, access=access, actor=actor, fields=fields)
        _decide(suggestion=item, access=access, decision=Decision.ACCEPTED, span=written[item.pk], edited=edited)
    cue_span = written.get(suggestion.pk) if suggestion.label == Label.ATTRIBUTION else None
    if cue_span is None and suggestion.cue_id:  # content alone: link to the caller's span of its cue
        earlier = SuggestionDecision.objects.filter(
            suggestion_id=suggestion.cue_id, user_id=access.user_id, decision=Decision.ACCEPTED, span__isnull=False
        ).first()
        cue_span = earlier.span if earlier else None
    links = []
    if cue_span is not None and cue_span.label == Label.ATTRIBUTION:
        for item_pk, span in written.items():
            if span.pk != cue_span.pk and span.label != Label.ATTRIBUTION and not cue_span.links_out.filter(target=span).exists():
                span_link_create(attribution=cue_span, target=span, access=access, actor=actor)
                links.append([cue_span.pk, span.pk])
    spans = []
    for span in written.values():
        targets = list(span.links_out.order_by("id").values_list("target_id", flat=True))
        spans.append(span_as_dict(span, annotator_username=span.annotator.username, links=targets))
    return {"accepted": [item.pk for item in unit], "spans": spans, "links": links}


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, document: Document, access: Access) -> dict:
    """Reject for the caller only; a cue is rejected with its content. Not proposed to them again."""
    check(access, ACCEPT_SUGGESTIONS)
    unit = [suggestion]
    if suggestion.label == Label.ATTRIBUTION:
        decided = SuggestionDecision.objects.filter(user_id=access.user_id).values("suggestion_id")
        unit += list(suggestion.contents.exclude(pk__in=decided))
    for item in unit:
        _decide(suggestion=item, access=access, decision=Decision.REJECTED)
    return {"rejected": [item.pk for item in unit]}


@transaction.atomic
def suggestion_reopen(*, suggestion: Suggestion, access: Access) -> dict:
    """Take back the caller's decision on a suggestion (and on its content, for a cue): undo of a
    rejection, or of an acceptance after its spans were deleted. Spans already written stay."""
    check(access, ACCEPT_SUGGESTIONS)
    ids = [suggestion.pk]
    if suggestion.label == Label.ATTRIBUTION:
        ids += list(suggestion.contents.values_list("pk", flat=True))
    deleted, _ = SuggestionDecision.objects.filter(suggestion_id__in=ids, user_id=access.user_id).delete()
    if not deleted:
        raise NotFound({"detail": "You have not decided on this suggestion."})
    return {"reopened": ids}


def suggestion_stats(*, access: Access) -> dict:
    """How often suggestions are accepted in the project, per rule and label, over all members."""
    check(access, SEE_SUGGESTION_STATS)
    rows = (
        SuggestionDecision.objects.filter(suggestion__document__project_id=access.project_id)
        .values("suggestion__rule", "suggestion__label")
        .annotate(
            accepted=Count("pk", filter=Q(decision=Decision.ACCEPTED, edited=False)),
            edited=Count("pk", filter=Q(decision=Decision.ACCEPTED, edited=True)),
            rejected=Count("pk", filter=Q(decision=Decision.REJECTED)),
        )
        .order_by("suggestion__rule", "suggestion__label")
    )
    per_rule = []
    totals = {"accepted": 0, "edited": 0, "rejected": 0}
    for row in rows:
        decided = row["accepted"] + row["edited"] + row["rejected"]
        per_rule.append({
            "rule": row["suggestion__rule"], "label": row["suggestion__label"],
            "accepted": row["accepted"], "edited": row["edited"], "rejected": row["rejected"],
            "acceptance_rate": round((row["accepted"] + row["edited"]) / decided, 4) if decided else None,
        })
        for key in totals:
            totals[key] += row[key]
    decided = sum(totals.values())
    proposed = Suggestion.objects.filter(document__project_id=access.project_id).count()
    return {
        "proposed": proposed,
        **totals,
        "acceptance_rate": round((totals["accepted"] + totals["edited"]) / decided, 4) if decided else None,
        "per_rule": per_rule,
    }
