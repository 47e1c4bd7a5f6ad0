"""manage.py jobs_worker: the worker for whichever task backend TASK_BACKEND names, plus the
periodic sweep that recovers jobs whose worker died (docs/jobs.md)."""
import gc
import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from annotate.jobs.services import jobs_sweep

logger = logging.getLogger("annotate.jobs")


def _sweep_forever(every: float, stop: threading.Event) -> None:
    while True:
        try:
            jobs_sweep()
        except Exception:  # the database is restarting, say: try again next round
            logger.exception("jobs sweep failed")
        finally:
            connections.close_all()  # this thread's own connection
        if stop.wait(every):
            return


def db_worker_options(*, burst: bool) -> dict:
    """django-tasks-db's worker options: it polls its queue table every JOBS_POLL_SECONDS."""
    return {
        "queue_name": "default", "reload": False, "batch": burst, "startup_delay": not burst,
        "interval": settings.JOBS_POLL_SECONDS,
    }  # fmt: skip


def _freeze_loaded_objects() -> None:
    """Move everything loaded so far (Django, the app, every job's code) out of the garbage
    collector's sight: a job that allocates much, as an import does (101,000 spans), triggers
    dozens of full collections, each of which walked all of it again. The anchor import spent
    0.2-0.4 s of its CPU there. An RQ work horse forked from here shares these pages, too."""
    import annotate.jobs.tasks  # noqa: F401  (the handlers and what they import)

    gc.collect()
    gc.freeze()


class Command(BaseCommand):
    help = "Run background jobs: db_worker (TASK_BACKEND=db) or rqworker (rq), and sweep expired leases."

    def add_arguments(self, parser):
        parser.add_argument("--sweep-every", type=float, default=None, help="Seconds between sweeps (default: half the lease).")
        parser.add_argument("--burst", action="store_true", help="Run the queued jobs, then exit (tests, cron).")

    def handle(self, *args, sweep_every=None, burst=False, verbosity=1, **options):
        every = sweep_every or settings.JOBS_LEASE_SECONDS / 2
        _freeze_loaded_objects()
        stop = threading.Event()
        if burst:
            jobs_sweep()
        else:
            # A daemon thread: it dies with the worker, and a worker forking a job (RQ) does
            # not take it along (fork copies only the calling thread).
            threading.Thread(target=_sweep_forever, args=(every, stop), name="jobs-sweep", daemon=True).start()
        try:
            if settings.TASK_BACKEND == "rq":
                call_command(
                    "rqworker", "default", job_class="django_tasks_rq.Job", burst=burst,
                    verbosity=verbosity,
                )  # fmt: skip
            else:
                call_command("db_worker", **db_worker_options(burst=burst), verbosity=verbosity)
        finally:
            stop.set()
