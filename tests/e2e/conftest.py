"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here is marked e2e. The page fixture gives a fresh browser context (no shared cookies).
"""
import os
import shutil

import pytest

# Playwright's sync API keeps an event loop running in the main thread; the ORM calls the tests
# make to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def desk(transactional_db, request):
    """anna annotates a project with one document holding the test module's TEXT: the set-up the
    workspace tests share (a module that needs more people or spans defines its own `desk`)."""
    from annotate.models import Role
    from tests.factories import DocumentFactory, MembershipFactory, UserFactory

    document = DocumentFactory(text=request.module.TEXT, title="Inflation falls")
    anna = UserFactory(username="anna")
    MembershipFactory(project=document.project, user=anna, role=Role.ANNOTATOR)
    return document, anna


def login(page, username: str, password: str = "pass-word-123") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
