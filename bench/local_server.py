"""Runs the app for bench/ scripts: a fresh database (temporary SQLite unless BENCH_DATABASE_URL
names a PostgreSQL one), migrated, served by gunicorn on a free port, stopped afterwards."""
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                            capture_output=capture)
    return result.stdout if capture else ""


def create_user(env: dict, username: str, password: str) -> None:
    manage(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model; "
        f"u, _ = get_user_model().objects.get_or_create(username={username!r}); "
        f"u.set_password({password!r}); u.save()"
    ))


@contextlib.contextmanager
def running_server(workers: int = 2, database_url: str | None = None):
    """Yields (base_url, env). The database is new for every run (a PostgreSQL one is flushed)."""
    var_dir = tempfile.mkdtemp(prefix="annotate-bench-")
    env = {**os.environ, "ANNOTATE_VAR_DIR": var_dir, "DEBUG": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        manage(env, "flush", "--noinput")
    manage(env, "migrate", "--noinput", "-v", "0")
    port = _free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "annotate.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def browser_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
