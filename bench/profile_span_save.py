"""Where a span save's time goes: cProfile over N span POSTs through the whole WSGI application
(annotate.wsgi.application, called as gunicorn calls it, with the request signals, so the
per-request connection health check runs too: every middleware, DRF, token auth, the
permission query, the serializer, validate_span, the write of the span and its history row,
rendering), on PostgreSQL with the production settings (DEBUG off).

    .venv/bin/python bench/profile_span_save.py [--saves 600] [--session] [--top 25]

It prints the queries one save runs (the health check included), the CPU time of one save in
this process (time.process_time: the server's share, PostgreSQL's is in its own process), the
cumulative share of each part of the request path, and the top functions by own time. A
reference measured in the same run: the same number of bare `SELECT 1` round trips.
`--session` authenticates by session cookie (and CSRF token) instead of the API token.
"""
import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotate_perfbench")

# The parts of the request path, by (file suffix, function name) of the function whose
# cumulative time is that part. Nested parts are reported on their own lines, indented.
PARTS = [
    ("whole request (BaseHandler.get_response)", "django/core/handlers/base.py", "get_response"),
    ("  DRF dispatch (APIView.dispatch)", "rest_framework/views.py", "dispatch"),
    ("    initial: auth, permissions, throttles", "rest_framework/views.py", "initial"),
    ("      token authentication (one query)", "annotate/api/authentication.py", "authenticate_credentials"),
    ("      all authentication classes (token, session)", "rest_framework/authentication.py", "authenticate"),
    ("    request body parse (request.data)", "rest_framework/request.py", "_load_data_and_files"),
    ("    serializer (SpanCreateIn.is_valid)", "rest_framework/serializers.py", "is_valid"),
    ("    service (services.spans.span_create_for_user)", "annotate/services/spans.py", "span_create_for_user"),
    ("      permission + text window, no lock (1 query)", "annotate/permissions.py", "document_window_for_user"),
    ("      validate_span", "annotate/validation.py", "validate_span"),
    ("      the statement's parts (Django's field preparation)", "annotate/services/spans.py", "_insert_parts"),
    ("      one statement: lock, span, history row, commit", "annotate/services/spans.py", "_one_statement"),
    ("      the locked path (a document changed since the read)", "annotate/services/spans.py", "_create"),
    ("    response dict (span_as_dict)", "annotate/selectors.py", "span_as_dict"),
    ("    finalize_response", "rest_framework/views.py", "finalize_response"),
    ("  response render (JSONRenderer)", "rest_framework/renderers.py", "render"),
    ("all SQL (cursor.execute) incl. waiting for PostgreSQL", "django/db/backends/utils.py", "_execute"),
    ("  of which waiting on the socket (psycopg wait)", "psycopg/connection.py", "wait"),
]


