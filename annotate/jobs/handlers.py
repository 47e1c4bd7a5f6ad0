"""What each kind of job does, given its Job row and a progress callback. A handler returns
(result, output file name or ""). Handlers marked transactional run inside the runner's
transaction (their writes and the job's final state commit together); the others only read
and write an output file, and open their own snapshot."""
import contextlib
import gc
import tempfile
from collections.abc import Callable, Iterator

from django.core.files import File
from django.core.files.storage import default_storage

from annotate.datasets.selectors import buffered, export_stream
from annotate.datasets.registry import export_format
from annotate.jobs.models import Job, JobKind
from annotate.jobs.starts import filters_from_params
from annotate.permissions import access_for
from annotate.datasets.services import dataset_import

SPOOL_BYTES = 8 * 1024 * 1024


def _count_lines(name: str, format: str) -> int | None:
    """Documents to expect in a jsonl or csv upload (lines, less csv's header): the bar's total."""
    if format not in ("jsonl", "csv"):
        return None
    count, last = 0, b"\n"
    with default_storage.open(name, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    count += last != b"\n"
    return max(count - (format == "csv"), 0)


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: an import's objects (documents, spans, their checked
    copies) are freed by reference counting as each batch is written, and the collector's passes
    over them held the interpreter from the batch writer for nothing (0.1 s of the anchor import's
    2 s, 0.15 s of its CPU). What is cyclic (an error's traceback) waits until the end, at most one
    import's worth; the collector's state is as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_import(*, job: Job, progress: Callable) -> tuple[dict, str]:
    params = job.params
    access = access_for(job.creator, job.project_id)  # checked again: the role may have changed since
    format = params.get("format") or params["file_name"].rsplit(".", 1)[-1].lower()
    total = _count_lines(params["upload"], format)
    progress(0, total, "Reading the file.")
    with default_storage.open(params["upload"], "rb") as stream, collection_paused():
        result = dataset_import(
            project=job.project,
            access=access,
            actor=job.creator,
            stream=stream,
            file_name=params["file_name"],
            size=params["size"],
            format=params.get("format"),
            on_duplicate=params.get("on_duplicate", "refuse"),
            options=params.get("options") or {},
            progress=lambda seen: progress(seen, None, f"{seen:,} documents read and checked."),
        )
    progress(result["documents"] + result["skipped"], None, "Committing.")
    return result, ""


run_import.transactional = True


def run_export(*, job: Job, progress: Callable) -> tuple[dict, str]:
    params = job.params
    access = access_for(job.creator, job.project_id)
    filters = filters_from_params(params["filters"])
    export = export_format(params["format"])
    progress(0, None, "Writing the export.")
    manifest: dict = {}
    written = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        chunks = export_stream(  # checks the filters for the creator's role now
            access=access,
            project_id=job.project_id,
            format=params["format"],
            filters=filters,
            offset_unit=params["offset_unit"],
            manifest_out=manifest,
        )
        for piece in buffered(chunks, size=1024 * 1024):
            spool.write(piece)
            written += len(piece)
            progress(0, None, f"{written / 1e6:,.1f} MB written.")
        spool.seek(0)
        name = f"jobs/{job.pk}/project-{job.project_id}-{filters.layer}.{export.extension}"
        stored = default_storage.save(name, File(spool, name=name))
    result = {"bytes": written, "format": params["format"], "file_name": name.rsplit("/", 1)[-1]}
    result.update({key: manifest.get(key) for key in ("documents", "spans", "content_sha256")})
    return result, stored


run_export.transactional = False


def run_release(*, job: Job, progress: Callable) -> tuple[dict, str]:
    from annotate.workflow.releases import release_freeze

    access = access_for(job.creator, job.project_id)
    progress(0, None, "Freezing the release.")
    release = release_freeze(project=job.project, access=access, actor=job.creator, **job.params)
    return {"release": release.number, "name": release.name}, ""


run_release.transactional = True
run_release.snapshot = True  # one REPEATABLE READ snapshot, as when frozen inline (runner._own_in_snapshot)


def run_agreement(*, job: Job, progress: Callable) -> tuple[dict, str]:
    from annotate.workflow.selectors import project_agreement

    access = access_for(job.creator, job.project_id)  # project_agreement checks it (and blind review)
    progress(0, None, "Computing agreement.")
    return {"agreement": project_agreement(project=job.project, access=access)}, ""


run_agreement.transactional = False

def run_suggestions(*, job: Job, progress: Callable) -> tuple[dict, str]:
    from annotate.suggestions.jobs import suggest_project

    return suggest_project(job=job, progress=progress), ""


run_suggestions.transactional = False  # one transaction per document (see annotate/suggestions/jobs.py)

HANDLERS = {
    JobKind.IMPORT: run_import,
    JobKind.EXPORT: run_export,
    JobKind.RELEASE: run_release,
    JobKind.AGREEMENT: run_agreement,
    JobKind.SUGGEST: run_suggestions,
}
