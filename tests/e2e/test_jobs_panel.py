"""The project page's Jobs panel in a real browser: a background export started from the page,
run by a worker, downloaded from the panel; a running import's progress bar; cancelling."""
import datetime as dt

from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import expect

from annotate.jobs.models import Job, JobKind, JobState
from annotate.jobs.services import job_create
from annotate.permissions import IMPORT_DOCUMENTS, access_for
from tests.dataset_builders import golden_project
from tests.e2e.conftest import login
from tests.jobs.conftest import _storage, run_jobs  # noqa: F401 (fixtures)


def test_an_export_started_from_the_page_is_followed_and_downloaded_from_the_panel(page, transactional_db, run_jobs):  # noqa: F811
    golden = golden_project()
    login(page, "alice")
    page.goto(f"/projects/{golden.project.pk}/")
    panel = page.locator("#jobs-panel")
    expect(panel.get_by_text("No jobs yet.")).to_be_visible()
    page.get_by_label("Format", exact=False).first.select_option("csv")

    panel.get_by_role("button", name="Export to a file in the background").click()
    expect(panel.locator(".jobs-status")).to_contain_text("started")
    row = panel.locator("tbody tr").first
    expect(row.locator(".job-state")).to_have_text("queued")
    expect(row.locator("progress")).to_be_visible()

    run_jobs()  # a worker picks it up while the page keeps polling
    expect(row.locator(".job-state")).to_have_text("succeeded")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    assert download_info.value.suggested_filename == f"project-{golden.project.pk}-individual.csv"
    stored = Job.objects.get(kind=JobKind.EXPORT)
    with default_storage.open(stored.output_file, "rb") as file:
        assert download_info.value.path().read_bytes() == file.read()
    assert stored.result["documents"] == 3
    assert page.js_errors == []


def test_a_running_import_shows_its_progress_and_can_be_cancelled(page, transactional_db):
    golden = golden_project()
    access = access_for(golden.alice, golden.project.pk)
    job = job_create(access=access, rule=IMPORT_DOCUMENTS, kind=JobKind.IMPORT, params={"upload": ""})
    login(page, "alice")
    page.goto(f"/projects/{golden.project.pk}/")
    row = page.locator(f"#jobs-panel tr[data-job='{job.pk}']")
    expect(row.locator(".job-state")).to_have_text("queued")
    # What a worker's heartbeat writes half-way through a 40,000-document import:
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, lease_expires_at=timezone.now() + dt.timedelta(minutes=1), done=10_000, total=40_000, message="10,000 documents read and checked.")
    expect(row.locator(".job-state")).to_have_text("running")
    expect(row.locator("progress")).to_have_attribute("max", "40000")
    expect(row.locator("progress")).to_have_attribute("value", "10000")
    expect(row).to_contain_text("10,000 of 40,000 (25%)")
    row.get_by_role("button", name="Cancel").click()
    expect(row.locator(".job-state")).to_have_text("cancelling")
    assert Job.objects.get(pk=job.pk).cancel_requested
    assert page.js_errors == []
