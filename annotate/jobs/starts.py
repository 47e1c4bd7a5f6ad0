"""Starting work that may be long: run it in the request when it is small, else store its
input and queue a job. Either way the caller gets a Job (finished, or queued)."""
import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.core.files.storage import default_storage

from annotate.dataset_selectors import ExportFilters
from annotate.errors import TooLarge
from annotate.jobs.models import Job, JobKind
from annotate.jobs.services import job_create, job_record_finished
from annotate.models import Document, Project
from annotate.permissions import MANAGERS, Access
from annotate.services.imports import dataset_import, import_format_for


def import_start(
    *,
    project: Project,
    access: Access,
    actor,
    upload,
    format: str | None,
    on_duplicate: str,
    in_background: bool = False,
) -> tuple[Job, bool]:
    """(job, ran_inline). A file of at most JOBS_INLINE_IMPORT_MAX_BYTES is imported in the
    request (its errors raise as they always did: 400, 409, 413); a larger one, or any when
    in_background, is stored and queued. What can be refused before reading the file (role,
    size, format) is refused here, synchronously, in both cases."""
    access.require(MANAGERS, "import documents")
    if upload.size > settings.DATASET_IMPORT_MAX_BYTES:
        raise TooLarge({"detail": f"The file is {upload.size} bytes; imports take at most {settings.DATASET_IMPORT_MAX_BYTES}."})
    import_format_for(format=format, file_name=upload.name)
    params = {"file_name": upload.name, "size": upload.size, "format": format, "on_duplicate": on_duplicate}
    if upload.size <= settings.JOBS_INLINE_IMPORT_MAX_BYTES and not in_background:
        result = dataset_import(
            project=project,
            access=access,
            actor=actor,
            stream=upload.open("rb").file,
            file_name=upload.name,
            size=upload.size,
            format=format,
            on_duplicate=on_duplicate,
        )
        message = f"Imported {result['documents']} documents in the request."
        return job_record_finished(
            kind=JobKind.IMPORT, project=project, creator=actor, params=params, result=result, message=message
        ), True
    upload.seek(0)
    params["upload"] = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}/{upload.name}", upload)
    return job_create(kind=JobKind.IMPORT, project_id=project.pk, creator=actor, params=params), False


def export_start(*, project_id: int, actor, format: str, offset_unit: str, filters: ExportFilters) -> Job:
    """An export written to a file by a worker (any member). Takes the options as
    check_export_options passed them and the filters as export_filters_for narrowed them; the
    worker narrows them again for the role its creator has then."""
    params = {"format": format, "offset_unit": offset_unit, "filters": filters_as_params(filters)}
    return job_create(kind=JobKind.EXPORT, project_id=project_id, creator=actor, params=params)


_DATES = ("published_after", "published_before", "annotated_after", "annotated_before")


def filters_as_params(filters: ExportFilters) -> dict:
    """ExportFilters as JSON for the job's params (dates as ISO strings, tuples as lists)."""
    values = dataclasses.asdict(filters)
    return {k: (v.isoformat() if k in _DATES and v else list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def filters_from_params(values: dict) -> ExportFilters:
    return ExportFilters(**{
        k: (dt.date.fromisoformat(v) if k in _DATES and v else tuple(v) if isinstance(v, list) else v)
        for k, v in values.items()
    })  # fmt: skip


def release_start(
    *, project: Project, access: Access, actor, name: str, description: str = "", include_individual: bool = False
) -> Job:
    access.require(MANAGERS, "freeze releases")
    params = {"name": name, "description": description, "include_individual": include_individual}
    return job_create(kind=JobKind.RELEASE, project_id=project.pk, creator=actor, params=params)


def release_runs_as_job(*, project: Project, prefer_async: bool) -> bool:
    """Large projects (more than JOBS_INLINE_RELEASE_MAX_DOCUMENTS documents) freeze in a worker."""
    return prefer_async or Document.objects.filter(project=project).count() > settings.JOBS_INLINE_RELEASE_MAX_DOCUMENTS


def agreement_start(*, project: Project, access: Access, actor) -> Job:
    from annotate.workflow.api_views import require_agreement_access

    require_agreement_access(project=project, access=access)
    return job_create(kind=JobKind.AGREEMENT, project_id=project.pk, creator=actor, params={})
