"""Export benchmark: every format through the HTTP API (gunicorn) against PostgreSQL COPY of the same rows.

Run: DATABASE_URL unset is fine; it uses BENCH_DATABASE_URL (default annotate_ds_bench).
    .venv/bin/python bench/export.py [--documents 10000] [--small 1000]
Prints seconds per format, the COPY floor, the jsonl/floor ratio, and the gunicorn worker's
peak memory after exporting a small and a large project (each on a fresh server).
"""
import argparse
import os
import statistics
import time

import httpx
from _common import BENCH_DB, Server, build_project, django_setup, token

FORMATS = ("jsonl", "w3c", "conll", "spacy", "csv")

FLOOR_QUERIES = (
    # the rows an export reads: documents with their text, spans with their annotator, links
    "SELECT id, external_id, title, outlet, source_url, author, published_on, language, text_sha256, text "
    "FROM annotate_document WHERE project_id = {p} ORDER BY id",
    "SELECT s.id, s.document_id, s.start, s.\"end\", s.label, s.quote, u.username, s.layer, s.note, s.source, "
    "s.dispute_basis, s.evidence_links FROM annotate_span s JOIN annotate_document d ON d.id = s.document_id "
    "JOIN auth_user u ON u.id = s.annotator_id WHERE d.project_id = {p} AND s.layer = 'individual' "
    "ORDER BY s.document_id, s.id",
    "SELECT a.document_id, l.attribution_id, l.target_id FROM annotate_spanlink l JOIN annotate_span a ON "
    "a.id = l.attribution_id JOIN annotate_document d ON d.id = a.document_id WHERE d.project_id = {p} "
    "ORDER BY a.document_id, l.attribution_id, l.target_id",
)


def copy_floor(project_id: int) -> tuple[float, int]:
    import psycopg

    size = 0
    with psycopg.connect(BENCH_DB) as conn:
        started = time.perf_counter()
        for query in FLOOR_QUERIES:
            with conn.cursor().copy(f"COPY ({query.format(p=int(project_id))}) TO STDOUT") as copy:
                for block in copy:
                    size += len(block)
        return time.perf_counter() - started, size


def export_once(server: Server, key: str, project_id: int, format: str) -> tuple[float, int]:
    size = 0
    started = time.perf_counter()
    with httpx.stream(
        "GET",
        f"{server.url}/api/v1/projects/{project_id}/export/?format={format}",
        headers={"Authorization": f"Token {key}"},
        timeout=600,
    ) as response:
        response.raise_for_status()
        for block in response.iter_raw():
            size += len(block)
    return time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of floor + every format")
    args = parser.parse_args()
    django_setup()
    t = time.perf_counter()
    large = build_project(f"bench-{args.documents}", args.documents)
    small = build_project(f"bench-{args.small}", args.small, seed=2)
    print(f"data ready in {time.perf_counter() - t:.1f}s")
    key = token("bench-manager")

    # The machine is shared: each round measures the floor and then every format, so a ratio
    # compares figures taken within seconds of each other; the median ratio is reported.
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")
    floors, times = [], {format: [] for format in FORMATS}
    server = Server()
    try:
        for _ in range(args.repeat):
            floors.append(copy_floor(large.pk))
            for format in FORMATS:
                times[format].append(export_once(server, key, large.pk, format))
    finally:
        server.stop()
    print(f"\n{args.documents} documents x 20 spans, {args.repeat} rounds; seconds: best and median; ratio: median of rounds")
    print(f"{'what':<28}{'best s':>8}{'median s':>10}{'MB':>8}{'x floor':>9}")
    floor_seconds = [f[0] for f in floors]
    print(f"{'COPY ... TO STDOUT (floor)':<28}{min(floor_seconds):>8.2f}{statistics.median(floor_seconds):>10.2f}"
          f"{floors[0][1] / 1e6:>8.1f}{1:>9.2f}")
    for format in FORMATS:
        seconds = [t[0] for t in times[format]]
        ratio = statistics.median(t / f for t, f in zip(seconds, floor_seconds))
        print(f"{'export ' + format:<28}{min(seconds):>8.2f}{statistics.median(seconds):>10.2f}"
              f"{times[format][0][1] / 1e6:>8.1f}{ratio:>9.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")

    peaks = {}
    for label, project in (("small", small), ("large", large)):
        server = Server()
        try:
            before = server.worker_peak_rss_mb()
            for format in FORMATS:
                export_once(server, key, project.pk, format)
            peaks[label] = (before, server.worker_peak_rss_mb())
        finally:
            server.stop()
    print("\ngunicorn worker peak RSS (VmHWM), fresh server each, after exporting every format:")
    print(f"  {args.small} documents:  {peaks['small'][1]:.1f} MB (at start {peaks['small'][0]:.1f} MB)")
    print(f"  {args.documents} documents: {peaks['large'][1]:.1f} MB (at start {peaks['large'][0]:.1f} MB)")
    print(f"  growth: {peaks['large'][1] - peaks['small'][1]:.1f} MB (target < 50 MB)")


if __name__ == "__main__":
    main()
