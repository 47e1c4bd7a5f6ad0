"""Issue 13's side-by-side benchmark: our app and doccano 1.8.4 measured alternately on one workload.

    .venv/bin/python bench/anchors.py                 # or: make bench-anchors
    .venv/bin/python bench/anchors.py --no-doccano    # our app and the PostgreSQL floor only
    .venv/bin/python bench/anchors.py --quick         # 500 documents, one repetition: a smoke run

The workload is the anchor harness's (bench/anchor_corpus.py, seed 20240611): 5,000 news documents
of 3-5 KB with 101,000 spans (5% with astral emoji, 10% overlapping) and one 1 MB document with
5,000 spans. Each system runs on its own fresh database in the local PostgreSQL (5432) and on its
own loopback port: our app under gunicorn with deploy/gunicorn.conf.py (production settings, DEBUG
off) plus its job worker; doccano under gunicorn (2 x cpus + 1 sync workers) plus `doccano task`.
Set-up commands for doccano: docs/benchmarks.md ("Side by side with doccano").

Measured, each figure printed with the load average when it was taken and its ratio:
  import     5,000 documents with their spans by each system's bulk import, until it reports done;
             floor: COPY of the same rows into two plain tables (+ index, ANALYZE); then both
             systems' databases are analyzed, not timed (autovacuum may be off, as it is here)
  jsonl      export of that project; floor: COPY (SELECT json_build_object(... json_agg ...)) TO STDOUT
  conll      our conll export (doccano 1.8.4 has none) against the same floor
  release    our release freezing of that project with its individual layer, as a job (records,
             provenance, manifest and the agreement report; doccano 1.8.4 has none)
  saves      2,000 spans a repetition, one POST each, 8 threads with one httpx client each
             (each thread takes whole documents): spans/s and p50/p95 latency; before the
             repetitions, 200 saves on each system that are not counted (a warm-up)
  long doc   the 1 MB document with 5,000 spans: import, then read it with its spans
  size       pg_database_size of each system's database after the run, and the history tables' share

Every loop is bounded in count and every wait in time; traffic goes to 127.0.0.1 only. Adapted from
the anchor harness in /work/shared/anchor-bench/ (workload.py: m2_annotate, m4_floor, check_export).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import anchor_corpus  # noqa: E402
from anchor_systems import DB_SUFFIX, PG, AnnotateSystem, DoccanoSystem, database_sizes, fresh_database  # noqa: E402

FLOOR_DB = "annotate_perfbench_floor" + DB_SUFFIX
PER_DOC = 20  # spans saved per document in the span-save measurement
STEPS = ("import", "export", "release", "saves", "long", "size")


def load() -> float:
    return os.getloadavg()[0]


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def median(values):
    return statistics.median(values) if values else float("nan")


# --------------------------------------------------------------------------------------------
# the PostgreSQL floor (workload.m4_floor, on psycopg 3)

FLOOR_JSON = (
    "COPY (SELECT json_build_object('id', d.ext_id, 'text', d.text, 'spans', "
    "COALESCE((SELECT json_agg(json_build_object('start', s.start_offset, 'end', s.end_offset, "
    "'label', s.label) ORDER BY s.start_offset, s.end_offset) FROM f_span s WHERE s.doc_id = d.id), "
    "'[]'::json)) FROM f_doc d ORDER BY d.id) TO STDOUT"
)


def floor_load(docs) -> float:
    """COPY the documents and spans into two plain tables: the import floor, in seconds."""
    fresh_database(FLOOR_DB)
    with psycopg.connect(f"{PG}/{FLOOR_DB}", autocommit=True) as conn:
        conn.execute("CREATE TABLE f_doc (id int PRIMARY KEY, ext_id text NOT NULL, text text NOT NULL)")
        conn.execute("CREATE TABLE f_span (id serial PRIMARY KEY, doc_id int NOT NULL REFERENCES f_doc(id), "
                     "start_offset int NOT NULL, end_offset int NOT NULL, label text NOT NULL)")
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY f_doc (id, ext_id, text) FROM STDIN") as copy:
                for i, d in enumerate(docs):
                    copy.write_row((i + 1, d["id"], d["text"]))
            with cur.copy("COPY f_span (doc_id, start_offset, end_offset, label) FROM STDIN") as copy:
                for i, d in enumerate(docs):
                    for s in d["spans"]:
                        copy.write_row((i + 1, s["start"], s["end"], s["label"]))
            cur.execute("CREATE INDEX ON f_span (doc_id)")
            cur.execute("ANALYZE f_doc")
            cur.execute("ANALYZE f_span")
        return time.perf_counter() - started


def floor_json() -> tuple[float, int]:
    """COPY ... json_agg ... TO STDOUT received by the client: the export floor (seconds, bytes)."""
    with psycopg.connect(f"{PG}/{FLOOR_DB}", autocommit=True) as conn:
        size = 0
        started = time.perf_counter()
        with conn.cursor().copy(FLOOR_JSON) as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - started, size


# --------------------------------------------------------------------------------------------
# checks (workload.check_export, shortened: counts of spans whose slice is not the intended text)

def check_export(exported, docs) -> dict:
    by_ext = {d["id"]: d for d in docs}
    out = {"docs": len(exported), "spans": 0, "mismatch": 0, "missing_docs": 0}
    for e in exported:
        d = by_ext.get(e.get("ext_id"))
        if d is None:
            out["missing_docs"] += 1
            continue
        want = {(s["start"], s["end"], s["label"]) for s in d["spans"]}
        for s in e["spans"]:
            out["spans"] += 1
            if (s["start"], s["end"], s["label"]) not in want or e["text"] != d["text"]:
                out["mismatch"] += 1
    return out


# --------------------------------------------------------------------------------------------
# measurements

def m_import(client, docs, name) -> float:
    client.create_project(name)
    started = time.perf_counter()
    client.import_with_spans(docs)
    return time.perf_counter() - started


def m_export(client, format, docs=None) -> tuple[float, int, dict | None]:
    """Seconds until the whole export is received; the jsonl check (when `docs`) is not timed."""
    started = time.perf_counter()
    raw = client.export(format)
    seconds = time.perf_counter() - started
    check = check_export(client.parse_jsonl(raw), docs) if format == "jsonl" and docs is not None else None
    return seconds, len(raw), check


def m_saves(client, docs, ids, first, count, threads, web_cpu=None, time_limit=300.0) -> dict:
    """`count` documents from `first`, PER_DOC spans each, one POST per span, `threads` threads.
    `web_cpu()`: the server's CPU seconds so far, for its CPU per save (load-independent)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit

    def work(i):
        mine = []
        for s in docs[i]["spans"][:PER_DOC]:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            try:
                client.create_span(ids[i], s["start"], s["end"], s["label"])
                mine.append(time.perf_counter() - t0)
            except Exception as ex:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(repr(ex)[:300])
        with lock:
            latencies.extend(mine)

    client.reset_clients()
    cpu0, client_cpu0 = web_cpu() if web_cpu else 0.0, time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(first, first + count)))
    wall = time.perf_counter() - started
    server_cpu = (web_cpu() - cpu0) if web_cpu else float("nan")
    client_cpu = time.process_time() - client_cpu0
    ms = [x * 1000 for x in latencies]
    per_1000 = 1000 / len(ms) if ms else float("nan")
    return {"ok": len(ms), "errors": len(errors), "error_examples": errors[:3], "wall_s": wall,
            "server_cpu_s_per_1000": server_cpu * per_1000, "client_cpu_s_per_1000": client_cpu * per_1000,
            "rate": len(ms) / wall if wall else 0.0, "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99)}


# --------------------------------------------------------------------------------------------

class Report:
    def __init__(self, out: Path | None):
        self.rows: list[tuple] = []
        self.raw: dict = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count()}
        self.out = out

    def log(self, message: str):
        print(f"[{dt.datetime.now().strftime('%H:%M:%S')} load {load():.1f}] {message}", flush=True)

    def save(self):
        if self.out:
            self.out.write_text(json.dumps(self.raw, indent=1, default=str))


