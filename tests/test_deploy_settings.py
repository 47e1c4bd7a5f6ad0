"""Production settings come from the environment: the example file passes Django's deployment
checks, production refuses to start without SECRET_KEY, the first run keeps its local key."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "production.env.example"


def example_env() -> dict[str, str]:
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def clean_env(**overrides: str) -> dict[str, str]:
    """The machine's environment without any of our settings, plus the given ones."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' fixtures, refused by check --deploy.
    ours = set(example_env()) | {
        "ANNOTATE_PROCESS", "ANNOTATE_MODE", "DATABASE_URL", "REDIS_URL", "TASK_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env = {name: value for name, value in os.environ.items() if name not in ours}
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_example_environment_passes_the_deployment_checks(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(**example_env()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_fail_the_deployment_checks(tmp_path):
    """The check above is not vacuous: without the production switch it finds the gaps."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(ANNOTATE_VAR_DIR=str(tmp_path)))
    assert result.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = clean_env(**{name: value for name, value in example_env().items() if name != "SECRET_KEY"})
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ANNOTATE_ENV=production" in result.stderr


def test_the_first_run_generates_a_local_key_under_var_and_keeps_it(tmp_path):
    env = clean_env(ANNOTATE_VAR_DIR=str(tmp_path))
    show = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]
    first, second = manage(*show, env=env), manage(*show, env=env)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text().strip()
    assert len(key) >= 50
    assert first.stdout.strip() == second.stdout.strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("env", "backend", "session_engine"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", "django.contrib.sessions.backends.db"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/4", "SESSION_STORE": "cached_db"},
            "annotate.ops.cache.ForgivingRedisCache",
            "django.contrib.sessions.backends.cached_db",
        ),
    ],
)
def test_cache_and_sessions_follow_the_environment(tmp_path, env, backend, session_engine):
    show = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"]
    result = manage(*show, env=clean_env(ANNOTATE_VAR_DIR=str(tmp_path), **env))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [backend, session_engine]


def test_an_unknown_session_store_is_refused_by_name(tmp_path):
    result = manage("check", env=clean_env(ANNOTATE_VAR_DIR=str(tmp_path), SESSION_STORE="files"))
    assert result.returncode != 0
    assert "SESSION_STORE must be one of db, cache, cached_db" in result.stderr


@pytest.mark.django_db
def test_web_processes_get_the_short_statement_timeout_and_commands_the_long_one(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: statement_timeout is a PostgreSQL setting (SQLite has none)")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    show = "from django.db import connection; c = connection.cursor(); c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    web = subprocess.run(
        [sys.executable, "-c", f"import annotate.wsgi; {show}"],
        cwd=ROOT, env=clean_env(DATABASE_URL=url, ANNOTATE_VAR_DIR=str(tmp_path), STATEMENT_TIMEOUT_WEB_MS="1500"),
        capture_output=True, text=True, timeout=60,
    )
    assert web.returncode == 0, web.stderr
    assert web.stdout.strip() == "1500ms"
    command = manage("shell", "--no-imports", "-c", show, env=clean_env(DATABASE_URL=url, ANNOTATE_VAR_DIR=str(tmp_path)))
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == "30min"


def test_a_web_worker_loads_every_view_at_start_and_not_spacy(tmp_path):
    # Django imports the URLconf (every view module) on a process's first request: done at start,
    # no reviewer's first request after a worker (re)starts waits for it. spaCy, which only the
    # suggester needs, is not imported with the views (1.4 s and its memory in every worker).
    show = "import sys; print('annotate.workflow.views' in sys.modules, 'spacy' in sys.modules)"
    web = subprocess.run(
        [sys.executable, "-c", f"import annotate.wsgi; {show}"],
        cwd=ROOT, env=clean_env(ANNOTATE_VAR_DIR=str(tmp_path)), capture_output=True, text=True, timeout=60,
    )
    assert web.returncode == 0, web.stderr
    assert web.stdout.split() == ["True", "False"]
