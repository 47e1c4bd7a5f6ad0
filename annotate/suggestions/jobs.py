"""The suggester over a whole project, as a job (POST /api/v1/projects/{id}/suggestions/).

Each document is suggested in its own short transaction, so reviewers keep writing spans while
the job runs (a span write waits for one document's store, never for the project). A job killed
halfway leaves whole documents done and the rest untouched; the retry (or a rerun) does the rest,
since a document whose suggestions are current is skipped."""
from annotate.jobs.models import Job, JobKind
from annotate.jobs.services import job_create
from annotate.models import Document
from annotate.permissions import RUN_SUGGESTIONS, Access, access_for, check

from annotate.errors import Conflict, NotFound

from .services import document_suggest, suggestions_enabled


def suggestions_start(*, access: Access, force: bool = False) -> Job:
    check(access, RUN_SUGGESTIONS)
    if not suggestions_enabled(access.project_id):
        raise Conflict({"detail": "Suggestions are turned off in this project."})
    return job_create(access=access, rule=RUN_SUGGESTIONS, kind=JobKind.SUGGEST, params={"force": bool(force)})


def suggest_project(*, job: Job, progress) -> dict:
    access = access_for(job.creator, job.project_id)  # checked again: the role may have changed since
    check(access, RUN_SUGGESTIONS)
    ids = list(Document.objects.filter(project_id=job.project_id).order_by("pk").values_list("pk", flat=True))
    ran = 0
    progress(0, len(ids), "Suggesting.")
    for done, document_id in enumerate(ids, start=1):
        try:
            ran += document_suggest(document_id=document_id, force=job.params.get("force", False))
        except NotFound:  # deleted since the list was read
            pass
        progress(done, len(ids), f"{done:,} of {len(ids):,} documents read.")
    return {"documents": len(ids), "suggested": ran, "current": len(ids) - ran}
