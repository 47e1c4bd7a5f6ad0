"""Dataset pages: the upload form on the project page posts here (session auth, CSRF)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from annotate.errors import ServiceError
from annotate.limits import rate_limited
from annotate.permissions import IMPORT_DOCUMENTS, project_for_user
from annotate.datasets.services import IMPORT_OPTIONS
from annotate.jobs.starts import import_start

SHOWN_PROBLEMS = 10


def _describe(error: ServiceError) -> list[str]:
    detail = error.detail if isinstance(error.detail, dict) else {"detail": str(error.detail)}
    lines = [str(detail.get("detail", "The import was refused; nothing was imported."))]
    for problem in detail.get("errors", [])[:SHOWN_PROBLEMS]:
        lines.append(f"{problem['file']}, line {problem['line']}, {problem['field']}: {problem['message']}")
    for duplicate in detail.get("duplicates", [])[:SHOWN_PROBLEMS]:
        lines.append(f"{duplicate['file']}, line {duplicate['line']}: already in the project ({duplicate['reason']}).")
    for field, messages_ in detail.items():
        if field not in ("detail", "errors", "duplicates"):
            lines.append(f"{field}: {' '.join(map(str, messages_)) if isinstance(messages_, list) else messages_}")
    return lines


def import_summary(result: dict) -> str:
    """What a finished import did, in a sentence for the page's message."""
    parts = [f"Imported {result['documents']} documents with {result['spans']} spans"]
    if result.get("merged"):
        parts.append(f"added spans to {result['merged']} documents already in the project")
    if result["skipped"]:
        parts.append(f"skipped {result['skipped']} already in the project")
    if ignored := result.get("ignored"):
        parts.append("ignored " + ", ".join(f"{count} {name}" for name, count in sorted(ignored.items())))
    if result.get("split_discontinuous"):
        parts.append(f"split {result['split_discontinuous']} discontinuous annotations into one span per fragment")
    return "; ".join(parts) + "."


@login_required
@require_POST
@rate_limited("import")
def project_import(request, pk: int):
    project, access = project_for_user(request.user, pk, may=IMPORT_DOCUMENTS)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to import.")
        return redirect("project-detail", pk=project.pk)
    try:
        job, ran_inline = import_start(
            project=project,
            access=access,
            actor=request.user,
            upload=upload,
            format=request.POST.get("format") or None,
            on_duplicate=request.POST.get("on_duplicate") or "refuse",
            options={name: request.POST[name] for name in IMPORT_OPTIONS if request.POST.get(name)},
        )
    except ServiceError as error:
        for line in _describe(error):
            messages.error(request, line)
    else:
        if not ran_inline:
            messages.info(request, f"Importing {upload.name} in the background (job {job.pk}); its progress shows under Jobs.")
            return redirect("project-detail", pk=project.pk)
        messages.success(request, import_summary(job.result))
    return redirect("project-detail", pk=project.pk)
