"""A member's own work on a document: marking it done, and reopening it."""
from django.db import transaction
from django.utils import timezone

from annotate.models import Assignment, AssignmentStatus, Document


@transaction.atomic
def assignment_mark_done(*, document: Document, user) -> Assignment:
    """The user's assignment on the document becomes done (created when the document was never
    handed out: anyone who has worked on it may say they finished)."""
    now = timezone.now()
    assignment, created = Assignment.objects.select_for_update().get_or_create(
        document=document,
        user=user,
        defaults={"status": AssignmentStatus.DONE, "started_at": now, "done_at": now},
    )
    if not created:
        assignment.status = AssignmentStatus.DONE
        assignment.done_at = now
        assignment.started_at = assignment.started_at or now
        assignment.save(update_fields=["status", "done_at", "started_at", "updated_at"])
    return assignment


@transaction.atomic
def assignment_reopen(*, document: Document, user) -> Assignment:
    """Back to in progress: the user has more to do on the document."""
    now = timezone.now()
    assignment, created = Assignment.objects.select_for_update().get_or_create(
        document=document,
        user=user,
        defaults={"status": AssignmentStatus.IN_PROGRESS, "started_at": now},
    )
    if not created:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.done_at = None
        assignment.started_at = assignment.started_at or now
        assignment.save(update_fields=["status", "done_at", "started_at", "updated_at"])
    return assignment
