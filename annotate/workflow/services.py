"""Workflow writes: the assignment queue and adjudication into the gold layer (releases are in
annotate.workflow.releases)."""
import threading
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from annotate.errors import Conflict, InvalidInput
from annotate.models import Assignment, AssignmentStatus, Document, Layer, Project, Span, SpanBatch, SpanLink
from annotate.permissions import (
    ASSIGN,
    REASSIGN,
    REMOVE_ASSIGNMENT,
    TAKE_FROM_QUEUE,
    Access,
    check,
    check_may_adjudicate,
    check_may_change_assignment,
)
from annotate.services import span_create, span_link_create
from annotate.services.history import batch_add, batch_create
from annotate.workflow import selectors
from annotate.workflow.models import GoldOrigin, SpanRejection

User = get_user_model()
ACTIVE = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.DONE)
OPEN = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS)
QUEUE_BATCH = 20  # candidate documents locked per round of the queue


# ---------------------------------------------------------------- the queue


def _start(assignment: Assignment) -> Assignment:
    if assignment.status == AssignmentStatus.NOT_STARTED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = timezone.now()
        assignment.save(update_fields=["status", "started_at", "updated_at"])
    return assignment


def assignment_next(*, project: Project, access: Access, user) -> Assignment | None:
    """The caller's next document: their oldest open assignment in the project, else a new one
    on the first document that still needs reviewers (fewer than reviewers_per_document
    assignments that are not skipped) and that they have not had. None when nothing is left.

    Two people asking at once never take the same last place: candidate documents are locked
    FOR UPDATE SKIP LOCKED (PostgreSQL), and each locked document's count is read again after
    the lock is held, so an assignment committed by a concurrent request is seen."""
    check(access, TAKE_FROM_QUEUE, project=project)
    with transaction.atomic():
        mine = (
            Assignment.objects.select_for_update()
            .filter(document__project=project, user=user, status__in=OPEN)
            .order_by("status", "id")  # in_progress before not_started
            .first()
        )
        if mine is not None:
            return _start(mine)
    if project.archived_at is not None:  # archived: open work can be finished, no new work
        return None
    if connection.vendor == "sqlite":
        # No row locks in SQLite and its transactions start as readers: two threads of one
        # server could both count a free place. One queue request at a time per process.
        with _SQLITE_QUEUE_LOCK:
            return _assignment_new(project=project, user=user)
    return _assignment_new(project=project, user=user)


_SQLITE_QUEUE_LOCK = threading.Lock()


def _assignment_new(*, project: Project, user) -> Assignment | None:
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            candidates = (
                Document.objects.filter(project=project)
                .exclude(pk__in=seen)
                .exclude(assignments__user=user)
                .annotate(active=Count("assignments", filter=Q(assignments__status__in=ACTIVE)))
                .filter(active__lt=project.reviewers_per_document)
                .order_by("id")
                .values_list("pk", flat=True)[:QUEUE_BATCH]
            )
            candidate_ids = list(candidates)
            if not candidate_ids:
                return None
            locked = Document.objects.filter(pk__in=candidate_ids).order_by("id").only("id")
            if connection.vendor == "postgresql":
                locked = locked.select_for_update(skip_locked=True)
            locked_ids = [document.pk for document in locked]
            if not locked_ids:
                # Every candidate is held by a concurrent request: wait for the first one to
                # commit instead of spinning, then look at it again.
                Document.objects.select_for_update().filter(pk=candidate_ids[0]).values_list("pk").first()
                locked_ids = [candidate_ids[0]]
            for document_id in locked_ids:
                seen.add(document_id)
                if _has_room(document_id, user, project.reviewers_per_document):
                    return Assignment.objects.create(
                        document_id=document_id,
                        user=user,
                        status=AssignmentStatus.IN_PROGRESS,
                        started_at=timezone.now(),
                    )


def _has_room(document_id: int, user, quota: int) -> bool:
    """Read after the document's lock is held: a new statement sees what others committed."""
    if Assignment.objects.filter(document_id=document_id, user=user).exists():
        return False
    return Assignment.objects.filter(document_id=document_id, status__in=ACTIVE).count() < quota


def _member(project: Project, username: str):
    user = User.objects.filter(username=username, memberships__project=project).first()
    if user is None:
        raise InvalidInput({"username": [f"{username!r} is not a member of this project."]})
    return user


@transaction.atomic
def assignment_assign(*, project: Project, access: Access, actor, document_ids: list[int], username: str) -> list[Assignment]:
    """A manager hands documents to a member by hand (the quota does not bind a manager)."""
    check(access, ASSIGN, project=project)
    user = _member(project, username)
    documents = list(Document.objects.filter(project=project, pk__in=document_ids).values_list("pk", flat=True))
    missing = sorted(set(document_ids) - set(documents))
    if missing:
        raise InvalidInput({"documents": [f"No document {d} in this project." for d in missing]})
    already = set(Assignment.objects.filter(document_id__in=documents, user=user).values_list("document_id", flat=True))
    if already:
        raise Conflict({"documents": [f"{username} already has document {d}." for d in sorted(already)]})
    try:
        with transaction.atomic():
            return [
                Assignment.objects.create(document_id=d, user=user, assigned_by=actor)
                for d in sorted(set(documents))
            ]
    except IntegrityError as error:  # the queue gave one of them to the same person meanwhile
        raise Conflict({"documents": [f"{username} already has one of these documents."]}) from error


