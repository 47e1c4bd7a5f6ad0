"""The project page's dataset panel and its upload view (session auth, CSRF)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotate.models import Document
from tests.dataset_builders import golden_project
from tests.factories import UserFactory


@pytest.fixture
def golden(db):
    return golden_project()


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def upload(client, project, content: bytes, name: str, **fields):
    page = client.get(f"/projects/{project.pk}/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post(
        f"/projects/{project.pk}/import/",
        {"file": SimpleUploadedFile(name, content), "csrfmiddlewaretoken": token, **fields},
        follow=True,
    )


def test_panel_shows_export_to_members_and_import_to_managers(golden):
    page = signed_in(golden.alice).get(f"/projects/{golden.project.pk}/").content.decode()
    assert f'action="/api/v1/projects/{golden.project.pk}/export/"' in page and 'id="import-form"' in page
    page = signed_in(golden.carol).get(f"/projects/{golden.project.pk}/").content.decode()
    assert "Your export holds your own spans." in page and 'id="import-form"' not in page
    assert 'name="layer"' not in page


def test_upload_imports_and_says_so(golden):
    response = upload(signed_in(golden.alice), golden.project, b"A new story, as plain text.", "story.txt")
    assert "Imported 1 documents with 0 spans." in response.content.decode()
    assert Document.objects.filter(project=golden.project, external_id="story.txt").exists()


def test_upload_errors_name_the_line_and_nothing_is_imported(golden):
    content = b'{"title": "ok", "text": "fine"}\n{"title": "bad", "text": "x", "published_on": "soon"}\n'
    response = upload(signed_in(golden.alice), golden.project, content, "two.jsonl")
    page = response.content.decode()
    assert "two.jsonl, line 2, published_on: Must be a date as YYYY-MM-DD." in page
    assert not Document.objects.filter(project=golden.project, title="ok").exists()


def test_upload_needs_csrf_a_manager_and_membership(golden):
    no_csrf = Client(enforce_csrf_checks=True)
    no_csrf.force_login(golden.alice)
    assert no_csrf.post(f"/projects/{golden.project.pk}/import/", {"file": SimpleUploadedFile("a.txt", b"x")}).status_code == 403
    assert upload(signed_in(golden.carol), golden.project, b"text", "a.txt").status_code == 403
    outsider = signed_in(UserFactory(username="mallory"))
    response = outsider.post(f"/projects/{golden.project.pk}/import/", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code in (403, 404)  # CSRF first; with a token it is 404, below
    assert not Document.objects.filter(project=golden.project, external_id="a.txt").exists()


def test_outsider_gets_404_from_the_upload_view(golden):
    outsider = Client()
    outsider.force_login(UserFactory(username="mallory"))
    response = outsider.post(f"/projects/{golden.project.pk}/import/", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 404
