"""The permission matrix: for every route of annotate.urls, every method, and every persona, the
status a request answers and, for reads, whose spans its body may show.
tests/test_permission_matrix.py walks the URL configuration and fails for a route that has no
entry here, so a new route cannot ship without saying who may use it.

HOW TO ADD A ROUTE
------------------
Add one entry to MATRIX, keyed by the route's name (its `name=` in urls.py):

    "api-widget-list": Route(on="project", cases=[
        Case("GET", api(200)),                      # every member 200; outsider 404; anonymous 401
        Case("POST", api(400, 403), data={}),       # manager 400 (got past the check, body empty),
    ]),                                             # reviewers and annotator 403

- `on` names what the route's `<int:pk>` is: "project", "document", "span", "assignment", "job"; or give
  `kwargs=lambda f: {...}` for other URL arguments (`f` is the fixture below).
- A `Case` is one request: method, expected statuses per persona, optional `data` (JSON for the
  API, a form for pages), `query` (GET parameters) and, for reads, `spans`.
- Statuses: `api(manager, reviewers=None, reviewer_done=None, annotator=None)` for /api/ routes
  (outsider 404, anonymous 401; a persona left out answers like the one before it), `page(...)`
  the same for pages (anonymous 302 to the login page), `public(s)` for everyone alike,
  `signed_in(s)` for routes any signed-in user may use. Write the status you *mean*; when a
  request with an empty body is refused for a field, 400 means "got past the permission check".
- `spans` (GET only): which personas' spans may appear in the body, per persona, e.g.
  `spans=BLIND_ALL_LAYERS`. Without it no span may appear. Each span's note is a marker
  ("span-of-annotator", ..., "span-of-gold") the test looks for in the body.
- `says` (GET only): a string each persona's body must contain, for what markers cannot show
  (counts: a release's gold span count must leave out what blind review hides).
- `url_kwargs`: URL arguments of this case that differ from the route's (another download format).
- Writes run inside a transaction that is rolled back, so a DELETE does not change the fixture.

THE PERSONAS AND THE FIXTURE (tests/test_permission_matrix.py builds it once)
-----------------------------------------------------------------------------
One project under blind review with one document, on which:
  manager        alice   manages the project; adjudicated a gold span ("span-of-gold")
  reviewer_open  bob     reviewer whose own assignment on the document is in progress
  reviewer_done  erin    reviewer whose assignment on it is done
  annotator      carol   annotator, done; her attribution span links to another of hers
  outsider       mallory manager of another project only
  anonymous      -       not signed in
and a frozen release (with the individual layers), an open invite, bob's assignment, and an
export job bob ran (its file holds his export: blind review applied when it ran).
"""
from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = ("manager", "reviewer_open", "reviewer_done", "annotator", "outsider", "anonymous")
MEMBERS = PERSONAS[:4]
INDIVIDUAL = frozenset({"reviewer_open", "reviewer_done", "annotator"})  # whose individual spans exist
GOLD = frozenset({"gold"})
NONE = frozenset()


def _statuses(values: tuple, *, outsider: int, anonymous: int) -> dict[str, int]:
    filled, last = [], None
    for value in values:
        last = value if value is not None else last
        filled.append(last)
    return dict(zip(PERSONAS, [*filled, outsider, anonymous]))


def api(manager: int, reviewer_open: int | None = None, reviewer_done: int | None = None, annotator: int | None = None,
        *, outsider: int = 404, anonymous: int = 401) -> dict[str, int]:
    """Statuses of an /api/ route: members as given (each left out is like the one before),
    the outsider 404 (a project's things do not exist for her), anonymous 401."""
    return _statuses((manager, reviewer_open, reviewer_done, annotator), outsider=outsider, anonymous=anonymous)


def page(manager: int, reviewer_open: int | None = None, reviewer_done: int | None = None, annotator: int | None = None,
         *, outsider: int = 404, anonymous: int = 302) -> dict[str, int]:
    """Statuses of a page: as api(), but anonymous visitors are sent to the login page (302)."""
    return _statuses((manager, reviewer_open, reviewer_done, annotator), outsider=outsider, anonymous=anonymous)


