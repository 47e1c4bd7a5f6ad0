"""Running one job in a worker: claim it, keep its lease alive, report progress, honour a
cancel request, and record the outcome in the same transaction as the job's own writes.

Why one transaction: a worker killed at any point (kill -9) leaves nothing half-done, and the
fenced final update (this attempt still owns the job) means a run whose lease was taken over
by a retry can never commit its writes as well.
"""
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from annotate.errors import ServiceError
from annotate.jobs.models import Job, JobState

logger = logging.getLogger("annotate.jobs")


class JobCancelled(Exception):
    """Raised at a progress step after someone asked the job to stop."""


class LeaseLost(Exception):
    """Raised when the sweep gave this job to another attempt (this worker looked dead)."""


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.JOBS_LEASE_SECONDS)


class Progress:
    """Handed to a job's handler: call it with (done, total, message) at each step. The
    heartbeat thread writes the latest values on its own database connection, so they are
    visible while the job's transaction is still open; the step raises JobCancelled or
    LeaseLost when the heartbeat learned of either."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.attempt = job.attempts
        self.done, self.total, self.message = 0, job.total, job.message
        self.cancelled = False
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.done, self.message = done, message[:300]
        if total is not None:
            self.total = total
        logger.info("job %s progress %s/%s %s", self.job_id, done, self.total, message)
        if self.cancelled:
            raise JobCancelled()
        if self.lost:
            raise LeaseLost()

    def beat(self) -> None:
        """Renew the lease and publish progress (this attempt only); learn of a cancel request."""
        now = timezone.now()
        owned = Job.objects.filter(pk=self.job_id, state=JobState.RUNNING, attempts=self.attempt)
        if not owned.update(
            heartbeat_at=now, lease_expires_at=_lease(now), done=self.done, total=self.total, message=self.message
        ):
            self.lost = True
            return
        self.cancelled = owned.filter(cancel_requested=True).exists()
        logger.debug("job %s heartbeat %s/%s", self.job_id, self.done, self.total)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # the database blinked: the next beat tries again, the lease has slack
                    logger.exception("job %s heartbeat failed", self.job_id)
        finally:
            connections.close_all()  # this thread's own connections

    def __enter__(self):
        # SQLite has one writer: while the job's transaction is open nobody else may write, so
        # the lease set at claim time stands and progress shows when the job ends.
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(target=self._loop, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _claim(job_id: int) -> Job | None:
    """queued -> running for this worker, or None when the job was cancelled or another
    worker has it (a task may be delivered twice)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED, cancel_requested=False).update(
        state=JobState.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        lease_expires_at=_lease(now),
        message="Started.",
    )
    return Job.objects.select_related("project", "creator").get(pk=job_id) if claimed else None


def _finish(progress: Progress, **fields) -> bool:
    """The final state, written only if this attempt still owns the job."""
    fields.setdefault("finished_at", timezone.now())
    return bool(
        Job.objects.filter(pk=progress.job_id, state=JobState.RUNNING, attempts=progress.attempt).update(
            lease_expires_at=None, **fields
        )
    )


def _own_in_snapshot(progress: Progress) -> None:
    """Make the job's transaction one REPEATABLE READ snapshot (a release: what the inline path
    gets from release_freeze as the outermost transaction). Its first statement locks the job
    row: nobody can update that row after the snapshot began (the heartbeat waits until the
    commit), so the fenced final update cannot fail to serialize; the lock also fences."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer, and a read transaction already sees one snapshot
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    owned = Job.objects.select_for_update().filter(pk=progress.job_id, state=JobState.RUNNING, attempts=progress.attempt)
    if not owned.exists():
        raise LeaseLost()


def job_run(*, job_id: int, handlers: dict[str, Callable]) -> str | None:
    """Run the job with its kind's handler(job=, progress=) -> (result dict, output file name).
    Returns the state it ended in, or None when there was nothing to run."""
    job = _claim(job_id)
    if job is None:
        logger.info("job %s: nothing to run (cancelled, finished or taken)", job_id)
        return None
    logger.info("job %s (%s) attempt %s started", job.pk, job.kind, job.attempts)
    with Progress(job) as progress:
        try:
            handler = handlers[job.kind]
            # A transactional handler's writes commit with the job's final state, fenced;
            # a read-only one opens its own snapshot (REPEATABLE READ needs to be outermost).
            with transaction.atomic() if handler.transactional else contextlib.nullcontext():
                if getattr(handler, "snapshot", False):
                    _own_in_snapshot(progress)
                result, output_file = handler(job=job, progress=progress)
                if not _finish(
                    progress,
                    state=JobState.SUCCEEDED,
                    result=result,
                    output_file=output_file or "",
                    done=progress.done,
                    total=progress.total,
                    message="Done.",
                ):
                    raise LeaseLost()
            state = JobState.SUCCEEDED
        except JobCancelled:
            _finish(progress, state=JobState.CANCELLED, done=progress.done, message="Cancelled; nothing was kept.")
            state = JobState.CANCELLED
        except LeaseLost:
            logger.warning("job %s attempt %s lost its lease; its work was rolled back", job.pk, progress.attempt)
            return None
        except (ServiceError, PermissionDenied, Http404) as error:  # refused, not broken: the reason, no traceback
            raw = getattr(error, "detail", None) or str(error)
            detail = raw if isinstance(raw, dict) else {"detail": str(raw)}
            _finish(progress, state=JobState.FAILED, error=detail, done=progress.done, message="Failed.")
            state = JobState.FAILED
        except Exception as error:  # anything else is a bug or an outage: say so, keep nothing
            logger.exception("job %s failed", job.pk)
            _finish(
                progress,
                state=JobState.FAILED,
                error={"detail": f"{type(error).__name__}: {error}"[:2000]},
                done=progress.done,
                message="Failed.",
            )
            state = JobState.FAILED
    logger.info("job %s %s", job.pk, state)
    return state
