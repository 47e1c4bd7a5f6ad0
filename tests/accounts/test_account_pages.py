"""Account pages: accepting an invite, sign-up (closed unless SIGNUP_OPEN), password reset by
mail, sign out everywhere; and the first page a new member or an empty project shows."""
import re

import pytest
from django.core import mail
from django.test import Client

from annotate.accounts import services
from annotate.models import Membership, Role
from tests.factories import DocumentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_invite(team, invitee="erin@example.org", role=Role.ANNOTATOR) -> str:
    outcome = services.member_add_or_invite(
        project=team.project, invitee=invitee, role=role, invited_by=team.alice, link_for=lambda t: f"/invites/{t}/"
    )
    return outcome.link


def test_accepting_an_invite_signs_you_in_and_lands_you_in_the_project(team):
    link = new_invite(team, role=Role.REVIEWER)
    client = Client()
    page = client.get(link)
    assert page.status_code == 200 and 'value="erin"' in page.content.decode()
    weak = client.post(link, {"username": "erin", "new_password1": "erin", "new_password2": "erin"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    done = client.post(link, {"username": "erin", "new_password1": "long-enough-pass-1", "new_password2": "long-enough-pass-1"})
    assert done["Location"] == f"/projects/{team.project.pk}/"
    assert Membership.objects.get(user__username="erin").role == Role.REVIEWER
    welcome = client.get(done["Location"]).content.decode()
    assert 'id="welcome"' in welcome and "Open my queue" in welcome
    used = Client().get(link)
    assert used.status_code == 409 and "already been used" in used.content.decode()


def test_a_wrong_invite_link_says_so(team):
    response = Client().get("/invites/nonsense/")
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_signup_is_closed_by_default_and_opens_with_the_setting(team, settings):
    closed = Client().get("/signup/")
    assert closed.status_code == 403 and "invite" in closed.content.decode()
    settings.SIGNUP_OPEN = True
    client = Client()
    response = client.post("/signup/", {"username": "gina", "password1": "long-enough-pass-1", "password2": "long-enough-pass-1"})
    assert response["Location"] == "/"
    assert 'id="no-projects"' in client.get("/").content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(team):
    team.bob.email = "bob@example.org"
    team.bob.save(update_fields=["email"])
    client = Client()
    assert client.post("/password-reset/", {"email": "bob@example.org"})["Location"] == "/password-reset/sent/"
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "brand-new-pass-9", "new_password2": "brand-new-pass-9"})
    team.bob.refresh_from_db()
    assert team.bob.check_password("brand-new-pass-9")


def test_password_change_uses_djangos_view_and_keeps_you_signed_in(team):
    client = browser_for(team.carol)
    response = client.post(
        "/account/password/",
        {"old_password": "pass-word-123", "new_password1": "another-pass-77", "new_password2": "another-pass-77"},
    )
    assert response["Location"] == "/account/password/done/"
    assert client.get("/account/").status_code == 200


def test_sign_out_everywhere_ends_other_sessions_but_not_this_one(team):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.login(username="carol", password="pass-word-123")
    wrong = here.post("/account/sign-out-everywhere/", {"password": "nope"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    assert here.post("/account/sign-out-everywhere/", {"password": "pass-word-123"}).status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/")["Location"].startswith("/login/")


def test_an_empty_project_tells_the_manager_how_to_add_documents_and_to_invite(db):
    alice = UserFactory(username="alice")
    project = ProjectFactory(name="Fresh")
    Membership.objects.create(project=project, user=alice, role=Role.MANAGER)
    page = browser_for(alice).get(f"/projects/{project.pk}/").content.decode()
    assert 'id="empty-project"' in page and "Paste a document" in page
    assert 'id="invite-team"' in page and 'id="invite-form"' in page
    annotator = UserFactory()
    Membership.objects.create(project=project, user=annotator, role=Role.ANNOTATOR)
    assert 'id="invite-team"' not in browser_for(alice).get(f"/projects/{project.pk}/").content.decode()
    theirs = browser_for(annotator).get(f"/projects/{project.pk}/").content.decode()
    assert "has not added documents yet" in theirs and "Paste a document" not in theirs
    DocumentFactory(project=project)
    assert 'id="welcome"' in browser_for(annotator).get(f"/projects/{project.pk}/").content.decode()
