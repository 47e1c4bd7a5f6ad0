"""Setting up a team in a real browser: a manager creates a project, pastes a document,
invites new people who accept in fresh browsers and label a span, and configures review; an
existing user is added and their role changed; every form's error path shows the error beside
its field."""
import re

from annotate.models import Layer, Membership, Project, Role, Span
from tests.e2e.conftest import login
from tests.e2e.workspace import select_code_points, wait_for_span_count
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

TEXT = "The council said the bridge reopens in May. Engineers 🔧 doubt it."


def field_error(page, field_id: str) -> str:
    return page.locator(f"#{field_id}_error").inner_text()


def accept_invite_and_label(browser, live_server, link: str, username: str, password: str, project, start: int, end: int) -> None:
    """The invitee, in a fresh browser context with no cookies: set a password, land in the
    project, open the queue and label [start, end) of TEXT as an assertion."""
    context = browser.new_context(base_url=live_server.url)
    invitee = context.new_page()
    invitee.set_default_timeout(10_000)
    errors: list[str] = []
    invitee.on("pageerror", lambda error: errors.append(str(error)))
    invitee.goto(link)
    assert invitee.get_by_label("Username").input_value() == username
    invitee.get_by_label("New password", exact=True).fill(password)
    invitee.get_by_label("New password confirmation").fill(password)
    invitee.get_by_role("button", name="Create account and join").click()
    invitee.wait_for_url(f"**/projects/{project.pk}/")
    assert invitee.locator("#welcome").is_visible()
    invitee.get_by_role("button", name="Open my queue").click()
    invitee.wait_for_selector("body[data-ready='true']")
    select_code_points(invitee, TEXT, start, end)
    invitee.get_by_role("button", name="1 assertion").click()
    wait_for_span_count(invitee, 1)
    assert errors == []
    context.close()


def invite_by_email(page, project, email: str, role: str) -> str:
    """Invite `email` from the members page; returns the link shown once on the page."""
    page.goto(f"/projects/{project.pk}/members/")
    form = page.locator("#invite-form")
    form.get_by_label("Username or email").fill(email)
    form.get_by_label("Role").select_option(role)
    form.get_by_role("button", name="Add or invite").click()
    page.wait_for_selector("#new-invite")
    return page.locator("#invite-link").input_value()


def test_create_paste_invite_accept_and_label(page, browser, live_server, transactional_db):
    UserFactory(username="alice")
    login(page, "alice")
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Bridge watch")
    page.get_by_role("button", name="Create project").click()
    project = Project.objects.get(name="Bridge watch")
    page.wait_for_url(f"**/projects/{project.pk}/")
    assert Membership.objects.get(project=project).role == Role.MANAGER
    assert page.locator("#empty-project").is_visible() and page.locator("#invite-team").is_visible()

    # paste a document and open it
    page.locator("#empty-project").get_by_role("link", name="Paste a document").click()
    page.get_by_label("Title").fill("Bridge reopening")
    page.get_by_label("Outlet").fill("Valley Gazette")
    page.get_by_label("Published on").fill("2026-05-18")
    page.get_by_label("Text", exact=True).fill(TEXT)
    page.get_by_role("button", name="Add document").click()
    page.wait_for_selector("body[data-ready='true']")
    assert page.locator("#doc-text").inner_text() == TEXT

    # invite a new person from the project page's invite form
    page.goto(f"/projects/{project.pk}/")
    page.locator("#invite-form").get_by_label("Username or email").fill("erin@example.org")
    page.locator("#invite-form").get_by_label("Role").select_option("annotator")
    page.locator("#invite-form").get_by_role("button", name="Add or invite").click()
    page.wait_for_url(f"**/projects/{project.pk}/members/")
    link = page.locator("#invite-link").input_value()
    assert "/invites/" in link
    assert "erin@example.org" in page.locator("section", has_text="Open invites").inner_text()

    # the invitee, in a fresh browser with no cookies
    context = browser.new_context(base_url=live_server.url)
    erin = context.new_page()
    erin_errors: list[str] = []
    erin.on("pageerror", lambda error: erin_errors.append(str(error)))
    erin.goto(link)
    assert erin.get_by_label("Username").input_value() == "erin"
    erin.get_by_label("New password", exact=True).fill("short")
    erin.get_by_label("New password confirmation").fill("short")
    erin.get_by_role("button", name="Create account and join").click()
    assert "too short" in field_error(erin, "id_new_password2")
    erin.get_by_label("New password", exact=True).fill("bridges-are-long-9")
    erin.get_by_label("New password confirmation").fill("bridges-are-long-9")
    erin.get_by_role("button", name="Create account and join").click()
    erin.wait_for_url(f"**/projects/{project.pk}/")
    assert erin.locator("#welcome").is_visible()
    erin.get_by_role("button", name="Open my queue").click()
    erin.wait_for_selector("body[data-ready='true']")
    select_code_points(erin, TEXT, 4, 42)
    erin.get_by_role("button", name="1 assertion").click()
    wait_for_span_count(erin, 1)
    span = Span.objects.get(annotator__username="erin")
    assert span.quote == TEXT[4:42] == "council said the bridge reopens in May"
    assert erin_errors == [] and page.js_errors == []
    context.close()


