"""Every browser page of the app, found by walking the URL configuration, with a demo-like data
set to fill in the URLs and the persona that opens each one.

Used by the accessibility and layout tests (tests/e2e/test_accessibility.py) and by the
screenshot script (bench/screenshot.py), so a page another engineer adds is checked and
photographed without anyone listing it. A route the walker cannot fill in (a URL argument after
a path segment it does not know) is reported by name instead of being left out: teach
ARGS_BY_SEGMENT how to fill it, or put it in NOT_PAGES with the reason it is not a page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver

PASSWORD = "pass-word-123"

# Routes that answer GET with something other than an HTML page. The tests check that each one
# really is not a page (a GET is refused or is a download), so this list cannot hide a page.
NOT_PAGES = {
    "logout": "POST only (signing out)",
    "workflow-next": "POST only (hands out the next document, then redirects)",
    "project-import": "POST only (the import form's target)",
    "workflow-release-download": "a file download, not a page",
    "workflow-release-download-package": "a file download (the release as a dataset package zip), not a page",
    "setup-project-archive": "POST only (archives, then redirects)",
    "setup-member-role": "POST only (the members page's role form)",
    "setup-member-remove": "POST only (the members page's remove button)",
    "setup-invite-revoke": "POST only (the members page's revoke button)",
    "setup-markdown-preview": "POST only (JSON for the guidelines preview)",
    "sign-out-everywhere": "POST only (the account page's form)",
    "suggestions-switch": "POST only (the dashboard's suggestions switch)",
    "sources-merge": "POST only (the sources page's merge form)",
    "sources-split": "POST only (the sources page's split button)",
    "healthz": "JSON for process supervisors (annotate/ops/health.py)",
    "readyz": "JSON for load balancers (annotate/ops/health.py)",
    "metrics": "Prometheus text for operators (annotate/ops/metrics.py)",
}

# Namespaces and views that are not the app's pages: Django's admin has its own look, and the
# REST API, its schema and Swagger UI are DRF views (the Swagger page has its own CSP test).
EXCLUDED_NAMESPACES = {"admin"}

# Pages that someone who is not signed in sees.
ANONYMOUS_PAGES = {
    "login", "signup", "invite-accept",
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
}

# Pages opened as another persona than the manager (who may open every project page).
PERSONA_BY_PAGE: dict[str, str] = {}

# More visits than one per route: the same page as a role that sees it differently, and the
# error pages (403 as an annotator on a reviewers' page, 404 on a path that does not exist).
EXTRA_VISITS = [
    ("project-detail", "annotator"),
    ("workflow-assignments", "annotator"),
    ("document-workspace", "annotator"),
]


def _signup_status() -> int:
    from django.conf import settings

    return 200 if settings.SIGNUP_OPEN else 403  # closed sign-up is a page that says so


# Pages whose normal answer is not 200.
EXPECTED_STATUS = {"signup": _signup_status}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # "projects/<int:pk>/releases/<int:number>/"
    callback: object


@dataclass(frozen=True)
class Visit:
    name: str  # the URL name, or "403" / "404" / "500"
    path: str
    persona: str  # "manager", "annotator" or "anonymous"
    expect_status: int = 200

    @property
    def label(self) -> str:
        return f"{self.name} as {self.persona} ({self.path})"


def _is_api_view(callback) -> bool:
    from rest_framework.views import APIView

    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, prefix + str(entry.pattern), entry


def page_routes() -> list[Route]:
    """The named routes that render pages: everything but the API, the admin and NOT_PAGES."""
    routes = []
    for namespace, pattern, entry in _walk(get_resolver()):
        if namespace in EXCLUDED_NAMESPACES or not entry.name or _is_api_view(entry.callback):
            continue
        routes.append(Route(entry.name, pattern, entry.callback))
    return routes


def not_page_routes() -> list[Route]:
    return [route for route in page_routes() if route.name in NOT_PAGES]


# How to fill a URL argument, keyed "segment/<name>": the last path segment before it (other
# arguments between them are skipped) and the argument's name.
ARGS_BY_SEGMENT = {
    "projects/<pk>": lambda site: site.project.pk,
    "documents/<pk>": lambda site: site.document.pk,
    "releases/<number>": lambda site: site.release.number,
    "download/<fmt>": lambda site: "jsonl",
    "members/<member_id>": lambda site: site.membership.pk,
    "invites/<invite_id>": lambda site: site.invite.pk,
    "invites/<token>": lambda site: site.invite_token,
    "password-reset/<uidb64>": lambda site: site.reset_uid,
    "password-reset/<token>": lambda site: site.reset_token,
}

_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: Route, site) -> str:
    """The route's path with its arguments taken from the site; ValueError names what is missing."""
    path, position, segment = "/", 0, ""
    for match in _ARGUMENT.finditer(route.pattern):
        literal = route.pattern[position:match.start()]
        if literal.strip("/"):
            segment = literal.strip("/").split("/")[-1]
        key = f"{segment}/<{match.group('name')}>"
        how = ARGS_BY_SEGMENT.get(key)
        if how is None:
            raise ValueError(
                f"page route {route.name!r} ({route.pattern}) has no way to be visited: "
                f"tests/e2e/page_routes.py ARGS_BY_SEGMENT has no {key!r}; add it there (and the "
                f"data to demo_site), or list the route in NOT_PAGES with the reason it is not a page"
            )
        path += literal + str(how(site))
        position = match.end()
    return (path + route.pattern[position:]).replace("//", "/")


