"""Sign in and out in a real browser."""
from tests.e2e.conftest import login
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


def test_sign_in_shows_my_projects_and_sign_out(page, transactional_db):
    alice = UserFactory(username="alice")
    MembershipFactory(project=ProjectFactory(name="Budget <b>leaks</b>"), user=alice, role="manager")
    ProjectFactory(name="Not mine")
    login(page, "alice")
    assert page.get_by_role("link", name="Budget <b>leaks</b>").is_visible()  # escaped, shown as text
    assert page.get_by_text("Not mine").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
    assert page.js_errors == []
