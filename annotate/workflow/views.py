"""Workflow pages (session auth, CSRF): thin views over the workflow services and selectors.

Forms post back to the page they came from; a service error becomes a message on that page."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from annotate.errors import InvalidInput, ServiceError
from annotate.limits import rate_limited
from annotate.models import AssignmentStatus, Label, Layer
from annotate.permissions import (
    ASSIGN,
    FREEZE_RELEASE,
    SEE_SUGGESTION_STATS,
    document_for_adjudicator,
    document_for_user,
    may,
    project_for_user,
    release_for_user,
)
from annotate.selectors import project_documents, project_members
from annotate.suggestions.services import suggestion_stats, suggestions_enabled
from annotate.services import project_update, span_delete
from annotate.workflow import charts, releases as release_service, selectors, services
from annotate.workflow.api_views import release_download_response

ADJUDICATION_MODULES = [
    f"js/{name}.js" for name in ("adjudicate", "api", "drawing", "highlights", "offsets", "selection", "text_view", "workflow/versions")
]


def _service_errors(view):
    """Turn a service error on a form post into a message and a redirect back to the page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            messages.error(request, _error_text(error.detail))
            return redirect(request.path)

    return wrapper


def _error_text(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(
            f"{field}: {_error_text(value)}" if field != "detail" else _error_text(value) for field, value in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(_error_text(item) for item in detail)
    return str(detail)


def _ints(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def workspace_url(document_id: int, project_id: int) -> str:
    """The document workspace page (annotate.page_urls) when it is installed, else the
    assignments page, where the document is listed."""
    try:
        return reverse("document-workspace", args=[document_id])
    except NoReverseMatch:
        return reverse("workflow-assignments", args=[project_id])


@login_required
def dashboard(request, pk: int):
    project, access = project_for_user(request.user, pk)
    progress = selectors.project_progress(project=project, access=access)
    return render(
        request,
        "workflow/dashboard.html",
        {
            "project": project,
            "access": access,
            "progress": progress,
            "suggestions": suggestion_stats(access=access) if may(access, SEE_SUGGESTION_STATS) else None,
            "suggestions_on": suggestions_enabled(project.pk),
            "chart": charts.bar_chart(progress["per_day"], label_key="day", value_key="writes"),
            "statuses": AssignmentStatus.choices,
            "labels": Label.values,
        },
    )


@login_required
@require_POST
def queue_next(request, pk: int):
    project, access = project_for_user(request.user, pk)
    assignment = services.assignment_next(project=project, access=access, user=request.user)
    if assignment is None:
        messages.info(request, "Nothing left in your queue: every document has its reviewers.")
        return redirect("workflow-assignments", pk=project.pk)
    return redirect(workspace_url(assignment.document_id, project.pk))


ASSIGNMENTS_SHOWN = 500


@login_required
@require_http_methods(["GET", "POST"])
@_service_errors
def assignments(request, pk: int):
    project, access = project_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "settings":
            quota = request.POST.get("reviewers_per_document", "")
            project_update(  # checks the caller's role first, then the values
                project=project,
                access=access,
                reviewers_per_document=int(quota) if quota.isdigit() else quota,
                blind_review=request.POST.get("blind_review") == "on",
            )
            messages.success(request, "Review settings saved.")
        elif action == "assign":
            services.assignment_assign(
                project=project,
                access=access,
                actor=request.user,
                document_ids=_ints(request.POST.getlist("documents")),
                username=request.POST.get("username", ""),
            )
            messages.success(request, "Assigned.")
        else:
            wanted = _ints([request.POST.get("assignment", "")])
            assignment = selectors.project_assignments(project=project, access=access).filter(pk__in=wanted).first()
            if assignment is None:
                raise Http404("No such assignment.")
            if action == "delete":
                services.assignment_delete(assignment=assignment, access=access)
            elif action == "reassign":
                services.assignment_update(
                    assignment=assignment, access=access, actor=request.user, username=request.POST.get("username", "")
                )
            else:
                services.assignment_update(
                    assignment=assignment,
                    access=access,
                    actor=request.user,
                    status=request.POST.get("status"),
                    skip_reason=request.POST.get("skip_reason"),
                )
            messages.success(request, "Saved.")
        return redirect(request.path)
    queryset = selectors.project_assignments(project=project, access=access)
    filters = {"status": request.GET.get("status", ""), "username": request.GET.get("username", "")}
    if filters["status"]:
        queryset = queryset.filter(status=filters["status"])
    if filters["username"]:
        queryset = queryset.filter(user__username=filters["username"])
    rows = list(queryset[:ASSIGNMENTS_SHOWN])
    for row in rows:
        row.workspace_url = workspace_url(row.document_id, project.pk)
    context = {
        "project": project,
        "access": access,
        "assignments": rows,
        "statuses": AssignmentStatus.choices,
        "filters": filters,
        "shown": len(rows),
        "total": len(rows) if len(rows) < ASSIGNMENTS_SHOWN else queryset.count(),
    }
    if may(access, ASSIGN):
        context["documents"] = project_documents(project=project)[:1000]
        context["members"] = project_members(project=project)
    return render(request, "workflow/assignments.html", context)


@login_required
@rate_limited("agreement")
def agreement(request, pk: int):
    project, access = project_for_user(request.user, pk)
    report = selectors.project_agreement(project=project, access=access)
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    matrix = [
        {
            "reviewer": a,
            "cells": [pairs.get((a, b)) or pairs.get((b, a)) if a != b else "self" for b in report["reviewers"]],
        }
        for a in report["reviewers"]
    ]
    return render(
        request,
        "workflow/agreement.html",
        {"project": project, "access": access, "report": report, "matrix": matrix, "measures": MEASURES},
    )


MEASURES = [
    ("span_f1_exact", "Span F1 (exact)"),
    ("span_f1_overlap", "Span F1 (overlap)"),
    ("cohen_kappa", "Cohen's κ (tokens)"),
    ("krippendorff_alpha", "Krippendorff's α (tokens)"),
]


@login_required
def adjudication_list(request, pk: int):
    project, access = project_for_user(request.user, pk)
    rows = selectors.adjudication_documents(project=project, access=access)
    return render(request, "workflow/adjudication_list.html", {"project": project, "access": access, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
@_service_errors
def adjudicate(request, pk: int):
    document, access = document_for_adjudicator(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        span_ids = _ints(request.POST.getlist("spans"))
        if action == "accept_agreed":
            created = services.gold_accept_agreed(document=document, access=access, actor=request.user)
            messages.success(request, f"Accepted {len(created)} agreed span(s) into gold.")
        elif action == "accept":
            services.gold_accept(document=document, access=access, actor=request.user, span_ids=span_ids)
            messages.success(request, "Accepted into gold.")
        elif action == "accept_edited":
            fields = {"label": request.POST.get("label", ""), "note": request.POST.get("note", "")}
            for key in ("start", "end"):
                value = request.POST.get(key, "")
                if not value.isdigit():
                    raise InvalidInput({key: ["A whole number of code points."]})
                fields[key] = int(value)
            services.gold_accept(document=document, access=access, actor=request.user, span_ids=span_ids, fields=fields)
            messages.success(request, "Accepted your edit into gold.")
        elif action == "reject":
            services.gold_reject(document=document, access=access, actor=request.user, span_ids=span_ids)
            messages.success(request, "Rejected.")
        elif action == "unreject":
            services.gold_unreject(document=document, access=access, span_ids=span_ids)
        elif action == "delete_gold":
            gold = document.spans.filter(layer=Layer.GOLD, pk__in=span_ids).first()
            if gold is None:
                raise Http404("No such gold span.")
            span_delete(span=gold, access=access, actor=request.user)
            messages.success(request, "Removed from gold.")
        return redirect(request.path)
    view = selectors.adjudication_groups(document=document, access=access)
    # The page is the workspace's text view (static/js/adjudicate.js): everything it needs
    # arrives through json_script; decisions go through the gold API.
    data = {
        "document": {"id": document.pk, "title": document.title, "length": document.length},
        "text": document.text,
        "me": request.user.username,
        "labels": Label.values,
        "view": view,
        "urls": {
            "adjudication": reverse("api-adjudication", args=[document.pk]),
            "accept": reverse("api-gold-accept", args=[document.pk]),
            "accept_agreed": reverse("api-gold-accept-agreed", args=[document.pk]),
            "reject": reverse("api-gold-reject", args=[document.pk]),
            "unreject": reverse("api-gold-unreject", args=[document.pk]),
            "span": reverse("api-span-detail", args=[0]),
        },
    }
    return render(
        request,
        "workflow/adjudicate.html",
        {
            "project": document.project,
            "access": access,
            "document": document,
            "view": view,
            "data": data,
            "modules": ADJUDICATION_MODULES,
            "pending": selectors.undecided_units(view),
            "agreed_pending": sum(1 for g in view["groups"] if g["state"] == "pending" and g["agreed"]),
            "workspace_url": workspace_url(document.pk, document.project_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@_service_errors
def releases(request, pk: int):
    project, access = project_for_user(request.user, pk)
    if request.method == "POST":
        release = release_service.release_freeze(
            project=project,
            access=access,
            actor=request.user,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            include_individual=request.POST.get("include_individual") == "on",
        )
        messages.success(request, f"Release v{release.number} is frozen.")
        return redirect("workflow-release", pk=project.pk, number=release.number)
    return render(
        request,
        "workflow/releases.html",
        {
            "project": project,
            "access": access,
            "releases": release_service.releases_as_read(
                releases=selectors.project_releases(project=project, access=access).select_related("created_by"),
                access=access,
            ),
            "may_freeze": may(access, FREEZE_RELEASE),
        },
    )


@login_required
def release_detail(request, pk: int, number: int):
    release, access = release_for_user(request.user, pk, number)
    project = release.project
    release = release_service.releases_as_read(releases=[release], access=access)[0]
    return render(
        request,
        "workflow/release_detail.html",
        {
            "project": project,
            "access": access,
            "release": release,
            "formats": list(release_service.EXPORT_FORMATS),
            "extra_files": list(release_service.EXTRA_FILES),
            "layers": list(release.manifest.get("layers", {})),
        },
    )


@login_required
@rate_limited("release_download")
def release_download(request, pk: int, number: int, fmt: str):
    release, access = release_for_user(request.user, pk, number)
    try:
        return release_download_response(release, fmt, request.GET, access)
    except ServiceError as error:
        raise Http404(_error_text(error.detail)) from error


@login_required
def history(request, pk: int):
    project, access = project_for_user(request.user, pk)
    document_id = _ints([request.GET.get("document", "")])
    document = None
    if document_id:
        document, _ = document_for_user(request.user, document_id[0], with_text=False)
        if document.project_id != project.pk:
            raise Http404("No such document.")
    events = selectors.span_history_pages(project=project, access=access, document_id=document.pk if document else None)
    return render(
        request,
        "workflow/history.html",
        {
            "project": project,
            "access": access,
            "document": document,
            "events": selectors.history_expanded(events.latest(500)),
            "count": events.count(),
        },
    )

