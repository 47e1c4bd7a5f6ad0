"""Real worker processes (manage.py jobs_worker) on the test database: a worker killed with
SIGKILL in the middle of an import, cancelling a running import, and a large import through
RQ while the API keeps answering. PostgreSQL only: a worker in another process needs a
database it can share, and SQLite's test database lives in this process's memory."""
import pytest
from django.db import connection

from annotate.jobs.models import Job, JobState
from annotate.models import Document
from tests.jobs.conftest import jsonl, post_import

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared database (PostgreSQL)"),
]

# A killed worker's job is taken over when its lease runs out. Short, so the tests are quick, but
# with slack: a heartbeat (every 0.2 s here) starved of CPU for a whole lease on a loaded machine
# would make a live worker lose its job, and the test would wait for a success that never comes.
LEASE = 5
MID_IMPORT = r"job {} progress [1-9]\d{{2,}}/"  # at least one batch of documents written, uncommitted


def _imported(project) -> int:
    return Document.objects.filter(project=project, external_id__startswith="doc-").count()


@pytest.mark.parametrize("backend", ["db", "rq"])
def test_a_worker_killed_mid_import_leaves_no_documents_and_another_worker_retries_the_job(
    backend, team, worker_process, request
):
    if backend == "rq":
        request.getfixturevalue("rq_backend")
    job = post_import(team.clients["alice"], team.project, jsonl(20_000)).json()
    first = worker_process(backend=backend, JOBS_LEASE_SECONDS=LEASE, JOBS_MAX_ATTEMPTS=2)
    first.wait_for(MID_IMPORT.format(job["id"]))
    first.kill()
    assert _imported(team.project) == 0  # its transaction died with it
    assert Job.objects.get(pk=job["id"]).state == JobState.RUNNING  # until its lease runs out

    second = worker_process(backend=backend, JOBS_LEASE_SECONDS=LEASE, JOBS_MAX_ATTEMPTS=2)
    second.wait_for(rf"job {job['id']} succeeded")
    finished = team.clients["alice"].get(job["url"]).json()
    assert (finished["state"], finished["attempts"]) == ("succeeded", 2)
    assert finished["result"]["documents"] == 20_000 == _imported(team.project)


def test_a_worker_killed_on_the_last_attempt_leaves_the_job_failed_with_the_reason(team, worker_process):
    job = post_import(team.clients["alice"], team.project, jsonl(20_000)).json()
    first = worker_process(JOBS_LEASE_SECONDS=LEASE, JOBS_MAX_ATTEMPTS=1)
    first.wait_for(MID_IMPORT.format(job["id"]))
    first.kill()
    worker_process(JOBS_LEASE_SECONDS=LEASE, JOBS_MAX_ATTEMPTS=1).wait_for(rf"jobs sweep: .*'failed': \[{job['id']}\]")
    failed = team.clients["alice"].get(job["url"]).json()
    assert failed["state"] == "failed" and "stopped responding" in failed["error"]["detail"]
    assert _imported(team.project) == 0


def test_cancelling_a_running_import_stops_it_at_the_next_step_and_keeps_nothing(team, worker_process):
    alice = team.clients["alice"]
    job = post_import(alice, team.project, jsonl(20_000)).json()
    worker = worker_process()
    worker.wait_for(MID_IMPORT.format(job["id"]))
    asked = alice.post(job["cancel_url"]).json()
    assert asked["cancel_requested"] is True and asked["state"] == "running"
    worker.wait_for(rf"job {job['id']} cancelled")
    cancelled = alice.get(job["url"]).json()
    assert cancelled["state"] == "cancelled" and cancelled["progress"]["done"] < 20_000
    assert _imported(team.project) == 0


def test_a_large_import_through_rq_completes_while_the_api_keeps_answering(team, rq_backend, worker_process, django_assert_max_num_queries):
    alice = team.clients["alice"]
    # 20,000 documents: 5,000 are read and committed within the first heartbeat (0.2 s) now, and
    # a heartbeat that comes after the job's final update waits for its commit and says nothing
    response = post_import(alice, team.project, jsonl(20_000))
    assert response.status_code == 202
    job = response.json()
    worker = worker_process(backend="rq", LOG_LEVEL="DEBUG")
    worker.wait_for(rf"job {job['id']} heartbeat [1-9]\d{{2,}}/20000")  # progress published mid-import
    # Mid-import: reads answer at once from committed data, and the job shows its progress.
    running = alice.get(job["url"]).json()
    assert running["state"] == "running" and running["progress"]["total"] == 20_000
    documents = alice.get(f"/api/v1/projects/{team.project.pk}/documents/")
    assert documents.status_code == 200 and documents.json()["count"] == 1  # the team's one document
    with django_assert_max_num_queries(4):
        listed = alice.get(f"/api/v1/jobs/?project={team.project.pk}&state=running")
    assert [j["id"] for j in listed.json()["results"]] == [job["id"]]
    worker.wait_for(rf"job {job['id']} succeeded")
    assert alice.get(job["url"]).json()["result"]["documents"] == 20_000 == _imported(team.project)