def test_a_manager_sets_up_a_team_of_two_and_review_in_the_browser_alone(page, browser, live_server, transactional_db, mailoutbox):
    """Issue 10's "done when": on a fresh app a manager (no staff flag) creates a project,
    configures review, pastes a story and invites two new people by email; each accepts in a
    fresh browser and labels. No admin site, shell or API call: the only ORM use is to check."""
    alice = UserFactory(username="alice")
    assert not alice.is_staff and not alice.is_superuser and Project.objects.count() == 0
    login(page, "alice")
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Fact desk")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+/$"))
    project = Project.objects.get(name="Fact desk")

    # review: two members label each document, blind until each marks their own work done
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Settings").click()
    page.wait_for_url(f"**/projects/{project.pk}/settings/")
    page.get_by_label("Guidelines").fill("Mark **claims** of fact.")
    page.get_by_label("Reviewers per document").fill("2")
    page.get_by_label("Blind review").uncheck()
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector(".banner-success")
    project.refresh_from_db()
    assert (project.reviewers_per_document, project.blind_review) == (2, False)
    page.get_by_label("Blind review").check()
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector(".banner-success")
    project.refresh_from_db()
    assert (project.reviewers_per_document, project.blind_review) == (2, True)
    assert project.guidelines == "Mark **claims** of fact."

    page.goto(f"/projects/{project.pk}/documents/new/")
    page.get_by_label("Title").fill("Bridge reopening")
    page.get_by_label("Text", exact=True).fill(TEXT)
    page.get_by_role("button", name="Add document").click()
    page.wait_for_selector("body[data-ready='true']")

    # two new people, by email: one link read from the page, the other from the mail they get
    erin_link = invite_by_email(page, project, "erin@example.org", "annotator")
    gus_link = invite_by_email(page, project, "gus@example.org", "reviewer")
    mailed = {message.to[0]: message.body for message in mailoutbox}
    assert set(mailed) == {"erin@example.org", "gus@example.org"}
    assert erin_link in mailed["erin@example.org"]
    assert gus_link in mailed["gus@example.org"]
    open_invites = page.locator("section", has_text="Open invites").inner_text()
    assert "erin@example.org" in open_invites and "gus@example.org" in open_invites

    accept_invite_and_label(browser, live_server, erin_link, "erin", "bridges-are-long-9", project, 4, 42)
    accept_invite_and_label(browser, live_server, gus_link, "gus", "engineers-doubt-7", project, 44, 53)

    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {"alice": Role.MANAGER, "erin": Role.ANNOTATOR, "gus": Role.REVIEWER}
    spans = {
        span.annotator.username: (span.layer, span.quote)
        for span in Span.objects.filter(document__project=project).select_related("annotator")
    }
    assert spans == {
        "erin": (Layer.INDIVIDUAL, "council said the bridge reopens in May"),
        "gus": (Layer.INDIVIDUAL, TEXT[44:53]),
    }
    assert TEXT[44:53] == "Engineers"
    page.goto(f"/projects/{project.pk}/members/")
    assert "1 span" in page.locator("#member-erin").inner_text()
    assert "1 span" in page.locator("#member-gus").inner_text()
    assert page.js_errors == []


