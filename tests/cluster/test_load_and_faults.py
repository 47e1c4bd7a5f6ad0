"""50 simulated reviewers through nginx on the local cluster while it is hurt: an app server is
killed with -9, a worker is killed with -9 in the middle of an import job, PostgreSQL and Redis
are restarted. Afterwards: no 500 anywhere, every write the reviewers were told succeeded is in
the database exactly once, the import either finished on the other worker or failed with a
reason and kept nothing, and a job started after the Redis restart runs.

Run: `.venv/bin/pytest tests/cluster -m cluster -p no:cacheprovider` (CLUSTER_LOAD_SECONDS, default
180, sets the length of the load; the report goes to CLUSTER_REPORT, default var/cluster-report.md)."""
import csv
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.cluster.conftest import ROOT, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(2400)]  # a cluster start, 3 minutes of load, faults

REVIEWERS = int(os.environ.get("CLUSTER_REVIEWERS", "50"))
LOAD_SECONDS = int(os.environ.get("CLUSTER_LOAD_SECONDS", "180"))
REPORT = Path(os.environ.get("CLUSTER_REPORT", ROOT / "var" / "cluster-report.md"))
# How many answered requests each phase waits for before the next fault.
STEP = int(os.environ.get("CLUSTER_STEP_REQUESTS", "150"))
# Documents in the import a worker is killed in the middle of (long enough to be caught running).
IMPORT_DOCUMENTS = int(os.environ.get("CLUSTER_IMPORT_DOCUMENTS", "20000"))
TRANSIENT = {502, 503, 504}


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def successes(cluster, *, upstream: str | None = None) -> int:
    return sum(
        1 for line in cluster.access_log()
        if line["status"].startswith("2") and (upstream is None or line["upstream"] == upstream)
    )


def more_successes(cluster, count: int, *, what: str, upstream: str | None = None):
    target = successes(cluster, upstream=upstream) + count
    wait_for(lambda: successes(cluster, upstream=upstream) >= target, what=what, limit=LOAD_SECONDS)


