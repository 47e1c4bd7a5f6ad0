"""Invites as services: single use, expiring, signed and stored hashed; existing users added
directly; the mail is sent only once the invite is committed."""
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from annotate.accounts import services
from annotate.accounts.models import Invite
from annotate.errors import Conflict, InvalidInput
from annotate.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def link_for(token: str) -> str:
    return f"http://testserver/invites/{token}/"


def token_of(link: str) -> str:
    return link.removeprefix("http://testserver/invites/").rstrip("/")


def invite(team, invitee="erin@example.org", role=Role.ANNOTATOR):
    outcome = services.member_add_or_invite(
        project=team.project, invitee=invitee, role=role, invited_by=team.alice, link_for=link_for
    )
    return outcome, token_of(outcome.link) if outcome.link else None


def test_an_email_invite_is_mailed_after_commit_and_stores_only_a_hash(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome, token = invite(team)
    assert outcome.invite is not None and outcome.mailed
    [message] = mail.outbox
    assert message.to == ["erin@example.org"] and outcome.link in message.body
    assert "Election coverage" in message.subject
    stored = Invite.objects.get()
    _, secret = signing.loads(token, salt=services.INVITE_SALT)
    assert secret not in stored.secret_sha256 and token not in stored.secret_sha256
    assert len(stored.secret_sha256) == 64


def test_accepting_creates_the_account_and_the_membership_with_the_role(team):
    _, token = invite(team, role=Role.REVIEWER)
    membership = services.invite_accept(token=token, username="erin", password="long-enough-pass-1")
    assert membership.role == Role.REVIEWER and membership.project == team.project
    assert membership.user.email == "erin@example.org" and membership.user.check_password("long-enough-pass-1")
    assert Invite.objects.get().accepted_by == membership.user


def test_an_invite_works_once(team):
    _, token = invite(team)
    services.invite_accept(token=token, username="erin", password="long-enough-pass-1")
    with pytest.raises(Conflict) as reused:
        services.invite_accept(token=token, username="erin2", password="long-enough-pass-1")
    assert "already been used" in reused.value.detail["token"][0]
    assert Membership.objects.filter(project=team.project, user__username="erin2").count() == 0


def test_an_expired_invite_is_refused(team):
    _, token = invite(team)
    Invite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict) as expired:
        services.invite_accept(token=token, username="erin", password="long-enough-pass-1")
    assert "expired" in expired.value.detail["token"][0]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature broken
        lambda t: signing.dumps([int(signing.loads(t, salt=services.INVITE_SALT)[0]), "guess"], salt=services.INVITE_SALT),
        lambda t: signing.dumps([999999, "x"], salt=services.INVITE_SALT),  # no such invite
        lambda t: signing.dumps([1, "x"], salt="another.salt"),
        lambda t: "not-a-token",
    ],
    ids=["bad-signature", "right-id-wrong-secret", "no-such-invite", "other-salt", "garbage"],
)
def test_a_wrong_token_is_refused_with_one_message(team, mangle):
    _, token = invite(team)
    with pytest.raises(InvalidInput) as wrong:
        services.invite_accept(token=mangle(token), username="erin", password="long-enough-pass-1")
    assert wrong.value.detail == {"token": [services.INVALID_LINK]}
    assert not Invite.objects.filter(accepted_at__isnull=False).exists()


def test_a_new_invite_for_the_same_person_withdraws_the_old_one(team):
    _, first = invite(team)
    _, second = invite(team, invitee="ERIN@example.org".lower())
    with pytest.raises(Conflict) as withdrawn:
        services.invite_for_token(token=first)
    assert "withdrawn" in withdrawn.value.detail["token"][0]
    assert services.invite_for_token(token=second).email == "erin@example.org"


def test_an_existing_user_is_added_directly_by_username_or_email(team):
    UserFactory(username="frank", email="frank@example.org")
    by_email, _ = invite(team, invitee="Frank@Example.org", role=Role.REVIEWER)
    assert by_email.membership.user.username == "frank" and by_email.membership.role == Role.REVIEWER
    assert by_email.invite is None and not Invite.objects.exists()
    with pytest.raises(Conflict) as duplicate:
        invite(team, invitee="frank")
    assert duplicate.value.detail == {"invitee": ["frank is already a member of this project."]}


def test_an_invite_needs_a_name_a_valid_one_and_a_real_role(team):
    for invitee, field in [("", "invitee"), ("not an email@", "invitee"), ("has space", "invitee")]:
        with pytest.raises(InvalidInput) as bad:
            invite(team, invitee=invitee)
        assert field in bad.value.detail
    with pytest.raises(InvalidInput) as bad_role:
        invite(team, role="owner")
    assert "role" in bad_role.value.detail


def test_a_taken_username_is_refused_and_the_invite_stays_open(team):
    _, token = invite(team)
    with pytest.raises(Conflict) as taken:
        services.invite_accept(token=token, username="bob", password="long-enough-pass-1")
    assert "taken" in taken.value.detail["username"][0]
    assert services.invite_for_token(token=token).accepted_at is None


def test_a_signed_in_member_of_another_project_accepts_as_themselves(team):
    _, token = invite(team, invitee="newcomer", role=Role.REVIEWER)
    membership = services.invite_accept(token=token, user=team.mallory)
    assert membership.user == team.mallory and membership.role == Role.REVIEWER


def test_sign_out_everywhere_rotates_the_session_hash_and_drops_the_token(team):
    from rest_framework.authtoken.models import Token

    assert Token.objects.filter(user=team.alice).exists()
    before = team.alice.get_session_auth_hash()
    with pytest.raises(InvalidInput):
        services.sign_out_everywhere(user=team.alice, password="wrong")
    services.sign_out_everywhere(user=team.alice, password="pass-word-123")
    team.alice.refresh_from_db()
    assert team.alice.get_session_auth_hash() != before and team.alice.check_password("pass-word-123")
    assert not Token.objects.filter(user=team.alice).exists()