def test_add_an_existing_user_change_their_role_and_the_error_paths(page, live_server, transactional_db):
    alice = UserFactory(username="alice")
    UserFactory(username="frank", email="frank@example.org")
    project = ProjectFactory(name="Desk")
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    login(page, "alice")

    # blank project name
    page.goto("/projects/new/")
    page.get_by_label("Description").fill("kept")
    page.get_by_role("button", name="Create project").click()
    assert field_error(page, "id_name") == "A project needs a name."
    assert page.get_by_label("Description").input_value() == "kept"

    page.goto(f"/projects/{project.pk}/members/")
    form = page.locator("#invite-form")
    form.get_by_label("Username or email").fill("frank@example.org")
    form.get_by_label("Role").select_option("annotator")
    form.get_by_role("button", name="Add or invite").click()
    page.wait_for_selector("#member-frank")
    assert page.locator(".banner-success").inner_text().startswith("frank added as annotator")

    # duplicate member
    page.locator("#invite-form").get_by_label("Username or email").fill("frank")
    page.locator("#invite-form").get_by_role("button", name="Add or invite").click()
    assert field_error(page, "id_invitee") == "frank is already a member of this project."
    assert page.locator("#id_invitee").input_value() == "frank"

    # change frank's role
    frank = Membership.objects.get(project=project, user__username="frank")
    page.get_by_label("Role of frank").select_option("reviewer")
    page.locator("#member-frank").get_by_role("button", name="Change role").click()
    page.wait_for_selector(".banner-success")
    frank.refresh_from_db()
    assert frank.role == Role.REVIEWER

    # last manager
    me = Membership.objects.get(project=project, user=alice)
    page.get_by_label("Role of alice").select_option("annotator")
    page.locator("#member-alice").get_by_role("button", name="Change role").click()
    assert field_error(page, f"id_member-{me.pk}-role") == "A project keeps at least one manager."
    me.refresh_from_db()
    assert me.role == Role.MANAGER

    # bad date on a pasted document
    page.goto(f"/projects/{project.pk}/documents/new/")
    page.get_by_label("Title").fill("Kept title")
    page.get_by_label("Published on").fill("18 May")
    page.get_by_label("Text", exact=True).fill("Some text.")
    page.get_by_role("button", name="Add document").click()
    assert field_error(page, "id_published_on").startswith("Not a date")
    assert page.get_by_label("Title").input_value() == "Kept title"
    assert page.locator("#id_published_on").get_attribute("aria-invalid") == "true"
    assert page.js_errors == []


def test_the_guidelines_preview_renders_as_you_type(page, live_server, transactional_db):
    alice = UserFactory(username="alice")
    project = ProjectFactory(name="Desk")
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    login(page, "alice")
    page.goto(f"/projects/{project.pk}/settings/")
    page.get_by_label("Guidelines").fill("**Bold rule** <img src=x onerror=alert(1)>")
    page.wait_for_selector("#guidelines-preview strong")
    assert page.locator("#guidelines-preview strong").inner_text() == "Bold rule"
    assert page.locator("#guidelines-preview img").count() == 0
    page.get_by_label("Reviewers per document").fill("2")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector(".banner-success")
    project.refresh_from_db()
    assert project.reviewers_per_document == 2 and project.guidelines.startswith("**Bold rule**")
    assert page.js_errors == []


def test_setup_pages_have_no_page_scroll_at_320_px(browser, live_server, transactional_db):
    from tests.factories import DocumentFactory, SpanFactory

    alice = UserFactory(username="alice")
    project = ProjectFactory(name="A project with a rather long name for a narrow phone screen")
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    MembershipFactory(project=project, user=UserFactory(username="someone-with-a-long-username"), role=Role.ANNOTATOR)
    document = DocumentFactory(project=project, title="Story", text=TEXT)
    SpanFactory(document=document, annotator=alice)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    login(page, "alice")
    paths = [
        "/projects/new/", f"/projects/{project.pk}/settings/", f"/projects/{project.pk}/delete/",
        f"/projects/{project.pk}/members/", f"/projects/{project.pk}/documents/new/",
        f"/projects/{project.pk}/documents/upload/", f"/documents/{document.pk}/edit/",
        f"/documents/{document.pk}/delete/", "/account/", "/account/password/",
    ]
    for path in paths:
        page.goto(path)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], (path, widths)
    context.close()