@transaction.atomic
def assignment_update(
    *, assignment: Assignment, access: Access, actor, status: str | None = None, skip_reason: str | None = None,
    username: str | None = None,
) -> Assignment:
    """The assignee (or a manager) moves their assignment to in_progress, done or skipped (a
    skip needs a reason); a manager may also hand it to another member (reassign), which
    starts it afresh. Going back to not_started or in_progress reopens a done assignment."""
    check_may_change_assignment(access=access, assignment=assignment)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    fields = ["updated_at"]
    if username is not None:
        check(access, REASSIGN)
        user = _member(Project(pk=access.project_id), username)
        if user.pk != assignment.user_id:
            if Assignment.objects.filter(document_id=assignment.document_id, user=user).exists():
                raise Conflict({"username": [f"{username} already has this document."]})
            assignment.user = user
            assignment.assigned_by = actor
            assignment.status = AssignmentStatus.NOT_STARTED
            assignment.started_at = assignment.done_at = None
            assignment.skip_reason = ""
            fields += ["user", "assigned_by", "status", "started_at", "done_at", "skip_reason"]
    if status is not None:
        if status not in AssignmentStatus.values:
            raise InvalidInput({"status": [f"Use one of: {', '.join(AssignmentStatus.values)}."]})
        now = timezone.now()
        if status == AssignmentStatus.SKIPPED:
            reason = (skip_reason or "").strip()
            if not reason:
                raise InvalidInput({"skip_reason": ["Say why the document is skipped."]})
            assignment.skip_reason = reason
        else:
            assignment.skip_reason = ""
        if status in (AssignmentStatus.IN_PROGRESS, AssignmentStatus.DONE) and assignment.started_at is None:
            assignment.started_at = now
        assignment.done_at = now if status == AssignmentStatus.DONE else None
        if status == AssignmentStatus.NOT_STARTED:
            assignment.started_at = None
        assignment.status = status
        fields += ["status", "skip_reason", "started_at", "done_at"]
    assignment.save(update_fields=sorted(set(fields)))
    return assignment


def assignment_delete(*, assignment: Assignment, access: Access) -> None:
    check(access, REMOVE_ASSIGNMENT)
    assignment.delete()


# ---------------------------------------------------------------- adjudication


def _sources(document: Document, span_ids: list[int]) -> list[Span]:
    if not span_ids:
        raise InvalidInput({"spans": ["Name at least one span."]})
    spans = list(
        Span.objects.filter(document_id=document.pk, layer=Layer.INDIVIDUAL, pk__in=span_ids).select_related("annotator")
    )
    missing = sorted(set(span_ids) - {s.pk for s in spans})
    if missing:
        raise InvalidInput({"spans": [f"No individual span {i} on this document." for i in missing]})
    return spans


def _carry_links(*, document: Document, access: Access, actor, unrecorded: frozenset[int] = frozenset()) -> int:
    """Link gold spans as their sources are linked: when a source attribution links to a source
    target and both have been accepted into gold, the gold attribution links to the gold target.
    A link from a span in `unrecorded` (the caller's batch) is part of its created state.
    Returns how many links were made."""
    origin_of: dict[int, list[int]] = defaultdict(list)
    for gold_id, source_id in GoldOrigin.objects.filter(
        gold_span__document_id=document.pk, source_span__isnull=False
    ).values_list("gold_span_id", "source_span_id"):
        origin_of[source_id].append(gold_id)
    if not origin_of:
        return 0
    existing = set(
        SpanLink.objects.filter(attribution__document_id=document.pk, attribution__layer=Layer.GOLD).values_list(
            "attribution_id", "target_id"
        )
    )
    wanted = set()
    for source_attr, source_target in SpanLink.objects.filter(
        attribution_id__in=list(origin_of), target_id__in=list(origin_of)
    ).values_list("attribution_id", "target_id"):
        for gold_attr in origin_of[source_attr]:
            for gold_target in origin_of[source_target]:
                if gold_attr != gold_target:
                    wanted.add((gold_attr, gold_target))
    made = 0
    gold = {s.pk: s for s in Span.objects.filter(pk__in={i for pair in wanted for i in pair}).select_related("annotator")}
    for attribution_id, target_id in sorted(wanted - existing):
        attribution, target = gold[attribution_id], gold[target_id]
        if attribution.label != "attribution" or attribution.annotator_id != target.annotator_id:
            continue  # the gold attribution was edited to another label, or another adjudicator owns it
        span_link_create(
            attribution=attribution, target=target, access=access, actor=actor, recorded=attribution_id not in unrecorded
        )
        made += 1
    return made


def _gold_owner(document: Document, actor):
    """Every gold span of a document belongs to one user, so links between them are valid: the
    first adjudicator's, or the actor for a document without gold yet."""
    first = Span.objects.filter(document_id=document.pk, layer=Layer.GOLD).select_related("annotator").first()
    return first.annotator if first else actor


