"""The two systems bench/anchors.py drives: our app and doccano 1.8.4, each started here on its own
fresh PostgreSQL database and loopback port, and one client class each with the same methods.

Adapted from the anchor harness (/work/shared/anchor-bench/adapters/{base,doccano,annotate}.py and
scripts/start_doccano.sh): the same requests, except that our import of a large file is a
background job (202 + polling), as it is in the app, and doccano's id mapping after an import is
left out of the timed part (doccano returns no ids; only the span-save set needs them).
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
# BENCH_DB_SUFFIX=_x gives every database of a run its own name, so two engineers can run the
# bench on one PostgreSQL at once without dropping each other's databases.
DB_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
TIMEOUT = httpx.Timeout(connect=10.0, read=900.0, write=300.0, pool=30.0)
LABELS = ["assertion", "attribution", "disputed"]
USERNAME, PASSWORD = "bench-admin", "bench-pass-4711"


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def database_sizes(name: str, history_like: tuple[str, ...] = ()) -> dict:
    """pg_database_size, and the share of the tables whose name contains one of `history_like`."""
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC"
        ).fetchall()
    history = sum(size for rel, size in tables if any(part in rel for part in history_like))
    return {"total": total, "history": history, "largest": tables[:5]}


class Service:
    """Processes started here, each in its own session so it is stopped with its children (by
    the group id of the process we started, nothing else)."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []

    def spawn(self, argv, *, env, cwd, log: Path) -> subprocess.Popen:
        out = open(log, "ab")
        self.logs.append(out)
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for out in self.logs:
            out.close()
        self.processes, self.logs = [], []

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def cpu_seconds(self) -> float:
        """utime + stime of the first process started (the web server) and every process in its
        group (its workers), from /proc: the server's CPU, whatever the machine's load."""
        if not self.processes:
            return 0.0
        group, tick, total = self.processes[0].pid, os.sysconf("SC_CLK_TCK"), 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # gone between the listing and the read
                continue
            if int(fields[2]) == group:  # fields[2] is the process group (pgrp)
                total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / tick


def wait_http(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class Client:
    """One httpx.Client per thread (as the anchor harness): base URL, auth header."""

    name = "?"

    def __init__(self, base_url: str):
        assert base_url.startswith("http://127.0.0.1:"), "benchmark traffic stays on loopback"
        self.base_url = base_url
        self.headers: dict[str, str] = {}
        self._local = threading.local()
        self.project_id = None

    @property
    def http(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(base_url=self.base_url, timeout=TIMEOUT, headers=self.headers, trust_env=False)
            self._local.client = client
        return client

    def reset_clients(self):
        self._local = threading.local()

    @staticmethod
    def check(response: httpx.Response, *ok: int) -> httpx.Response:
        if response.status_code not in (ok or (200, 201, 202, 204)):
            raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:500]}")
        return response


# --------------------------------------------------------------------------------------------
# our app

class AnnotateSystem:
    """gunicorn with the production configuration (deploy/gunicorn.conf.py: gthread, WEB_CONCURRENCY
    workers x WEB_THREADS threads, DEBUG off, ANNOTATE_ENV=production) plus one jobs_worker."""

    database = "annotate_perfbench" + DB_SUFFIX
    # the history's tables since migration 0007 (annotate_spanevent is a view over them now)
    history_tables = ("spanchange", "spanbatch", "spanevent")

    def __init__(self, port: int, workdir: Path, workers: int = 2, threads: int = 4):
        self.port, self.workdir, self.workers, self.threads = port, workdir, workers, threads
        self.url = f"http://127.0.0.1:{port}"
        self.service = Service()

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(
            DATABASE_URL=f"{PG}/{self.database}", ANNOTATE_ENV="production", DEBUG="false",
            SECRET_KEY="bench-only-" + "k" * 50, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0", SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false",
            ANNOTATE_VAR_DIR=str(self.workdir / "annotate-var"), GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(self.workers), WEB_THREADS=str(self.threads), GUNICORN_TIMEOUT="600",
            GUNICORN_LOG_LEVEL="warning", LOG_LEVEL="WARNING", TASK_BACKEND="db", CONN_MAX_AGE="60",
            PYTHONUNBUFFERED="1",
        )
        env.pop("REDIS_URL", None)
        return env

    def setup(self):
        fresh_database(self.database)
        env = self.env()
        (self.workdir / "annotate-var").mkdir(parents=True, exist_ok=True)
        py = str(ROOT / ".venv/bin/python")
        subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)
        subprocess.run([py, "manage.py", "shell", "-c", (
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})")],
            cwd=ROOT, env=env, check=True, timeout=120)  # fmt: skip

    def start(self):
        env = self.env()
        self.service.spawn([str(ROOT / ".venv/bin/gunicorn"), "--config", "deploy/gunicorn.conf.py", "annotate.wsgi"],
                           env={**env, "ANNOTATE_PROCESS": "web"}, cwd=ROOT, log=self.workdir / "annotate-web.log")
        self.service.spawn([str(ROOT / ".venv/bin/python"), "manage.py", "jobs_worker"],
                           env={**env, "ANNOTATE_PROCESS": "worker"}, cwd=ROOT, log=self.workdir / "annotate-worker.log")
        wait_http(self.url + "/login/")

    def stop(self):
        self.service.stop()

    def web_cpu(self) -> float:
        return self.service.cpu_seconds()

    def client(self) -> "AnnotateClient":
        return AnnotateClient(self.url)


