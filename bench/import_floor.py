"""Import speed beside its PostgreSQL floor, in one process (no HTTP): the anchor workload of issue 13
(bench/anchor_corpus.py: 5,000 documents of 3-5 KB, 101,000 spans, 5% with astral emoji, 10%
overlapping) as a jsonl file, imported by annotate.datasets.services.dataset_import into an empty
project, against the floor: psycopg COPY of the same document and span rows into the same tables
(indexes, constraints and triggers included) in one transaction, rolled back. Both are measured in
the same run, alternately.

    .venv/bin/python bench/import_floor.py [--reps 3] [--profile] [--keep]

--profile runs one import under cProfile and prints where the time goes (parse, documents,
validation, writes); --keep leaves the last imported project in the bench database (bench/
history_size.py uses it). Database: $BENCH_DATABASE_URL, default annotate_history_bench.
"""
import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotate_history_bench")
SOURCE = "the ministry"


def setup():
    import psycopg

    os.environ.update(DATABASE_URL=DB, DJANGO_SETTINGS_MODULE="annotate.settings", DEBUG="false")
    os.environ.setdefault("DATASET_IMPORT_MAX_BYTES", str(512 * 1024 * 1024))
    sys.path.insert(0, str(ROOT))
    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def workload() -> tuple[list[dict], bytes]:
    """The anchor corpus, and the same as our jsonl import file (a span's quote is its text)."""
    import anchor_corpus
    import orjson

    docs = anchor_corpus.generate(5000)
    lines = []
    for d in docs:
        spans = [
            {"start": s["start"], "end": s["end"], "label": s["label"], "quote": s["text"], "annotator": "importer",
             **({"dispute_basis": "within_text"} if s["label"] == "disputed" else {})}
            for s in d["spans"]
        ]  # fmt: skip
        lines.append(orjson.dumps({"title": d["id"], "external_id": d["id"], "text": d["text"], "spans": spans}))
    return docs, b"\n".join(lines) + b"\n"


def people():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username="importer").first() or User.objects.create_user("importer")


def new_project(name: str):
    from annotate.models import Membership, Project

    Project.objects.filter(name=name).delete()
    project = Project.objects.create(name=name)
    Membership.objects.create(project=project, user=people(), role="manager")
    return project


def run_import(project, content: bytes) -> dict:
    from annotate.datasets.services import dataset_import
    from annotate.permissions import access_for

    user = people()
    return dataset_import(
        project=project, access=access_for(user, project.pk), actor=user, stream=io.BytesIO(content),
        file_name="anchor.jsonl", size=len(content), format="jsonl",
    )  # fmt: skip


def floor(docs: list[dict], project_id: int, user_id: int) -> float:
    """COPY of the same document and span rows (values computed before the clock starts) into the
    real tables in one transaction and its COMMIT: the cost of writing these rows at all. The rows
    are deleted afterwards, off the clock."""
    import psycopg

    from annotate.offsets import sha256_hex

    document_rows = [(project_id, d["id"], d["text"], len(d["text"]), sha256_hex(d["text"]), sha256_hex(d["text"]), d["id"]) for d in docs]
    with psycopg.connect(DB) as conn:
        started = time.perf_counter()
        with conn.transaction():
            ids = [r[0] for r in conn.execute(
                "SELECT nextval(pg_get_serial_sequence('annotate_document', 'id')) FROM generate_series(1, %s)", [len(docs)]
            ).fetchall()]  # fmt: skip
            now = conn.execute("SELECT now()").fetchone()[0]
            with conn.cursor().copy(
                "COPY annotate_document (id, project_id, title, text, length, text_sha256, received_sha256, external_id, "
                "outlet, source_url, author, language, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                for pk, row in zip(ids, document_rows):
                    copy.write_row((pk, *row, "", "", "", "", 1, now, now))
            with conn.cursor().copy(
                'COPY annotate_span (document_id, annotator_id, layer, label, start, "end", quote, note, source, '
                "dispute_basis, evidence_links, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                for pk, d in zip(ids, docs):
                    for s in d["spans"]:
                        basis = "within_text" if s["label"] == "disputed" else ""
                        copy.write_row((pk, user_id, "individual", s["label"], s["start"], s["end"], s["text"], "", "", basis, "[]", 1, now, now))
        elapsed = time.perf_counter() - started
        conn.execute("DELETE FROM annotate_span WHERE document_id = ANY(%s)", [ids])
        conn.execute("DELETE FROM annotate_document WHERE id = ANY(%s)", [ids])
        conn.commit()
        return elapsed


def profile_import(project, content: bytes) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run_import(project, content)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"annotate|psycopg|orjson", 40)
    stats.sort_stats("tottime").print_stats(20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    setup()
    from django.db import connection

    docs, content = workload()
    spans = sum(len(d["spans"]) for d in docs)
    print(f"workload: {len(docs):,} documents, {spans:,} spans, {len(content) / 1e6:.1f} MB jsonl")
    if a.profile:
        profile_import(new_project("import-floor-profile"), content)
        return
    times = {"floor": [], "import": []}
    for rep in range(a.reps):
        project = new_project("import-floor")
        times["floor"].append(floor(docs, project.pk, people().pk))
        started = time.perf_counter()
        result = run_import(project, content)
        times["import"].append(time.perf_counter() - started)
        assert (result["documents"], result["spans"]) == (len(docs), spans), result
        print(f"  run {rep + 1}: floor {times['floor'][-1]:.2f} s, import {times['import'][-1]:.2f} s", flush=True)
        if not a.keep or rep < a.reps - 1:
            project.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    f, i = statistics.median(times["floor"]), statistics.median(times["import"])
    print(f"\nmedian of {a.reps}, load average {os.getloadavg()[0]:.1f}:")
    print(f"  COPY floor {f:6.2f} s")
    print(f"  import     {i:6.2f} s  {i / f:.2f}x floor (goal: within 3x)")


if __name__ == "__main__":
    main()
