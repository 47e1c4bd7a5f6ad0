"""A job's life on the database backend, in this process: queued -> running -> succeeded,
failed with the import's own errors, cancelled before it ran, and the sweep's recovery."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from annotate.jobs.models import Job, JobState
from annotate.jobs.services import jobs_sweep
from annotate.models import Document, Span
from tests.jobs.conftest import jsonl, post_import

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_queued_import_answers_202_and_a_worker_runs_it(team, run_jobs):
    alice = team.clients["alice"]
    response = post_import(alice, team.project, jsonl(1200))
    assert response.status_code == 202, response.json()
    job = response.json()
    assert response["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}/"
    assert (job["kind"], job["state"], job["creator"]) == ("import", "queued", "alice")
    assert Document.objects.filter(project=team.project, external_id__startswith="doc-").count() == 0

    run_jobs()

    done = alice.get(job["url"]).json()
    assert done["state"] == "succeeded", done
    assert done["result"] == {"documents": 1200, "spans": 1200, "skipped": 0, "duplicates": []}
    assert done["progress"]["total"] == 1200 and done["progress"]["done"] == 1200
    assert done["error"] is None and done["cancel_url"] is None and done["attempts"] == 1
    assert Span.objects.filter(document__project=team.project, document__external_id__startswith="doc-").count() == 1200
    stored = Job.objects.get(pk=job["id"])
    assert stored.lease_expires_at is None and stored.finished_at is not None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="RQ runs the job in a forked work horse, which cannot reach SQLite's in-memory test database",
)
def test_the_same_lifecycle_on_rq_with_redis(team, rq_backend, run_jobs):
    alice = team.clients["alice"]
    job = post_import(alice, team.project, jsonl(700)).json()
    assert rq_backend.count == 1  # the task waits in Redis, not in the database
    assert alice.get(job["url"]).json()["state"] == "queued"
    run_jobs()
    done = alice.get(job["url"]).json()
    assert (done["state"], done["result"]["documents"], done["progress"]["done"]) == ("succeeded", 700, 700)
    assert rq_backend.count == 0


def test_a_job_whose_creator_lost_the_role_fails_with_the_reason(team, run_jobs):
    job = post_import(team.clients["alice"], team.project, jsonl(5)).json()
    team.alice.memberships.filter(project=team.project).update(role="annotator")
    run_jobs()
    failed = Job.objects.get(pk=job["id"])
    assert failed.state == JobState.FAILED and "may not import documents" in failed.error["detail"]


def test_a_failing_import_job_names_the_line_like_an_inline_import_and_keeps_nothing(team, run_jobs):
    alice = team.clients["alice"]
    content = jsonl(1500, bad_line=1400)
    job = post_import(alice, team.project, content).json()
    run_jobs()
    failed = alice.get(job["url"]).json()
    assert failed["state"] == "failed"
    inline = post_import(alice, team.project, content, background=False)
    assert inline.status_code == 400
    assert failed["error"] == inline.json()
    assert [(e["line"], e["field"]) for e in failed["error"]["errors"]] == [(1400, "spans[0].quote")]
    assert Document.objects.filter(project=team.project, external_id__startswith="doc-").count() == 0


def test_a_small_import_runs_in_the_request_and_answers_the_finished_job(team):
    response = post_import(team.clients["alice"], team.project, jsonl(3), background=False)
    assert response.status_code == 201
    assert response.json()["state"] == "succeeded" and response["Location"] == response.json()["url"]
    assert response.json()["result"]["documents"] == 3


def test_a_queued_job_cancelled_never_runs_and_cannot_be_cancelled_twice(team, run_jobs):
    alice = team.clients["alice"]
    job = post_import(alice, team.project, jsonl(10)).json()
    cancelled = alice.post(job["cancel_url"])
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    run_jobs()
    assert alice.get(job["url"]).json()["state"] == "cancelled"
    assert Document.objects.filter(external_id__startswith="doc-").count() == 0
    again = alice.post(job["cancel_url"])
    assert again.status_code == 409 and "already finished" in again.json()["detail"]


def _running(job_id: int, *, attempts: int, expired_seconds_ago: float) -> None:
    lease = timezone.now() - dt.timedelta(seconds=expired_seconds_ago)
    Job.objects.filter(pk=job_id).update(state=JobState.RUNNING, attempts=attempts, lease_expires_at=lease, heartbeat_at=lease)


def test_the_sweep_retries_a_job_whose_worker_died_then_fails_it_with_the_reason(team, run_jobs, settings):
    settings.JOBS_MAX_ATTEMPTS = 2
    alice = team.clients["alice"]
    job = post_import(alice, team.project, jsonl(5)).json()
    _running(job["id"], attempts=1, expired_seconds_ago=1)
    assert jobs_sweep()["retried"] == [job["id"]]
    assert alice.get(job["url"]).json()["state"] == "queued"
    _running(job["id"], attempts=2, expired_seconds_ago=1)
    assert jobs_sweep()["failed"] == [job["id"]]
    failed = alice.get(job["url"]).json()
    assert failed["state"] == "failed" and "stopped responding" in failed["error"]["detail"]
    run_jobs()  # the retry's task finds the job failed and does nothing
    assert alice.get(job["url"]).json()["state"] == "failed"
    assert Document.objects.filter(external_id__startswith="doc-").count() == 0


def test_the_sweep_leaves_a_job_with_a_live_lease_alone(team):
    job = post_import(team.clients["alice"], team.project, jsonl(5)).json()
    _running(job["id"], attempts=1, expired_seconds_ago=-60)
    assert jobs_sweep() == {"retried": [], "failed": [], "requeued": []}
    assert Job.objects.get(pk=job["id"]).state == JobState.RUNNING


def test_prune_deletes_old_finished_jobs_with_their_files(team, run_jobs, settings, _storage):
    from django.core.management import call_command

    export = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/export/").json()
    queued = post_import(team.clients["alice"], team.project, jsonl(3)).json()
    run_jobs()
    Job.objects.filter(pk=queued["id"]).update(state=JobState.QUEUED, finished_at=None)  # still waiting: kept
    output = Job.objects.get(pk=export["id"]).output_file
    assert (_storage / output).exists()
    settings.JOBS_KEEP_DAYS = 0
    call_command("jobs_prune", stdout=open("/dev/null", "w"))
    assert list(Job.objects.values_list("pk", flat=True)) == [queued["id"]]
    assert not (_storage / output).exists()


def test_an_idle_db_worker_looks_for_new_jobs_every_jobs_poll_seconds(settings):
    """db_worker's own default is 1 s, which every background import waited on top of its run."""
    from annotate.jobs.management.commands.jobs_worker import db_worker_options

    assert settings.JOBS_POLL_SECONDS == 0.1
    settings.JOBS_POLL_SECONDS = 0.25
    assert db_worker_options(burst=False)["interval"] == 0.25
    assert db_worker_options(burst=True)["batch"] is True


