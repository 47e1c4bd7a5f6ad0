"""Pages (session auth, CSRF). Thin: fetch through permissions/selectors, render a template."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotate import selectors
from annotate.permissions import project_for_user
from annotate.rendering import render_markdown


@login_required
def project_list(request):
    projects = selectors.visible_projects(user=request.user)
    return render(request, "project_list.html", {"projects": projects})


@login_required
def project_detail(request, pk: int):
    project, access = project_for_user(request.user, pk)
    documents = selectors.project_documents(project=project)[:500]
    return render(
        request,
        "project_detail.html",
        {
            "project": project,
            "access": access,
            "documents": documents,
            "guidelines_html": render_markdown(project.guidelines),
        },
    )
