"""Who may see or do what: the one place that decides, for pages and API alike.

Everything in a project is invisible (404) to a non-member. A member who may see a thing but
not do it gets 403. Three kinds of decision live here and nowhere else:

- fetches: `*_for_user(user, ...)` return the object and the caller's `Access`, 404 when the
  caller may not see it (project, document, span, assignment, member, release);
- rules: one `Rule` constant per action (EDIT_PROJECT, ADJUDICATE, SEE_RELEASES, ...), checked
  with `check(access, RULE)` by the service or selector that does the action, never by a view,
  so a new view cannot forget; `may(access, RULE)` answers the same for a template;
- blind review: `others_hidden` / `documents_with_others_hidden` / `readable_spans`, applied in
  every read of spans (span list, workspace, project page, export, releases, agreement,
  adjudication, dashboard); `readable_assignments` likewise for who finished which document.

docs/api.md ("Permissions") has the table of who sees what; tests/permission_matrix.py checks
every route for every persona.
"""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404

from annotate.models import Assignment, AssignmentStatus, Document, Membership, Project, Role, Span
from annotate.raw_rows import first_instance, first_instances, select_list

MANAGERS = frozenset({Role.MANAGER})
REVIEWERS = frozenset({Role.MANAGER, Role.REVIEWER})
MEMBERS = frozenset(Role.values)


@dataclass(frozen=True)
class Access:
    """A user's standing in one project: facts only; the rules below decide what it allows."""

    user_id: int
    project_id: int
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def sees_all_layers(self) -> bool:
        """Reviewers and managers may open other members' layers (blind review aside)."""
        return self.role in REVIEWERS

    @property
    def sees_everyones_history(self) -> bool:
        """Managers read every span event; others their own actions (history would reveal layers)."""
        return self.is_manager

    @property
    def sees_everyones_assignments(self) -> bool:
        return self.is_manager

    @property
    def may_write_gold(self) -> bool:
        """Whether spans this user imports may go into the gold layer (WRITE_OTHERS_LAYERS)."""
        return self.role in WRITE_OTHERS_LAYERS.roles

    def may_see_layer(self, annotator_id: int) -> bool:
        return annotator_id == self.user_id or self.sees_all_layers

    def may_edit_span(self, span: Span) -> bool:
        return span.annotator_id == self.user_id or self.sees_all_layers


@dataclass(frozen=True)
class Rule:
    """Who may do one thing. `roles_under_blind_review`, when set, replaces `roles` in projects
    under blind review (reads of other members' work)."""

    action: str  # finishes the 403 message "Your role in this project (...) may not <action>."
    roles: frozenset
    roles_under_blind_review: frozenset | None = None

    def roles_in(self, project: Project | None) -> frozenset:
        if self.roles_under_blind_review is None:
            return self.roles
        if project is None:
            raise TypeError(f"The rule to {self.action} depends on the project: pass project=.")
        return self.roles_under_blind_review if project.blind_review else self.roles