def test_reviewers_under_faults_lose_no_acknowledged_write(cluster, tmp_path):
    seed_file, acks_file = tmp_path / "seed.json", tmp_path / "acks.jsonl"
    seeded = subprocess.run(
        [sys.executable, "tests/cluster/seed.py", str(seed_file), str(REVIEWERS)],
        cwd=ROOT, env=cluster.app_env(), capture_output=True, text=True, timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seed_file.read_text())
    acks_file.touch()

    locust = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "locust"), "-f", "tests/cluster/locustfile.py", "--headless",
            "--users", str(REVIEWERS), "--spawn-rate", "25", "--run-time", f"{LOAD_SECONDS}s",
            "--host", cluster.url, "--csv", str(tmp_path / "load"), "--only-summary", "--stop-timeout", "20",
            "--exit-code-on-error", "0", "--loglevel", "WARNING",
        ],
        cwd=ROOT, env={**os.environ, "CLUSTER_SEED": str(seed_file), "CLUSTER_ACKS": str(acks_file)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    events = []
    try:
        more_successes(cluster, STEP, what="the load to get going")

        # 1. An app server dies (machine gone): nginx sends everything to the other one.
        cluster.run("kill9", "web1")
        events.append("kill -9 web1 (gunicorn master and workers)")
        web2 = f"127.0.0.1:{int(cluster.url.rsplit(':', 1)[1]) + 2}"
        more_successes(cluster, STEP, what="traffic through web2 alone", upstream=web2)
        cluster.run("start", "web1")
        events.append("web1 started again")

        # 2. A worker dies in the middle of an import: the other one takes the job over once
        # the lease expires (or it fails with the reason); either way all or nothing.
        import_url = start_import(cluster, seed, IMPORT_DOCUMENTS)
        running = wait_for(lambda: job_if(cluster, seed, import_url, "running"), what="the import to start")
        worker = wait_for(lambda: worker_running(cluster, running["id"]), what="the worker that runs the import")
        assert job_if(cluster, seed, import_url, "running"), "the import finished before its worker could be killed"
        cluster.run("kill9", worker)
        events.append(f"kill -9 {worker} in the middle of a {IMPORT_DOCUMENTS:,}-document import job")
        imported = wait_for(lambda: job_if(cluster, seed, import_url, "succeeded", "failed"),
                            what="the killed worker's import to end", limit=600)
        cluster.run("start", worker)
        events.append(f"import job {imported['state']} after {imported['attempts']} attempts; {worker} started again")

        # 3. PostgreSQL restarts: 503 while it is down, then the app reconnects by itself.
        more_successes(cluster, STEP, what="load before the PostgreSQL restart")
        cluster.run("restart", "postgres")
        events.append("PostgreSQL restarted (pg_ctl restart -m fast)")
        wait_for(lambda: ready(cluster.url), what="/readyz after the PostgreSQL restart")
        more_successes(cluster, STEP, what="load after the PostgreSQL restart")

        # 4. Redis restarts: the cache is empty afterwards and is filled again; jobs run again.
        cluster.run("restart", "redis")
        events.append("Redis restarted")
        wait_for(lambda: ready(cluster.url), what="/readyz after the Redis restart")
        after_redis = start_import(cluster, seed, 50, first=IMPORT_DOCUMENTS)
        after_redis_job = wait_for(lambda: job_if(cluster, seed, after_redis, "succeeded", "failed"),
                                   what="a job queued after the Redis restart", limit=300)
        events.append(f"a job queued after the Redis restart: {after_redis_job['state']}")
        more_successes(cluster, STEP, what="load after the Redis restart")
    finally:
        output, _ = locust.communicate(timeout=LOAD_SECONDS + 120)
    assert locust.returncode == 0, output

    statuses = Counter(line["status"] for line in cluster.access_log())
    report = write_report(tmp_path / "load_stats.csv", statuses, events)
    print(report)
    assert statuses["500"] == 0, (statuses, [line for line in cluster.access_log() if line["status"] == "500"])
    assert_every_acknowledged_write_is_stored_once(cluster, seed, acks_file)
    assert_all_or_nothing(cluster, seed, imported, IMPORT_DOCUMENTS, attempts_at_least=2)
    assert after_redis_job["state"] == "succeeded", after_redis_job


def start_import(cluster, seed, count: int, *, first: int = 0) -> str:
    """An import job (Prefer: respond-async) of `count` wire stories; its job URL. Sent again
    with the same Idempotency-Key while the answer is a transient one."""
    lines = [
        json.dumps({"external_id": f"wire-{n}", "title": f"Wire story {n}",
                    "text": f"Report {n}: the ministry said that inflation fell to three percent in May. " * 5,
                    "spans": [{"start": 0, "end": 6, "label": "assertion", "quote": "Report"}]})
        for n in range(first, first + count)
    ]
    content = ("\n".join(lines) + "\n").encode()
    headers = {"Authorization": f"Token {seed['manager_token']}", "Prefer": "respond-async", "Idempotency-Key": uuid.uuid4().hex}

    def post():
        response = httpx.post(
            f"{cluster.url}/api/v1/projects/{seed['import_project']}/import/", headers=headers,
            files={"file": ("wire.jsonl", content, "application/x-ndjson")}, timeout=120,
        )
        return None if response.status_code in TRANSIENT else response

    response = wait_for(post, what="the import to be accepted", every=1)
    assert response.status_code == 202, response.text
    return cluster.url + response.headers["Location"]


def job_if(cluster, seed, url: str, *states: str) -> dict | None:
    """The job, when it is in one of `states` (None while it is not, or the answer is transient)."""
    try:
        response = httpx.get(url, headers={"Authorization": f"Token {seed['manager_token']}"}, timeout=10)
    except httpx.HTTPError:
        return None
    if response.status_code in TRANSIENT:
        return None
    assert response.status_code == 200, response.text
    job = response.json()
    return job if job["state"] in states else None


def worker_running(cluster, job_id: int) -> str | None:
    """Which worker started the job's first attempt (the runner logs it)."""
    for name in ("worker1", "worker2"):
        log = cluster.dir / f"{name}.log"
        if log.exists() and f"job {job_id} (import) attempt 1 started" in log.read_text(errors="replace"):
            return name
    return None


def assert_all_or_nothing(cluster, seed, job: dict, count: int, *, attempts_at_least: int) -> None:
    """A job that outlived its worker: retried on the other worker (everything imported once) or
    failed with its reason (nothing kept)."""
    assert job["attempts"] >= attempts_at_least, job
    with cluster.db() as db:
        stored, distinct = db.execute(
            "SELECT count(*), count(DISTINCT external_id) FROM annotate_document WHERE project_id = %s "
            "AND external_id = ANY(%s)",
            (seed["import_project"], [f"wire-{n}" for n in range(count)]),
        ).fetchone()
    if job["state"] == "succeeded":
        assert job["result"]["documents"] == count, job
        assert (stored, distinct) == (count, count), "the import is not there exactly once"
    else:
        assert job["error"] and job["error"].get("detail"), job
        assert stored == 0, "a failed import kept documents"


def assert_every_acknowledged_write_is_stored_once(cluster, seed, acks_file: Path) -> None:
    """Replay each reviewer's acknowledged operations in order; the database must hold exactly
    the spans that leaves, with their labels, and every acknowledged assignment."""
    expected: dict[int, dict[int, str]] = {}  # document -> span -> label
    document_of: dict[int, int] = {}
    assigned: set[tuple[int, int]] = set()
    creates = 0
    for line in acks_file.read_text().splitlines():
        op = json.loads(line)
        if op["op"] == "resync":
            expected[op["document"]] = {int(k): v for k, v in op["spans"].items()}
            document_of.update({int(k): op["document"] for k in op["spans"]})
        elif op["op"] == "create":
            creates += 1
            expected.setdefault(op["document"], {})[op["span"]] = op["label"]
            document_of[op["span"]] = op["document"]
        elif op["op"] == "edit":
            expected[document_of[op["span"]]][op["span"]] = op["label"]
        elif op["op"] == "delete":
            del expected[document_of[op["span"]]][op["span"]]
        elif op["op"] == "assigned":
            assigned.add((op["document"], op["reviewer"]))
    assert creates > 0
    owners = {d["id"]: r["id"] for r in seed["reviewers"] for d in r["documents"]}
    with cluster.db() as db:
        for document_id, spans in expected.items():
            stored = dict(
                db.execute(
                    "SELECT id, label FROM annotate_span WHERE document_id = %s AND annotator_id = %s AND layer = 'individual'",
                    (document_id, owners[document_id]),
                ).fetchall()
            )
            assert stored == spans, f"document {document_id}: stored {stored}, acknowledged {spans}"
        duplicates = db.execute(
            "SELECT document_id, annotator_id, start, \"end\", label, count(*) FROM annotate_span "
            "GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == []
        stored_assignments = set(db.execute("SELECT document_id, user_id FROM annotate_assignment").fetchall())
        assert assigned <= stored_assignments


def write_report(stats_csv: Path, statuses: Counter, events: list[str]) -> str:
    rows = list(csv.DictReader(stats_csv.open()))
    lines = [
        f"Load: {REVIEWERS} reviewers, {LOAD_SECONDS} s, through nginx to 2 app servers; faults: {'; '.join(events)}.",
        "",
        "| request | count | failed | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    lines += ["", "Answers seen by nginx: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines += [f"Machine: {os.cpu_count()} cores; load average (1, 5, 15 min) at the end: {load}"]
    text = "\n".join(lines) + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    return text