class AnnotateClient(Client):
    name = "annotate"

    def login(self):
        r = self.check(httpx.post(self.base_url + "/api/v1/auth/token/", json={"username": USERNAME, "password": PASSWORD},
                                  trust_env=False, timeout=30))
        self.headers = {"Authorization": f"Token {r.json()['token']}"}
        self.reset_clients()

    def create_project(self, name: str):
        r = self.check(self.http.post("/api/v1/projects/", json={"name": name, "description": "benchmark"}))
        self.project_id = r.json()["id"]

    def import_documents(self, docs) -> list:
        """Text only, 1,000 a request (the documents list endpoint answers their ids in order)."""
        ids = []
        for i in range(0, len(docs), 1000):
            chunk = [{"title": d["id"], "text": d["text"], "external_id": d["id"]} for d in docs[i:i + 1000]]
            ids += self.check(self.http.post(f"/api/v1/projects/{self.project_id}/documents/", json=chunk)).json()["ids"]
        return ids

    def import_with_spans(self, docs) -> dict:
        """The jsonl import (a background job past 1 MB); returns when the job has succeeded."""
        body = b"\n".join(orjson.dumps({
            "external_id": d["id"], "title": d["id"], "text": d["text"],
            "spans": [{"start": s["start"], "end": s["end"], "label": s["label"], "annotator": USERNAME} for s in d["spans"]],
        }) for d in docs)  # fmt: skip
        r = self.check(self.http.post(f"/api/v1/projects/{self.project_id}/import/", data={"format": "jsonl"},
                                      files={"file": ("docs.jsonl", body)}))
        return self.wait_job(r.json(), "import")

    def wait_job(self, job: dict, what: str) -> dict:
        """Follow a 202's job until it ends; its result, or an error naming what failed."""
        deadline = time.monotonic() + 1800
        delay = 0.05
        while job.get("state") not in ("succeeded", "failed", "cancelled"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} job {job.get('id')} not done in 1800 s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.1)  # at most 0.1 s between the job's end and our seeing it
            job = self.check(self.http.get(f"/api/v1/jobs/{job['id']}/")).json()
        if job["state"] != "succeeded":
            raise RuntimeError(f"{what} job failed: {str(job)[:1000]}")
        return job.get("result") or {}

    def freeze_release(self, name: str) -> dict:
        """Freeze a release with the individual layers (the imported spans are one reviewer's), as a
        job: the gold and individual records, provenance, manifest and the agreement report."""
        r = self.check(self.http.post(f"/api/v1/projects/{self.project_id}/releases/", json={
            "name": name, "include_individual": True}, headers={"Prefer": "respond-async"}), 201, 202)
        return self.wait_job(r.json(), "release") if r.status_code == 202 else r.json()

    def ids_by_external_id(self) -> dict:
        out, url = {}, f"/api/v1/projects/{self.project_id}/documents/?page_size=1000"
        for _ in range(10_000):
            if not url:
                break
            body = self.check(self.http.get(url)).json()
            out.update({x["external_id"]: x["id"] for x in body["results"]})
            url = body.get("next")
        return out

    def create_span(self, doc_id, start, end, label):
        r = self.check(self.http.post(f"/api/v1/documents/{doc_id}/spans/", json={"start": start, "end": end, "label": label}))
        return r.json()["id"]

    def export(self, format: str) -> bytes:
        """The streamed export's bytes."""
        with self.http.stream("GET", f"/api/v1/projects/{self.project_id}/export/", params={"format": format}) as r:
            self.check(r)
            return b"".join(r.iter_bytes())

    @staticmethod
    def parse_jsonl(raw: bytes) -> list[dict]:
        """The export's documents as the checker reads them (not timed)."""
        docs = []
        for line in raw.split(b"\n"):
            if line.strip():
                o = orjson.loads(line)
                if "text" in o:
                    docs.append({"ext_id": o.get("external_id"), "text": o["text"],
                                 "spans": [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in o["spans"]]})
        return docs

    def get_document(self, doc_id) -> tuple[int, int]:
        r1 = self.check(self.http.get(f"/api/v1/documents/{doc_id}/"))
        r2 = self.check(self.http.get(f"/api/v1/documents/{doc_id}/spans/"))
        body = r2.json()
        spans = body if isinstance(body, list) else body["results"]
        return len(r1.content) + len(r2.content), len(spans)


