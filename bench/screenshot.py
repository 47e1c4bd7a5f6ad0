"""Screenshots of every page: desktop (1280 px) and phone (390 px), light and dark, in Chromium.

Starts its own server on a temporary SQLite database, loads the demo with a gold layer and a
release (tests/e2e/page_routes.demo_site, the data the accessibility tests use) and visits every
page route of the URL configuration as the persona that opens it, so new pages are included
without editing this script. Also makes docs/workspace.png (the workspace with a span selected).

Run: make screenshot, or .venv/bin/python bench/screenshot.py [--out docs/screenshots]
     [--only project-detail workflow-dashboard] [--sizes desktop phone] [--schemes light dark]
Files are named URL-NAME-PERSONA-SIZE-SCHEME.png; docs/screenshots/.gitignore says which of them
are committed (the main pages), the rest stay local.
"""
import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, browser_login, running_server  # noqa: E402
from tests.e2e.page_routes import PASSWORD, settle  # noqa: E402

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MAX_HEIGHT = 2400  # a long page is cut here: enough to judge it, small enough to commit


def site_and_visits(env: dict):
    """Loads the demo into the server's database (this process talks to it directly) and lists
    the visits the accessibility tests make."""
    os.environ.clear()  # the same settings as the server (its SQLite file, no DATABASE_URL)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
    import django

    django.setup()
    from tests.e2e.page_routes import Visit, demo_site, visits

    site = demo_site()
    found, problems = visits(site)
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return site, [*found, Visit("500", "/__500__", "anonymous", 500)]


def server_error_html() -> str:
    from django.test import RequestFactory
    from django.views.defaults import server_error

    return server_error(RequestFactory().get("/")).content.decode()


def shoot(page, path: Path) -> None:
    height = min(page.evaluate("() => document.documentElement.scrollHeight"), MAX_HEIGHT)
    width = page.viewport_size["width"]
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height},
                    animations="disabled", caret="hide")
    squeeze(path)


def squeeze(path: Path) -> None:
    """Shrinks the PNG to a palette image with pngquant when it is installed (apt-get install
    pngquant): a third of the size, no visible loss for flat UI colours."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality", "75-95", "--output", str(path), str(path)],
                       check=False)


def workspace_picture(browser, base: str, state, site, out: Path) -> None:
    """docs/workspace.png: the first document with its attribution selected, so the picture
    shows labels, a link and the side panel."""
    context = browser.new_context(base_url=base, storage_state=state, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"/documents/{site.document.pk}/")
    page.wait_for_selector("body[data-ready='true']")
    page.locator("#span-list li.label-attribution button").first.click()
    page.mouse.move(0, 0)
    settle(page)
    page.screenshot(path=str(out), animations="disabled", caret="hide")
    squeeze(out)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="URL names (or 403/404/500, or workspace.png) to shoot; all when left out")
    parser.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--schemes", nargs="*", default=["light", "dark"], choices=["light", "dark"])
    parser.add_argument("--workspace-png", default=str(ROOT / "docs" / "workspace.png"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with running_server(database_url=None) as (base, env):
        site, all_visits = site_and_visits(env)
        error_html = server_error_html()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            states = {"anonymous": None}
            for persona, username in site.usernames.items():
                context = browser.new_context()
                browser_login(context.new_page(), base, username, PASSWORD)
                states[persona] = context.storage_state()
                context.close()
            written = 0
            for visit in all_visits:
                if args.only and visit.name not in args.only:
                    continue
                for size in args.sizes:
                    for scheme in args.schemes:
                        context = browser.new_context(base_url=base, storage_state=states[visit.persona],
                                                      viewport=SIZES[size], color_scheme=scheme)
                        page = context.new_page()
                        page.set_default_timeout(120_000)  # a busy machine is slow, not broken
                        if visit.name == "500":
                            page.route(f"{base}/__500__", lambda route: route.fulfill(
                                status=500, body=error_html, content_type="text/html"))
                        page.goto(visit.path)
                        settle(page)
                        shoot(page, out / f"{visit.name}-{visit.persona}-{size}-{scheme}.png")
                        written += 1
                        context.close()
            if args.workspace_png and (not args.only or "workspace.png" in args.only):
                workspace_picture(browser, base, states["manager"], site, Path(args.workspace_png))
            browser.close()
    print(f"wrote {written} screenshots to {out}")


if __name__ == "__main__":
    main()
