"""50 simulated reviewers through nginx on the local cluster while it is hurt: an app server is
killed with -9, PostgreSQL and Redis are restarted. Afterwards: no 500 anywhere, and every write
the reviewers were told succeeded is in the database exactly once.

Run: `.venv/bin/pytest tests/cluster -m cluster -p no:cacheprovider` (CLUSTER_LOAD_SECONDS, default
180, sets the length of the load; the report goes to CLUSTER_REPORT, default var/cluster-report.md)."""
import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.cluster.conftest import ROOT, wait_for

pytestmark = pytest.mark.cluster

REVIEWERS = int(os.environ.get("CLUSTER_REVIEWERS", "50"))
LOAD_SECONDS = int(os.environ.get("CLUSTER_LOAD_SECONDS", "180"))
REPORT = Path(os.environ.get("CLUSTER_REPORT", ROOT / "var" / "cluster-report.md"))
# How many answered requests each phase waits for before the next fault.
STEP = int(os.environ.get("CLUSTER_STEP_REQUESTS", "150"))


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

        # 2. PostgreSQL restarts: 503 while it is down, then the app reconnects by itself.
        more_successes(cluster, STEP, what="load before the PostgreSQL restart")
        cluster.run("restart", "postgres")
        events.append("PostgreSQL restarted (pg_ctl restart -m fast)")
        wait_for(lambda: ready(cluster.url), what="/readyz after the PostgreSQL restart")
        more_successes(cluster, STEP, what="load after the PostgreSQL restart")

        # 3. Redis restarts: the cache is empty afterwards and is filled again.
        cluster.run("restart", "redis")
        events.append("Redis restarted")
        wait_for(lambda: ready(cluster.url), what="/readyz after the Redis restart")
        more_successes(cluster, STEP, what="load after the Redis restart")
    finally:
        output, _ = locust.communicate(timeout=LOAD_SECONDS + 120)
    assert locust.returncode == 0, output

    statuses = Counter(line["status"] for line in cluster.access_log())
    report = write_report(tmp_path / "load_stats.csv", statuses, events)
    print(report)
    assert statuses["500"] == 0, statuses
    assert_every_acknowledged_write_is_stored_once(cluster, seed, acks_file)


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
    text = "\n".join(lines) + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    return text