def public(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: int, *, anonymous: int = 302) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, status), "anonymous": anonymous}


def spans(manager=NONE, reviewer_open=NONE, reviewer_done=NONE, annotator=NONE, outsider=NONE, anonymous=NONE):
    return dict(zip(PERSONAS, (manager, reviewer_open, reviewer_done, annotator, outsider, anonymous)))


# Every member's layer for a reviewer or manager, but blind review: bob, still at work on the
# document, sees his own only. The annotator sees her own.
BLIND_ALL_LAYERS = spans(INDIVIDUAL, {"reviewer_open"}, INDIVIDUAL, {"annotator"})
OWN_LAYER = spans(NONE, {"reviewer_open"}, {"reviewer_done"}, {"annotator"})
BLIND_GOLD = spans(GOLD, NONE, GOLD, NONE)
ADJUDICATION = spans(INDIVIDUAL | GOLD, NONE, INDIVIDUAL | GOLD)
# Span history: managers read every event (with the spans' before and after), others their own.
HISTORY = spans(INDIVIDUAL | GOLD, {"reviewer_open"}, {"reviewer_done"}, {"annotator"})


@dataclass(frozen=True)
class Case:
    method: str
    status: dict[str, int]
    data: dict | None = None
    query: dict | None = None
    spans: dict[str, frozenset] | None = None
    says: dict[str, str] | None = None
    url_kwargs: dict | None = None  # replaces some of the route's URL arguments for this case
    headers: dict | None = None  # request headers, e.g. {"X-Forwarded-For": ...} (through the proxy)


@dataclass(frozen=True)
class Route:
    cases: list[Case]
    on: str | None = None  # what <int:pk> is: project, document, span, assignment
    kwargs: Callable | None = None  # lambda fixture: {...} for the other URL arguments
    extra: dict = field(default_factory=dict)


def _says(template: str, **values) -> dict[str, str]:
    """`template` filled with each persona's value (members left out say nothing)."""
    return {persona: template.format(value) for persona, value in values.items()}


# The release's gold span count: bob, still at work on its one document, is not told it.
GOLD_COUNT_JSON = _says('"gold_spans":{}', manager=1, reviewer_open=0, reviewer_done=1)
GOLD_COUNT_PAGE = _says('data-testid="gold-spans">{}', manager=1, reviewer_open=0, reviewer_done=1)


# The sources view counts carol's attribution; bob, still at work under blind review, does not see it.
SOURCES_JSON = _says("{}", manager='"name":"the ministry"', reviewer_open='"sources":[]',
                     reviewer_done='"name":"the ministry"', annotator='"name":"the ministry"')
SOURCES_PAGE = _says("{}", manager="<bdi>the ministry</bdi>", reviewer_open="No attribution",
                     reviewer_done="<bdi>the ministry</bdi>", annotator="<bdi>the ministry</bdi>")
CLAIMS = spans({"annotator"}, NONE, {"annotator"}, {"annotator"})


def _release(f):
    return {"pk": f.project.pk, "number": f.release.number}


def _suggestion(f):
    """The cue the suggester finds in the fixture's text ("The ministry said that")."""
    from annotate.suggestions.models import Suggestion
    from annotate.suggestions.services import document_suggest

    document_suggest(document_id=f.document.pk)
    return {"pk": Suggestion.objects.get(document=f.document, label="attribution").pk}


def _release_download(status: dict[str, int]) -> Route:
    """A release's jsonl, gold (the default) and individual layers: blind review holds in both."""
    individual = spans(INDIVIDUAL, {"reviewer_open"}, INDIVIDUAL)
    return Route(
        kwargs=lambda f: {**_release(f), "fmt": "jsonl"},
        cases=[
            Case("GET", status, spans=BLIND_GOLD),
            Case("GET", status, query={"layer": "individual"}, spans=individual),
            Case("GET", status, url_kwargs={"fmt": "manifest"}, says=GOLD_COUNT_JSON),
        ],
    )