# Projects and their members
EDIT_PROJECT = Rule("edit the project", MANAGERS)  # also its review settings
ARCHIVE_PROJECT = Rule("archive the project", MANAGERS)
DELETE_PROJECT = Rule("delete the project", MANAGERS)
MANAGE_MEMBERS = Rule("manage members", MANAGERS)  # the members page
INVITE_MEMBERS = Rule("invite members or withdraw invites", MANAGERS)
ADD_MEMBER = Rule("add members", MANAGERS)
CHANGE_ROLE = Rule("change roles", MANAGERS)
REMOVE_MEMBER = Rule("remove members", MANAGERS)
# Documents
ADD_DOCUMENTS = Rule("add documents", MANAGERS)
IMPORT_DOCUMENTS = Rule("import documents", MANAGERS)
EDIT_DOCUMENTS = Rule("edit documents", MANAGERS)
DELETE_DOCUMENTS = Rule("delete documents", MANAGERS)
# Spans: every member labels in their own layer; reviewers and managers in others' and gold
WRITE_OTHERS_LAYERS = Rule("write in another member's layer or the gold layer", REVIEWERS)
EXPORT_ALL_LAYERS = Rule("export other members' spans or the gold layer", REVIEWERS)
# The workflow
TAKE_FROM_QUEUE = Rule("take documents from the queue", MEMBERS)
MARK_OWN_WORK = Rule("mark your own work done", MEMBERS)
ASSIGN = Rule("assign documents", MANAGERS)
REASSIGN = Rule("reassign documents", MANAGERS)
REMOVE_ASSIGNMENT = Rule("remove assignments", MANAGERS)
ADJUDICATE = Rule("adjudicate", REVIEWERS)
FREEZE_RELEASE = Rule("freeze releases", MANAGERS)
SEE_AGREEMENT = Rule("see the agreement of others under blind review", MEMBERS, REVIEWERS)
SEE_RELEASES = Rule("see releases under blind review", MEMBERS, REVIEWERS)
SEE_PROGRESS = Rule("see the project's progress", MEMBERS)
SEE_HISTORY = Rule("see the span history", MEMBERS)
SEE_WHO_FINISHED_WHAT = Rule("see which documents other members finished", REVIEWERS)  # see readable_assignments
# Jobs (imports, exports, releases, agreement run by a worker); each job also needs the rule of
# the work it does (IMPORT_DOCUMENTS, FREEZE_RELEASE, ...), checked when it starts and again when it runs
EXPORT_PROJECT = Rule("export the project", MEMBERS)  # one's own layer; EXPORT_ALL_LAYERS for more
CANCEL_OWN_JOBS = Rule("cancel the jobs you started", MEMBERS)
SEE_OTHERS_JOBS = Rule("see or cancel jobs other members started", MANAGERS)
# Suggestions come from the text alone (no one's layer), so every member sees them; decisions
# are each member's own. Turning them off is EDIT_PROJECT.
SEE_SUGGESTIONS = Rule("see suggested spans", MEMBERS)
ACCEPT_SUGGESTIONS = Rule("accept or reject suggestions", MEMBERS)
RUN_SUGGESTIONS = Rule("run the suggester over the whole project", MANAGERS)
SEE_SUGGESTION_STATS = Rule("see how often suggestions are accepted", REVIEWERS)
# The sources view and claim maps count spans through readable_spans, like every bulk read.
SEE_SOURCES = Rule("see the sources view", MEMBERS)
MERGE_SOURCES = Rule("merge or split sources", REVIEWERS)


def may(access: Access, rule: Rule, *, project: Project | None = None) -> bool:
    return access.role in rule.roles_in(project)


def check(access: Access, rule: Rule, *, project: Project | None = None) -> None:
    """403 unless the caller's role allows the rule (404 when `project` is not the caller's)."""
    if project is not None and project.pk != access.project_id:
        raise Http404("No such project.")
    if not may(access, rule, project=project):
        raise PermissionDenied(f"Your role in this project ({access.role}) may not {rule.action}.")


def may_read_api_schema(user) -> bool:
    """The OpenAPI schema and its docs page describe every endpoint: for signed-in users (session
    or token) unless settings.API_SCHEMA_PUBLIC (env API_SCHEMA_PUBLIC=1) opens them to all."""
    return bool(settings.API_SCHEMA_PUBLIC or user.is_authenticated)


def role_may(role: str, rule: Rule) -> bool:
    """For a member who is not the caller (an import names the owners of its spans)."""
    return role in rule.roles


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


