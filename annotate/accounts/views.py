"""Account pages: accept an invite, sign up (when open), the account page, sign out everywhere.
Password change and reset are Django's own views, wired in urls.py with our templates."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from annotate.accounts import forms, services
from annotate.errors import ServiceError
from annotate.form_helpers import add_service_errors

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invite_problem(request, error: ServiceError):
    detail = error.detail.get("token") or error.detail.get("detail") or ["This invite cannot be used."]
    return render(request, "accounts/invite_problem.html", {"reason": " ".join(map(str, detail))}, status=error.status)


def _joined(request, membership):
    messages.success(
        request, f"Welcome to {membership.project.name}. You are {membership.get_role_display().lower()} here."
    )
    return redirect("project-detail", pk=membership.project_id)


@require_http_methods(["GET", "POST"])
def invite_accept(request, token: str):
    try:
        invite = services.invite_for_token(token=token)
    except ServiceError as error:
        return _invite_problem(request, error)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invite_accept(token=token, user=request.user)
            except ServiceError as error:
                return _invite_problem(request, error)
            return _joined(request, membership)
        return render(request, "accounts/invite_accept.html", {"invite": invite})
    suggested = invite.username or invite.email.split("@")[0]
    form = forms.InviteAcceptForm(request.POST or None, email=invite.email, initial={"username": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invite_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["new_password1"]
            )
        except ServiceError as error:
            if "token" in error.detail:
                return _invite_problem(request, error)
            add_service_errors(form, error)
            return render(request, "accounts/invite_accept.html", {"invite": invite, "form": form}, status=error.status)
        login(request, membership.user, backend=BACKEND)
        return _joined(request, membership)
    status = 400 if form.errors else 200
    return render(request, "accounts/invite_accept.html", {"invite": invite, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.SIGNUP_OPEN:
        return render(request, "accounts/signup_closed.html", status=403)
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.signup_create(
            username=form.cleaned_data["username"], email=form.cleaned_data.get("email") or "",
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend=BACKEND)
        messages.success(request, "Your account is ready. Create a project, or ask a manager to add you to theirs.")
        return redirect("project-list")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {"form": forms.SignOutEverywhereForm(), "has_token": Token.objects.filter(user=request.user).exists()},
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    form = forms.SignOutEverywhereForm(request.POST)
    if form.is_valid():
        try:
            services.sign_out_everywhere(user=request.user, password=form.cleaned_data["password"])
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)  # this browser stays signed in
            messages.success(request, "Signed out everywhere else; your API token no longer works.")
            return redirect("account")
    has_token = Token.objects.filter(user=request.user).exists()
    return render(request, "accounts/account.html", {"form": form, "has_token": has_token}, status=400)
