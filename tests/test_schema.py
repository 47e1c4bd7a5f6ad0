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
