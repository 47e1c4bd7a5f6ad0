"""Export and import from the project page in a real browser."""
import json

from annotate.models import Document, Span
from tests.dataset_builders import golden_project
from tests.e2e.conftest import login
from tests.factories import MembershipFactory, ProjectFactory


def test_manager_downloads_an_export_and_uploads_it_into_another_project(page, transactional_db, tmp_path):
    golden = golden_project()
    copy = ProjectFactory(name="Copy")
    for user, role in ((golden.alice, "manager"), (golden.bob, "reviewer"), (golden.carol, "annotator")):
        MembershipFactory(project=copy, user=user, role=role)
    login(page, "alice")

    page.goto(f"/projects/{golden.project.pk}/")
    page.get_by_label("Format", exact=False).first.select_option("jsonl")
    page.get_by_label("disputed").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download export").click()
    disputed_only = download_info.value.path().read_text(encoding="utf-8").splitlines()
    assert len(disputed_only) == 3  # one line per document (jsonl format_version 2)
    assert [s["label"] for line in disputed_only for s in json.loads(line)["spans"]] == ["disputed"]

    page.get_by_label("disputed").uncheck()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download export").click()
    exported = tmp_path / "golden.jsonl"
    download_info.value.save_as(exported)

    page.goto(f"/projects/{copy.pk}/")
    page.locator("#import-form input[type=file]").set_input_files(str(exported))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"**/projects/{copy.pk}/")
    assert page.get_by_text("Imported 3 documents with 6 spans.").is_visible()
    assert Document.objects.filter(project=copy).count() == 3
    assert Span.objects.filter(document__project=copy).count() == 6

    # the same file again: refused as duplicates, named in the page, nothing added
    page.locator("#import-form input[type=file]").set_input_files(str(exported))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"**/projects/{copy.pk}/")
    assert page.get_by_text("golden.jsonl, line 1: already in the project (external_id).").is_visible()
    assert Document.objects.filter(project=copy).count() == 3
    assert page.js_errors == []


def test_annotator_sees_export_but_no_import_form(page, transactional_db):
    golden = golden_project()
    login(page, "carol")
    page.goto(f"/projects/{golden.project.pk}/")
    assert page.get_by_text("Your export holds your own spans.").is_visible()
    assert page.locator("#import-form").count() == 0
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download export").click()
    lines = download_info.value.path().read_text(encoding="utf-8").splitlines()
    assert {s["annotator"] for line in lines for s in json.loads(line)["spans"]} == {"carol"}