def _copied_fields(span: Span) -> dict:
    return {
        "label": span.label,
        "start": span.start,
        "end": span.end,
        "note": span.note,
        "source": span.source,
        "dispute_basis": span.dispute_basis,
        "evidence_links": list(span.evidence_links),
    }


def _record_origins(gold: Span, sources: list[Span], actor) -> None:
    GoldOrigin.objects.bulk_create(
        [
            GoldOrigin(
                gold_span=gold,
                source_span=s,
                source_username=s.annotator.username,
                source_label=s.label,
                source_start=s.start,
                source_end=s.end,
                accepted_by=actor,
            )
            for s in sources
        ],
        ignore_conflicts=True,
    )
    SpanRejection.objects.filter(span__in=sources).delete()


@transaction.atomic
def gold_accept(
    *, document: Document, access: Access, actor, span_ids: list[int], fields: dict | None = None
) -> Span:
    """Accept individual spans into the gold layer as one gold span. Without `fields` the spans
    must agree on label and offsets and the gold span copies the first one; with `fields`
    (start, end, label, note, source, dispute_basis, evidence_links) the adjudicator's edit is
    what goes into gold. Either way the gold span records every source span as an origin, and
    attribution links between accepted spans are carried into gold."""
    check_may_adjudicate(access=access, document=document)
    Document.objects.select_for_update().filter(pk=document.pk).first()  # one adjudication at a time
    sources = _sources(document, span_ids)
    first = sources[0]
    if fields is None and len({(s.label, s.start, s.end) for s in sources}) > 1:
        raise InvalidInput({"spans": ["These spans differ in label or offsets: send the fields the gold span takes."]})
    fields = {**_copied_fields(first), **(fields or {})}
    if fields["label"] != first.label:  # what belonged to the old label does not carry over
        for key, belongs_to in (("source", "attribution"), ("dispute_basis", "disputed"), ("evidence_links", "disputed")):
            if fields["label"] != belongs_to:
                fields[key] = [] if key == "evidence_links" else ""
    clash = Span.objects.filter(
        document_id=document.pk, layer=Layer.GOLD, label=fields["label"], start=fields["start"], end=fields["end"]
    ).first()
    if clash is not None:
        raise Conflict({"spans": [f"The gold layer already has this span (gold span {clash.pk})."]})
    gold = span_create(
        document=document,
        access=access,
        actor=actor,
        fields=fields,
        annotator=_gold_owner(document, actor),
        layer=Layer.GOLD,
    )
    _record_origins(gold, sources, actor)
    _carry_links(document=document, access=access, actor=actor)
    return gold


@transaction.atomic
def gold_accept_agreed(*, document: Document, access: Access, actor) -> list[Span]:
    """Accept, in one action, every span all of the document's counted reviewers marked with the
    same label and offsets and that is not decided yet."""
    check_may_adjudicate(access=access, document=document)
    Document.objects.select_for_update().filter(pk=document.pk).first()
    view = selectors.adjudication_groups(document=document, access=access)
    in_gold = {(g["label"], g["start"], g["end"]) for g in view["gold"]}
    created = []
    for group in view["groups"]:
        if not group["agreed"] or group["state"] != "pending" or (group["label"], group["start"], group["end"]) in in_gold:
            continue
        sources = _sources(document, [s["id"] for s in group["spans"]])
        first = sorted(sources, key=lambda s: s.annotator.username)[0]
        gold = span_create(
            document=document,
            access=access,
            actor=actor,
            fields=_copied_fields(first),
            annotator=_gold_owner(document, actor),
            layer=Layer.GOLD,
            recorded=False,
        )
        _record_origins(gold, sources, actor)
        created.append(gold)
    _carry_links(document=document, access=access, actor=actor, unrecorded=frozenset(g.pk for g in created))
    if created:  # one event for them all, named after their links are made: those are part of it
        batch = batch_create(project_id=document.project_id, actor=actor, reason=SpanBatch.Reason.ACCEPT_AGREED, at=timezone.now())
        batch_add(batch=batch, spans_by_document={document.pk: [g.pk for g in created]})
    return created


@transaction.atomic
def gold_reject(*, document: Document, access: Access, actor, span_ids: list[int]) -> int:
    """Decide that these individual spans stay out of gold. Returns how many were rejected."""
    check_may_adjudicate(access=access, document=document)
    sources = _sources(document, span_ids)
    accepted = set(GoldOrigin.objects.filter(source_span__in=sources).values_list("source_span_id", flat=True))
    if accepted:
        raise Conflict({"spans": [f"Span {i} is already in gold: delete the gold span first." for i in sorted(accepted)]})
    SpanRejection.objects.bulk_create(
        [SpanRejection(span=s, document_id=document.pk, rejected_by=actor) for s in sources], ignore_conflicts=True
    )
    return len(sources)


@transaction.atomic
def gold_unreject(*, document: Document, access: Access, span_ids: list[int]) -> None:
    check_may_adjudicate(access=access, document=document)
    SpanRejection.objects.filter(document_id=document.pk, span_id__in=span_ids).delete()
