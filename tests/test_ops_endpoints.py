"""Operators' endpoints: /healthz, /readyz naming what is down, /metrics for operators only,
request ids in responses and logs, and 503 (not 500) while the database cannot be reached."""
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import client_for
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
DEAD_REDIS = {"default": {"BACKEND": "annotate.ops.cache.ForgivingRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
LIVE_REDIS = {"default": {"BACKEND": "annotate.ops.cache.ForgivingRedisCache", "LOCATION": "redis://127.0.0.1:6379/4"}}


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: the outage is a closed port; pytest's SQLite database lives in memory "
            "and closing its connection to fake an outage would drop it"
        )


@contextmanager
def database_unreachable():
    """The real driver fails to connect: PostgreSQL on a port where nothing listens."""
    needs_postgresql()
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db
def test_healthz_answers_without_touching_anything(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_part(settings):
    settings.CACHES = LIVE_REDIS
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    assert body["checks"]["cache"]["detail"] == "ForgivingRedisCache"


@pytest.mark.django_db
def test_readyz_names_a_cache_that_cannot_be_reached(settings):
    settings.CACHES = DEAD_REDIS
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert "ConnectionError" in body["checks"]["cache"]["detail"]


@pytest.mark.django_db
def test_the_app_keeps_answering_while_redis_is_down(settings, team):
    """A cache outage reads as misses: the API answers from the database."""
    from django.core.cache import caches

    settings.CACHES = DEAD_REDIS
    cache = caches["default"]
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("anything", 1)  # dropped, not raised
    assert cache.add("anything", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/").status_code == 200


def test_the_redis_cache_round_trips_when_redis_is_up(settings):
    from django.core.cache import caches

    settings.CACHES = LIVE_REDIS
    cache = caches["default"]
    cache.set("ops-test", {"n": 1}, timeout=10)
    assert cache.get("ops-test") == {"n": 1}
    cache.delete("ops-test")
    assert cache.get("ops-test", "gone") == "gone"


@pytest.mark.django_db(transaction=True)
def test_readyz_names_a_database_that_cannot_be_reached():
    with database_unreachable():
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert "database" in response.json()["failing"]
    assert response.json()["checks"]["cache"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_api_and_pages_answer_503_while_the_database_is_down():
    needs_postgresql()
    user = UserFactory()
    api = client_for(user)
    page = Client()
    page.force_login(user)
    with database_unreachable():
        api_response = api.get("/api/v1/projects/")
        page_response = page.get("/")
    assert api_response.status_code == 503
    assert api_response["Retry-After"] == "5"
    assert "database" in api_response.json()["detail"]
    assert page_response.status_code == 503
    assert b"Briefly unavailable" in page_response.content
    # and once it is back, the same clients work again without anything being restarted
    assert api.get("/api/v1/projects/").status_code == 200
    assert page.get("/").status_code == 200


def test_a_request_id_is_generated_and_echoed():
    first, second = Client().get("/healthz"), Client().get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_trusted_proxy_passes_its_request_id_and_nobody_else_does():
    trusted = Client().get("/healthz", HTTP_X_REQUEST_ID="edge-42", REMOTE_ADDR="127.0.0.1")
    assert trusted["X-Request-ID"] == "edge-42"
    outsider = Client().get("/healthz", HTTP_X_REQUEST_ID="edge-42", REMOTE_ADDR="203.0.113.9")
    assert outsider["X-Request-ID"] != "edge-42"
    forged = Client().get("/healthz", HTTP_X_REQUEST_ID="evil\nlevel=ERROR", REMOTE_ADDR="127.0.0.1")
    assert "\n" not in forged["X-Request-ID"]


def test_every_log_line_of_a_request_is_json_with_its_request_id(tmp_path):
    """In a process configured as production logs are: JSON on stderr."""
    script = (
        "import logging; from django.test import Client; "
        "logging.getLogger('annotate.example').warning('inside the view'); "
        "r = Client().get('/no-such-page/', HTTP_X_REQUEST_ID='req-7', REMOTE_ADDR='127.0.0.1'); print(r['X-Request-ID'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ANNOTATE_ENV"}}
    env.update(ANNOTATE_VAR_DIR=str(tmp_path), LOG_FORMAT="json")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "req-7"
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    outside = [line for line in lines if line["logger"] == "annotate.example"]
    assert outside and outside[0]["request_id"] == "-"
    during = [line for line in lines if line["logger"] in {"django.request", "annotate.request"}]
    assert {line["logger"] for line in during} == {"django.request", "annotate.request"}
    assert all(line["request_id"] == "req-7" for line in during)
    access = next(line for line in during if line["logger"] == "annotate.request")
    assert access["status"] == 404 and access["path"] == "/no-such-page/" and access["method"] == "GET"
    assert isinstance(access["duration_ms"], float)


@pytest.mark.django_db
def test_metrics_are_for_operators_only(settings):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    Client().get("/healthz")
    local = Client().get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert local.status_code == 200
    assert b"django_http_requests_total_by_method_total" in local.content
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    through_proxy = Client().get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert through_proxy.status_code == 404
    wrong = Client().get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.status_code == 404
    token = Client().get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert token.status_code == 200


@pytest.mark.django_db
def test_metrics_count_jobs_by_kind_and_state(team):
    from annotate.jobs.models import Job, JobKind, JobState

    Job.objects.create(kind=JobKind.EXPORT, project=team.project, creator=team.alice, state=JobState.QUEUED)
    Job.objects.create(kind=JobKind.EXPORT, project=team.project, creator=team.alice, state=JobState.QUEUED)
    body = Client().get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert f'annotate_jobs{{kind="{JobKind.EXPORT}",state="{JobState.QUEUED}"}} 2.0' in body
    assert "annotate_jobs_oldest_queued_seconds" in body



def _terminate_backend(pid: int) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _wsgi_get(application, path: str, token: str) -> tuple[str, bytes]:
    """One GET through a WSGI application, as a WSGI server makes it (iterate, then close)."""
    from wsgiref.util import setup_testing_defaults

    environ = {"PATH_INFO": path, "QUERY_STRING": "format=jsonl", "HTTP_AUTHORIZATION": f"Token {token}"}
    setup_testing_defaults(environ)
    environ["SERVER_NAME"] = environ["HTTP_HOST"] = "testserver"
    seen = {}
    result = application(environ, lambda status, headers, exc_info=None: seen.update(status=status))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], body


@pytest.mark.django_db(transaction=True)
def test_a_streamed_export_whose_database_goes_away_before_its_first_byte_answers_503():
    """The view answers, then PostgreSQL goes away before the server reads the first chunk:
    503 with Retry-After, not the WSGI server's 500; and the export's snapshot is closed."""
    from django.core.wsgi import get_wsgi_application

    from annotate.models import Role
    from annotate.ops.unavailable import FirstChunkBeforeStatus
    from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, token_for

    needs_postgresql()
    project = ProjectFactory()
    manager = UserFactory()
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    DocumentFactory(project=project, text="The ministry said so.")
    token, path = token_for(manager), f"/api/v1/projects/{project.pk}/export/"
    django_application = get_wsgi_application()
    outage = {"on": False}

    def view_then_outage(environ, start_response):
        result = django_application(environ, start_response)
        if outage["on"]:
            # PostgreSQL goes away under the open export: the server ends this connection's
            # backend (its snapshot is already open: the headers carry the manifest) and no new
            # connection can be made.
            _terminate_backend(connection.connection.info.backend_pid)
            connection.settings_dict["PORT"] = "1"
        return result

    application = FirstChunkBeforeStatus(view_then_outage)
    status, body = _wsgi_get(application, path, token)
    assert status.startswith("200") and b"The ministry said so." in body
    saved = dict(connection.settings_dict)
    outage["on"] = True
    try:
        status, body = _wsgi_get(application, path, token)
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert status.startswith("503"), (status, body[:300])
    assert "database" in json.loads(body)["detail"]
    assert not connection.in_atomic_block
    outage["on"] = False
    assert _wsgi_get(application, path, token)[0].startswith("200")
