"""Every route x method x persona of annotate.urls answers as tests/permission_matrix.py says,
and shows only the spans it says. The routes come from the URL configuration itself, so a route
added without an entry fails test_every_route_has_an_entry (see that module's docstring)."""
import json
from urllib.parse import urlencode
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from annotate import services
from annotate.accounts import services as accounts
from annotate.datasets.selectors import ExportFilters
from annotate.jobs.handlers import HANDLERS
from annotate.jobs.runner import job_run
from annotate.jobs.starts import export_start
from annotate.models import Assignment, AssignmentStatus, Role
from annotate.permissions import access_for
from annotate.workflow import releases, services as workflow_services
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.permission_matrix import EXEMPT_NAMESPACES, MATRIX, PERSONAS, Case

TEXT = "The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure."
MARKERS = {who: f"span-of-{who}" for who in ("reviewer_open", "reviewer_done", "annotator", "gold")}
HOW_TO = "add an entry to MATRIX in tests/permission_matrix.py (its docstring says how)"


def _routes(resolver=None, prefix: str = "", namespace: str | None = None):
    """(name, route, callback) of every URL pattern, through every include()."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner not in EXEMPT_NAMESPACES:
                yield from _routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, prefix + str(pattern.pattern), pattern.callback


def _api_methods(callback) -> set[str]:
    """The methods a DRF view implements (function views say theirs in the matrix)."""
    view_class = getattr(callback, "cls", None)
    if view_class is None or not issubclass(view_class, APIView):
        return set()
    return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}


def test_every_route_has_an_entry():
    problems = []
    names = set()
    for name, route, callback in _routes():
        names.add(name)
        entry = MATRIX.get(name)
        if entry is None:
            problems.append(f"/{route} (name={name!r}) has no entry: {HOW_TO}")
            continue
        missing = _api_methods(callback) - {case.method for case in entry.cases}
        if missing:
            problems.append(f"/{route} (name={name!r}): no Case for {', '.join(sorted(missing))}: {HOW_TO}")
    stale = sorted(set(MATRIX) - names)
    problems += [f"MATRIX entry {name!r} names no route any more: remove it" for name in stale]
    assert not problems, "\n".join(problems)


@pytest.fixture
def world(db, settings, tmp_path):
    """The fixture the matrix describes (tests/permission_matrix.py, "THE PERSONAS")."""
    project = ProjectFactory(name="Matrix", blind_review=True)
    elsewhere = ProjectFactory(name="Elsewhere")
    users = {}
    for persona, username, role, where in [
        ("manager", "alice", Role.MANAGER, project),
        ("reviewer_open", "bob", Role.REVIEWER, project),
        ("reviewer_done", "erin", Role.REVIEWER, project),
        ("annotator", "carol", Role.ANNOTATOR, project),
        ("outsider", "mallory", Role.MANAGER, elsewhere),
    ]:
        users[persona] = UserFactory(username=username)
        MembershipFactory(project=where, user=users[persona], role=role)
    document = DocumentFactory(project=project, title="The matrix story", text=TEXT)
    access = {persona: access_for(user, project.pk) for persona, user in users.items() if persona != "outsider"}

    def label(persona, start, end, label="assertion", **fields):
        return services.span_create(
            document=document, access=access[persona], actor=users[persona],
            fields={"start": start, "end": end, "label": label, "note": MARKERS[persona], **fields},
        )

    attribution = label("annotator", 0, 17, "attribution", source="the ministry")
    target = label("annotator", 23, 50)
    services.span_link_create(attribution=attribution, target=target, access=access["annotator"], actor=users["annotator"])
    label("reviewer_open", 4, 12)
    done_span = label("reviewer_done", 23, 50)
    for persona, status in [("reviewer_open", AssignmentStatus.IN_PROGRESS), ("reviewer_done", AssignmentStatus.DONE),
                            ("annotator", AssignmentStatus.DONE)]:
        Assignment.objects.create(document=document, user=users[persona], status=status)
    workflow_services.gold_accept(
        document=document, access=access["manager"], actor=users["manager"], span_ids=[done_span.pk],
        fields={"start": 23, "end": 50, "label": "assertion", "note": MARKERS["gold"]},
    )
    release = releases.release_freeze(
        project=project, access=access["manager"], actor=users["manager"], name="v1", include_individual=True
    )
    settings.STORAGES = {  # the export job's file goes to this test's own folder
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    job = export_start(
        access=access["reviewer_open"], project_id=project.pk, actor=users["reviewer_open"], format="jsonl",
        offset_unit="codepoint", filters=ExportFilters(),
    )
    assert job_run(job_id=job.pk, handlers=HANDLERS) == "succeeded"
    invite = accounts.member_add_or_invite(
        project=project, access=access["manager"], invitee="newbie@example.org", role=Role.ANNOTATOR,
        invited_by=users["manager"], link_for=lambda token: token,
    ).invite
    return SimpleNamespace(
        project=project, document=document, span=attribution, job=job, link_target=target, release=release, invite=invite,
        users=users, membership=project.memberships.get(user=users["annotator"]),
        assignment=Assignment.objects.get(document=document, user=users["reviewer_open"]),
    )


def _url(world, name: str, route, case: Case) -> str:
    if route.kwargs is not None:
        return reverse(name, kwargs={**route.kwargs(world), **(case.url_kwargs or {})})
    if route.on is not None:
        return reverse(name, kwargs={"pk": getattr(world, route.on).pk})
    return reverse(name)


def _clients(world) -> dict[str, Client]:
    clients = {persona: Client() for persona in PERSONAS}
    for persona, user in world.users.items():
        clients[persona].force_login(user)
    return clients


def _request(client: Client, url: str, case: Case):
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    try:
        return _send(client, url, case)
    finally:  # a sign-out's cookie is undone with its rolled-back session row
        client.cookies.clear()
        for key, value in cookies.items():
            client.cookies[key] = value


def _send(client: Client, url: str, case: Case):
    method = getattr(client, case.method.lower())
    if case.method == "GET":
        return method(url, case.query or {}, headers=case.headers)
    if case.query:
        url = f"{url}?{urlencode(case.query)}"
    if url.startswith("/api/"):
        return method(url, json.dumps(case.data or {}), content_type="application/json", headers=case.headers)
    return method(url, case.data or {}, headers=case.headers)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def test_every_route_answers_each_persona_as_the_matrix_says(world):
    problems = []
    clients = _clients(world)
    for name, route in MATRIX.items():
        for case in route.cases:
            url = _url(world, name, route, case)
            for persona in PERSONAS:
                with transaction.atomic():  # writes are undone: every request sees the same fixture
                    response = _request(clients[persona], url, case)
                    body = _body(response)
                    transaction.set_rollback(True)
                where = f"{case.method} {url}{'?' + str(case.query) if case.query else ''} as {persona}"
                expected = case.status[persona]
                if response.status_code != expected:
                    problems.append(f"{where}: {response.status_code}, matrix says {expected} ({name})")
                    continue
                if case.method == "GET" and response.status_code == 200:
                    shown = {who for who, marker in MARKERS.items() if marker in body}
                    allowed = set((case.spans or {}).get(persona, ()))
                    if shown != allowed:
                        problems.append(f"{where}: shows spans of {sorted(shown)}, matrix says {sorted(allowed)} ({name})")
                    said = (case.says or {}).get(persona)
                    if said is not None and said not in body:
                        problems.append(f"{where}: the body does not say {said!r} ({name})")
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)
