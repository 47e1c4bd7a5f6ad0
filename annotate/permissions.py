"""Who may see or do what: the one place that fetches a project's objects for a user.

Everything in a project is invisible (404) to a non-member. A member who may see a thing but
not change it gets 403. `*_for_user` functions fetch and check in one call.
"""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404

from annotate.models import Assignment, AssignmentStatus, Document, Membership, Project, Role, Span

MANAGERS = frozenset({Role.MANAGER})
REVIEWERS = frozenset({Role.MANAGER, Role.REVIEWER})
MEMBERS = frozenset(Role.values)


@dataclass(frozen=True)
class Access:
    """A user's standing in one project."""

    user_id: int
    project_id: int
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def sees_all_layers(self) -> bool:
        return self.role in REVIEWERS

    def require(self, roles: frozenset, action: str = "do this") -> None:
        if self.role not in roles:
            raise PermissionDenied(f"Your role in this project ({self.role}) may not {action}.")

    def may_see_layer(self, annotator_id: int) -> bool:
        return annotator_id == self.user_id or self.sees_all_layers

    def may_edit_span(self, span: Span) -> bool:
        return span.annotator_id == self.user_id or self.sees_all_layers


def _role_of(user, project_ref):
    """A subquery giving the user's role in the project that project_ref (an OuterRef) names."""
    return Subquery(
        Membership.objects.filter(project_id=project_ref, user_id=user.pk).values("role")[:1]
    )


def access_for(user, project_id: int) -> Access:
    """The user's Access in the project, or 404 when they are not a member."""
    role = None
    if user.is_authenticated:
        role = Membership.objects.filter(project_id=project_id, user_id=user.pk).values_list("role", flat=True).first()
    if role is None:
        raise Http404("No such project.")
    return Access(user_id=user.pk, project_id=project_id, role=role)


def project_for_user(user, project_id: int) -> tuple[Project, Access]:
    project = None
    if user.is_authenticated:
        project = Project.objects.annotate(my_role=_role_of(user, OuterRef("pk"))).filter(
            pk=project_id, my_role__isnull=False
        ).first()
    if project is None:
        raise Http404("No such project.")
    return project, Access(user_id=user.pk, project_id=project.pk, role=project.my_role)


def _columns(model, *, without: tuple[str, ...] = ()) -> str:
    return ", ".join(f'x."{f.column}"' for f in model._meta.concrete_fields if f.name not in without)


# Hot path (every span save starts here), so plain SQL: the ORM's subquery compilation cost
# more than the query itself. Unselected columns load lazily, like .defer().
_DOCUMENT_SQL = """
    SELECT {columns}, m.role AS my_role
    FROM annotate_document x JOIN annotate_membership m ON m.project_id = x.project_id AND m.user_id = %s
    WHERE x.id = %s
"""
_DOCUMENT_WITH_TEXT = _DOCUMENT_SQL.format(columns=_columns(Document))
_DOCUMENT_WITHOUT_TEXT = _DOCUMENT_SQL.format(columns=_columns(Document, without=("text",)))


def document_for_user(user, document_id: int, *, with_text: bool = True) -> tuple[Document, Access]:
    """The document and the user's access to its project, in one query; 404 for non-members.

    with_text=False leaves the (possibly megabyte-long) text unread.
    """
    document = None
    if user.is_authenticated and 0 < document_id < 2**63:  # out-of-range ids cannot exist
        sql = _DOCUMENT_WITH_TEXT if with_text else _DOCUMENT_WITHOUT_TEXT
        document = next(iter(Document.objects.raw(sql, [user.pk, document_id])), None)
    if document is None:
        raise Http404("No such document.")
    return document, Access(user_id=user.pk, project_id=document.project_id, role=document.my_role)


def span_for_user(user, span_id: int) -> tuple[Span, Access]:
    """The span, when the user may see its layer; 404 otherwise (an annotator never learns
    that another annotator's span exists)."""
    span = None
    if user.is_authenticated:
        span = (
            Span.objects.select_related("annotator")
            .annotate(project_id=F("document__project_id"), my_role=_role_of(user, OuterRef("document__project_id")))
            .filter(pk=span_id, my_role__isnull=False)
            .first()
        )
    if span is None:
        raise Http404("No such span.")
    access = Access(user_id=user.pk, project_id=span.project_id, role=span.my_role)
    if not access.may_see_layer(span.annotator_id):
        raise Http404("No such span.")
    if span.annotator_id != user.pk and others_hidden(access=access, document_id=span.document_id):
        raise Http404("No such span.")
    return span, access


def _open_blind_assignments(access: Access):
    """The caller's assignments that are not done, on documents of projects under blind review."""
    return Assignment.objects.filter(user_id=access.user_id, document__project__blind_review=True).exclude(
        status=AssignmentStatus.DONE
    )


def documents_with_others_hidden(*, access: Access, document_ids: list[int] | None = None) -> set[int]:
    """Of these documents (None: every document of the caller's project), those on which blind
    review hides other members' spans from this member (see others_hidden), in one query."""
    if access.is_manager or document_ids == []:
        return set()
    assignments = _open_blind_assignments(access)
    if document_ids is None:
        assignments = assignments.filter(document__project_id=access.project_id)
    else:
        assignments = assignments.filter(document_id__in=document_ids)
    return set(assignments.values_list("document_id", flat=True))


def others_hidden(*, access: Access, document_id: int) -> bool:
    """Blind review: a reviewer or annotator does not see other members' spans (individual or
    gold) on a document while their own assignment for it is not done. Managers always see
    everything; a member with no assignment on the document is not labelling it (an
    adjudicator, say), so nothing is hidden from them."""
    return document_id in documents_with_others_hidden(access=access, document_ids=[document_id])


def readable_spans(*, access: Access, prefix: str = "") -> Q:
    """The condition on Span (or on the span that `prefix` leads to, e.g. "attribution__") for
    the spans of any layer the caller may read in bulk reads (exports, counts): managers all;
    reviewers all but other members' spans on documents others_hidden hides from them;
    annotators their own. A subquery, so it costs no query of its own whatever the project size."""
    if access.is_manager:
        return Q()
    own = Q(**{f"{prefix}annotator_id": access.user_id})
    if not access.sees_all_layers:
        return own
    hidden = _open_blind_assignments(access).values("document_id")
    return own | ~Q(**{f"{prefix}document_id__in": hidden})


def job_for_user(user, job_id: int):
    """The job, for its project's managers and for whoever started it; 404 for everyone else
    (a job names files and errors from the project)."""
    from annotate.jobs.models import Job  # the jobs app imports this module

    job = None
    if user.is_authenticated and 0 < job_id < 2**63:
        job = (
            Job.objects.select_related("creator")
            .annotate(my_role=_role_of(user, OuterRef("project_id")))
            .filter(pk=job_id, my_role__isnull=False)
            .first()
        )
    if job is None or (job.my_role != Role.MANAGER and job.creator_id != user.pk):
        raise Http404("No such job.")
    return job


def visible_jobs(*, access: Access):
    """A project's jobs as its member may list them: all of them for a manager, one's own otherwise."""
    from annotate.jobs.models import Job

    jobs = Job.objects.filter(project_id=access.project_id).select_related("creator")
    return jobs if access.is_manager else jobs.filter(creator_id=access.user_id)