def project_for_user(user, project_id: int, *, may: Rule | None = None) -> tuple[Project, Access]:
    """The project and the caller's access; 404 for non-members, 403 when `may` (the rule of
    what the caller is about to do) does not allow it. Checking here answers 403 before the
    request body is read; the service checks the rule again, so nothing depends on it."""
    project = None
    if user.is_authenticated:
        project = Project.objects.annotate(my_role=_role_of(user, OuterRef("pk"))).filter(
            pk=project_id, my_role__isnull=False
        ).first()
    if project is None:
        raise Http404("No such project.")
    access = Access(user_id=user.pk, project_id=project.pk, role=project.my_role)
    if may is not None:
        check(access, may, project=project)
    return project, access


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


def document_for_user(
    user, document_id: int, *, with_text: bool = True, may: Rule | None = None
) -> tuple[Document, Access]:
    """The document and the user's access to its project, in one query; 404 for non-members,
    403 when `may` does not allow what the caller is about to do (see project_for_user).

    with_text=False leaves the (possibly megabyte-long) text unread.
    """
    document = None
    if user.is_authenticated and 0 < document_id < 2**63:  # out-of-range ids cannot exist
        sql = _DOCUMENT_WITH_TEXT if with_text else _DOCUMENT_WITHOUT_TEXT
        document = next(iter(Document.objects.raw(sql, [user.pk, document_id])), None)
    if document is None:
        raise Http404("No such document.")
    access = Access(user_id=user.pk, project_id=document.project_id, role=document.my_role)
    if may is not None:
        check(access, may, project=document.project if may.roles_under_blind_review else None)
    return document, access


# A span save: the permission check also reads what validation needs and takes the document
# row's lock (annotate.services.spans' lock order), so a save runs one query here, not three.
# the columns of _DOCUMENT_WINDOW_COLUMNS, then the two extras, in both queries that read a window
_DOCUMENT_WINDOW_SELECT = "x.id, x.project_id, x.length, x.text_sha256, substr(x.text, %s, %s) AS text_window, m.role AS my_role"
_DOCUMENT_WINDOW_SQL = f"""
    SELECT {_DOCUMENT_WINDOW_SELECT}
    FROM annotate_document x JOIN annotate_membership m ON m.project_id = x.project_id AND m.user_id = %s
    WHERE x.id = %s
"""
_DOCUMENT_WINDOW_COLUMNS = ("id", "project_id", "length", "text_sha256")


def document_window_for_user(
    user, document_id: int, *, lo: int, hi: int, lock: bool = True
) -> tuple[Document, Access]:
    """document_for_user for a write: the document (id, project_id, length, text_sha256 and
    `text_window` = text[lo:hi] loaded; the rest deferred) and the access, in one query, the
    document row locked FOR KEY SHARE on PostgreSQL inside the caller's transaction. 404 for
    non-members. lock=False: a plain read, for a write that checks again with
    still_member_of_document_sql in its own statement."""
    document = None
    if user.is_authenticated and 0 < document_id < 2**63:
        locked = lock and connection.vendor == "postgresql"
        sql = _DOCUMENT_WINDOW_SQL + (" FOR KEY SHARE OF x" if locked else "")
        params = [max(lo, 0) + 1, max(hi - lo, 0), user.pk, document_id]
        document = first_instance(Document, sql, params, _DOCUMENT_WINDOW_COLUMNS, extra=("text_window", "my_role"))
    if document is None:
        raise Http404("No such document.")
    return document, Access(user_id=user.pk, project_id=document.project_id, role=document.my_role)


_USER_COLUMNS, _USER_ATTNAMES = select_list(get_user_model(), "u")
# The span save authenticated by an API token: the token's user and the document window in one
# query (the token lookup was a round trip of its own).
_TOKEN_DOCUMENT_WINDOW_SQL = f"""
    SELECT {_USER_COLUMNS}, {_DOCUMENT_WINDOW_SELECT}
    FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id
    JOIN annotate_membership m ON m.user_id = u.id
    JOIN annotate_document x ON x.project_id = m.project_id
    WHERE t.key = %s AND x.id = %s
"""


