"""The OpenAPI schema generates without warnings, and the docs page is served from our static files."""
import pytest
import yaml
from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    for path in ["/api/v1/auth/token/", "/api/v1/projects/", "/api/v1/projects/{id}/members/",
                 "/api/v1/projects/{id}/documents/", "/api/v1/documents/{id}/spans/", "/api/v1/spans/{id}/"]:
        assert path in paths
    span = schema["components"]["schemas"]["SpanOut"]["properties"]
    assert {"id", "document", "annotator", "label", "start", "end", "quote", "note", "version"} <= set(span)


@pytest.mark.django_db
def test_swagger_ui_uses_no_cdn_and_no_inline_script(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pass-word-123")
    client.force_login(user)
    page = client.get("/api/docs/").content.decode()
    assert "cdn" not in page.lower()
    assert "<script>" not in page.replace(" ", "")
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_login(client, path):
    assert client.get(path).status_code == 401


@pytest.mark.django_db
def test_schema_takes_a_token(django_user_model):
    """Programs (the schemathesis run in CI, say) fetch the schema with their API token."""
    from tests.conftest import client_for

    reader = django_user_model.objects.create_user("reader", password="pass-word-123")
    response = client_for(reader).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/spans/{id}/" in response.json()["paths"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_a_setting_makes_them_public(client, settings, path):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get(path).status_code == 200
