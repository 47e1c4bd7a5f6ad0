"""A 100,000-document import as a background job: posted through the HTTP API (gunicorn) on
PostgreSQL, run by `manage.py jobs_worker`, followed through GET /api/v1/jobs/{id}/ with a
progress bar, while a reviewer's reads of another project (open a document, list its spans) are
timed, beside the same reads timed idle in the same run just before the import.

Run: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotate_jobs_bench \
     .venv/bin/python bench/import_job.py [--documents 100000] [--backend db|rq]
The upload (about 60 MB of jsonl, one span per document) is over the default 64 MB request
limits once encoded, so the server runs with MAX_REQUEST_BYTES and DATASET_IMPORT_MAX_BYTES
raised to 512 MB, and DATASET_IMPORT_MAX_DOCUMENTS to the document count.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import httpx
from _common import BENCH_DB, ROOT, Server, django_setup, make_text, token


def jsonl(count: int) -> bytes:
    rng = random.Random(7)
    lines = []
    for n in range(count):
        text = f"Report {n}: " + make_text(rng, size=400)
        span = {"start": 0, "end": 6, "label": "assertion", "quote": "Report"}
        lines.append(json.dumps({"title": f"Wire story {n}", "external_id": f"wire-{n}", "text": text, "spans": [span]}))
    return ("\n".join(lines) + "\n").encode()


def bar(done: int, total: int | None, width: int = 40) -> str:
    if not total:
        return f"[{'?' * width}] {done:,}"
    filled = int(width * done / total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({100 * done / total:.0f}%)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--backend", choices=("db", "rq"), default="db")
    args = parser.parse_args()
    django_setup()
    from django.contrib.auth import get_user_model

    from annotate.models import Document, Membership, Project
    from annotate.services.documents import document_build

    manager, _ = get_user_model().objects.get_or_create(username="bench-jobs")
    Project.objects.filter(name__in=["bench-job-target", "bench-job-reviewing"]).delete()
    target = Project.objects.create(name="bench-job-target")
    reviewing = Project.objects.create(name="bench-job-reviewing")
    for project in (target, reviewing):
        Membership.objects.create(project=project, user=manager, role="manager")
    Document.objects.bulk_create(
        [document_build(project=reviewing, actor=manager, fields={"title": f"Story {i}", "text": f"Story {i} text."}) for i in range(50)]
    )
    reviewed = list(Document.objects.filter(project=reviewing).values_list("pk", flat=True))
    headers = {"Authorization": f"Token {token('bench-jobs')}"}
    content = jsonl(args.documents)
    storage = tempfile.mkdtemp(prefix="bench-jobs-files-")
    env = {
        "MAX_REQUEST_BYTES": str(512 * 1024 * 1024),
        "DATASET_IMPORT_MAX_BYTES": str(512 * 1024 * 1024),
        "DATASET_IMPORT_MAX_DOCUMENTS": str(args.documents),
        "DATA_UPLOAD_MAX_MEMORY_SIZE": str(512 * 1024 * 1024),
        "FILE_STORAGE_ROOT": storage,
        "TASK_BACKEND": args.backend,
    }
    server = Server(env)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker"], cwd=ROOT, env={**os.environ, "DATABASE_URL": BENCH_DB, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    reads: list[float] = []
    idle: list[float] = []
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
            for n in range(30):  # the reference: the same reads with no job running
                idle.append(review_read(client, reviewed[n % len(reviewed)]))
            idle_load = os.getloadavg()[0]
            started = time.perf_counter()
            response = client.post(
                f"/api/v1/projects/{target.pk}/import/", files={"file": ("wire.jsonl", content, "application/x-ndjson")}
            )
            accepted = time.perf_counter() - started
            assert response.status_code == 202, response.text
            job_url = response.headers["Location"]
            while True:
                job = client.get(job_url).json()
                took = review_read(client, random.choice(reviewed))
                if job["state"] == "running":
                    reads.append(took)
                    running_load = os.getloadavg()[0]
                print(f"\r{job['state']:>9} {bar(job['progress']['done'], job['progress']['total'])}", end="", flush=True)
                if job["state"] not in ("queued", "running"):
                    break
                time.sleep(0.5)
            finished = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not wait on its shutdown
            worker.kill()
        server.stop()
    print()
    assert job["state"] == "succeeded", job
    imported = Document.objects.filter(project=target).count()
    print(f"upload: {len(content) / 1e6:.1f} MB jsonl, answered 202 in {accepted:.1f} s")
    print(f"job: {job['result']['documents']:,} documents, {job['result']['spans']:,} spans; "
          f"{finished:.1f} s from the POST to succeeded (backend {args.backend})")  # fmt: skip
    print(f"in the database afterwards: {imported:,} documents")
    print(f"a reviewer opening a document and listing its spans (two requests), {os.cpu_count()} cores:")
    print(f"  idle, before the import ({len(idle)} reads, load average {idle_load:.1f}): {figures(idle)}")
    if reads:
        print(f"  while the import job ran ({len(reads)} reads, load average {running_load:.1f}): {figures(reads)}")


def review_read(client: httpx.Client, document_id: int) -> float:
    """Seconds for what a reviewer's browser asks when a document opens: the document, its spans."""
    before = time.perf_counter()
    assert client.get(f"/api/v1/documents/{document_id}/").status_code == 200
    assert client.get(f"/api/v1/documents/{document_id}/spans/").status_code == 200
    return time.perf_counter() - before


def figures(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return (f"p50 {1000 * statistics.median(ordered):.0f} ms, p95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms, "
            f"max {1000 * ordered[-1]:.0f} ms")


if __name__ == "__main__":
    main()
