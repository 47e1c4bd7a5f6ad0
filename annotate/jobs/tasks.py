"""The one task every backend runs: it looks up the Job row and runs its handler."""
from django_tasks import task

from annotate.jobs.handlers import HANDLERS
from annotate.jobs.runner import job_run


@task()
def run_job(job_id: int) -> str | None:
    return job_run(job_id=job_id, handlers=HANDLERS)
