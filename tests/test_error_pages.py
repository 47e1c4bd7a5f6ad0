"""The 403, 404 and 500 pages: in the app's layout, saying what happened and where to go, with
DEBUG off (as in production). The 500 page needs neither the database nor a request."""
import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.defaults import server_error


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_in_layout(html: str) -> None:
    assert 'href="/static/css/tokens.css"' in html and 'href="/static/css/components.css"' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert 'href="/"' in html  # the way back to the projects


def test_debug_is_off():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_404_says_what_happened_and_where_to_go(team):
    response = signed_in(team.alice).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_in_layout(html)
    assert "We can't find that page" in html and "<code>/no-such-page/</code>" in html
    assert "Go to your projects" in html and "alice" in html  # the header knows who is signed in


@pytest.mark.django_db
def test_a_project_of_someone_else_is_the_same_404(team):
    response = signed_in(team.mallory).get(f"/projects/{team.project.pk}/")
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


@pytest.mark.django_db
def test_403_names_the_role_and_who_can_change_it(team):
    response = signed_in(team.carol).get(f"/projects/{team.project.pk}/adjudication/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_in_layout(html)
    assert "Your role can't do that here" in html and "(annotator)" in html
    assert "project manager can change your role" in html


def test_500_renders_without_a_database_or_a_request():
    # No django_db mark: pytest-django fails any database access in this test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert_in_layout(html)
    assert "Something went wrong on our side" in html and "nothing you typed on this page was saved" in html
    assert "Sign out" not in html  # no user, no session: the header shows the brand only


@pytest.mark.urls("tests.error_urls")
def test_a_failing_view_gets_the_styled_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/fails/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