# --------------------------------------------------------------------------------------------
# doccano

class DoccanoSystem:
    """doccano 1.8.4 as the anchor harness runs it (scripts/start_doccano.sh): gunicorn config.wsgi
    with 2 x cpus + 1 sync workers, bound to loopback, and `doccano task` (Celery, concurrency 2,
    broker in the same database)."""

    database = "doccano_bench" + DB_SUFFIX
    history_tables = ()

    def __init__(self, port: int, workdir: Path, venv: Path):
        self.port, self.workdir, self.venv = port, workdir, venv
        self.url = f"http://127.0.0.1:{port}"
        self.service = Service()
        self.backend = next((venv / "lib").glob("python3*/site-packages/backend"), None)

    def available(self) -> str | None:
        """None when doccano can run here, else why not."""
        if not (self.venv / "bin/doccano").exists():
            return f"no doccano in {self.venv} (see docs/benchmarks.md for the install commands)"
        if self.backend is None:
            return f"doccano's backend package not found under {self.venv}"
        return None

    def env(self) -> dict:
        home = self.workdir / "doccano-home"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")}
        env.update(DOCCANO_HOME=str(home), DATABASE_URL=f"{PG}/{self.database}?sslmode=disable",
                   DJANGO_SETTINGS_MODULE="config.settings.production", STANDALONE="True",
                   MEDIA_ROOT=str(home / "media"), DEBUG="False", PATH=f"{self.venv / 'bin'}:{env.get('PATH', '')}")
        return env

    def setup(self):
        fresh_database(self.database)
        (self.workdir / "doccano-home/media").mkdir(parents=True, exist_ok=True)
        env = self.env()
        doccano = str(self.venv / "bin/doccano")
        subprocess.run([doccano, "init"], env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)
        subprocess.run([doccano, "createuser", "--username", USERNAME, "--password", PASSWORD], env=env, check=True,
                       timeout=120, stdout=subprocess.DEVNULL)

    def start(self):
        env = self.env()
        workers = 2 * (os.cpu_count() or 1) + 1
        self.service.spawn([str(self.venv / "bin/gunicorn"), "--workers", str(workers), "--chdir", str(self.backend),
                            "--bind", f"127.0.0.1:{self.port}", "--timeout", "600", "--log-level", "warning", "config.wsgi"],
                           env=env, cwd=self.backend, log=self.workdir / "doccano-web.log")
        self.service.spawn([str(self.venv / "bin/doccano"), "task", "--concurrency", "2"], env=env, cwd=self.workdir,
                           log=self.workdir / "doccano-task.log")
        wait_http(self.url + "/v1/health/")

    def stop(self):
        self.service.stop()

    def web_cpu(self) -> float:
        return self.service.cpu_seconds()

    def client(self) -> "DoccanoClient":
        return DoccanoClient(self.url)


