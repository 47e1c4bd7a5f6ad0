"""The page: import an article from its address or a saved file (managers)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from annotate.errors import ServiceError
from annotate.form_helpers import add_service_errors
from annotate.permissions import ADD_DOCUMENTS, project_for_user

from .forms import ArticleForm
from .services import article_import


@login_required
def article_import_page(request, pk: int):
    project, access = project_for_user(request.user, pk, may=ADD_DOCUMENTS)
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = article_import(
                project=project, access=access, actor=request.user, url=form.cleaned_data["url"] or None,
                upload=form.cleaned_data["file"], title=form.cleaned_data["title"],
            )
        except ServiceError as error:
            if error.status == 403:
                raise
            add_service_errors(form, error)
        else:
            return redirect("document-workspace", pk=document.pk)
    return render(request, "articles/article_import.html", {"project": project, "access": access, "form": form})
