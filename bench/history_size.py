"""How much of the database the span history takes, on the issue 13 workload, now and as stored
before migration 0007, in one run.

In a fresh database ($HISTORY_SIZE_DATABASE_URL, default annotate_history_size, dropped and made
anew): the anchor workload (5,000 documents, 101,000 spans: bench/import_floor.py) imported as one
jsonl file, then work on it through the services: 2,000 spans saved one by one in a second
annotator's layer, 1,000 imported spans edited (a note), 200 deleted, 300 links made. Then
VACUUM FULL and pg_total_relation_size of every table. Then the same database migrated back to
0006 (migration 0008's reverse writes the old rows: one full JSON copy per span per change),
VACUUM FULL and measured again; then migrated forward again (0008 converting those rows), measured
a third time, with the time each migration took.

    .venv/bin/python bench/history_size.py [--reads-only] [--no-export]

It ends with the history's reads on that database (--reads-only: just those, on the database a
previous run left).
"""
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
DB = os.environ.get("HISTORY_SIZE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotate_history_size")
HISTORY_NOW = ("annotate_spanchange", "annotate_spanbatch", "annotate_spanbatchdocument")
HISTORY_BEFORE = ("annotate_spanevent",)


def fresh_database():
    import psycopg

    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["BENCH_DATABASE_URL"] = DB


def sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
        )
        return dict(cursor.fetchall())


def vacuum_full():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL ANALYZE")


def report(title: str, measured: dict[str, int], history: tuple[str, ...]) -> float:
    total = sum(measured.values())
    kept = sum(measured.get(name, 0) for name in history)
    print(f"\n{title}: all tables {total / 2**20:.1f} MB, history {kept / 2**20:.1f} MB = {100 * kept / total:.1f}%")
    for name, size in list(measured.items())[:8]:
        print(f"  {name:<32}{size / 2**20:>9.2f} MB")
    for name in history:
        if name not in list(measured)[:8]:
            print(f"  {name:<32}{measured.get(name, 0) / 2**20:>9.2f} MB")
    return kept / total


def work(project):
    """Span saves, edits, deletes and links through the services, as members would make them."""
    from django.contrib.auth import get_user_model

    from annotate.models import Membership, Span
    from annotate.permissions import access_for
    from annotate.services import span_create, span_delete, span_link_create, span_update

    rng = random.Random(13)
    manager = get_user_model().objects.get(username="importer")
    second = get_user_model().objects.filter(username="second").first() or get_user_model().objects.create_user("second")
    Membership.objects.get_or_create(project=project, user=second, defaults={"role": "annotator"})
    spans = list(Span.objects.filter(document__project=project).select_related("document").order_by("id"))
    picked = rng.sample(spans, 3500)
    saves, edits, deletes = picked[:2000], picked[2000:3000], picked[3000:3200]
    links = [s for s in picked[3200:] if s.label == "attribution"][:300]
    own = access_for(second, project.pk)
    access = access_for(manager, project.pk)
    started = time.perf_counter()
    for span in saves:
        span_create(document=span.document, access=own, actor=second,
                    fields={"start": span.start, "end": span.end, "label": span.label, "quote": span.quote,
                            **({"dispute_basis": "within_text"} if span.label == "disputed" else {})})  # fmt: skip
    for span in edits:
        span_update(span=span, access=access, actor=manager, fields={"note": "checked against the wire copy"})
    for span in deletes:
        span_delete(span=span, access=access, actor=manager)
    made = 0
    for span in links:
        target = Span.objects.filter(document_id=span.document_id, annotator_id=span.annotator_id).exclude(pk=span.pk).exclude(pk__in=[d.pk for d in deletes]).first()
        if target is not None:
            span_link_create(attribution=span, target=target, access=access, actor=manager)
            made += 1
    print(f"work: {len(saves)} saves, {len(edits)} edits, {len(deletes)} deletes, {made} links in {time.perf_counter() - started:.1f} s")