def setup(session: bool):
    os.environ.update(
        DATABASE_URL=DB, DJANGO_SETTINGS_MODULE="annotate.settings", ANNOTATE_ENV="production", DEBUG="false",
        SECRET_KEY="bench-only-" + "k" * 50, ALLOWED_HOSTS="127.0.0.1,testserver", SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false", ANNOTATE_PROCESS="web", LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_fixture():
    import random

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotate.models import Document, Membership, Project
    from annotate.offsets import sha256_hex

    user = get_user_model().objects.filter(username="profiler").first() or get_user_model().objects.create_user(
        "profiler", password="pass-word-4711")
    project = Project.objects.create(name=f"profile-{time.time():.0f}")
    Membership.objects.create(project=project, user=user, role="manager")
    rng = random.Random(1)
    words = "the ministry said that inflation fell to three percent in May while critics disputed figure".split()
    text = " ".join(rng.choice(words) for _ in range(4000))
    document = Document.objects.create(project=project, title="p", text=text, length=len(text), text_sha256=sha256_hex(text),
                                       received_sha256=sha256_hex(text))
    starts = [i for i in range(1, len(text)) if text[i - 1] == " "]
    spans = []
    for start in starts:
        end = text.find(" ", start)
        if end > start:
            spans.append((start, end))
    return user, Token.objects.get_or_create(user=user)[0].key, document, spans


def process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wsgi_post(application, path: str, body: bytes, headers: dict) -> tuple[str, bytes]:
    """One POST through the WSGI application as a WSGI server sends it; (status, body)."""
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, **headers,
    }  # fmt: skip
    status = []
    result = application(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0], content


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=600)
    ap.add_argument("--session", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--dump", help="write the cProfile stats here (pstats), for a closer look")
    a = ap.parse_args()
    setup(a.session)
    import json
    import logging

    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from annotate.wsgi import application

    logging.getLogger("annotate.request").setLevel(logging.WARNING)  # no access line per save on the terminal
    user, key, document, spans = make_fixture()
    assert len(spans) >= a.saves + 650
    headers = {}
    if a.session:
        client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get("/login/")  # a CSRF cookie
        csrf, session = client.cookies["csrftoken"].value, client.cookies["sessionid"].value
        headers.update(HTTP_X_CSRFTOKEN=csrf, HTTP_COOKIE=f"csrftoken={csrf}; sessionid={session}")
    else:
        headers["HTTP_AUTHORIZATION"] = f"Token {key}"
    url = f"/api/v1/documents/{document.pk}/spans/"
    labels = ("assertion", "attribution", "disputed")

    def save(i):
        start, end = spans[i]
        body = json.dumps({"start": start, "end": end, "label": labels[i % 3]}).encode()
        status, content = wsgi_post(application, url, body, headers)
        assert status.startswith("201"), (status, content[:300])

    for i in range(20):  # warm up: imports, URL resolver, connection
        save(i)
    connection.force_debug_cursor = True
    with CaptureQueriesContext(connection) as queries:
        save(20)
    connection.force_debug_cursor = False
    print(f"queries of one save ({'session' if a.session else 'token'} auth): {len(queries.captured_queries)}")
    for q in queries.captured_queries:
        print("   ", " ".join(q["sql"].split())[:150])

    # unprofiled: the time and CPU of one save without the profiler's overhead, in batches; the
    # least-disturbed batch (the minimum) is the figure to compare on a shared machine
    n_plain, batches, walls, cpus, pg_cpus = 100, 6, [], [], []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]  # PostgreSQL runs on this machine: its CPU from /proc
    for b in range(batches):
        wall0, cpu0, pg0 = time.perf_counter(), time.process_time(), process_cpu(backend)
        for i in range(21 + b * n_plain, 21 + (b + 1) * n_plain):
            save(i)
        walls.append((time.perf_counter() - wall0) / n_plain)
        cpus.append((time.process_time() - cpu0) / n_plain)
        pg_cpus.append((process_cpu(backend) - pg0) / n_plain)
    plain, plain_cpu = min(walls), min(cpus)
    n_plain *= batches

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(21 + n_plain, 21 + n_plain + a.saves):
        save(i)
    profiler.disable()
    wall = time.perf_counter() - started

    # reference in the same run: bare round trips
    with connections["default"].cursor() as cursor:
        started = time.perf_counter()
        for _ in range(a.saves):
            cursor.execute("SELECT 1")
        select1 = (time.perf_counter() - started) / a.saves

    stats = pstats.Stats(profiler)
    if a.dump:
        stats.dump_stats(a.dump)
    total = None
    print(f"\nwithout the profiler: {plain * 1000:.2f} ms a save, CPU in this process {plain_cpu * 1000:.2f} ms "
          f"(minimum of {batches} batches of {n_plain // batches}, one client; CPU median "
          f"{sorted(cpus)[batches // 2] * 1000:.2f} ms); the PostgreSQL backend's CPU a save {min(pg_cpus) * 1000:.2f} ms "
          f"(median {sorted(pg_cpus)[batches // 2] * 1000:.2f} ms, in 10 ms ticks); under cProfile {wall / a.saves * 1000:.2f} ms; reference: "
          f"SELECT 1 round trip {select1 * 1000:.3f} ms; load average {os.getloadavg()[0]:.1f}")
    waits = sum(v[1] for (path, _, fn), v in stats.stats.items() if path.endswith("psycopg/connection.py") and fn == "wait")
    print(f"Python function calls a save (cProfile; does not depend on the load): {stats.total_calls / a.saves:.0f}")
    print(f"round trips to PostgreSQL a save (psycopg waits, the health check's SELECT 1 included, which Django's "
          f"query log does not see): {waits / a.saves:.2f}")
    print(f"\n{'part of the request path':<48}{'ms/save':>9}{'share':>8}")
    for label, suffix, name in PARTS:
        cum = sum(v[3] for (path, _, fn), v in stats.stats.items() if path.endswith(suffix) and fn == name)
        if total is None:
            total = cum or 1
        print(f"{label:<48}{cum / a.saves * 1000:>9.3f}{cum / total:>8.0%}")
    middleware = {}
    for (path, _, fn), v in stats.stats.items():
        if fn in ("__call__", "process_request", "process_response", "process_view") and ("middleware" in path or "ops/" in path):
            middleware[(Path(path).parent.name + "/" + Path(path).name, fn)] = v[2]
    print("\nmiddleware methods, own time:")
    for (where, fn), own in sorted(middleware.items(), key=lambda x: -x[1])[:10]:
        print(f"   {where}:{fn:<20}{own / a.saves * 1000:>8.3f} ms/save")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(a.top)
    print("\ntop functions by own time:")
    print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
