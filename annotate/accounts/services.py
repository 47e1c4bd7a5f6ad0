"""Invites and account-wide actions. Pages call these; every rule about an invite lives here.

An invite link carries `signing.dumps([invite id, secret])`: the signature (SECRET_KEY) says
the link was made here, the database keeps only the secret's SHA-256, so a leaked table cannot
be turned back into working links, and marking the row accepted makes the link single-use."""
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate.accounts.models import Invite
from annotate.errors import Conflict, InvalidInput
from annotate.models import Membership, Project, Role
from annotate.services.projects import member_add
from annotate.validation import check_plain_text_fields

User = get_user_model()
INVITE_SALT = "annotate.accounts.invite"
INVALID_LINK = "This invite link is not valid: check that it was copied whole, or ask for a new one."


@dataclass(frozen=True)
class MemberOrInvite:
    """What member_add_or_invite did: added an existing user, or made an invite (whose link is
    known only now, to show once and to mail)."""

    membership: Membership | None = None
    invite: Invite | None = None
    link: str | None = None
    mailed: bool = False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _existing_user(invitee: str):
    if "@" in invitee:
        return User.objects.filter(email__iexact=invitee).order_by("id").first()
    return User.objects.filter(username=invitee).first()


def _check_invitee(invitee: str) -> None:
    try:
        (validate_email if "@" in invitee else UnicodeUsernameValidator())(invitee)
    except ValidationError:
        raise InvalidInput(
            {"invitee": ["Give a username (letters, digits and @.+-_) or an email address."]}
        ) from None


@transaction.atomic
def member_add_or_invite(
    *, project: Project, invitee: str, role: str, invited_by, link_for: Callable[[str], str]
) -> MemberOrInvite:
    """Add the user named by username or email when they have an account; otherwise invite
    them. `link_for(token)` makes the absolute accept URL. An earlier open invite for the same
    person is withdrawn: only the newest link works."""
    invitee = (invitee or "").strip()
    if not invitee:
        raise InvalidInput({"invitee": ["Give a username or an email address."]})
    if role not in Role.values:
        raise InvalidInput({"role": [f"Use one of: {', '.join(Role.values)}."]})
    user = _existing_user(invitee)
    if user is not None:
        try:
            return MemberOrInvite(membership=member_add(project=project, username=user.username, role=role))
        except Conflict as error:
            raise Conflict({"invitee": error.detail["username"]}) from error
    _check_invitee(invitee)
    email = invitee if "@" in invitee else ""
    username = "" if email else invitee
    now = timezone.now()
    open_invites(project=project).filter(email__iexact=email, username=username).update(revoked_at=now)
    secret = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        project=project,
        email=email,
        username=username,
        role=role,
        secret_sha256=_digest(secret),
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.INVITE_MAX_AGE_DAYS),
    )
    link = link_for(signing.dumps([invite.pk, secret], salt=INVITE_SALT))
    if email:
        body = render_to_string("accounts/invite_email.txt", {"invite": invite, "link": link})
        subject = f"You are invited to {project.name} on annotate"
        # After commit: a rolled-back invite must not have been mailed.
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return MemberOrInvite(invite=invite, link=link, mailed=bool(email))


def open_invites(*, project: Project):
    return Invite.objects.filter(
        project=project, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def invite_revoke(*, invite: Invite) -> None:
    Invite.objects.filter(pk=invite.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


def invite_for_token(*, token: str, lock: bool = False) -> Invite:
    """The open invite the link names. InvalidInput for a link we did not make (or one whose
    project is gone); Conflict for one used, withdrawn or expired."""
    try:
        invite_id, secret = signing.loads(token, salt=INVITE_SALT)
        invite_id, secret = int(invite_id), str(secret)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput({"token": [INVALID_LINK]}) from None
    invites = Invite.objects.select_related("project", "invited_by")
    invite = (invites.select_for_update(of=("self",)) if lock else invites).filter(pk=invite_id).first()
    if invite is None or not hmac.compare_digest(invite.secret_sha256, _digest(secret)):
        raise InvalidInput({"token": [INVALID_LINK]})
    if invite.accepted_at is not None:
        raise Conflict({"token": ["This invite has already been used. Sign in, or ask the manager for a new one."]})
    if invite.revoked_at is not None:
        raise Conflict({"token": ["This invite was withdrawn by a manager of the project."]})
    if invite.expires_at <= timezone.now():
        raise Conflict({"token": [f"This invite expired on {invite.expires_at:%Y-%m-%d}. Ask the manager for a new one."]})
    return invite


@transaction.atomic
def invite_accept(*, token: str, user=None, username: str = "", password: str = "") -> Membership:
    """Use the invite: as the signed-in `user`, or as a new account (username, password:
    already checked by Django's password validators in the form). Single use: the row is
    locked, so two tabs accepting at once get one membership and one "already used"."""
    invite = invite_for_token(token=token, lock=True)
    if user is None:
        username = (username or "").strip()
        if not username:
            raise InvalidInput({"username": ["Choose a username."]})
        check_plain_text_fields({"username": username}, ("username",))
        if User.objects.filter(username=username).exists():
            raise Conflict({"username": [f"The username {username!r} is taken; choose another."]})
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, email=invite.email, password=password)
        except IntegrityError as error:
            raise Conflict({"username": [f"The username {username!r} is taken; choose another."]}) from error
    membership = Membership.objects.filter(project=invite.project, user=user).first()
    if membership is None:
        membership = Membership.objects.create(project=invite.project, user=user, role=invite.role)
    invite.accepted_at, invite.accepted_by = timezone.now(), user
    invite.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def signup_create(*, username: str, email: str, password: str):
    """Self sign-up (only when settings.SIGNUP_OPEN); the form has checked the password."""
    if not settings.SIGNUP_OPEN:
        raise Conflict({"detail": "Sign-up is closed: ask a project manager for an invite."})
    check_plain_text_fields({"username": username}, ("username",))
    return User.objects.create_user(username=username, email=email, password=password)


@transaction.atomic
def sign_out_everywhere(*, user, password: str) -> None:
    """End every session of the user and their API token. Re-hashing the same password gives
    it a new salt, so the session auth hash Django keeps in each session no longer matches
    (the caller keeps its own session with update_session_auth_hash)."""
    if not user.check_password(password):
        raise InvalidInput({"password": ["That is not your password."]})
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
