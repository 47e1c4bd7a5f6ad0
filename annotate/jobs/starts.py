"""Starting work that may be long: run it in the request when it is small, else store its
input and queue a job. Either way the caller gets a Job (finished, or queued)."""
import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.core.files.storage import default_storage

from annotate.datasets.selectors import ExportFilters, export_request_checked
from annotate.errors import TooLarge
from annotate.jobs.models import Job, JobKind
from annotate.jobs.services import job_create, job_record_finished
from annotate.models import Document, Project
from annotate.permissions import EXPORT_PROJECT, FREEZE_RELEASE, IMPORT_DOCUMENTS, SEE_AGREEMENT, Access, check
from annotate.datasets.services import dataset_import, format_options_checked, import_format_for


def import_start(
    *,
    project: Project,
    access: Access,
    actor,
    upload,
    format: str | None,
    on_duplicate: str,
    options: dict | None = None,
    in_background: bool = False,
) -> tuple[Job, bool]:
    """(job, ran_inline). A file of at most JOBS_INLINE_IMPORT_MAX_BYTES is imported in the
    request (its errors raise as they always did: 400, 409, 413); a larger one, or any when
    in_background, is stored and queued. What can be refused before reading the file (role,
    size, format) is refused here, synchronously, in both cases."""
    check(access, IMPORT_DOCUMENTS, project=project)
    if upload.size > settings.DATASET_IMPORT_MAX_BYTES:
        raise TooLarge({"detail": f"The file is {upload.size} bytes; imports take at most {settings.DATASET_IMPORT_MAX_BYTES}."})
    options = format_options_checked(import_format_for(format=format, file_name=upload.name), options or {})
    params = {"file_name": upload.name, "size": upload.size, "format": format, "on_duplicate": on_duplicate, "options": options}
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
            options=options,
        )
        message = f"Imported {result['documents']} documents in the request."
        return job_record_finished(
            access=access, rule=IMPORT_DOCUMENTS, kind=JobKind.IMPORT, project=project, params=params, result=result,
            message=message,
        ), True
    upload.seek(0)
    params["upload"] = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}/{upload.name}", upload)
    return job_create(access=access, rule=IMPORT_DOCUMENTS, project=project, kind=JobKind.IMPORT, params=params), False


def export_start(*, access: Access, project_id: int, actor, format: str, offset_unit: str, filters: ExportFilters) -> Job:
    """An export written to a file by a worker (any member). The options and filters are
    checked for the caller now (export_request_checked: 400/403 before anything is queued); the
    worker checks them again for the role its creator has then."""
    filters = export_request_checked(
        access=access, project_id=project_id, format=format, filters=filters, offset_unit=offset_unit
    )
    params = {"format": format, "offset_unit": offset_unit, "filters": filters_as_params(filters)}
    return job_create(access=access, rule=EXPORT_PROJECT, kind=JobKind.EXPORT, params=params)


_DATES = ("published_after", "published_before", "annotated_after", "annotated_before")


def filters_as_params(filters: ExportFilters) -> dict:
    """ExportFilters as JSON for the job's params (dates as ISO strings, tuples as lists)."""
    values = dataclasses.asdict(filters)
    values.pop("reader")  # whose export it is: the worker sets it again from the job's creator
    return {k: (v.isoformat() if k in _DATES and v else list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def filters_from_params(values: dict) -> ExportFilters:
    return ExportFilters(**{
        k: (dt.date.fromisoformat(v) if k in _DATES and v else tuple(v) if isinstance(v, list) else v)
        for k, v in values.items()
    })  # fmt: skip


def release_start(
    *, project: Project, access: Access, actor, name: str, description: str = "", include_individual: bool = False
) -> Job:
    params = {"name": name, "description": description, "include_individual": include_individual}
    return job_create(access=access, rule=FREEZE_RELEASE, project=project, kind=JobKind.RELEASE, params=params)


def release_runs_as_job(*, project: Project, prefer_async: bool) -> bool:
    """Large projects (more than JOBS_INLINE_RELEASE_MAX_DOCUMENTS documents) freeze in a worker."""
    return prefer_async or Document.objects.filter(project=project).count() > settings.JOBS_INLINE_RELEASE_MAX_DOCUMENTS


def agreement_start(*, project: Project, access: Access, actor) -> Job:
    return job_create(access=access, rule=SEE_AGREEMENT, project=project, kind=JobKind.AGREEMENT, params={})
