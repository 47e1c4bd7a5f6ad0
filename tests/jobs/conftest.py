"""Job fixtures: uploads in a storage folder of the test's own, a jsonl builder, and workers
(in-process burst runs, or real worker processes read line by line)."""
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RQ_TEST_URL = os.environ.get("RQ_REDIS_URL", "redis://127.0.0.1:6379/5")
# The PostgreSQL application_name of every worker process a test starts (libpq reads PGAPPNAME),
# so that a test's teardown can end whatever connection such a process left behind.
WORKER_APPLICATION_NAME = "annotate-test-worker"
# How long a test waits for a worker's log line before it fails with the worker's log: far
# beyond what any step takes on a loaded machine, and far below the CI's own time limit.
WORKER_LINE_TIMEOUT_SECONDS = float(os.environ.get("WORKER_LINE_TIMEOUT_SECONDS", 300))


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "files")}},
    }
    return tmp_path / "files"


def jsonl(count: int, *, bad_line: int | None = None, prefix: str = "doc") -> bytes:
    """`count` documents, each with one span; line `bad_line` (from 1) has a wrong quote."""
    lines = []
    for n in range(1, count + 1):
        span = {"start": 0, "end": 4, "label": "assertion", "annotator": "alice", "quote": "Item" if n != bad_line else "Itam"}
        lines.append(json.dumps({"title": f"Doc {n}", "external_id": f"{prefix}-{n}", "text": f"Item {n} of {prefix}.", "spans": [span]}))
    return ("\n".join(lines) + "\n").encode()


def post_import(client, project, content: bytes, *, name: str = "docs.jsonl", background: bool = True):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    headers = {"HTTP_PREFER": "respond-async"} if background else {}
    return client.post(f"/api/v1/projects/{project.pk}/import/", {"file": upload}, format="multipart", **headers)


@pytest.fixture
def run_jobs():
    """Run every queued job in this process through the configured backend's worker, then return."""

    def run():
        call_command("jobs_worker", burst=True, verbosity=0)

    return run


@pytest.fixture
def rq_backend(settings):
    """Tasks go to RQ on the machine's Redis (database 5 unless RQ_REDIS_URL says otherwise),
    its queue emptied first."""
    import django_rq

    settings.TASK_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": RQ_TEST_URL, "DEFAULT_TIMEOUT": 3600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.connection.ping()
    queue.empty()
    return queue


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [*_descendants(int(child)), int(child)]
    return found


class WorkerProcess:
    """`manage.py jobs_worker` in a process of its own, on the test database and storage. Its
    log lines are read by a thread, so the test waits for the line it needs (an event, not a
    sleep) and the pipe never fills."""

    def __init__(self, *, storage: Path, backend: str = "db", **env):
        environment = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "TASK_BACKEND": backend,
            "RQ_REDIS_URL": RQ_TEST_URL,
            "FILE_STORAGE_ROOT": str(storage),
            "LOG_LEVEL": "INFO",
            "JOBS_HEARTBEAT_SECONDS": "0.2",
            "PYTHONUNBUFFERED": "1",
            "PGAPPNAME": WORKER_APPLICATION_NAME,
            **{k: str(v) for k, v in env.items()},
        }
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--sweep-every", "0.2"],
            cwd=BASE_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.log_path = storage.parent / f"worker-{self.process.pid}.log"
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with open(self.log_path, "w") as log:  # kept beside the test's files, for a failure's post-mortem
            for line in self.process.stderr:
                log.write(line)
                log.flush()
                self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout: float = WORKER_LINE_TIMEOUT_SECONDS) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no line matching {pattern!r} from the worker within {timeout:.0f} s:\n" + "".join(self.seen[-30:])
                ) from None
            if line is None:
                raise AssertionError(f"the worker exited ({self.process.wait()}) before {pattern!r}:\n" + "".join(self.seen[-30:]))
            self.seen.append(line)
            if match := re.search(pattern, line):
                return match

    def kill(self):
        """SIGKILL for the worker and the processes it forked (RQ's work horse runs the job in a
        session of its own, so it would outlive its parent): as when the machine dies."""
        if self.process.poll() is None:
            for pid in [*_descendants(self.process.pid), self.process.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:  # it ended between the listing and the kill
                    pass
        self.process.wait()

    def stop(self):
        """At a test's end: no graceful shutdown (RQ's warm shutdown would let a 20,000-document
        import run on into the next test), the whole process tree goes at once."""
        self.kill()


@pytest.fixture
def worker_process(_storage):
    started = []

    def start(**kwargs) -> WorkerProcess:
        started.append(WorkerProcess(storage=_storage, **kwargs))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
    _end_worker_connections()


def _end_worker_connections():
    """A killed worker's PostgreSQL backend can live on for a moment, holding the locks of its
    open transaction; the next test's flush (TRUNCATE) would wait on them. End them now."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [WORKER_APPLICATION_NAME],
        )
