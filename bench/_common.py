"""Shared by the dataset benchmarks: a PostgreSQL database of generated news, and a gunicorn server on it."""
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotate_ds_bench")
WORDS = (
    "the ministry said inflation fell in May while critics dispute the figure and the council confirmed "
    "that the bridge will stay closed until September because engineers found corrosion officials told "
    "reporters on Monday that the budget would rise by three percent next year according to a statement "
    "📰 Cámara naïve résumé 🇦🇿 👩🏽‍🔬 économie São Paulo Zürich"
).split()
LABELS = ("assertion", "attribution", "disputed")


def django_setup():
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
    sys.path.insert(0, str(ROOT))
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database():
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def make_text(rng: random.Random, size: int = 4000) -> str:
    words, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        sentence = sentence[0].upper() + sentence[1:] + "."
        words.append(sentence)
        length += len(sentence) + 1
    return " ".join(words)


def build_project(name: str, documents: int, spans_per_document: int = 20, seed: int = 1):
    """A project of `documents` documents of about 4 KB with `spans_per_document` spans each
    (two annotators, a link per attribution), written with bulk_create. Reused when it exists."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from annotate.models import Document, Membership, Project, Span, SpanLink
    from annotate.offsets import sha256_hex

    existing = Project.objects.filter(name=name).first()
    if existing and Document.objects.filter(project=existing).count() == documents:
        return existing
    if existing:
        existing.delete()
    User = get_user_model()
    people = []
    for username, role in (("bench-manager", "manager"), ("bench-ann1", "annotator"), ("bench-ann2", "annotator")):
        user = User.objects.filter(username=username).first() or User.objects.create_user(username, password="pass-word-123")
        people.append((user, role))
    rng = random.Random(seed)
    with transaction.atomic():
        project = Project.objects.create(name=name)
        Membership.objects.bulk_create([Membership(project=project, user=u, role=r) for u, r in people])
        annotators = [people[1][0], people[2][0]]
        for first in range(0, documents, 500):
            batch = []
            for n in range(first, min(first + 500, documents)):
                text = make_text(rng)
                batch.append(
                    Document(
                        project=project,
                        title=f"Story {n}",
                        text=text,
                        length=len(text),
                        text_sha256=sha256_hex(text),
                        received_sha256=sha256_hex(text),
                        outlet="Bench Times",
                        external_id=f"bench-{n}",
                    )
                )
            Document.objects.bulk_create(batch)
            spans, pairs = [], []
            for document in batch:
                text = document.text
                step = len(text) // spans_per_document
                for i in range(spans_per_document):
                    start = i * step + rng.randint(0, 20)
                    while text[start] == " ":
                        start += 1
                    end = min(start + rng.randint(10, step - 25), len(text))
                    while text[end - 1] == " ":
                        end -= 1
                    label = LABELS[i % 3]
                    spans.append(
                        Span(
                            document=document,
                            annotator=annotators[i % 2],
                            label=label,
                            start=start,
                            end=end,
                            quote=text[start:end],
                            source="the ministry" if label == "attribution" else "",
                            dispute_basis="within_text" if label == "disputed" else "",
                        )
                    )
                    if label == "attribution" and i >= 2:  # link to the same annotator's earlier span
                        pairs.append((len(spans) - 1, len(spans) - 3))
            Span.objects.bulk_create(spans, batch_size=5000)
            SpanLink.objects.bulk_create(
                [SpanLink(attribution=spans[a], target=spans[t]) for a, t in pairs if spans[a].annotator_id == spans[t].annotator_id],
                batch_size=5000,
            )
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather them
        cursor.execute("ANALYZE annotate_document, annotate_span, annotate_spanlink")
    return project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn (one sync worker, so its memory is the server's) on the bench database."""

    def __init__(self, extra_env: dict | None = None):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": BENCH_DB, "ALLOWED_HOSTS": "127.0.0.1", **(extra_env or {})}
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "annotate.wsgi", "--workers", "1", "--timeout", "600",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self):
        import httpx

        for _ in range(100):
            try:
                httpx.get(self.url + "/login/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])

    def worker_peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def token(username: str) -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=get_user_model().objects.get(username=username))[0].key
