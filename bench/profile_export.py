"""Where an export's time goes, in one process (no HTTP): the anchor workload's 5,000 documents and
101,000 spans (bench/anchor_corpus.py) in a project of the bench database, then

  records    iterating annotate.datasets.selectors.export_records (the shared query/record path)
  jsonl      the whole jsonl export stream (records + rendering + digest), as the API streams it
  conll      the same for conll
  floor      COPY (SELECT json_build_object(... json_agg ...)) TO STDOUT over the same rows of
             our own tables (documents with their spans), measured in the same run

    .venv/bin/python bench/profile_export.py [--reps 3] [--profile records|jsonl|conll]
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotate_perfbench")
NAME = "profile-export-anchor"

FLOOR = """COPY (SELECT json_build_object('external_id', d.external_id, 'text', d.text, 'spans',
  COALESCE((SELECT json_agg(json_build_object('start', s.start, 'end', s."end", 'label', s.label, 'quote', s.quote,
  'annotator', u.username) ORDER BY s.start, s."end") FROM annotate_span s JOIN auth_user u ON u.id = s.annotator_id
  WHERE s.document_id = d.id), '[]'::json)) FROM annotate_document d WHERE d.project_id = {p} ORDER BY d.id) TO STDOUT"""


def setup():
    os.environ.update(DATABASE_URL=DB, DJANGO_SETTINGS_MODULE="annotate.settings", DEBUG="false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def project():
    import anchor_corpus
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from annotate.models import Document, Membership, Project, Span
    from annotate.offsets import sha256_hex

    existing = Project.objects.filter(name=NAME).first()
    if existing:
        return existing
    user = get_user_model().objects.filter(username="profiler").first() or get_user_model().objects.create_user("profiler")
    with transaction.atomic():
        p = Project.objects.create(name=NAME)
        Membership.objects.create(project=p, user=user, role="manager")
        docs = anchor_corpus.generate(5000)
        rows = Document.objects.bulk_create(
            [Document(project=p, title=d["id"], external_id=d["id"], text=d["text"], length=len(d["text"]),
                      text_sha256=sha256_hex(d["text"]), received_sha256=sha256_hex(d["text"])) for d in docs],
            batch_size=500)  # fmt: skip
        Span.objects.bulk_create(
            [Span(document=row, annotator=user, label=s["label"], start=s["start"], end=s["end"], quote=s["text"])
             for row, d in zip(rows, docs) for s in d["spans"]], batch_size=5000)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotate_document, annotate_span")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--profile", choices=("records", "jsonl", "conll"))
    a = ap.parse_args()
    setup()
    import psycopg

    from annotate.datasets.records import as_bytes
    from annotate.datasets.selectors import ExportFilters, _export_chunks, export_records, export_snapshot

    p = project()

    def records():
        n = 0
        with export_snapshot():
            for record in export_records(project_id=p.pk, filters=ExportFilters()):
                n += len(record["spans"])
        return n

    def stream(format):
        def run():
            size = 0
            for chunk in _export_chunks(project_id=p.pk, format=format, filters=ExportFilters(), offset_unit="codepoint",
                                        manifest_out=None, csv_safety="spreadsheet"):
                size += len(as_bytes(chunk))
            return size
        return run

    def floor():
        size = 0
        with psycopg.connect(DB) as conn, conn.cursor().copy(FLOOR.format(p=p.pk)) as copy:
            for block in copy:
                size += len(block)
        return size

    if a.profile:
        fn = {"records": records, "jsonl": stream("jsonl"), "conll": stream("conll")}[a.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    # wall time, and this process's CPU time (less sensitive to the load of a shared machine;
    # the floor's work is PostgreSQL's, so its CPU here is only the client's)
    times = {name: [] for name in ("floor", "records", "jsonl", "conll")}
    cpu = {name: [] for name in times}
    for _ in range(a.reps):
        for name, fn in (("floor", floor), ("records", records), ("jsonl", stream("jsonl")), ("conll", stream("conll"))):
            started, started_cpu = time.perf_counter(), time.process_time()
            out = fn()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            print(f"  {name}: {times[name][-1]:.2f} s, cpu {cpu[name][-1]:.2f} s ({out:,})", flush=True)
    f = statistics.median(times["floor"])
    print(f"\nmedian of {a.reps}, load average {os.getloadavg()[0]:.1f}:")
    for name, values in times.items():
        m = statistics.median(values)
        print(f"  {name:<8}{m:>7.2f} s{m / f:>7.2f}x floor   cpu {statistics.median(cpu[name]):.2f} s")


if __name__ == "__main__":
    main()
