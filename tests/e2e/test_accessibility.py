"""Every page (found by walking the URL configuration, see page_routes.py) in light and dark mode
passes axe-core with no serious or critical violation, and fits a 320 px phone and a 1280 px
screen at 200% zoom without a horizontal page scroll.

axe-core is vendored for the tests only: tests/e2e/vendor/axe-core-4.14.1/ (MPL-2.0)."""
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.e2e.conftest import login
from tests.e2e.page_routes import NOT_PAGES, PASSWORD, Visit, demo_site, fill, not_page_routes, settle, visits

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def site(transactional_db):
    return demo_site()


class Personas:
    """One signed-in browser state per persona; a new context per scheme and screen size."""

    def __init__(self, browser, base_url: str, usernames: dict[str, str]):
        self.browser, self.base_url, self.usernames = browser, base_url, usernames
        self.states: dict[str, dict] = {}

    def state(self, persona: str):
        if persona == "anonymous":
            return None
        if persona not in self.states:
            context = self.browser.new_context(base_url=self.base_url)
            page = context.new_page()
            login(page, self.usernames[persona], PASSWORD)
            self.states[persona] = context.storage_state()
            context.close()
        return self.states[persona]

    def context(self, persona: str, **options):
        return self.browser.new_context(base_url=self.base_url, storage_state=self.state(persona), **options)


def every_visit(site) -> list[Visit]:
    found, problems = visits(site)
    assert not problems, "\n".join(problems)
    return [*found, Visit("500", "/__500__", "anonymous", 500)]


def open_page(context, visit: Visit, live_server):
    """Opens the visit in a new page and checks the status; the 500 page is Django's own
    server_error() output, served at a made-up path so its stylesheets load from the server."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if visit.name == "500":
        html = server_error(RequestFactory().get("/")).content.decode()
        page.route(f"{live_server.url}/__500__", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    response = page.goto(visit.path)
    assert response.status == visit.expect_status, f"{visit.label}: HTTP {response.status}"
    assert "/login/" not in page.url or visit.name == "login", f"{visit.label}: sent to the login page"
    settle(page)
    return page, errors


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text())  # evaluated by the driver, so the page's CSP does not apply
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['impact']} {violation['id']}: {violation['help']} ({len(violation['nodes'])}x: {targets})"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(browser, live_server, site, scheme):
    personas = Personas(browser, live_server.url, site.usernames)
    failures, summary = [], []
    for visit in every_visit(site):
        context = personas.context(visit.persona, color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page, errors = open_page(context, visit, live_server)
        assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        violations = axe_violations(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        summary.append(f"{visit.label}: {len(blocking)} serious/critical, {len(violations) - len(blocking)} other"
                       + "".join(f"\n    {describe(v)}" for v in violations))
        failures += [f"{visit.label} [{scheme}]: {describe(v)}" for v in blocking]
        failures += [f"{visit.label} [{scheme}]: script error {error}" for error in errors]
        context.close()
    print(f"\naxe-core 4.14.1, {scheme} mode\n" + "\n".join(summary))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "screen",
    [
        pytest.param({"viewport": {"width": 320, "height": 640}}, id="phone-320px"),
        # 1280 px at 200% zoom lays out like a 640 CSS px viewport at twice the pixel density.
        pytest.param({"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}, id="zoom-200pct"),
    ],
)
def test_no_page_scrolls_sideways(browser, live_server, site, screen):
    personas = Personas(browser, live_server.url, site.usernames)
    too_wide = []
    for visit in every_visit(site):
        # Light and dark mode share one layout (only colours change), so one scheme is enough.
        context = personas.context(visit.persona, **screen)
        page, _ = open_page(context, visit, live_server)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        if widths[0] > widths[1]:
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                    .filter(e => !e.closest('.table-wrap, .tabs ul, .gold-text, pre'))
                    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""
            )
            too_wide.append(f"{visit.label}: scrollWidth {widths[0]} > {widths[1]}; too wide: {wide}")
        context.close()
    assert not too_wide, "\n".join(too_wide)


def test_routes_that_are_not_pages_really_are_not(browser, live_server, site):
    """NOT_PAGES cannot hide a page: each of its routes refuses a GET or answers with a file."""
    personas = Personas(browser, live_server.url, site.usernames)
    context = personas.context("manager")
    listed = {route.name for route in not_page_routes()}
    assert listed == set(NOT_PAGES), f"NOT_PAGES names routes that do not exist: {set(NOT_PAGES) - listed}"
    for route in not_page_routes():
        response = context.request.get(fill(route, site), max_redirects=0)
        html = "text/html" in response.headers.get("content-type", "")
        assert response.status == 405 or (response.ok and not html), f"{route.name}: GET gave a page ({response.status})"
    context.close()