MATRIX: dict[str, Route] = {
    # ------------------------------------------------------------ pages
    "project-list": Route(cases=[Case("GET", signed_in(200))]),
    "login": Route(cases=[Case("GET", public(200)), Case("POST", public(200), data={})]),
    "logout": Route(cases=[Case("POST", public(302)), Case("GET", public(405))]),
    "project-detail": Route(on="project", cases=[Case("GET", page(200))]),
    "document-workspace": Route(on="document", cases=[Case("GET", page(200))]),
    # ------------------------------------------------------------ workflow pages
    "workflow-dashboard": Route(on="project", cases=[Case("GET", page(200))]),
    "workflow-next": Route(on="project", cases=[Case("POST", page(302))]),
    "workflow-assignments": Route(on="project", cases=[
        Case("GET", page(200)),
        # a service error on a form becomes a message and a redirect (302); another role is 403
        Case("POST", page(302, 403), data={"action": "settings"}),
    ]),
    "workflow-agreement": Route(on="project", cases=[Case("GET", page(200, 200, 200, 403))]),
    "workflow-adjudication": Route(on="project", cases=[Case("GET", page(200, 200, 200, 403))]),
    "workflow-adjudicate": Route(on="document", cases=[
        Case("GET", page(200, 403, 200, 403), spans=ADJUDICATION),
        Case("POST", page(302, 403, 302, 403), data={}),
    ]),
    "workflow-releases": Route(on="project", cases=[
        Case("GET", page(200, 200, 200, 403), says=_says('data-testid="release-gold-spans">{}', manager=1,
                                                          reviewer_open=0, reviewer_done=1)),
        Case("POST", page(302, 403), data={}),
    ]),
    "workflow-release": Route(kwargs=_release, cases=[Case("GET", page(200, 200, 200, 403), says=GOLD_COUNT_PAGE)]),
    "workflow-release-download": _release_download(page(200, 200, 200, 403)),
    "workflow-release-download-package": Route(kwargs=_release, cases=[Case("GET", page(200, 200, 200, 403))]),
    "workflow-history": Route(on="project", cases=[Case("GET", page(200), spans=HISTORY)]),
    "project-import": Route(on="project", cases=[Case("POST", page(302, 403), data={})]),
    # ------------------------------------------------------------ project setup pages
    # The setup forms show an empty POST as a fresh form (200); a POST with bad fields is 400.
    "setup-project-new": Route(cases=[Case("GET", signed_in(200)), Case("POST", signed_in(200), data={})]),
    "setup-project-settings": Route(on="project", cases=[
        Case("GET", page(200, 403)), Case("POST", page(200, 403), data={}),
    ]),
    "setup-project-archive": Route(on="project", cases=[Case("POST", page(302, 403), data={})]),
    "setup-project-delete": Route(on="project", cases=[
        Case("GET", page(200, 403)), Case("POST", page(200, 403), data={}),
    ]),
    "setup-members": Route(on="project", cases=[Case("GET", page(200, 403)), Case("POST", page(400, 403), data={})]),
    "setup-member-role": Route(
        kwargs=lambda f: {"pk": f.project.pk, "member_id": f.membership.pk},
        cases=[Case("POST", page(400, 403), data={})],
    ),
    "setup-member-remove": Route(
        kwargs=lambda f: {"pk": f.project.pk, "member_id": f.membership.pk},
        cases=[Case("POST", page(302, 403), data={})],
    ),
    "setup-invite-revoke": Route(
        kwargs=lambda f: {"pk": f.project.pk, "invite_id": f.invite.pk},
        cases=[Case("POST", page(302, 403), data={})],
    ),
    "setup-document-new": Route(on="project", cases=[
        Case("GET", page(200, 403)), Case("POST", page(200, 403), data={}),
    ]),
    "setup-document-upload": Route(on="project", cases=[
        Case("GET", page(200, 403)), Case("POST", page(200, 403), data={}),
    ]),
    "setup-document-edit": Route(on="document", cases=[
        Case("GET", page(200, 403)), Case("POST", page(200, 403), data={}),
    ]),
    "setup-document-delete": Route(on="document", cases=[
        Case("GET", page(200, 403)), Case("POST", page(302, 403), data={}),
    ]),
    "setup-markdown-preview": Route(cases=[Case("POST", signed_in(400), data={})]),  # wants a JSON body
    # ------------------------------------------------------------ accounts (no project: the same for everyone)
    "invite-accept": Route(kwargs=lambda f: {"token": "not-a-token"}, cases=[Case("GET", public(400))]),
    "signup": Route(cases=[Case("GET", public(403))]),  # SIGNUP_OPEN is off by default
    "account": Route(cases=[Case("GET", signed_in(200))]),
    "sign-out-everywhere": Route(cases=[Case("POST", signed_in(400), data={})]),  # asks for the password
    "password_change": Route(cases=[Case("GET", signed_in(200)), Case("POST", signed_in(200), data={})]),
    "password_change_done": Route(cases=[Case("GET", signed_in(200))]),
    "password_reset": Route(cases=[Case("GET", public(200)), Case("POST", public(200), data={})]),
    "password_reset_done": Route(cases=[Case("GET", public(200))]),
    "password_reset_confirm": Route(kwargs=lambda f: {"uidb64": "x", "token": "y"}, cases=[Case("GET", public(200))]),
    "password_reset_complete": Route(cases=[Case("GET", public(200))]),
    # ------------------------------------------------------------ REST API
    "api-token": Route(cases=[Case("POST", public(400), data={})]),
    "api-project-list": Route(cases=[
        Case("GET", signed_in(200, anonymous=401)),
        Case("POST", signed_in(400, anonymous=401), data={}),  # anyone signed in may create a project
    ]),
    "api-project-detail": Route(on="project", cases=[
        Case("GET", api(200)),
        Case("PATCH", api(200, 403), data={}),
        Case("DELETE", api(204, 403)),
    ]),
    "api-project-archive": Route(on="project", cases=[Case("POST", api(200, 403)), Case("DELETE", api(200, 403))]),
    "api-invite-list": Route(on="project", cases=[Case("GET", api(200, 403)), Case("POST", api(400, 403), data={})]),
    "api-invite-detail": Route(
        kwargs=lambda f: {"pk": f.project.pk, "invite_id": f.invite.pk}, cases=[Case("DELETE", api(204, 403))]
    ),
    "api-member-list": Route(on="project", cases=[Case("GET", api(200)), Case("POST", api(400, 403), data={})]),
    "api-member-detail": Route(
        kwargs=lambda f: {"pk": f.project.pk, "username": "carol"},
        cases=[Case("GET", api(200)), Case("PATCH", api(400, 403), data={}), Case("DELETE", api(204, 403))],
    ),
    "api-document-list": Route(on="project", cases=[Case("GET", api(200)), Case("POST", api(400, 403), data={})]),
    # 428: past the permission check, refused for want of the version (If-Match) it edits
    "api-document-detail": Route(on="document", cases=[
        Case("GET", api(200)),
        Case("PATCH", api(428, 403), data={}),
        Case("DELETE", api(428, 403)),
    ]),
    "api-span-list": Route(on="document", cases=[
        Case("GET", api(200), spans=OWN_LAYER),
        Case("GET", api(200, 200, 200, 403), query={"annotator": "all"}, spans=BLIND_ALL_LAYERS),
        Case("POST", api(400), data={}),  # every member labels in their own layer
    ]),
    # the annotator's span: bob, still at work under blind review, does not learn it exists
    "api-span-detail": Route(on="span", cases=[
        Case("GET", api(200, 404, 200, 200), spans=spans({"annotator"}, NONE, {"annotator"}, {"annotator"})),
        Case("PATCH", api(428, 404, 428, 428), data={}),
        Case("DELETE", api(428, 404, 428, 428)),
    ]),
    "api-span-links": Route(on="span", cases=[
        Case("GET", api(200, 404, 200, 200)),
        Case("POST", api(400, 404, 400, 400), data={}),
    ]),
    "api-span-link-detail": Route(
        kwargs=lambda f: {"pk": f.span.pk, "target_id": f.link_target.pk},
        cases=[Case("DELETE", api(204, 404, 204, 204))],
    ),
    "api-document-done": Route(on="document", cases=[Case("POST", api(200)), Case("DELETE", api(200))]),
    "api-project-export": Route(on="project", cases=[
        Case("GET", api(200), spans=BLIND_ALL_LAYERS),
        Case("GET", api(200, 200, 200, 403), query={"layer": "gold"}, spans=BLIND_GOLD),
        Case("GET", api(200), query={"format": "csv"}, spans=BLIND_ALL_LAYERS),
        Case("POST", api(202)),  # the same export as a job (any member)
        Case("POST", api(202, 202, 202, 403), query={"layer": "gold"}),
    ]),
    "api-project-export-manifest": Route(on="project", cases=[Case("GET", api(200))]),
    "api-project-import": Route(on="project", cases=[Case("POST", api(415, 403), data={})]),  # multipart only
    "api-next-document": Route(on="project", cases=[Case("POST", api(204, 200, 204, 204))]),
    "api-assignment-list": Route(on="project", cases=[Case("GET", api(200)), Case("POST", api(400, 403), data={})]),
    # bob's own assignment: his and the managers' to read; only managers remove assignments
    "api-assignment-detail": Route(on="assignment", cases=[
        Case("GET", api(200, 200, 404, 404)),
        Case("PATCH", api(200, 200, 404, 404), data={}),
        Case("DELETE", api(204, 403, 404, 404)),
    ]),
    "api-agreement": Route(on="project", cases=[
        Case("GET", api(200, 200, 200, 403)),
        Case("POST", api(202, 202, 202, 403)),  # computed by a worker, for its creator
    ]),
    "api-progress": Route(on="project", cases=[Case("GET", api(200))]),
    "api-history": Route(on="project", cases=[Case("GET", api(200), spans=HISTORY)]),
    "api-history-export": Route(on="project", cases=[Case("GET", api(200), spans=HISTORY)]),
    "api-adjudication": Route(on="document", cases=[Case("GET", api(200, 403, 200, 403), spans=ADJUDICATION)]),
    "api-gold-accept": Route(on="document", cases=[Case("POST", api(400, 403, 400, 403), data={})]),
    "api-gold-accept-agreed": Route(on="document", cases=[Case("POST", api(200, 403, 200, 403))]),
    "api-gold-reject": Route(on="document", cases=[Case("POST", api(400, 403, 400, 403), data={})]),
    "api-gold-unreject": Route(on="document", cases=[Case("POST", api(400, 403, 400, 403), data={})]),
    "api-release-list": Route(on="project", cases=[
        Case("GET", api(200, 200, 200, 403), says=GOLD_COUNT_JSON),
        Case("POST", api(400, 403), data={}),
    ]),
    "api-release-detail": Route(kwargs=_release, cases=[Case("GET", api(200, 200, 200, 403), says=GOLD_COUNT_JSON)]),
    "api-release-download": _release_download(api(200, 200, 200, 403)),
    "api-release-download-package": Route(kwargs=_release, cases=[Case("GET", api(200, 200, 200, 403))]),
    # ------------------------------------------------------------ jobs (bob's export job)
    "api-job-list": Route(cases=[
        Case("GET", signed_in(200, anonymous=401)),  # one's own jobs, or a project's (managers: all)
    ]),
    "api-job-detail": Route(on="job", cases=[Case("GET", api(200, 200, 404, 404))]),
    "api-job-download": Route(on="job", cases=[Case("GET", api(200, 200, 404, 404), spans=spans({"reviewer_open"}, {"reviewer_open"}))]),
    "api-job-cancel": Route(on="job", cases=[Case("POST", api(409, 409, 404, 404))]),  # it has finished: 409
    # ------------------------------------------------------------ suggestions (of the document's text)
    "api-document-suggestions": Route(on="document", cases=[Case("GET", api(200))]),  # from the text: no one's spans
    "api-project-suggestions": Route(on="project", cases=[Case("POST", api(202, 403))]),
    "api-suggestion-settings": Route(on="project", cases=[Case("GET", api(200)), Case("PUT", api(400, 403), data={})]),
    "api-suggestion-stats": Route(on="project", cases=[Case("GET", api(200, 200, 200, 403))]),
    "api-suggestion-accept": Route(kwargs=_suggestion, cases=[Case("POST", api(201))]),  # into one's own layer
    "api-suggestion-reject": Route(kwargs=_suggestion, cases=[Case("POST", api(200))]),
    "suggestions-switch": Route(on="project", cases=[Case("POST", page(302, 403))]),
    "api-suggestion-decision": Route(kwargs=_suggestion, cases=[Case("DELETE", api(404))]),  # nobody decided yet
    # ------------------------------------------------------------ sources view (carol's attribution names "the ministry")
    "api-project-sources": Route(on="project", cases=[
        Case("GET", api(200), says=SOURCES_JSON),
        Case("GET", api(200), query={"format": "csv"}, says=_says("{}", manager="the ministry", reviewer_open="merged_keys\r\n",
                                                                  reviewer_done="the ministry", annotator="the ministry")),
    ]),
    "api-sources-merge": Route(on="project", cases=[Case("POST", api(400, 400, 400, 403), data={})]),
    "api-sources-split": Route(on="project", cases=[Case("POST", api(400, 400, 400, 403), data={})]),
    "api-document-claims": Route(on="document", cases=[Case("GET", api(200), spans=CLAIMS)]),
    "sources-project": Route(on="project", cases=[Case("GET", page(200), says=SOURCES_PAGE)]),
    "sources-merge": Route(on="project", cases=[Case("POST", page(302, 302, 302, 403))]),  # back to the page, with the error
    "sources-split": Route(on="project", cases=[Case("POST", page(302, 302, 302, 403))]),
    "sources-claims": Route(on="document", cases=[Case("GET", page(200), spans=CLAIMS)]),
    # ------------------------------------------------------------ article import (the server fetches: managers only)
    "api-article-import": Route(on="project", cases=[Case("POST", api(400, 403), data={})]),
    "articles-import": Route(on="project", cases=[Case("GET", page(200, 403)), Case("POST", page(200, 403))]),
    # ------------------------------------------------------------ operations (annotate.ops): no project
    "healthz": Route(cases=[Case("GET", public(200))]),
    "readyz": Route(cases=[Case("GET", public(200))]),
    # /metrics is for operators, not project roles (annotate/ops/metrics.py): straight from
    # METRICS_ALLOWED_NETWORKS (the test client's 127.0.0.1 is loopback) or with METRICS_TOKEN it
    # answers whoever is signed in or not; relayed by the reverse proxy (X-Forwarded-For), without
    # the token, it is 404 for everyone, a project's manager too.
    "metrics": Route(cases=[
        Case("GET", public(200)),
        Case("GET", public(404), headers={"X-Forwarded-For": "203.0.113.9"}),
    ]),
    "schema": Route(cases=[Case("GET", signed_in(200, anonymous=401))]),
    "api-docs": Route(cases=[Case("GET", signed_in(200, anonymous=401))]),
}

# Routes the matrix does not check, each with the reason. Keep this short.
EXEMPT_NAMESPACES = {
    "admin": "Django's admin: is_staff decides, not project roles (tests/test_admin_and_demo.py)",
}
