"""Every setup page and form post, for every role: managers reach them, reviewers and
annotators get 403, a non-member 404, and an anonymous visitor is sent to sign in."""
import pytest
from django.test import Client

from annotate.models import Membership

pytestmark = pytest.mark.django_db


def _urls(team) -> list[tuple[str, str, dict]]:
    p, d = team.project.pk, team.document.pk
    dave = Membership.objects.get(project=team.project, user=team.dave).pk
    return [
        ("get", f"/projects/{p}/settings/", {}),
        ("post", f"/projects/{p}/settings/", {"name": "Renamed", "reviewers_per_document": 2}),
        ("post", f"/projects/{p}/archive/", {"archived": "1"}),
        ("get", f"/projects/{p}/delete/", {}),
        ("post", f"/projects/{p}/delete/", {"confirm_name": team.project.name}),
        ("get", f"/projects/{p}/members/", {}),
        ("post", f"/projects/{p}/members/", {"invitee": "newcomer@example.org", "role": "annotator"}),
        ("post", f"/projects/{p}/members/{dave}/role/", {f"member-{dave}-role": "reviewer"}),
        ("post", f"/projects/{p}/members/{dave}/remove/", {}),
        ("post", f"/projects/{p}/invites/1/revoke/", {}),
        ("get", f"/projects/{p}/documents/new/", {}),
        ("post", f"/projects/{p}/documents/new/", {"title": "T", "text": "Some text."}),
        ("get", f"/projects/{p}/documents/upload/", {}),
        ("post", f"/projects/{p}/documents/upload/", {"on_duplicate": "refuse"}),
        ("get", f"/documents/{d}/edit/", {}),
        ("post", f"/documents/{d}/edit/", {"title": "New title", "text": team.document.text, "read_version": 1}),
        ("get", f"/documents/{d}/delete/", {}),
        ("post", f"/documents/{d}/delete/", {}),
    ]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_reviewers_and_annotators_get_403_on_every_setup_page_and_post(team, persona):
    client = _client(getattr(team, persona))
    for method, url, data in _urls(team):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (persona, method, url)
    team.project.refresh_from_db()
    assert team.project.name == "Election coverage" and team.project.archived_at is None
    assert Membership.objects.filter(project=team.project).count() == 4


def test_non_members_get_404_on_every_setup_page_and_post(team):
    client = _client(team.mallory)
    for method, url, data in _urls(team):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)


def test_anonymous_visitors_are_sent_to_sign_in(team):
    for method, url, data in [*_urls(team), ("get", "/projects/new/", {}), ("get", "/account/", {})]:
        response = getattr(Client(), method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), (method, url)


def test_the_manager_reaches_every_setup_page(team):
    client = _client(team.alice)
    for method, url, _ in _urls(team):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_the_project_page_offers_setup_links_to_managers_only(team):
    settings_link = f'href="/projects/{team.project.pk}/settings/"'
    assert settings_link in _client(team.alice).get(f"/projects/{team.project.pk}/").content.decode()
    for persona in ("bob", "carol"):
        page = _client(getattr(team, persona)).get(f"/projects/{team.project.pk}/").content.decode()
        assert settings_link not in page and "invite-form" not in page
