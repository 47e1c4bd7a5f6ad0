"""Where an import's time goes, in one process (no HTTP, no job queue): the anchor workload of
issue 13 (bench/anchor_corpus.py: 5,000 documents, 101,000 spans) as the jsonl file bench/anchors.py
uploads (AnnotateClient.import_with_spans: external_id, title, text, spans with start, end, label,
annotator), read from a file on disk as the job worker reads its upload, and imported by
annotate.datasets.services.dataset_import into an empty project inside one transaction, as the job
runner does. Beside it, in the same run: the floor of bench/import_floor.py (COPY of the same
document and span rows into the same tables, indexes and triggers included, and its COMMIT).

For each repetition it prints wall seconds, this process's CPU seconds (time.process_time) and the
PostgreSQL backend's CPU seconds (utime+stime of its /proc/<pid>/stat, when readable): CPU depends
little on the machine's load. --profile adds one run under cProfile and prints the top functions.
What setup loaded (Django, the corpus) is frozen out of the garbage collector's sight first, as
manage.py jobs_worker freezes what it loaded; --no-freeze leaves it in.

    .venv/bin/python bench/profile_import.py [--reps 3] [--profile] [--top 30]

Database: $BENCH_DATABASE_URL (default annotate_history_bench), as bench/import_floor.py.
"""
import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import import_floor  # noqa: E402  (setup, floor, new_project, people: the same database and rows)

USERNAME = "importer"  # import_floor.people()


def anchors_body(docs: list[dict]) -> bytes:
    """The jsonl bench/anchor_systems.py AnnotateClient.import_with_spans posts."""
    import orjson

    return b"\n".join(orjson.dumps({
        "external_id": d["id"], "title": d["id"], "text": d["text"],
        "spans": [{"start": s["start"], "end": s["end"], "label": s["label"], "annotator": USERNAME} for s in d["spans"]],
    }) for d in docs)  # fmt: skip


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_once(project, path: str, size: int) -> tuple[dict, float, float, float | None]:
    """(result, wall s, CPU s of this process, CPU s of the backend) of one import, committed."""
    from django.db import connection, transaction

    from annotate.datasets.services import dataset_import
    from annotate.permissions import access_for

    user = import_floor.people()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    server_before = backend_cpu(pid)
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), open(path, "rb") as stream:  # the job runner's transaction
        result = dataset_import(
            project=project, access=access_for(user, project.pk), actor=user, stream=stream,
            file_name="docs.jsonl", size=size, format="jsonl",
        )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server_after = backend_cpu(pid)
    server = server_after - server_before if server_before is not None and server_after is not None else None
    return result, wall, cpu, server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--no-freeze", action="store_true", help="leave what setup loaded in the garbage collector's sight")
    a = ap.parse_args()
    import_floor.setup()
    import anchor_corpus

    docs = anchor_corpus.generate(5000)
    spans = sum(len(d["spans"]) for d in docs)
    body = anchors_body(docs)
    if not a.no_freeze:  # as manage.py jobs_worker does at start; and the corpus, which no worker holds
        gc.collect()
        gc.freeze()
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as upload:
        upload.write(body)
        upload.flush()
        print(f"workload: {len(docs):,} documents, {spans:,} spans, {len(body) / 1e6:.1f} MB jsonl", flush=True)
        runs = {"floor": [], "wall": [], "cpu": [], "server": []}
        for rep in range(a.reps):
            project = import_floor.new_project("profile-import")
            runs["floor"].append(import_floor.floor(docs, project.pk, import_floor.people().pk))
            result, wall, cpu, server = import_once(project, upload.name, len(body))
            assert (result["documents"], result["spans"]) == (len(docs), spans), result
            runs["wall"].append(wall)
            runs["cpu"].append(cpu)
            if server is not None:
                runs["server"].append(server)
            print(f"  run {rep + 1}: floor {runs['floor'][-1]:.2f} s; import {wall:.2f} s wall, {cpu:.2f} s CPU here, "
                  f"{server if server is not None else float('nan'):.2f} s CPU in PostgreSQL", flush=True)  # fmt: skip
            project.delete()
        if a.reps:
            f, w = statistics.median(runs["floor"]), statistics.median(runs["wall"])
            print(f"\nmedian of {a.reps}, load average {os.getloadavg()[0]:.1f}:")
            print(f"  COPY floor   {f:6.2f} s")
            print(f"  import wall  {w:6.2f} s  {w / f:.2f}x floor")
            print(f"  import CPU   {statistics.median(runs['cpu']):6.2f} s in this process"
                  + (f", {statistics.median(runs['server']):.2f} s in the PostgreSQL backend" if runs["server"] else ""))
        if a.profile:
            project = import_floor.new_project("profile-import")
            profiler = cProfile.Profile()
            profiler.enable()
            import_once(project, upload.name, len(body))
            profiler.disable()
            project.delete()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(r"annotate|psycopg|orjson|django/db", a.top)
            stats.sort_stats("tottime").print_stats(a.top)


if __name__ == "__main__":
    main()
