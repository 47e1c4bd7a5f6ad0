"""Pages: the project's sources view (with merge and split for reviewers) and a document's claim map."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annotate.errors import ServiceError
from annotate.permissions import MERGE_SOURCES, document_for_user, may, project_for_user

from .selectors import document_claims, project_sources
from .services import sources_merge, sources_split


@login_required
def sources_page(request, pk: int):
    project, access = project_for_user(request.user, pk)
    layer = request.GET.get("layer") or "individual"
    try:
        result = project_sources(access=access, layer=layer)
    except ServiceError:
        layer, result = "individual", project_sources(access=access, layer="individual")
    return render(request, "sources/project_sources.html", {
        "project": project, "access": access, "result": result, "layer": layer,
        "may_merge": may(access, MERGE_SOURCES), "top": result["sources"][0]["attributions"] if result["sources"] else 0,
    })


def _back(pk: int, request):
    layer = request.POST.get("layer")
    url = redirect("sources-project", pk=pk).url
    return redirect(f"{url}?layer={layer}" if layer in ("individual", "gold") else url)


def _messages_of(error: ServiceError) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        return " ".join(str(m) for messages_ in detail.values() for m in (messages_ if isinstance(messages_, list) else [messages_]))
    return str(detail)


@login_required
@require_POST
def sources_merge_page(request, pk: int):
    _, access = project_for_user(request.user, pk)
    try:
        result = sources_merge(access=access, sources=request.POST.getlist("sources"), into=request.POST.get("into", ""))
    except ServiceError as error:
        if error.status == 403:
            raise
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, f"Merged {len(result['merged'])} source(s) into “{result['into']}”.")
    return _back(pk, request)


@login_required
@require_POST
def sources_split_page(request, pk: int):
    _, access = project_for_user(request.user, pk)
    try:
        result = sources_split(access=access, key=request.POST.get("key", ""))
    except ServiceError as error:
        if error.status == 403:
            raise
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, f"“{result['split']}” counts as its own source again.")
    return _back(pk, request)


@login_required
def claims_page(request, pk: int):
    document, access = document_for_user(request.user, pk, with_text=False)
    project, _ = project_for_user(request.user, document.project_id)
    layer = request.GET.get("layer") if request.GET.get("layer") in ("individual", "gold") else "individual"
    return render(request, "sources/claims.html", {
        "project": project, "access": access, "document": document, "layer": layer,
        "claims": document_claims(document=document, access=access, layer=layer),
    })