def test_the_worker_freezes_what_it_loaded_before_it_runs_a_job(run_jobs):
    """Out of the garbage collector's sight: an import's full collections walked Django and the
    app again and again (0.2-0.4 s of the anchor import's CPU)."""
    import gc

    gc.unfreeze()
    try:
        run_jobs()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_an_import_job_reads_with_the_garbage_collector_paused_and_restores_it(team, run_jobs, caplog):
    """Its objects go by reference counting; the collector's passes over them only held the
    interpreter from the batch writer. Seen from the job's own progress lines, while it reads."""
    import gc
    import logging

    enabled_at_progress = []

    class Watch(logging.Handler):
        def emit(self, record):
            if "documents read and checked" in record.getMessage():
                enabled_at_progress.append(gc.isenabled())

    watch = Watch()
    logging.getLogger("annotate.jobs").addHandler(watch)
    try:
        job = post_import(team.clients["alice"], team.project, jsonl(1200)).json()
        assert gc.isenabled()
        with caplog.at_level(logging.INFO, logger="annotate.jobs"):
            run_jobs()
    finally:
        logging.getLogger("annotate.jobs").removeHandler(watch)
    assert Job.objects.get(pk=job["id"]).state == JobState.SUCCEEDED
    assert enabled_at_progress and not any(enabled_at_progress)
    assert gc.isenabled()


def test_a_failing_import_job_restores_the_garbage_collector_too(team, run_jobs):
    import gc

    job = post_import(team.clients["alice"], team.project, jsonl(1500, bad_line=1400)).json()
    run_jobs()
    assert Job.objects.get(pk=job["id"]).state == JobState.FAILED
    assert gc.isenabled()
