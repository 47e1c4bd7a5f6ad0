"""The project's tab row on a phone opens with the current tab in view (it scrolls sideways
inside its own row; the page does not)."""
from annotate.models import Role
from tests.e2e.conftest import login
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


def test_the_current_tab_is_in_view_on_a_phone(page, transactional_db):
    project = ProjectFactory(name="Election coverage")
    MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.MANAGER)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "alice")
    page.goto(f"/projects/{project.pk}/history/")
    page.wait_for_load_state("load")
    row, tab = page.evaluate("""() => {
        const row = document.querySelector('nav.tabs > ul');
        const tab = row.querySelector("a[aria-current='page']");
        const [a, b] = [row.getBoundingClientRect(), tab.getBoundingClientRect()];
        return [[a.left, a.right, row.scrollWidth > row.clientWidth], [b.left, b.right, tab.textContent]];
    }""")
    assert row[2], "the row is wider than a phone: nothing to check"
    assert tab[2] == "History"
    assert row[0] - 1 <= tab[0] and tab[1] <= row[1] + 1, (row, tab)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