def token_user_and_document_window(key: str, document_id: int, *, lo: int, hi: int):
    """(user, document, access) for an API token's active user who is a member of the document's
    project, the document as document_window_for_user(lock=False) loads it, in one query; None
    when any of that is missing (an unknown token, an inactive user, a non-member, no such
    document), and the caller then authenticates and checks as it always does (401, 404)."""
    if not 0 < document_id < 2**63:
        return None
    params = [max(lo, 0) + 1, max(hi - lo, 0), key, document_id]
    found = first_instances(
        _TOKEN_DOCUMENT_WINDOW_SQL, params,
        (get_user_model(), _USER_ATTNAMES, ()), (Document, _DOCUMENT_WINDOW_COLUMNS, ("text_window", "my_role")),
    )  # fmt: skip
    if found is None or not found[0].is_active:
        return None
    user, document = found
    return user, document, Access(user_id=user.pk, project_id=document.project_id, role=document.my_role)


def still_member_of_document_sql(user, document: Document) -> tuple[str, list]:
    """A SELECT for one statement that writes into `document` (read by document_window_for_user
    with lock=False): it yields the document's row, locked FOR KEY SHARE, only while the user
    is still a member of its project and the text is still the one that was read (its hash);
    else no row, and the write writes nothing. PostgreSQL only."""
    sql = (
        "SELECT x.id, x.project_id FROM annotate_document x JOIN annotate_membership m"
        " ON m.project_id = x.project_id AND m.user_id = %s"
        " WHERE x.id = %s AND x.text_sha256 = %s FOR KEY SHARE OF x"
    )
    return sql, [user.pk, document.pk, document.text_sha256]


def document_for_adjudicator(user, document_id: int, *, with_text: bool = True) -> tuple[Document, Access]:
    """The document, for a reviewer or manager who may adjudicate it now (check_may_adjudicate)."""
    document, access = document_for_user(user, document_id, with_text=with_text)
    check_may_adjudicate(access=access, document=document)
    return document, access


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


def layers_readable_on(*, access: Access, document_id: int, annotator: str | None) -> Q:
    """The condition on the document's individual spans for a span list: `annotator` None (or "")
    for the caller's own layer, "all" for every layer, or a username. Annotators may ask only for
    their own (403). Under blind review a reviewer whose own assignment on the document is not
    done gets only their own spans for "all", and 403 for another member's username."""
    own = Q(annotator_id=access.user_id)
    if not annotator:
        return own
    if not access.sees_all_layers:
        raise PermissionDenied("Annotators see only their own spans.")
    hidden = others_hidden(access=access, document_id=document_id)
    if annotator == "all":
        return own if hidden else Q()
    if hidden and not get_user_model().objects.filter(pk=access.user_id, username=annotator).exists():
        raise PermissionDenied(
            "Blind review: you see other members' spans on this document once your own assignment is done."
        )
    return Q(annotator__username=annotator)


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


def readable_assignments(*, access: Access) -> Q:
    """The condition on Assignment for the rows a member may read in bulk (the dashboard's
    "who finished which document"): managers all; members SEE_WHO_FINISHED_WHAT allows
    (reviewers) all but other members' on documents blind review hides from them (others_hidden:
    who finished a story is progress on it); everyone else their own."""
    if access.is_manager:
        return Q()
    own = Q(user_id=access.user_id)
    if not may(access, SEE_WHO_FINISHED_WHAT):
        return own
    return own | ~Q(document_id__in=_open_blind_assignments(access).values("document_id"))


def check_may_adjudicate(*, access: Access, document: Document) -> None:
    """Reviewers and managers adjudicate; under blind review not before their own work on the
    document is done (adjudicating shows everyone's spans)."""
    check(access, ADJUDICATE)
    if document.project_id != access.project_id:
        raise Http404("No such document.")
    if others_hidden(access=access, document_id=document.pk):
        raise PermissionDenied("Blind review: finish your own assignment for this document before adjudicating it.")


