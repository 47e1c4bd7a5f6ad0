"""The page side of suggestions: a manager turns them on or off (the dashboard's form)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from annotate.permissions import project_for_user

from .services import suggestions_configure


@login_required
@require_POST
def suggestions_switch(request, pk: int):
    _, access = project_for_user(request.user, pk)
    enabled = suggestions_configure(access=access, enabled=request.POST.get("enabled") == "on")
    messages.success(request, "Suggestions are on." if enabled else "Suggestions are off: nobody in this project is offered any.")
    return redirect("workflow-dashboard", pk=pk)
