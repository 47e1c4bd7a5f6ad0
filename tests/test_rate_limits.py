"""Rate limits on export, import, agreement and release downloads: 429 with Retry-After once a
scope's rate (settings.RATE_LIMITS) is spent, per user, the API and the pages counting together."""
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotate.models import Assignment, AssignmentStatus
from tests.workflow.conftest import label

RATE = 2


@pytest.fixture(autouse=True)
def _small_rates(settings):
    settings.RATE_LIMITS = {scope: f"{RATE}/min" for scope in ("export", "import", "agreement", "release_download")}
    cache.clear()
    yield
    cache.clear()


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def release(team):
    for name in ("carol", "dave"):
        label(getattr(team, name), team.document, 23, 50)
        Assignment.objects.create(document=team.document, user=getattr(team, name), status=AssignmentStatus.DONE)
    team.clients["bob"].post(f"/api/v1/documents/{team.document.pk}/gold/accept-agreed/")
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["number"]


def assert_limited(send):
    for _ in range(RATE):
        response = send()
        assert response.status_code < 400, response.content
    response = send()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    return response


def test_api_export_and_its_manifest_share_the_export_rate(team):
    alice = team.clients["alice"]
    assert alice.get(f"/api/v1/projects/{team.project.pk}/export/manifest/").status_code == 200
    assert alice.get(f"/api/v1/projects/{team.project.pk}/export/").status_code == 200
    response = alice.get(f"/api/v1/projects/{team.project.pk}/export/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()


def test_api_export(team):
    alice = team.clients["alice"]
    assert_limited(lambda: alice.get(f"/api/v1/projects/{team.project.pk}/export/", {"format": "csv"}))


def test_the_limit_is_per_user(team):
    assert_limited(lambda: team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/export/"))
    assert team.clients["bob"].get(f"/api/v1/projects/{team.project.pk}/export/").status_code == 200


def test_api_import(team):
    alice = team.clients["alice"]
    counter = iter(range(100))

    def send():
        n = next(counter)
        line = f'{{"title": "T{n}", "text": "Text {n}.", "external_id": "x{n}"}}\n'.encode()
        return alice.post(
            f"/api/v1/projects/{team.project.pk}/import/", {"file": SimpleUploadedFile("a.jsonl", line)}, format="multipart"
        )

    assert_limited(send)


def test_import_page_counts_with_the_api(team):
    page = browser(team.alice)

    def send(n):
        line = f'{{"title": "T{n}", "text": "Text {n}.", "external_id": "p{n}"}}\n'.encode()
        return page.post(f"/projects/{team.project.pk}/import/", {"file": SimpleUploadedFile("a.jsonl", line)})

    assert send(0).status_code == 302
    line = b'{"title": "T", "text": "Text.", "external_id": "api"}\n'
    assert (
        team.clients["alice"]
        .post(f"/api/v1/projects/{team.project.pk}/import/", {"file": SimpleUploadedFile("a.jsonl", line)}, format="multipart")
        .status_code
        == 201
    )
    response = send(1)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode() and 'class="site-header"' in response.content.decode()
    assert int(response["Retry-After"]) >= 1


def test_api_agreement(team):
    assert_limited(lambda: team.clients["bob"].get(f"/api/v1/projects/{team.project.pk}/agreement/"))


def test_agreement_page(team):
    page = browser(team.bob)
    response = assert_limited(lambda: page.get(f"/projects/{team.project.pk}/agreement/"))
    assert "Too many requests" in response.content.decode()


def test_api_release_download(team, release):
    alice = team.clients["alice"]
    assert_limited(lambda: alice.get(f"/api/v1/projects/{team.project.pk}/releases/{release}/download/jsonl/"))


def test_release_download_page(team, release):
    page = browser(team.alice)
    assert_limited(lambda: page.get(f"/projects/{team.project.pk}/releases/{release}/download/csv/"))


def test_history_export_counts_as_an_export(team):
    assert_limited(lambda: team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/history/export/"))


def test_cheap_endpoints_are_not_limited(team):
    for _ in range(RATE + 2):
        assert team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/").status_code == 200


def test_a_scope_without_a_rate_is_not_limited(settings, team):
    settings.RATE_LIMITS = {"export": None}
    for _ in range(RATE + 2):
        assert team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/export/").status_code == 200
