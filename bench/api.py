"""API speed: span saves under concurrency, bulk document import, reading a 1 MB document.

Runs the app under gunicorn on PostgreSQL (a scratch database it creates and drops) and
prints each figure with its target and a reference measured in the same run:

    .venv/bin/python bench/api.py [--db-url postgres://postgres@127.0.0.1:5432/annotate_bench]
"""
import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
WORDS = "the ministry said that inflation fell to three percent in May while critics disputed figure".split()


def sentence_text(n_chars: int, seed: int) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < n_chars:
        sentence = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + ". "
        if rng.random() < 0.05:
            sentence += "📰 "
        out.append(sentence)
        size += len(sentence)
    return "".join(out)[:n_chars]


def word_spans(text: str, count: int) -> list[tuple[int, int]]:
    """`count` spans over whole words, spread across the text."""
    starts, i = [], 0
    while i < len(text):
        j = text.find(" ", i)
        j = len(text) if j == -1 else j
        if j > i and text[i:j].strip() and "📰" not in text[i:j]:
            starts.append((i, j))
        i = j + 1
    step = max(1, len(starts) // count)
    return starts[::step][:count]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def setup_database(db_url: str) -> None:
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": db_url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = (
        "from django.contrib.auth.models import User\n"
        "for name in ['bench'] + [f'client{i}' for i in range(8)]:\n"
        "    User.objects.create_user(name, password='bench-pass-123')\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)


def start_server(db_url: str, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "CONN_MAX_AGE": "600", "ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "annotate.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
         "-k", worker_class, "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            httpx.get(BASE + "/login/", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


class KeepAliveClient:
    """One persistent HTTP/1.1 connection from the standard library: a light client, so the
    figures measure the server more than the benchmark's own Python (httpx costs several
    times more CPU per request, and client and server share the same two cores)."""

    def __init__(self, token_key: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        self.headers = {"Authorization": f"Token {token_key}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def token(client: httpx.Client, username: str) -> str:
    response = client.post("/api/v1/auth/token/", json={"username": username, "password": "bench-pass-123"})
    response.raise_for_status()
    return response.json()["token"]


def concurrent_requests(jobs_per_client: list[list], send) -> tuple[float, list[float]]:
    """Run each client's jobs in its own thread; return wall time and every request's latency."""
    latencies: list[float] = []

    def run(jobs):
        mine = []
        for job in jobs:
            t0 = time.perf_counter()
            send(job)
            mine.append(time.perf_counter() - t0)
        return mine

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(jobs_per_client)) as pool:
        for result in pool.map(run, jobs_per_client):
            latencies.extend(result)
    return time.perf_counter() - t0, latencies


def report(name: str, value: str, target: str, reference: str = "") -> None:
    print(f"{name:<44} {value:<28} target {target:<18} {reference}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/annotate_bench")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=3)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    setup_database(args.db_url)
    server = start_server(args.db_url, args.workers, args.threads, args.worker_class)
    try:
        admin = httpx.Client(base_url=BASE, timeout=60)
        admin.headers["Authorization"] = f"Token {token(admin, 'bench')}"
        project = admin.post("/api/v1/projects/", json={"name": "bench"}).json()["id"]
        for i in range(8):
            admin.post(f"/api/v1/projects/{project}/members/", json={"username": f"client{i}", "role": "annotator"})
        print(f"gunicorn: {args.workers} workers x {args.threads} threads ({args.worker_class}); "
              "8 client threads in this process")
        print(f"{'measure':<44} {'result':<28} {'target':<25} reference (same run)")

        # 1. span saves: 8 concurrent clients, one span per request
        text = sentence_text(200_000, seed=1)
        document = admin.post(f"/api/v1/projects/{project}/documents/", json={"title": "spans", "text": text}).json()
        stored = document["text"]
        offsets = word_spans(stored, args.spans)
        clients = [KeepAliveClient(token(admin, f"client{i}")) for i in range(8)]
        labels = ["assertion", "attribution", "disputed"]
        jobs = [[(clients[i], offsets[k]) for k in range(i, len(offsets), 8)] for i in range(8)]

        def save(job):
            client, (start, end) = job
            status, body = client.request("POST", f"/api/v1/documents/{document['id']}/spans/",
                                          {"start": start, "end": end, "label": labels[start % 3],
                                           "quote": stored[start:end]})
            assert status == 201, body

        def ping(job):
            status, _ = job[0].request("GET", f"/api/v1/projects/{project}/")
            assert status == 200

        ping_time, ping_lat = concurrent_requests(jobs, ping)
        wall, lat = concurrent_requests(jobs, save)
        report("span saves, 8 concurrent clients", f"{len(offsets) / wall:.0f} spans/s", ">= 300 spans/s",
               f"GET project, same clients: {len(offsets) / ping_time:.0f} req/s")
        report("  latency p50 / p95 / p99",
               f"{percentile(lat, 50)*1000:.1f} / {percentile(lat, 95)*1000:.1f} / {percentile(lat, 99)*1000:.1f} ms",
               "p95 < 40 ms",
               f"GET project p50/p95: {percentile(ping_lat, 50)*1000:.1f} / {percentile(ping_lat, 95)*1000:.1f} ms")

        # 2. bulk import: 5,000 documents of ~4 KB in requests of 1,000
        docs = [{"title": f"Doc {i}", "text": sentence_text(4000, seed=i + 10), "external_id": f"bulk-{i}",
                 "outlet": "Bench Gazette"} for i in range(5000)]
        t0 = time.perf_counter()
        ids = []
        for k in range(0, 5000, 1000):
            r = admin.post(f"/api/v1/projects/{project}/documents/", json=docs[k:k + 1000])
            assert r.status_code == 201, r.text[:500]
            ids += r.json()["ids"]
        bulk = time.perf_counter() - t0
        assert len(ids) == 5000 and len(set(ids)) == 5000
        copy_time = copy_reference(args.db_url, docs)
        report("bulk import 5,000 x 4 KB (5 requests)", f"{bulk:.2f} s, {len(ids)} ids back", "< 2 s",
               f"psycopg COPY of the same rows: {copy_time:.2f} s")

        # 3. read a 1 MB document and its 5,000 spans
        big_text = sentence_text(1_000_000, seed=2)
        big = admin.post(f"/api/v1/projects/{project}/documents/", json={"title": "1 MB", "text": big_text}).json()
        insert_spans_directly(args.db_url, big["id"], big["text"], 5000)
        reads = []
        for _ in range(5):
            t0 = time.perf_counter()
            doc = admin.get(f"/api/v1/documents/{big['id']}/").json()
            spans = admin.get(f"/api/v1/documents/{big['id']}/spans/?annotator=all").json()
            reads.append(time.perf_counter() - t0)
        assert len(doc["text"]) == 1_000_000 and len(spans) == 5000
        assert all(doc["text"][s["start"]:s["end"]] == s["quote"] for s in spans)
        db_read = direct_read_reference(args.db_url, big["id"])
        report("read 1 MB document + 5,000 spans (median of 5)", f"{statistics.median(reads)*1000:.0f} ms",
               "< 200 ms", f"same rows read with psycopg directly: {db_read*1000:.0f} ms")
    finally:
        server.terminate()
        server.wait(10)
        if not args.keep:
            admin_url = args.db_url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db_url.rsplit("/", 1)[1]}"')


def copy_reference(db_url: str, docs: list[dict]) -> float:
    """The floor for the bulk import: COPY the same texts into a temporary table."""
    with psycopg.connect(db_url) as conn:
        conn.execute("CREATE TEMP TABLE copy_ref (title text, text text, external_id text, outlet text)")
        t0 = time.perf_counter()
        with conn.cursor().copy("COPY copy_ref (title, text, external_id, outlet) FROM STDIN") as copy:
            for d in docs:
                copy.write_row((d["title"], d["text"], d["external_id"], d["outlet"]))
        conn.commit()
        return time.perf_counter() - t0


def insert_spans_directly(db_url: str, document_id: int, text: str, count: int) -> None:
    """Setup only (not measured): 5,000 spans written straight to the table."""
    with psycopg.connect(db_url) as conn:
        user_id = conn.execute("SELECT id FROM auth_user WHERE username = 'bench'").fetchone()[0]
        rows = [(document_id, user_id, "individual", ["assertion", "attribution", "disputed"][i % 3], s, e,
                 text[s:e], "", "", "", "[]", 1)
                for i, (s, e) in enumerate(word_spans(text, count))]
        with conn.cursor().copy(
            "COPY annotate_span (document_id, annotator_id, layer, label, start, \"end\", quote, note, source, "
            "dispute_basis, evidence_links, version, created_at, updated_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((*row, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))


def direct_read_reference(db_url: str, document_id: int) -> float:
    with psycopg.connect(db_url) as conn:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            conn.execute("SELECT text FROM annotate_document WHERE id = %s", [document_id]).fetchone()
            conn.execute("SELECT s.*, u.username FROM annotate_span s JOIN auth_user u ON u.id = s.annotator_id "
                         "WHERE document_id = %s ORDER BY start, \"end\", s.id", [document_id]).fetchall()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)


if __name__ == "__main__":
    main()