def fmt(value, unit="s"):
    if value is None or value != value:
        return "-"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b and a == a and b == b else "-"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--documents", type=int, default=5000)
    ap.add_argument("--import-reps", type=int, default=3, help="a single import moves with the minute's load (docs/benchmarks.md, session 10)")
    ap.add_argument("--export-reps", type=int, default=5, help="a single export moves with the minute's load (docs/benchmarks.md, session 11)")
    ap.add_argument("--release-reps", type=int, default=3)
    ap.add_argument("--save-reps", type=int, default=3)
    ap.add_argument("--save-docs", type=int, default=100, help="documents per span-save repetition (x20 spans)")
    ap.add_argument("--save-warmup-docs", type=int, default=10, help="documents of span saves before the repetitions, on each system, not counted")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--port", type=int, default=8100, help="our app; doccano gets port + 1 (keep both in 8100-8299)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                    help="our gunicorn workers: one per core, as docs/deploy.md says (3 before session 12)")
    ap.add_argument("--web-threads", type=int, default=4)
    ap.add_argument("--doccano-venv", default=os.environ.get("DOCCANO_VENV", "/work/anchors/doccano-venv"))
    ap.add_argument("--no-doccano", action="store_true")
    ap.add_argument("--quick", action="store_true", help="500 documents, one repetition each")
    ap.add_argument("--only", choices=STEPS, action="append",
                    help="run only these steps (repeatable), e.g. --only saves to iterate on span saves; the table "
                    "then shows only what was measured")
    ap.add_argument("--out", help="write the raw figures as JSON here")
    ap.add_argument("--report", metavar="FILE", help="print the table of a run's --out file again, and stop")
    a = ap.parse_args(argv)
    if a.report:
        raw = json.loads(Path(a.report).read_text())
        a.documents, a.threads = raw["corpus"]["documents"], raw.get("threads", a.threads)
        names = [n for n in ("annotate", "doccano") if n in raw["results"]]
        print_table(raw["results"], names, a, raw.get("doccano_note"), when=raw.get("finished") or raw["started"])
        return
    steps = set(a.only or STEPS)
    if a.quick:
        a.documents, a.import_reps, a.export_reps, a.release_reps = 500, 1, 1, 1
        a.save_reps, a.save_docs, a.save_warmup_docs = 1, 50, 0
    assert 8100 <= a.port and a.port + 1 <= 8299
    report = Report(Path(a.out) if a.out else None)
    workdir = Path(tempfile.mkdtemp(prefix="bench-anchors-"))

    t0 = time.perf_counter()
    if steps <= {"saves"}:  # only the documents the span saves use
        a.documents = min(a.documents, a.save_reps * a.save_docs)
    docs = anchor_corpus.generate(a.documents)
    longdoc = anchor_corpus.generate_long()
    n_spans = sum(len(d["spans"]) for d in docs)
    report.log(f"corpus: {len(docs)} documents, {n_spans} spans, {sum(len(d['text'].encode()) for d in docs) / 1e6:.1f} MB, "
               f"long document {len(longdoc['text'].encode()) / 1e6:.2f} MB with {len(longdoc['spans'])} spans "
               f"({time.perf_counter() - t0:.1f} s)")
    report.raw["corpus"] = {"documents": len(docs), "spans": n_spans, "seed": anchor_corpus.SEED}
    report.raw["threads"] = a.threads

    systems = [AnnotateSystem(a.port, workdir, a.workers, a.web_threads)]
    doccano_note = None
    if not a.no_doccano:
        doccano = DoccanoSystem(a.port + 1, workdir, Path(a.doccano_venv))
        doccano_note = doccano.available()
        if doccano_note is None:
            systems.append(doccano)
        else:
            report.log(f"doccano not measured: {doccano_note}")
    else:
        doccano_note = "--no-doccano"
    names = [type(s).__name__.removesuffix("System").lower() for s in systems]
    report.raw["doccano_note"] = doccano_note
    res: dict = {name: {} for name in names}
    res["floor"] = {}
    report.raw["results"] = res
    try:
        for system in systems:
            report.log(f"setting up {type(system).__name__} (fresh database {system.database})")
            system.setup()
            system.start()
        clients = {}
        for name, system in zip(names, systems):
            clients[name] = system.client()
            clients[name].login()
        report.log(f"servers up; workdir {workdir}")

        # 1. import of the whole project with its spans; the floor right after each round
        res["floor"]["import"], imports = [], {n: [] for n in names}
        for r in range(a.import_reps if "import" in steps else 0):
            for name in names if r % 2 == 0 else names[::-1]:
                seconds = m_import(clients[name], docs, f"anchor-import-{r}")
                imports[name].append(seconds)
                report.log(f"import {name} rep {r}: {seconds:.2f} s (project {clients[name].project_id})")
            floor = floor_load(docs)
            res["floor"]["import"].append(floor)
            report.log(f"import floor (COPY) rep {r}: {floor:.2f} s")
        for name in names:
            res[name]["import"] = imports[name]
        res["import_load"] = load()
        report.save()
        # Planner statistics for what was loaded, on each system alike and not timed. This
        # PostgreSQL runs with autovacuum off: without it no table is ever analyzed, and the
        # export of a 5,000-document project was planned for six documents and one row per user
        # (docs/benchmarks.md, session 11). In production autovacuum analyzes them after a load;
        # the floor's own tables are analyzed as they are loaded (floor_load).
        if "import" in steps:
            for system in systems:
                started = time.perf_counter()
                with psycopg.connect(f"{PG}/{system.database}", autocommit=True) as conn:
                    conn.execute("ANALYZE")
                report.log(f"ANALYZE {system.database}: {time.perf_counter() - started:.2f} s (not timed)")

        # 2. jsonl export of that project, 3. conll; the floor measured in each round
        res["floor"]["json"] = []
        for name in names:
            res[name]["jsonl"], res[name]["conll"] = [], []
        for r in range(a.export_reps if "export" in steps and "import" in steps else 0):
            seconds, size = floor_json()
            res["floor"]["json"].append(seconds)
            report.log(f"export floor (COPY json_agg) rep {r}: {seconds:.2f} s, {size / 1e6:.1f} MB")
            for name in names:
                seconds, size, check = m_export(clients[name], "jsonl", docs if r == 0 else None)
                res[name]["jsonl"].append(seconds)
                report.log(f"export jsonl {name} rep {r}: {seconds:.2f} s, {size / 1e6:.1f} MB" + (f", check {check}" if check else ""))
                if check:
                    res[name]["jsonl_check"] = check
            seconds, size, _ = m_export(clients["annotate"], "conll")
            res["annotate"]["conll"].append(seconds)
            report.log(f"export conll annotate rep {r}: {seconds:.2f} s, {size / 1e6:.1f} MB")
        res["export_load"] = load()
        report.save()

        # 3b. freezing a release of that project (the issue: "nothing gets slower")
        res["annotate"]["release"] = []
        for r in range(a.release_reps if "release" in steps and "import" in steps else 0):
            started = time.perf_counter()
            clients["annotate"].freeze_release(f"bench {r}")
            res["annotate"]["release"].append(time.perf_counter() - started)
            report.log(f"release freeze annotate rep {r}: {res['annotate']['release'][-1]:.2f} s")
        res["release_load"] = load()
        report.save()

        # 4. span saves: a project of text-only documents each, then alternate repetitions
        needed = a.save_reps * a.save_docs
        save_docs = docs[:needed + a.save_warmup_docs]
        ids = {}
        for name in names:
            clients[name].create_project("anchor-saves")
            ids[name] = clients[name].import_documents(save_docs)
            res[name]["saves"] = []
        for name in names if a.save_warmup_docs and "saves" in steps else ():
            # not measured: each server's first requests open its connections and prepare statements
            out = m_saves(clients[name], save_docs, ids[name], needed, a.save_warmup_docs, a.threads)
            report.log(f"saves {name} warm-up: {out['ok']} spans, {out['rate']:.0f}/s (not counted)")
        for r in range(a.save_reps if "saves" in steps else 0):
            for name in names if r % 2 == 0 else names[::-1]:
                out = m_saves(clients[name], save_docs, ids[name], r * a.save_docs, a.save_docs, a.threads,
                              web_cpu=systems[names.index(name)].web_cpu)
                out["load"] = load()
                res[name]["saves"].append(out)
                report.log(f"saves {name} rep {r}: {out['ok']} spans in {out['wall_s']:.2f} s -> {out['rate']:.0f}/s, "
                           f"p50 {out['p50']:.0f} ms, p95 {out['p95']:.0f} ms, p99 {out['p99']:.0f} ms, errors {out['errors']}, "
                           f"server CPU {out['server_cpu_s_per_1000']:.2f} s per 1,000 (client {out['client_cpu_s_per_1000']:.2f} s)"
                           + (f" {out['error_examples']}" if out["errors"] else ""))
        report.save()

        # 5. the long document: import and read
        for name in names if "long" in steps else ():
            client = clients[name]
            client.create_project("anchor-long")
            started = time.perf_counter()
            client.import_with_spans([longdoc])
            res[name]["long_import"] = time.perf_counter() - started
            doc_id = next(iter(client.ids_by_external_id().values()))
            reads = []
            for _ in range(3):
                started = time.perf_counter()
                size, seen = client.get_document(doc_id)
                reads.append(time.perf_counter() - started)
            res[name]["long_read"] = median(reads)
            report.log(f"long document {name}: import {res[name]['long_import']:.2f} s, read {res[name]['long_read']:.3f} s "
                       f"({size / 1e6:.2f} MB, {seen} spans)")

        # 6. database sizes
        for name, system in zip(names, systems) if "size" in steps else ():
            res[name]["size"] = database_sizes(system.database, system.history_tables)
            size = res[name]["size"]
            report.log(f"database {name}: {size['total'] / 2**20:.0f} MB, history {size['history'] / 2**20:.0f} MB; largest "
                       + ", ".join(f"{rel} {s / 2**20:.0f} MB" for rel, s in size["largest"]))
        report.save()
    finally:
        for system in systems:
            system.stop()

    report.raw["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print_table(res, names, a, doccano_note, when=report.raw["finished"])
    report.raw["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report.save()


def round_ratio(values, floors):
    """The median of the per-round ratios: each figure against the floor measured beside it."""
    return median([v / f for v, f in zip(values, floors) if f])


def print_table(res, names, a, doccano_note, when):
    """The table of whatever the run measured (--only leaves rows out)."""
    have_doccano = "doccano" in names
    ours, theirs = res["annotate"], res.get("doccano", {})

    def rr(values, others):
        return f"{round_ratio(values, others):.2f}x" if values else "-"

    print(f"\n## bench/anchors.py, {when[:16].replace('T', ' ')} UTC, {os.cpu_count()} cores, {a.documents} documents; "
          "medians of the repetitions; x floor: median of each round's ratio to the floor measured in that round")
    if not have_doccano:
        print(f"doccano not measured: {doccano_note}")
    print("| measure | annotate | doccano | doccano / annotate | PostgreSQL floor | annotate / floor | goal | load |")
    print("|---|---|---|---|---|---|---|---|")
    if ours.get("import"):
        floor_import = median(res["floor"]["import"])
        imp, d_imp = median(ours["import"]), median(theirs.get("import", []))
        print(f"| import {a.documents:,} documents with their spans | {fmt(imp)} | {fmt(d_imp)} | {rr(theirs.get('import'), ours['import'])} | "
              f"COPY: {fmt(floor_import)} | {round_ratio(ours['import'], res['floor']['import']):.2f}x | 3x floor | {res['import_load']:.1f} |")
    if ours.get("jsonl"):
        floor_json_s = median(res["floor"]["json"])
        j, d_j = median(ours["jsonl"]), median(theirs.get("jsonl", []))
        print(f"| export jsonl | {fmt(j)} | {fmt(d_j)} | {rr(theirs.get('jsonl'), ours['jsonl'])} | COPY json_agg: {fmt(floor_json_s)} | "
              f"{round_ratio(ours['jsonl'], res['floor']['json']):.2f}x | 2x floor | {res['export_load']:.1f} |")
        c = median(ours["conll"])
        print(f"| export conll | {fmt(c)} | none in 1.8.4 | - | COPY json_agg: {fmt(floor_json_s)} | {round_ratio(ours['conll'], res['floor']['json']):.2f}x | "
              f"5x floor | {res['export_load']:.1f} |")
    if ours.get("release"):
        print(f"| freeze a release with the individual layer | {fmt(median(ours['release']))} | none in 1.8.4 | - | - | - | "
              f"no slower | {res['release_load']:.1f} |")
    saves = ours.get("saves")
    if saves:
        rate = median([s["rate"] for s in saves])
        p95 = median([s["p95"] for s in saves])
        d_rate = median([s["rate"] for s in theirs.get("saves", [])]) if have_doccano else None
        d_p95 = median([s["p95"] for s in theirs.get("saves", [])]) if have_doccano else None
        save_loads = [s["load"] for s in saves]
        print(f"| span saves, one request each, {a.threads} clients | {rate:.0f} spans/s, p95 {p95:.0f} ms | "
              + (f"{d_rate:.0f} spans/s, p95 {d_p95:.0f} ms | annotate {rr([s['rate'] for s in saves], [s['rate'] for s in theirs['saves']])} "
                 "doccano's rate | " if have_doccano else "- | - | ")
              + f"- | - | 3x doccano, p95 < 40 ms | {min(save_loads):.1f}-{max(save_loads):.1f} |")
    if "long_import" in ours:
        li, d_li = ours["long_import"], theirs.get("long_import")
        lr, d_lr = ours["long_read"], theirs.get("long_read")
        print(f"| 1 MB document, 5,000 spans: import / read | {fmt(li)} / {fmt(lr)} | "
              + (f"{fmt(d_li)} / {fmt(d_lr)} | {ratio(d_li, li)} / {ratio(d_lr, lr)} |" if have_doccano else "- | - |")
              + " - | - | - | - |")
    if "size" in ours:
        size, d_size = ours["size"], theirs.get("size")
        share = size["history"] / size["total"] if size["total"] else 0
        print(f"| database size after the run | {size['total'] / 2**20:.0f} MB (history {size['history'] / 2**20:.0f} MB, {share:.0%}) | "
              + (f"{d_size['total'] / 2**20:.0f} MB | {ratio(d_size['total'], size['total'])} |" if d_size else "- | - |")
              + " - | - | history < 25% | - |")
    if saves:
        print(f"\nspan saves per repetition (annotate): " + "; ".join(
            f"{s['rate']:.0f}/s p95 {s['p95']:.0f} ms load {s['load']:.1f} server CPU {s.get('server_cpu_s_per_1000', float('nan')):.2f} s/1,000"
            for s in saves))
        if have_doccano:
            print("span saves per repetition (doccano): " + "; ".join(
                f"{s['rate']:.0f}/s p95 {s['p95']:.0f} ms load {s['load']:.1f} server CPU {s.get('server_cpu_s_per_1000', float('nan')):.2f} s/1,000"
                for s in theirs["saves"]))
    if ours.get("jsonl_check"):
        print(f"checks: annotate {ours.get('jsonl_check')}" + (f"; doccano {theirs.get('jsonl_check')}" if have_doccano else ""))

if __name__ == "__main__":
    main()