def check_may_edit_span(*, access: Access, span: Span, action: str = "change this span") -> None:
    """A member edits their own spans; reviewers and managers anyone's (gold included)."""
    if not access.may_edit_span(span):
        raise PermissionDenied(f"You may not {action}.")


def check_may_change_assignment(*, access: Access, assignment: Assignment) -> None:
    if assignment.user_id != access.user_id and not access.is_manager:
        raise PermissionDenied("Only the assignee or a manager changes an assignment.")


def assignment_for_user(user, assignment_id: int) -> tuple[Assignment, Access]:
    """The assignment, for its assignee and the project's managers; 404 for everyone else."""
    assignment = None
    if user.is_authenticated and 0 < assignment_id < 2**63:
        assignment = Assignment.objects.select_related("document").defer("document__text").filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assignment.")
    access = access_for(user, assignment.document.project_id)
    if assignment.user_id != user.pk and not access.sees_everyones_assignments:
        raise Http404("No such assignment.")
    return assignment, access


def membership_for_user(user, project_id: int, username: str, *, may: Rule | None = None) -> tuple[Membership, Access]:
    """A member of the caller's project, by username; 404 for non-members and unknown names."""
    _, access = project_for_user(user, project_id, may=may)
    membership = Membership.objects.filter(project_id=project_id, user__username=username).select_related("user").first()
    if membership is None:
        raise Http404("No such member.")
    return membership, access


def release_for_user(user, project_id: int, number: int):
    """(Release, Access): 404 for non-members and unknown numbers, 403 for annotators under
    blind review (a release shows everyone's adjudicated work)."""
    from annotate.workflow.models import Release  # the workflow app builds on this module

    project, access = project_for_user(user, project_id)
    check(access, SEE_RELEASES, project=project)
    release = Release.objects.filter(project=project, number=number).select_related("project").first()
    if release is None:
        raise Http404("No such release.")
    return release, access


def job_for_user(user, job_id: int):
    """(Job, Access): the job, for whoever started it and for members SEE_OTHERS_JOBS allows (its
    project's managers); 404 for everyone else (a job names files and errors from the project)."""
    from annotate.jobs.models import Job  # the jobs app imports this module

    job = None
    if user.is_authenticated and 0 < job_id < 2**63:
        job = (
            Job.objects.select_related("creator")
            .annotate(my_role=_role_of(user, OuterRef("project_id")))
            .filter(pk=job_id, my_role__isnull=False)
            .first()
        )
    if job is None:
        raise Http404("No such job.")
    access = Access(user_id=user.pk, project_id=job.project_id, role=job.my_role)
    if job.creator_id != user.pk and not may(access, SEE_OTHERS_JOBS):
        raise Http404("No such job.")
    return job, access


def check_may_cancel_job(*, access: Access, job) -> None:
    """403 unless the caller started the job (CANCEL_OWN_JOBS) or SEE_OTHERS_JOBS allows it."""
    if job.project_id != access.project_id:
        raise Http404("No such job.")
    check(access, CANCEL_OWN_JOBS if job.creator_id == access.user_id else SEE_OTHERS_JOBS)


def visible_jobs(*, access: Access):
    """A project's jobs as its member may list them: all of them under SEE_OTHERS_JOBS (managers),
    one's own otherwise."""
    from annotate.jobs.models import Job

    jobs = Job.objects.filter(project_id=access.project_id).select_related("creator")
    return jobs if may(access, SEE_OTHERS_JOBS) else jobs.filter(creator_id=access.user_id)


def suggestion_for_user(user, suggestion_id: int):
    """(suggestion, document without its text, access) for a member of the project; 404 otherwise."""
    from annotate.suggestions.models import Suggestion

    suggestion = None
    if user.is_authenticated and 0 < suggestion_id < 2**63:
        suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None:
        raise Http404("No such suggestion.")
    document, access = document_for_user(user, suggestion.document_id, with_text=False)
    return suggestion, document, access
