"""Pages (session auth, CSRF). Thin: fetch through permissions/selectors, render a template."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from annotate import progress, selectors
from annotate.models import Label
from annotate.permissions import document_for_user, project_for_user
from annotate.project_setup.forms import MemberAddForm
from annotate.project_setup.selectors import first_run
from annotate.rendering import render_markdown

DOCUMENTS_PER_PAGE = 50
WORKSPACE_MODULES = [
    f"js/{name}.js" for name in (
        "document_workspace", "api", "dom_writes", "drafts", "drawing", "highlights", "history", "keymap", "offsets", "page_spans",
        "selection", "selection_commands", "span_actions", "span_editor", "span_list", "span_store", "suggestion_actions",
        "suggestions", "text_view", "undo_steps", "workspace_keys", "workspace_status", "workspace_toolbar", "write_queue",
    )
]


@login_required
def project_list(request):
    projects = list(selectors.visible_projects(user=request.user))
    return render(
        request,
        "project_list.html",
        {
            "projects": projects,
            "active": [p for p in projects if p.archived_at is None],
            "archived": [p for p in projects if p.archived_at is not None],
        },
    )


@login_required
def project_detail(request, pk: int):
    project, access = project_for_user(request.user, pk)
    all_documents = selectors.project_documents(project=project)
    filters = {
        "search": request.GET.get("q", "").strip(),
        "outlet": request.GET.get("outlet", ""),
        "status": request.GET.get("status", ""),
    }
    documents = progress.filtered_documents(documents=all_documents, access=access, **filters)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = progress.documents_progress(document_ids=[d.pk for d in rows], access=access)
    for document in rows:
        document.progress = counts[document.pk]
        document.label_counts = [(label, counts[document.pk]["labels"].get(label, 0)) for label in Label.values]
        document.done_by_me = request.user.username in counts[document.pk]["done_by"]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "project_detail.html",
        {
            "project": project,
            "access": access,
            "documents": rows,
            "page": page,
            "query_without_page": query.urlencode(),
            "filters": filters,
            "outlets": progress.project_outlets(documents=all_documents),
            "status_choices": progress.STATUS_FILTERS.items(),
            "labels": Label.values,
            "guidelines_html": render_markdown(project.guidelines),
            "setup": first_run(project=project, access=access),
            "add_form": MemberAddForm(),
        },
    )


@login_required
def document_workspace(request, pk: int):
    document, access = document_for_user(request.user, pk)
    project = document.project
    previous_id, next_id = progress.document_neighbours(document=document)
    layers = []
    if access.sees_all_layers:
        layers = progress.layer_choices(members=selectors.project_members(project=project))
    data = {
        "document": {"id": document.pk, "title": document.title, "length": document.length},
        "text": document.text,
        "me": request.user.username,
        "role": access.role,
        "sees_all_layers": access.sees_all_layers,
        "layers": layers,
        "labels": Label.values,
        "done": progress.is_done(document=document, user=request.user),
        "urls": {
            "spans": reverse("api-span-list", args=[document.pk]),
            "span": reverse("api-span-detail", args=[0]),
            "done": reverse("api-document-done", args=[document.pk]),
            "suggestions": reverse("api-document-suggestions", args=[document.pk]),
            "suggestion": reverse("api-suggestion-accept", args=[0]).removesuffix("accept/"),
            "previous": reverse("document-workspace", args=[previous_id]) if previous_id else None,
            "next": reverse("document-workspace", args=[next_id]) if next_id else None,
            "project": reverse("project-detail", args=[project.pk]),
        },
    }
    return render(
        request,
        "document_workspace.html",
        {
            "project": project,
            "document": document,
            "access": access,
            "data": data,
            "modules": WORKSPACE_MODULES,
            "guidelines_html": render_markdown(project.guidelines),
        },
    )
