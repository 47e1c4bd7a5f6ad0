"""A member's own work on a document: marking it done, and reopening it."""
from django.db import transaction
from django.utils import timezone

from annotate.models import Assignment, AssignmentStatus, Document, Project
from annotate.permissions import MARK_OWN_WORK, Access, check


@transaction.atomic
def assignment_mark_done(*, document: Document, access: Access) -> Assignment:
    """The caller's assignment on the document becomes done (created when the document was
    never handed out: anyone who has worked on it may say they finished)."""
    check(access, MARK_OWN_WORK, project=Project(pk=document.project_id))
    now = timezone.now()
    assignment, created = Assignment.objects.select_for_update().get_or_create(
        document=document,
        user_id=access.user_id,
        defaults={"status": AssignmentStatus.DONE, "started_at": now, "done_at": now},
    )
    if not created:
        assignment.status = AssignmentStatus.DONE
        assignment.done_at = now
        assignment.started_at = assignment.started_at or now
        assignment.save(update_fields=["status", "done_at", "started_at", "updated_at"])
    return assignment


@transaction.atomic
def assignment_reopen(*, document: Document, access: Access) -> Assignment:
    """Back to in progress: the caller has more to do on the document."""
    check(access, MARK_OWN_WORK, project=Project(pk=document.project_id))
    now = timezone.now()
    assignment, created = Assignment.objects.select_for_update().get_or_create(
        document=document,
        user_id=access.user_id,
        defaults={"status": AssignmentStatus.IN_PROGRESS, "started_at": now},
    )
    if not created:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.done_at = None
        assignment.started_at = assignment.started_at or now
        assignment.save(update_fields=["status", "done_at", "started_at", "updated_at"])
    return assignment
