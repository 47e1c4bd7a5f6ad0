"""The team workflow in a real browser: split a project with the queue, label, see agreement,
adjudicate into gold, freeze release v1 and download it."""
import json

import httpx

from annotate.models import Role
from annotate.workflow.models import Release
from tests.e2e.conftest import login
from tests.e2e.workspace import select_code_points, wait_for_span_count
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory, token_for

TEXT = "The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure."


def _label(live_server, user, document_id, start, end, label="assertion", **extra):
    response = httpx.post(
        f"{live_server.url}/api/v1/documents/{document_id}/spans/",
        json={"start": start, "end": end, "label": label, **extra},
        headers={"Authorization": f"Token {token_for(user)}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_three_people_split_label_agree_adjudicate_and_release(page, live_server, transactional_db, browser):
    alice, carol, dave = (UserFactory(username=name) for name in ("alice", "carol", "dave"))
    project = ProjectFactory(name="Budget week", reviewers_per_document=2, blind_review=True)
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    MembershipFactory(project=project, user=carol, role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=dave, role=Role.ANNOTATOR)
    documents = [DocumentFactory(project=project, title=f"Story {i}", text=TEXT) for i in range(2)]

    # Split: carol and dave each take both documents from the queue in their own browser and
    # label them.
    for user in (carol, dave):
        context = browser.new_context(base_url=live_server.url)
        their_page = context.new_page()
        their_errors: list[str] = []
        their_page.on("pageerror", lambda error, errors=their_errors: errors.append(str(error)))
        login(their_page, user.username)
        for document in documents:
            their_page.goto(f"/projects/{project.pk}/")
            their_page.get_by_role("button", name="Next document").click()
            # the queue hands out the next document and opens it in the workspace
            their_page.wait_for_url(f"**/documents/{document.pk}/")
            their_page.wait_for_selector("body[data-ready='true']")
            # the claim is labelled in the page, the disputed span (it needs a basis) through the API
            select_code_points(their_page, TEXT, 23, 50)
            their_page.get_by_role("button", name="1 assertion").click()
            wait_for_span_count(their_page, 1)
            if user == carol:
                _label(live_server, user, document.pk, 52, 81, label="disputed", dispute_basis="within_text")
            else:
                _label(live_server, user, document.pk, 60, 81, label="disputed", dispute_basis="within_text")
            their_page.goto(f"/projects/{project.pk}/assignments/")
            row = their_page.locator("tr", has_text=document.title)
            row.get_by_role("button", name="Mark done").click()
            their_page.wait_for_load_state()
            assert "Done" in their_page.locator("tr", has_text=document.title).inner_text()
        # an annotator under blind review sees no agreement link
        their_page.goto(f"/projects/{project.pk}/")
        assert their_page.get_by_role("link", name="Agreement").count() == 0
        assert their_errors == []
        context.close()

    # Agreement: alice sees the numbers.
    login(page, "alice")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Agreement").click()
    page.wait_for_load_state("load")  # the page's module has run
    overall = page.locator("#agreement-overall tbody tr").first
    assert overall.locator("[data-measure=span_f1_exact]").inner_text() == "0.500"  # 2 of 4 spans match exactly
    assert overall.locator("[data-measure=span_f1_overlap]").inner_text() == "1.000"
    assert "carol · dave" in page.locator("#agreement-pairs").inner_text()
    page.select_option("#matrix-measure", "cohen_kappa")
    page.locator("table[data-matrix=cohen_kappa]").wait_for(state="visible")
    assert not page.locator("table[data-matrix=span_f1_overlap]").is_visible()

    # Adjudicate both documents into gold.
    for document in documents:
        page.goto(f"/projects/{project.pk}/adjudication/")
        page.get_by_role("link", name=document.title).click()
        page.wait_for_selector("body[data-ready='true']")
        page.get_by_role("button", name="Accept all agreed (1)").click()
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Accepted 1 agreed span')")
        # carol's and dave's disputed spans differ by a few characters: one unit with both
        # versions, accepted as one decision
        page.locator('#unit-list li[data-groups^="disputed:"] button').click()
        page.locator("#accept-unit").click()
        page.wait_for_function("() => document.querySelectorAll('#gold-list li').length === 2")

    # Freeze release v1 and download it.
    page.goto(f"/projects/{project.pk}/releases/")
    page.fill("#release-name", "Budget week v1")
    page.get_by_role("button", name="Freeze release").click()
    page.wait_for_url("**/releases/1/")
    assert page.get_by_test_id("gold-spans").inner_text().startswith("4")
    with page.expect_download() as download_info:
        page.locator("a[data-format=jsonl][data-layer=gold]").click()
    downloaded = open(download_info.value.path(), "rb").read()
    lines = [json.loads(line) for line in downloaded.decode().splitlines()]  # one document a line
    assert [len(record["spans"]) for record in lines] == [2, 2]
    assert {span["layer"] for span in lines[0]["spans"]} == {"gold"}
    manifest = httpx.get(
        f"{live_server.url}/api/v1/projects/{project.pk}/releases/1/download/manifest/",
        headers={"Authorization": f"Token {token_for(alice)}"},
    )
    assert manifest.json()["release"]["name"] == "Budget week v1"
    with page.expect_download() as provenance_info:
        page.get_by_role("link", name="provenance").click()
    provenance = [json.loads(line) for line in open(provenance_info.value.path(), "rb").read().splitlines()]
    assert {o["annotator"] for o in provenance[0]["gold"][0]["origins"]} == {"carol", "dave"}
    # the same bytes as the API gives, now and after the project changes
    release = Release.objects.get(project=project, number=1)
    api = httpx.get(
        f"{live_server.url}/api/v1/projects/{project.pk}/releases/1/download/jsonl/",
        headers={"Authorization": f"Token {token_for(alice)}"},
    )
    assert api.content == downloaded
    _label(live_server, carol, documents[0].pk, 0, 3)
    again = httpx.get(
        f"{live_server.url}/api/v1/projects/{project.pk}/releases/1/download/jsonl/",
        headers={"Authorization": f"Token {token_for(alice)}"},
    )
    assert again.content == downloaded and release.number == 1
    assert page.js_errors == []
