"""Screenshots of the team-setup pages (project create/settings/delete, members and invites,
document paste/edit/delete/upload, invite accept, account), each at 1280 px, at 390 px and in
dark mode, from the demo loaded into a temporary SQLite database.

Run: .venv/bin/python bench/screenshot_setup.py [--out-dir /tmp/setup-shots]
"""
import argparse
import re
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS, browser_login, create_user, manage, running_server  # noqa: E402

VIEWS = {"desktop": ({"width": 1280, "height": 900}, "light"), "phone": ({"width": 390, "height": 844}, "light"),
         "dark": ({"width": 1280, "height": 900}, "dark")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="/tmp/setup-shots")
    args = parser.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    from playwright.sync_api import sync_playwright

    with running_server(database_url=None) as (base, env):
        manage(env, "load_demo", capture=True)
        create_user(env, "demo", password)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page()
            browser_login(page, base, "demo", password)
            page.goto(f"{base}/")
            project_url = page.get_by_role("link", name="Demo: newsroom claims").get_attribute("href")
            pk = int(re.search(r"/projects/(\d+)/", project_url).group(1))
            page.goto(f"{base}/projects/{pk}/")
            document_url = page.locator(".document-table tbody a").first.get_attribute("href")
            doc = int(re.search(r"/documents/(\d+)/", document_url).group(1))
            # An invite, to show the link banner and to open the accept page in a fresh context.
            page.goto(f"{base}/projects/{pk}/members/")
            page.locator("#invite-form #id_invitee").fill("erin@example.org")
            page.locator("#invite-form").get_by_role("button", name="Add or invite").click()
            invite_link = page.locator("#invite-link").input_value()
            # A second, empty project: the first-run page a manager on their own sees.
            page.goto(f"{base}/projects/new/")
            page.get_by_label("Name").fill("Fresh desk")
            page.get_by_role("button", name="Create project").click()
            page.wait_for_selector("#empty-project")
            fresh_pk = int(re.search(r"/projects/(\d+)/", page.url).group(1))
            page.close()
            pages = {
                "project-new": "/projects/new/",
                "project-empty": f"/projects/{fresh_pk}/",
                "project-list": "/",
                "project-settings": f"/projects/{pk}/settings/",
                "project-delete": f"/projects/{pk}/delete/",
                "members": f"/projects/{pk}/members/",
                "document-new": f"/projects/{pk}/documents/new/",
                "document-upload": f"/projects/{pk}/documents/upload/",
                "document-edit": f"/documents/{doc}/edit/",
                "document-delete": f"/documents/{doc}/delete/",
                "account": "/account/",
            }
            for view, (viewport, scheme) in VIEWS.items():
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                shot = context.new_page()
                browser_login(shot, base, "demo", password)
                for name, path in pages.items():
                    shot.goto(f"{base}{path}")
                    shot.screenshot(path=str(out / f"{name}-{view}.png"), full_page=True)
                shot.goto(f"{base}/projects/{pk}/documents/new/")
                shot.get_by_role("button", name="Add document").click()
                shot.screenshot(path=str(out / f"document-new-errors-{view}.png"), full_page=True)
                context.close()
                fresh = browser.new_context(viewport=viewport, color_scheme=scheme)
                stranger = fresh.new_page()
                stranger.goto(invite_link)
                stranger.screenshot(path=str(out / f"invite-accept-{view}.png"), full_page=True)
                stranger.goto(f"{base}/password-reset/")
                stranger.screenshot(path=str(out / f"password-reset-{view}.png"), full_page=True)
                fresh.close()
            browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
