"""Shared fixtures: a team with named personas, and API clients that authenticate by token.

alice manages the project, bob reviews, carol and dave annotate, mallory belongs only to
another project (she is the outsider every permission test tries)."""
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from annotate.models import Role
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory, token_for


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Rate limits count in a cache that outlives one test; tests/test_rate_limits.py sets its own."""
    settings.RATE_LIMITS = {}


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    """django-axes needs the request in authenticate(), which the test client's login() does not
    pass (axes' documented advice: off in tests); tests/test_login_limits.py turns it on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _close_streamed_responses(monkeypatch, request):
    """Close every streaming response a test client got, at the test's end, as a WSGI server
    always does. Django's test client closes one only when its content is read to the end; an
    export left unread keeps its generator suspended inside the export's snapshot transaction,
    and on SQLite that open atomic block outlives the test's own and lets rows leak into the next
    test."""
    from django.test import client as test_client

    streamed = []
    original = test_client.ClientHandler.__call__

    def close_all():
        for response in streamed:
            response.close()

    def call(handler, environ):
        response = original(handler, environ)
        if getattr(response, "streaming", False):
            if not streamed:
                # on the test item, not this fixture: added last, it runs first at teardown,
                # while the test's database (a fixture set up before the test ran) is still open
                request.node.addfinalizer(close_all)
            streamed.append(response)
        return response

    monkeypatch.setattr(test_client.ClientHandler, "__call__", call)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def team(db):
    project = ProjectFactory(name="Election coverage")
    other_project = ProjectFactory(name="Someone else's project")
    people = {}
    for username, role, proj in [
        ("alice", Role.MANAGER, project),
        ("bob", Role.REVIEWER, project),
        ("carol", Role.ANNOTATOR, project),
        ("dave", Role.ANNOTATOR, project),
        ("mallory", Role.MANAGER, other_project),
    ]:
        people[username] = UserFactory(username=username)
        MembershipFactory(project=proj, user=people[username], role=role)
    document = DocumentFactory(
        project=project,
        title="Ministry reports inflation drop",
        text="The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure.",
    )
    other_document = DocumentFactory(project=other_project, title="Elsewhere")
    return SimpleNamespace(
        project=project,
        other_project=other_project,
        document=document,
        other_document=other_document,
        clients={name: client_for(user) for name, user in people.items()},
        anonymous=APIClient(),
        **people,
    )


def pytest_collection_modifyitems(config, items):
    """The cluster suite starts its own PostgreSQL, Redis, nginx and app servers and runs for
    minutes: it runs when asked for by marker (`-m cluster`), not with the main suite."""
    if "cluster" in (config.option.markexpr or ""):
        return
    # By the marker itself: item.keywords also holds folder names (a checkout named "cluster").
    cluster = [item for item in items if item.get_closest_marker("cluster")]
    if cluster:
        config.hook.pytest_deselected(items=cluster)
        items[:] = [item for item in items if not item.get_closest_marker("cluster")]


# CI sets REQUIRE_E2E=1 on its PostgreSQL run: browser tests that were skipped (no Chromium,
# say) or not collected at all turn the run red instead of passing quietly.
_e2e_outcomes: list[str] = []


def pytest_runtest_logreport(report):
    if "e2e" in report.keywords and (report.when == "call" or report.skipped):
        _e2e_outcomes.append(report.outcome)


def pytest_sessionfinish(session, exitstatus):
    import os

    if os.environ.get("REQUIRE_E2E") != "1" or exitstatus not in (0,):
        return
    if not _e2e_outcomes or "skipped" in _e2e_outcomes:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"REQUIRE_E2E=1 but browser tests were skipped or missing: {_e2e_outcomes.count('skipped')} "
            f"skipped of {len(_e2e_outcomes)}",
            red=True,
        )
        session.exitstatus = 1
