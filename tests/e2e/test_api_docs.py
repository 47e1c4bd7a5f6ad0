"""The Swagger page (/api/docs/) runs under the same strict Content-Security-Policy as every
page: Swagger UI comes from drf-spectacular-sidecar's files, its start-up code is a file too,
and the browser reports no error (a blocked script or style would show in the console)."""
from tests.e2e.conftest import login
from tests.factories import UserFactory


def test_swagger_ui_renders_under_the_strict_csp(page, transactional_db):
    UserFactory(username="ines")
    console: list[str] = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    login(page, "ines")
    response = page.goto("/api/docs/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.locator(".swagger-ui .opblock").first.wait_for()  # the operations are drawn from the schema
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("annotate API")
    page.wait_for_load_state("networkidle")
    assert console == [] and page.js_errors == []
