"""Makes docs/workspace.png: the demo project's first document in the workspace, in Chromium.

Starts its own server on a temporary SQLite database, loads the demo (manage.py load_demo),
signs in as the demo manager and selects the attribution span, so the picture shows labels,
a link and the side panel. Run: .venv/bin/python bench/screenshot.py [--out docs/workspace.png]
"""
import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, browser_login, create_user, manage, running_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "workspace.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    password = secrets.token_urlsafe(12)
    from playwright.sync_api import sync_playwright

    with running_server(database_url=None) as (base, env):
        manage(env, "load_demo", capture=True)
        create_user(env, "demo", password)  # the demo manager, with a password we know
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page(viewport={"width": args.width, "height": args.height}, device_scale_factor=1)
            browser_login(page, base, "demo", password)
            page.get_by_role("link", name="Demo: newsroom claims").click()
            page.locator(".document-table tbody a").first.click()
            page.wait_for_selector("body[data-ready='true']")
            # Select the attribution: its link to the assertion it attributes is drawn too.
            page.locator("#span-list li.label-attribution button").first.click()
            page.mouse.move(0, 0)
            page.wait_for_timeout(300)
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
