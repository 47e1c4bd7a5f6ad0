"""Every write to a Job outside its worker: create and enqueue, cancel, and the sweep that
recovers jobs whose worker died (the lease expired) or whose queued task was lost."""
import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from annotate.errors import Conflict
from annotate.jobs.models import Job, JobState
from annotate.models import Project
from annotate.permissions import Access, Rule, check, check_may_cancel_job

logger = logging.getLogger("annotate.jobs")


def _enqueue(job_id: int) -> None:
    # Imported here: the task module imports the handlers, which import most of the app.
    from annotate.jobs.tasks import run_job

    result = run_job.enqueue(job_id=job_id)
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def job_create(
    *, access: Access, rule: Rule, kind: str, params: dict, project: Project | None = None, message: str = "Waiting for a worker."
) -> Job:
    """A queued job in the caller's project, started by the caller, who must be allowed `rule`
    (the work the job does; `project` for rules that depend on blind review). Its task is
    enqueued once the surrounding transaction commits, so the worker always finds the row."""
    check(access, rule, project=project)
    job = Job.objects.create(
        kind=kind, project_id=access.project_id, creator_id=access.user_id, params=params, message=message
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_record_finished(
    *, access: Access, rule: Rule, kind: str, project: Project, params: dict, result: dict, message: str
) -> Job:
    """A job that ran inside the request (a small import) under `rule`: the same record as a
    queued one, so clients read one shape either way."""
    check(access, rule, project=project)
    now = timezone.now()
    return Job.objects.create(
        kind=kind,
        project=project,
        creator_id=access.user_id,
        params=params,
        state=JobState.SUCCEEDED,
        result=result,
        message=message,
        attempts=1,
        started_at=now,
        finished_at=now,
    )


def job_cancel(*, access: Access, job: Job) -> Job:
    """A queued job is cancelled at once; a running one is asked to stop at its next progress
    step (its transaction rolls back). 409 when it has already finished. Its creator cancels
    it, or a member SEE_OTHERS_JOBS allows (403 otherwise)."""
    check_may_cancel_job(access=access, job=job)
    now = timezone.now()
    if Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, cancel_requested=True, finished_at=now, message="Cancelled before it started."
    ):
        _discard_input(job)
    elif not Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        cancel_requested=True, message="Cancelling..."
    ):
        job.refresh_from_db()
        raise Conflict({"detail": f"The job has already finished ({job.state})."})
    job.refresh_from_db()
    return job


def _discard_input(job: Job) -> None:
    """An import's uploaded file is no longer needed once the job can never run again."""
    name = (job.params or {}).get("upload")
    if name:
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or the storage is down: the prune command retries
            logger.warning("Could not delete %s of job %s", name, job.pk)


def jobs_sweep(*, now: dt.datetime | None = None) -> dict:
    """Recover jobs nobody is running any more. A running job whose lease expired lost its
    worker (kill -9, a crashed machine): its transaction was rolled back, so it is queued
    again while it has attempts left, else failed with the reason. A queued job whose task
    the backend no longer knows (Redis restarted without persistence) is enqueued again.
    Returns {"retried": [...], "failed": [...], "requeued": [...]} job ids."""
    now = now or timezone.now()
    outcome = {"retried": [], "failed": [], "requeued": []}
    expired = Job.objects.filter(state=JobState.RUNNING, lease_expires_at__lt=now)
    for job in expired.only("pk", "attempts", "params", "lease_expires_at"):
        still_expired = Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts, lease_expires_at__lt=now)
        if job.attempts < settings.JOBS_MAX_ATTEMPTS:
            if still_expired.update(state=JobState.QUEUED, lease_expires_at=None, message="Its worker stopped; retrying."):
                transaction.on_commit(lambda pk=job.pk: _enqueue(pk))
                outcome["retried"].append(job.pk)
        elif still_expired.update(
            state=JobState.FAILED,
            finished_at=now,
            lease_expires_at=None,
            message="Failed: its worker stopped.",
            error={
                "detail": f"The worker running this job stopped responding (no heartbeat since "
                f"{job.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC, attempt {job.attempts} of "
                f"{settings.JOBS_MAX_ATTEMPTS}). Nothing it did was kept."
            },
        ):
            _discard_input(job)
            outcome["failed"].append(job.pk)
    stale = now - dt.timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    for job in Job.objects.filter(state=JobState.QUEUED, created_at__lt=stale).exclude(task_id="").only("pk", "task_id"):
        if not _task_known(job.task_id):
            Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(task_id="")
            transaction.on_commit(lambda pk=job.pk: _enqueue(pk))
            outcome["requeued"].append(job.pk)
    if any(outcome.values()):
        logger.warning("jobs sweep: %s", outcome)
    return outcome


def _task_known(task_id: str) -> bool:
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    try:
        default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return False
    return True


def jobs_prune(*, now: dt.datetime | None = None) -> int:
    """Delete finished jobs older than JOBS_KEEP_DAYS with their output files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JOBS_KEEP_DAYS)
    old = Job.objects.filter(state__in=[JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED], finished_at__lt=cutoff)
    for job in old.only("pk", "output_file", "params"):
        if job.output_file:
            default_storage.delete(job.output_file)
        _discard_input(job)
    return old.delete()[0]

