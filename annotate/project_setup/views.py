"""Setup pages for managers: thin views that check access, call one service, render a form.

A form that fails is rendered again with what was typed and each error beside its field (the
status is the service's: 400 or 409); a form that works redirects with a message."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from annotate import services
from annotate.accounts import services as accounts
from annotate.accounts.models import Invite
from annotate.datasets.views import _describe as describe_import_error, import_summary
from annotate.errors import ServiceError
from annotate.form_helpers import add_service_errors
from annotate.models import Membership
from annotate import permissions
from annotate.permissions import document_for_user, project_for_user
from annotate.project_setup import forms, selectors
from annotate.rendering import render_markdown
from annotate.jobs.starts import import_start
from annotate.services.projects import PROJECT_FIELDS

MARKDOWN_PREVIEW_MAX = 200_000


def _failed(request, template: str, context: dict, error: ServiceError):
    return render(request, template, context, status=error.status)


def _submit(request, *, form, template: str, context: dict, save, done):
    """Every setup form: on a valid POST call `save(cleaned_data)` (one service); its errors go
    beside the fields, else `done(result)` gives (message, redirect URL). Otherwise show the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
            return _failed(request, template, context, error)
        message, url = done(result)
        messages.success(request, message)
        return redirect(url)
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    form = forms.ProjectCreateForm(request.POST or None)
    return _submit(
        request, form=form, template="project_setup/project_new.html", context={"form": form},
        save=lambda data: services.project_create(creator=request.user, **data),
        done=lambda project: (
            f"Project {project.name} created. You manage it: add documents and invite your team.",
            reverse("project-detail", args=[project.pk]),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.EDIT_PROJECT)
    initial = {name: getattr(project, name) for name in PROJECT_FIELDS}
    form = forms.ProjectForm(request.POST or None, initial=initial)
    context = {
        "project": project,
        "access": access,
        "form": form,
        "preview_html": render_markdown(form["guidelines"].value() or ""),
        "preview_url": reverse("setup-markdown-preview"),
    }
    return _submit(
        request, form=form, template="project_setup/project_settings.html", context=context,
        save=lambda data: services.project_update(project=project, access=access, **data),
        done=lambda _: ("Settings saved.", reverse("setup-project-settings", args=[project.pk])),
    )


@login_required
@require_POST
def project_archive(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.ARCHIVE_PROJECT)
    archived = request.POST.get("archived") == "1"
    services.project_archive(project=project, access=access, archived=archived)
    messages.success(
        request,
        "Project archived: the queue hands out no new documents; everything is kept." if archived
        else "Project restored from the archive.",
    )
    return redirect("setup-project-settings", pk=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.DELETE_PROJECT)
    form = forms.ProjectDeleteForm(request.POST or None)
    context = {"project": project, "access": access, "form": form, "loss": selectors.deletion_summary(project=project)}
    name = project.name
    return _submit(
        request, form=form, template="project_setup/project_delete.html", context=context,
        save=lambda data: services.project_delete(project=project, access=access, confirm_name=data["confirm_name"]),
        done=lambda _: (f"Project {name} and everything in it is deleted.", reverse("project-list")),
    )


def _members_context(request, project, access, *, add_form=None, row_forms=None) -> dict:
    rows = selectors.member_rows(project=project)
    for row in rows:
        member_id = row["membership"].pk
        row["form"] = (row_forms or {}).get(member_id) or forms.MemberRoleForm(
            prefix=f"member-{member_id}", initial={"role": row["role"]}
        )
        row["form"].fields["role"].label = f"Role of {row['user'].username}"
    return {
        "project": project,
        "access": access,
        "rows": rows,
        "add_form": add_form or forms.MemberAddForm(),
        "invites": accounts.open_invites(project=project).select_related("invited_by"),
        "new_link": request.session.pop(f"invite-link-{project.pk}", None),
    }


def _invite_link(request):
    return lambda token: request.build_absolute_uri(reverse("invite-accept", args=[token]))


@login_required
@require_http_methods(["GET", "POST"])
def members(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.MANAGE_MEMBERS)
    if request.method == "GET":
        return render(request, "project_setup/members.html", _members_context(request, project, access))
    form = forms.MemberAddForm(request.POST)
    if form.is_valid():
        try:
            outcome = accounts.member_add_or_invite(
                project=project, access=access, invited_by=request.user, link_for=_invite_link(request), **form.cleaned_data
            )
        except ServiceError as error:
            add_service_errors(form, error)
            context = _members_context(request, project, access, add_form=form)
            return _failed(request, "project_setup/members.html", context, error)
        if outcome.membership is not None:
            user = outcome.membership.user
            messages.success(request, f"{user.username} added as {outcome.membership.get_role_display().lower()}.")
        else:
            # Shown once on the next page: only the secret's hash is stored, so no later page has it.
            request.session[f"invite-link-{project.pk}"] = {"link": outcome.link, "invitee": outcome.invite.invitee, "mailed": outcome.mailed}
        return redirect("setup-members", pk=project.pk)
    context = _members_context(request, project, access, add_form=form)
    return render(request, "project_setup/members.html", context, status=400)


def _membership(project, member_id: int) -> Membership:
    membership = Membership.objects.filter(project=project, pk=member_id).select_related("user").first()
    if membership is None:
        raise Http404("No such member.")
    return membership


@login_required
@require_POST
def member_role(request, pk: int, member_id: int):
    project, access = project_for_user(request.user, pk, may=permissions.CHANGE_ROLE)
    membership = _membership(project, member_id)
    form = forms.MemberRoleForm(request.POST, prefix=f"member-{member_id}")
    error = None
    if form.is_valid():
        try:
            services.member_update(membership=membership, access=access, role=form.cleaned_data["role"])
        except ServiceError as service_error:
            add_service_errors(form, service_error)
            error = service_error
        else:
            messages.success(request, f"{membership.user.username} is now {form.cleaned_data['role']}.")
            return redirect("setup-members", pk=project.pk)
    context = _members_context(request, project, access, row_forms={member_id: form})
    return render(request, "project_setup/members.html", context, status=error.status if error else 400)


@login_required
@require_POST
def member_remove(request, pk: int, member_id: int):
    project, access = project_for_user(request.user, pk, may=permissions.REMOVE_MEMBER)
    membership = _membership(project, member_id)
    try:
        services.member_remove(membership=membership, access=access)
    except ServiceError as error:
        form = forms.MemberRoleForm({f"member-{member_id}-role": membership.role}, prefix=f"member-{member_id}")
        form.is_valid()
        add_service_errors(form, error)
        context = _members_context(request, project, access, row_forms={member_id: form})
        return _failed(request, "project_setup/members.html", context, error)
    messages.success(request, f"{membership.user.username} removed. Their spans and history stay in the project.")
    return redirect("setup-members", pk=project.pk)


@login_required
@require_POST
def invite_revoke(request, pk: int, invite_id: int):
    project, access = project_for_user(request.user, pk, may=permissions.INVITE_MEMBERS)
    invite = Invite.objects.filter(project=project, pk=invite_id).first()
    if invite is None:
        raise Http404("No such invite.")
    accounts.invite_revoke(invite=invite, access=access)
    messages.success(request, f"The invite for {invite.invitee} is withdrawn; its link no longer works.")
    return redirect("setup-members", pk=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.ADD_DOCUMENTS)
    form = forms.DocumentForm(request.POST or None)
    context = {"project": project, "access": access, "form": form}
    return _submit(
        request, form=form, template="project_setup/document_new.html", context=context,
        save=lambda _: services.documents_create(project=project, access=access, actor=request.user, items=[form.service_fields()])[0],
        done=lambda document: (f"Document {document.title} added.", reverse("document-workspace", args=[document.pk])),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, pk: int):
    project, access = project_for_user(request.user, pk, may=permissions.IMPORT_DOCUMENTS)
    form = forms.DocumentUploadForm(request.POST or None, request.FILES or None, may_write_gold=access.may_write_gold)
    context = {"project": project, "access": access, "form": form, "problems": []}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload is None:
            form.add_error("file", "Choose a file to import.")
            return render(request, "project_setup/document_upload.html", context, status=400)
        try:
            job, ran_inline = import_start(
                project=project, access=access, actor=request.user, upload=upload,
                format=form.cleaned_data["format"] or None, on_duplicate=form.cleaned_data["on_duplicate"],
                options={name: form.cleaned_data[name] for name in ("mapping", "annotator", "layer") if form.cleaned_data.get(name)},
            )
        except ServiceError as error:
            context["problems"] = describe_import_error(error)
            return _failed(request, "project_setup/document_upload.html", context, error)
        if not ran_inline:  # a large file: a worker imports it
            messages.info(request, f"Importing {upload.name} in the background (job {job.pk}); its progress shows under Jobs.")
            return redirect("project-detail", pk=project.pk)
        messages.success(request, import_summary(job.result))
        return redirect("project-detail", pk=project.pk)
    return render(request, "project_setup/document_upload.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk: int):
    document, access = document_for_user(request.user, pk, may=permissions.EDIT_DOCUMENTS)
    span_count = selectors.document_span_count(document=document)
    initial = {name: getattr(document, name) for name in forms.DocumentForm.base_fields}
    initial["read_version"] = document.version
    form = forms.DocumentEditForm(request.POST or None, initial=initial, span_count=span_count)
    context = {"project": document.project, "document": document, "access": access, "form": form, "span_count": span_count}
    return _submit(
        request, form=form, template="project_setup/document_edit.html", context=context,
        save=lambda data: services.document_update(
            document=document, access=access, fields=form.service_fields(), expected_version=data["read_version"]
        ),
        done=lambda _: ("Document saved.", reverse("document-workspace", args=[document.pk])),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk: int):
    document, access = document_for_user(request.user, pk, may=permissions.DELETE_DOCUMENTS)
    if request.method == "POST":
        project_id, title = document.project_id, document.title
        services.document_delete(document=document, access=access)
        messages.success(request, f"Document {title} deleted with its spans.")
        return redirect("project-detail", pk=project_id)
    context = {"project": document.project, "document": document, "access": access, "span_count": selectors.document_span_count(document=document)}
    return render(request, "project_setup/document_delete.html", context)


@login_required
@require_POST
def markdown_preview(request):
    """The guidelines editor's live preview: the same renderer and sanitiser as the pages."""
    try:
        text = json.loads(request.body or b"{}").get("text", "")
    except (ValueError, AttributeError):
        return JsonResponse({"detail": 'Send JSON: {"text": "..."}.'}, status=400)
    if not isinstance(text, str):
        return JsonResponse({"text": ["Must be a string."]}, status=400)
    if len(text) > MARKDOWN_PREVIEW_MAX:
        return JsonResponse({"detail": f"At most {MARKDOWN_PREVIEW_MAX} characters."}, status=413)
    return JsonResponse({"html": str(render_markdown(text))})