def visits(site) -> tuple[list[Visit], list[str]]:
    """(every visit to make, the routes that could not be filled in, as messages)."""
    result, problems = [], []
    paths = {}
    for route in page_routes():
        if route.name in NOT_PAGES:
            continue
        try:
            path = fill(route, site)
        except ValueError as error:
            problems.append(str(error))
            continue
        paths[route.name] = path
        persona = "anonymous" if route.name in ANONYMOUS_PAGES else PERSONA_BY_PAGE.get(route.name, "manager")
        result.append(Visit(route.name, path, persona, EXPECTED_STATUS.get(route.name, lambda: 200)()))
    for name, persona in EXTRA_VISITS:
        if name in paths:
            result.append(Visit(name, paths[name], persona))
    result.append(Visit("403", f"/projects/{site.project.pk}/adjudication/", "annotator", 403))
    result.append(Visit("404", "/no-such-page/", "manager", 404))
    return result, problems


def settle(page) -> None:
    """Waits until the page is drawn: loaded, fonts in, and the workspace's script done (it sets
    body[data-ready] once the text and spans are shown). Not "network idle": a page may keep
    a request open, and on a busy machine idle can take longer than any timeout."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => document.fonts.status === 'loaded'"
        " && (!document.getElementById('workspace-data') || document.body.dataset.ready === 'true')"
    )


def demo_site() -> SimpleNamespace:
    """The demo project (manage.py load_demo) with passwords for its people, a gold layer on the
    first document and a frozen release, so every page has something to show."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from annotate.accounts.services import member_add_or_invite
    from annotate.models import Document, Membership, Project
    from annotate.permissions import access_for
    from annotate.workflow import releases
    from annotate.workflow.services import gold_accept_agreed

    call_command("load_demo", stdout=open("/dev/null", "w"))
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["demo", "ana", "ben"])}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    project = Project.objects.get(name__startswith="Demo")
    document = Document.objects.filter(project=project).order_by("id").first()
    manager = users["demo"]
    access = access_for(manager, project.pk)
    gold_accept_agreed(document=document, access=access, actor=manager)
    release = releases.release_freeze(project=project, access=access, actor=manager, name="First look",
                                      description="The gold layer after the first adjudication.")
    invited = member_add_or_invite(project=project, access=access, invitee="new.colleague@example.org",
                                   role="annotator", invited_by=manager, link_for=lambda token: token)
    return SimpleNamespace(
        project=project,
        document=document,
        release=release,
        membership=Membership.objects.get(project=project, user=users["ana"]),
        invite=invited.invite,
        invite_token=invited.link,
        reset_uid=urlsafe_base64_encode(force_bytes(manager.pk)),
        reset_token=default_token_generator.make_token(manager),
        usernames={"manager": "demo", "annotator": "ana"},
    )
