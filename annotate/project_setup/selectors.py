"""Reads for the setup pages: the members table, what a delete would lose, first-run hints.
Each runs a fixed number of queries whatever the size of the project."""
from django.db.models import Count, Max, Q

from annotate.models import Assignment, AssignmentStatus, Document, Layer, Membership, Project, Span, SpanBatch, SpanChange, SpanEvent
from annotate.permissions import Access
from annotate.workflow.models import Release


def member_rows(*, project: Project) -> list[dict]:
    """Every member with their role, last activity (their latest span change in the project),
    spans in their own layer and assignments done of assigned, in four queries."""
    memberships = list(Membership.objects.filter(project=project).select_related("user").order_by("user__username"))
    last: dict = {}
    # one query over the history's two tables (not its view, which spells out a batch's spans)
    for actor_id, at in (
        SpanChange.objects.filter(project=project).order_by().values("actor_id").annotate(at=Max("at")).values_list("actor_id", "at")
        .union(
            SpanBatch.objects.filter(project=project).order_by().values("actor_id").annotate(at=Max("at")).values_list("actor_id", "at"),
            all=True,
        )
    ):
        last[actor_id] = max(at, last.get(actor_id, at))
    spans = dict(
        Span.objects.filter(document__project=project, layer=Layer.INDIVIDUAL)
        .values("annotator_id").annotate(n=Count("id")).values_list("annotator_id", "n")
    )
    work = {
        row["user_id"]: row
        for row in Assignment.objects.filter(document__project=project)
        .exclude(status=AssignmentStatus.SKIPPED)
        .values("user_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status=AssignmentStatus.DONE)))
    }
    managers = sum(1 for m in memberships if m.role == "manager")
    return [
        {
            "membership": m,
            "user": m.user,
            "role": m.role,
            "last_activity": last.get(m.user_id),
            "spans": spans.get(m.user_id, 0),
            "assigned": work.get(m.user_id, {}).get("total", 0),
            "done": work.get(m.user_id, {}).get("done", 0),
            "is_last_manager": m.role == "manager" and managers == 1,
        }
        for m in memberships
    ]


def deletion_summary(*, project: Project) -> dict:
    """What deleting the project would remove, as the confirmation page states it."""
    return {
        "documents": Document.objects.filter(project=project).count(),
        "spans": Span.objects.filter(document__project=project).count(),
        "releases": Release.objects.filter(project=project).count(),
        "members": Membership.objects.filter(project=project).count(),
    }


def document_span_count(*, document: Document) -> int:
    return Span.objects.filter(document_id=document.pk).count()


def first_run(*, project: Project, access: Access) -> dict:
    """What the project page suggests next: to a member who has not started, the queue and
    the guidelines; on an empty project, how to add documents; to a manager on their own,
    the invite form."""
    has_documents = Document.objects.filter(project=project).exists()
    started = (
        SpanEvent.objects.filter(project=project, actor_id=access.user_id).exists()
        or Assignment.objects.filter(document__project=project, user_id=access.user_id).exists()
    )
    alone = access.is_manager and not Membership.objects.filter(project=project).exclude(user_id=access.user_id).exists()
    return {
        "has_documents": has_documents,
        "new_member": not started and has_documents,
        "manager_alone": alone,
        "archived": project.archived_at is not None,
    }