class DoccanoClient(Client):
    name = "doccano"

    def login(self):
        r = self.check(httpx.post(self.base_url + "/v1/auth/login/", json={"username": USERNAME, "password": PASSWORD},
                                  trust_env=False, timeout=30))
        self.headers = {"Authorization": f"Token {r.json()['key']}"}
        self.reset_clients()

    def create_project(self, name: str):
        r = self.check(self.http.post("/v1/projects", json={
            "name": name, "description": "benchmark", "project_type": "SequenceLabeling",
            "resourcetype": "SequenceLabelingProject", "allow_overlapping": True, "grapheme_mode": False,
            "use_relation": False, "collaborative_annotation": False, "random_order": False, "guideline": "", "tags": []}))
        self.project_id = r.json()["id"]
        self.label_ids = {}
        for i, label in enumerate(LABELS):
            r = self.check(self.http.post(f"/v1/projects/{self.project_id}/span-types", json={
                "text": label, "background_color": ["#e6194b", "#3cb44b", "#4363d8"][i], "text_color": "#ffffff",
                "suffix_key": None, "prefix_key": None}))
            self.label_ids[label] = r.json()["id"]

    def _wait_task(self, task_id, timeout=1800):
        deadline = time.monotonic() + timeout
        delay = 0.05
        while time.monotonic() < deadline:
            j = self.check(self.http.get(f"/v1/tasks/status/{task_id}")).json()
            if j.get("ready"):
                if j.get("error"):
                    raise RuntimeError(f"doccano task error: {j['error']}")
                return j.get("result")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.1)  # at most 0.1 s between the job's end and our seeing it
        raise TimeoutError(f"doccano task {task_id} not ready after {timeout} s")

    def _import(self, records: list[dict]) -> dict:
        body = b"".join(orjson.dumps(x) + b"\n" for x in records)
        upload_id = self.check(self.http.post("/v1/fp/process/", files={
            "filepond": ("data.jsonl", body, "application/octet-stream")})).text.strip()
        r = self.check(self.http.post(f"/v1/projects/{self.project_id}/upload", json={
            "uploadIds": [upload_id], "format": "JSONL", "task": "SequenceLabeling", "column_data": "text",
            "column_label": "label", "encoding": "utf_8"}))
        result = self._wait_task(r.json()["task_id"]) or {}
        if result.get("error"):
            raise RuntimeError(f"doccano import errors: {str(result['error'])[:1000]}")
        return result

    def ids_by_external_id(self) -> dict:
        out, offset = {}, 0
        for _ in range(10_000):
            j = self.check(self.http.get(f"/v1/projects/{self.project_id}/examples", params={"limit": 1000, "offset": offset})).json()
            out.update({ex["meta"].get("ext_id"): ex["id"] for ex in j["results"]})
            offset += 1000
            if not j.get("next"):
                break
        return out

    def import_documents(self, docs) -> list:
        # an empty label column: without one doccano imports the texts but reports every line as an error
        self._import([{"text": d["text"], "ext_id": d["id"], "label": []} for d in docs])
        ids = self.ids_by_external_id()
        return [ids[d["id"]] for d in docs]

    def import_with_spans(self, docs) -> dict:
        return self._import([{"text": d["text"], "ext_id": d["id"],
                              "label": [[s["start"], s["end"], s["label"]] for s in d["spans"]]} for d in docs])

    def create_span(self, doc_id, start, end, label):
        r = self.check(self.http.post(f"/v1/projects/{self.project_id}/examples/{doc_id}/spans", json={
            "start_offset": start, "end_offset": end, "label": self.label_ids[label], "example": doc_id, "prob": 0.0}))
        return r.json()["id"]

    def export(self, format: str) -> bytes:
        """The Celery export task, waited for, and the ZIP it made, downloaded."""
        if format != "jsonl":
            raise NotImplementedError(f"doccano 1.8.4 has no {format} export for sequence labelling")
        r = self.check(self.http.post(f"/v1/projects/{self.project_id}/download", json={"format": "JSONL", "exportApproved": False}))
        task_id = r.json()["task_id"]
        self._wait_task(task_id)
        return self.check(self.http.get(f"/v1/projects/{self.project_id}/download", params={"taskId": task_id})).content

    @staticmethod
    def parse_jsonl(raw: bytes) -> list[dict]:
        """The ZIP's documents as the checker reads them (not timed)."""
        docs = []
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            for name in zf.namelist():
                for line in zf.read(name).splitlines():
                    if line.strip():
                        rec = orjson.loads(line)
                        docs.append({"ext_id": rec.get("ext_id"), "text": rec["text"],
                                     "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in rec.get("label", [])]})
        return docs

    def get_document(self, doc_id) -> tuple[int, int]:
        r1 = self.check(self.http.get(f"/v1/projects/{self.project_id}/examples/{doc_id}"))
        r2 = self.check(self.http.get(f"/v1/projects/{self.project_id}/examples/{doc_id}/spans"))
        return len(r1.content) + len(r2.content), len(r2.json())


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run bench/anchors.py")