def reads():
    """The history's reads on the workload: the API's first and last page (count, page, the
    expansion of batch creates and diffs), one document's history, the whole export; beside a
    reference in the same run: counting the project's spans."""
    import json as json_module

    from django.contrib.auth import get_user_model
    from django.db import connection

    from annotate.models import Project, Span
    from annotate.permissions import access_for
    from annotate.workflow import selectors

    project = Project.objects.get(name="history-size")
    access = access_for(get_user_model().objects.get(username="importer"), project.pk)

    def timed(name, fn, reps=3):
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - started)
        print(f"  {name:<44}{min(times) * 1000:>8.0f} ms  ({out})")

    events = selectors.span_history(project=project, access=access)
    total = events.count()
    document_id = Span.objects.filter(document__project=project).values_list("document_id", flat=True).first()
    print(f"\nhistory reads, {total:,} events (best of 3), load average {os.getloadavg()[0]:.1f}:")
    timed("reference: count the project's spans", lambda: Span.objects.filter(document__project=project).count())
    print("  sorting the view (span_history, as the pages read it before history_pages):")
    timed("API page 1 (count + 50 events, expanded)", lambda: (events.count(), len(selectors.history_expanded(list(events[:50]))))[1])
    timed("API last page (count + 50 events, expanded)", lambda: (events.count(), len(selectors.history_expanded(list(events[total - 50 :]))))[1])
    timed("history page (count + latest 500, expanded)", lambda: (events.count(), len(selectors.history_expanded(list(events.reverse()[:500]))))[1])
    print("  laid out from the batch rows and the SpanChange index (span_history_pages, what the pages read now):")

    def pages():  # a new one each time, as each request makes: nothing cached between runs
        return selectors.span_history_pages(project=project, access=access)

    def page(first, last):
        events = pages()
        events.count()
        return len(selectors.history_expanded(events[first:last]))

    timed("API page 1 (count + 50 events, expanded)", lambda: page(0, 50))
    timed("API middle page (count + 50 events, expanded)", lambda: page(total // 2, total // 2 + 50))
    timed("API last page (count + 50 events, expanded)", lambda: page(total - 50, total))
    timed("history page (count + latest 500, expanded)", lambda: (lambda e: (e.count(), len(selectors.history_expanded(e.latest(500))))[1])(pages()))
    same = [selectors.event_as_dict(e) for e in selectors.history_expanded(pages()[total - 500 : total])]
    assert same == [selectors.event_as_dict(e) for e in selectors.history_expanded(list(events[total - 500 :]))]
    print("  (the last 500 events checked equal to the view's)")
    timed("one document's history", lambda: len(selectors.history_expanded(list(selectors.span_history(project=project, access=access, document_id=document_id)))))

    def export():
        size = sum(len(json_module.dumps(selectors.event_as_dict(e))) for e in selectors.history_rows(events))
        return f"{size / 1e6:.1f} MB"

    if "--no-export" not in sys.argv:
        timed("whole export as JSON lines", export, reps=1)
    connection.close()


def main():
    if "--reads-only" in sys.argv:
        os.environ["BENCH_DATABASE_URL"] = DB
        import import_floor

        import_floor.setup()
        reads()
        return
    fresh_database()
    import import_floor

    import_floor.setup()
    from django.core.management import call_command

    docs, content = import_floor.workload()
    project = import_floor.new_project("history-size")
    started = time.perf_counter()
    result = import_floor.run_import(project, content)
    print(f"import: {result['documents']:,} documents, {result['spans']:,} spans in {time.perf_counter() - started:.1f} s")
    work(project)
    vacuum_full()
    now = report("now (SpanChange + SpanBatch)", sizes(), HISTORY_NOW)

    started = time.perf_counter()
    call_command("migrate", "annotate", "0006", verbosity=0)
    print(f"\nmigrated back to 0006 in {time.perf_counter() - started:.1f} s")
    vacuum_full()
    before = report("as stored before 0007 (one full JSON copy per span per change)", sizes(), HISTORY_BEFORE)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"\nmigrated forward (0007, 0008 converting the rows) in {time.perf_counter() - started:.1f} s")
    vacuum_full()
    again = report("after 0008 converted the old rows", sizes(), HISTORY_NOW)
    print(f"\nhistory share: before {100 * before:.1f}%, now {100 * now:.1f}%, converted {100 * again:.1f}% "
          f"(goal: under 25%); load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    reads()


if __name__ == "__main__":
    main()
