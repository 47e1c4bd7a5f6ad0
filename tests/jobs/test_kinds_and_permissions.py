"""Exports to a file, releases and agreement as jobs, the permission-checked download, and who
may see, list and cancel a job (managers and its creator; non-members get 404)."""
import pytest

from annotate.models import Role
from annotate.workflow.models import Release
from tests.factories import MembershipFactory
from tests.jobs.conftest import jsonl, post_import

pytestmark = pytest.mark.django_db(transaction=True)


def _streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_export_job_writes_the_same_bytes_as_the_streamed_export_and_only_members_download_it(team, run_jobs):
    carol = team.clients["carol"]  # an annotator: her export holds her own spans
    response = carol.post(f"/api/v1/projects/{team.project.pk}/export/?format=jsonl")
    assert response.status_code == 202 and response["Location"] == response.json()["url"]
    run_jobs()
    job = carol.get(response.json()["url"]).json()
    assert job["state"] == "succeeded", job
    assert job["result"]["download"] == f"/api/v1/jobs/{job['id']}/download/"
    assert job["result"]["documents"] == 1 and job["result"]["format"] == "jsonl"
    download = carol.get(job["result"]["download"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"
    streamed = _streamed(carol.get(f"/api/v1/projects/{team.project.pk}/export/?format=jsonl"))
    assert b"".join(download.streaming_content) == streamed
    assert team.clients["alice"].get(job["result"]["download"]).status_code == 200  # a manager
    for outsider in ("dave", "mallory"):  # another annotator; a non-member
        assert team.clients[outsider].get(job["result"]["download"]).status_code == 404
    assert team.anonymous.get(job["result"]["download"]).status_code in (401, 403)


def test_bad_export_options_are_refused_before_a_job_exists(team):
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/export/?format=conll&offset_unit=utf16")
    assert response.status_code == 400 and "offset_unit" in response.json()
    assert team.clients["alice"].get("/api/v1/jobs/").json()["count"] == 0


def test_a_release_freezes_in_a_job_when_asked_and_names_its_number(team, run_jobs):
    response = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1"}, format="json", HTTP_PREFER="respond-async"
    )
    assert response.status_code == 202, response.json()
    assert not Release.objects.filter(project=team.project).exists()
    run_jobs()
    job = team.clients["alice"].get(response.json()["url"]).json()
    assert job["state"] == "succeeded" and job["result"] == {"release": 1, "name": "v1"}
    assert Release.objects.get(project=team.project).number == 1


def test_a_large_project_freezes_its_release_in_a_job(team, settings):
    settings.JOBS_INLINE_RELEASE_MAX_DOCUMENTS = 0
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1"}, format="json")
    assert response.status_code == 202


def test_agreement_runs_as_a_job_for_reviewers(team, run_jobs):
    response = team.clients["bob"].post(f"/api/v1/projects/{team.project.pk}/agreement/")
    assert response.status_code == 202
    run_jobs()
    job = team.clients["bob"].get(response.json()["url"]).json()
    assert job["state"] == "succeeded" and "overall" in job["result"]["agreement"]
    assert team.clients["carol"].post(f"/api/v1/projects/{team.project.pk}/agreement/").status_code == 403


def test_a_job_is_seen_by_managers_and_its_creator_only(team):
    MembershipFactory(project=team.project, user=team.mallory, role=Role.ANNOTATOR)  # now a member, not a manager
    MembershipFactory(project=team.other_project, user=team.carol, role=Role.MANAGER)
    job = post_import(team.clients["alice"], team.project, jsonl(3)).json()
    assert team.clients["alice"].get(job["url"]).status_code == 200
    for name in ("bob", "carol", "dave", "mallory"):  # members who did not start it, not managers
        assert team.clients[name].get(job["url"]).status_code == 404, name
        assert team.clients[name].post(job["cancel_url"]).status_code == 404, name
    assert team.anonymous.get(job["url"]).status_code in (401, 403)
    assert team.clients["alice"].get("/api/v1/jobs/999999999/").status_code == 404


def test_the_job_list_shows_a_manager_everything_and_a_member_their_own(team):
    alices = post_import(team.clients["alice"], team.project, jsonl(3)).json()
    carols = team.clients["carol"].post(f"/api/v1/projects/{team.project.pk}/export/").json()
    listed = lambda name, query="": [j["id"] for j in team.clients[name].get(f"/api/v1/jobs/{query}").json()["results"]]  # noqa: E731
    project = f"?project={team.project.pk}"
    assert listed("alice", project) == [carols["id"], alices["id"]]
    assert listed("carol", project) == [carols["id"]]
    assert listed("bob", project) == []
    assert listed("carol") == [carols["id"]]  # no project: the jobs you started
    assert listed("alice", project + "&state=running") == []
    assert team.clients["mallory"].get(f"/api/v1/jobs/{project}").status_code == 404
    assert team.clients["alice"].get("/api/v1/jobs/?project=abc").status_code == 400


def test_an_annotator_may_not_start_an_import_job(team):
    assert post_import(team.clients["carol"], team.project, jsonl(3)).status_code == 403
    assert post_import(team.clients["mallory"], team.project, jsonl(3)).status_code == 404


def test_every_job_service_checks_the_callers_rule(team):
    """The services decide, not the views: a job is created only under the rule of its work,
    by the caller in the caller's project, and cancelled only by its creator or a manager."""
    from django.core.exceptions import PermissionDenied

    from annotate.jobs.models import JobKind, JobState
    from annotate.jobs.services import job_cancel, job_create
    from annotate.permissions import FREEZE_RELEASE, access_for

    alice, carol = access_for(team.alice, team.project.pk), access_for(team.carol, team.project.pk)
    with pytest.raises(PermissionDenied, match=r"\(annotator\) may not freeze releases"):
        job_create(access=carol, rule=FREEZE_RELEASE, kind=JobKind.RELEASE, params={})
    job = job_create(access=alice, rule=FREEZE_RELEASE, kind=JobKind.RELEASE, params={"name": "v1"})
    assert (job.creator_id, job.project_id) == (team.alice.pk, team.project.pk)
    with pytest.raises(PermissionDenied, match="may not see or cancel jobs other members started"):
        job_cancel(access=carol, job=job)
    assert job_cancel(access=alice, job=job).state == JobState.CANCELLED


def test_a_release_job_freezes_in_one_repeatable_read_snapshot_as_the_inline_path_does(team, run_jobs):
    """The job's own transaction is the snapshot (the release is read and written in it)."""
    from django.db import connection
    from django.db.models.signals import pre_save

    if connection.vendor != "postgresql":
        pytest.skip("isolation levels are PostgreSQL's; SQLite's one writer already sees one snapshot")
    seen = []

    def isolation_at_save(sender, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            seen.append(cursor.fetchone()[0])

    pre_save.connect(isolation_at_save, sender=Release, weak=False)
    try:
        inline = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1"}, format="json")
        queued = team.clients["alice"].post(
            f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v2"}, format="json", HTTP_PREFER="respond-async"
        )
        run_jobs()
    finally:
        pre_save.disconnect(isolation_at_save, sender=Release)
    assert inline.status_code == 201 and queued.status_code == 202
    assert team.clients["alice"].get(queued.json()["url"]).json()["state"] == "succeeded"
    assert seen == ["repeatable read", "repeatable read"]
