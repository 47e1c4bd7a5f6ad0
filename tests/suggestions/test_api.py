"""The suggestion layer through the API, on the real database: read, accept as a unit, reject
(remembered across reruns), edit then accept, per-member decisions, settings, the project job."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotate.models import Span, SpanEvent, SpanLink
from annotate.suggestions.models import Suggestion
from annotate.suggestions.services import document_suggest
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

STORY = (
    "The finance ministry said on Monday that inflation fell to 3% in May. "
    "“We will rebuild,” the mayor said, “and we will do it fast.” "
    "Prices rose, according to local reporters."
)


@pytest.fixture
def story(team):
    return DocumentFactory(project=team.project, title="Statement", text=STORY)


def _get(client, document):
    response = client.get(f"/api/v1/documents/{document.pk}/suggestions/")
    assert response.status_code == 200, response.content
    return response.json()


def _cue(body, quote):
    return next(s for s in body["suggestions"] if s["quote"] == quote)


def test_a_member_reads_cues_linked_to_their_content(team, story):
    body = _get(team.clients["carol"], story)
    assert body["enabled"] is True
    by_id = {s["id"]: s for s in body["suggestions"]}
    cue = _cue(body, "the mayor said")
    assert cue["label"] == "attribution" and cue["source"] == "the mayor" and cue["rule"] == "quote_with_cue"
    assert [by_id[i]["quote"] for i in cue["links"]] == ["We will rebuild", "and we will do it fast"]
    assert all(by_id[i]["cue"] == cue["id"] for i in cue["links"])
    for suggestion in body["suggestions"]:
        assert STORY[suggestion["start"]:suggestion["end"]] == suggestion["quote"]
    assert not Span.objects.filter(document=story).exists()  # suggestions are in no one's layer


def test_accepting_a_cue_writes_it_and_its_content_linked_in_the_members_layer(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    response = team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json")
    assert response.status_code == 201, response.content
    spans = Span.objects.filter(document=story, annotator=team.carol).order_by("start")
    assert [(s.label, s.quote) for s in spans] == [
        ("assertion", "We will rebuild"), ("attribution", "the mayor said"), ("assertion", "and we will do it fast"),
    ]
    attribution = spans.get(label="attribution")
    assert attribution.source == "the mayor"
    assert set(SpanLink.objects.filter(attribution=attribution).values_list("target__quote", flat=True)) == {
        "We will rebuild", "and we will do it fast",
    }
    assert SpanEvent.objects.filter(document=story, actor=team.carol).exists()  # audited like any write
    assert {s["id"] for s in response.json()["spans"]} == set(spans.values_list("pk", flat=True))
    # carol is not offered them again; dave, who decided nothing, still is, and sees none of carol's spans
    assert "the mayor said" not in [s["quote"] for s in _get(team.clients["carol"], story)["suggestions"]]
    dave = _get(team.clients["dave"], story)
    assert "the mayor said" in [s["quote"] for s in dave["suggestions"]]
    assert all(s["decision"] is None for s in dave["suggestions"])


def test_edit_then_accept_takes_the_new_offsets_and_the_servers_quote(team, story):
    cue = _cue(_get(team.clients["carol"], story), "according to local reporters")
    start = STORY.index("local reporters")
    response = team.clients["carol"].post(
        f"/api/v1/suggestions/{cue['id']}/accept/", {"start": start, "source": "reporters"}, format="json"
    )
    assert response.status_code == 201, response.content
    span = Span.objects.get(document=story, annotator=team.carol, label="attribution")
    assert (span.quote, span.source) == ("local reporters", "reporters")
    assert SpanLink.objects.filter(attribution=span, target__quote="Prices rose").exists()


def test_a_refused_edit_writes_nothing(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    response = team.clients["carol"].post(
        f"/api/v1/suggestions/{cue['id']}/accept/", {"start": 10_000, "end": 10_005}, format="json"
    )
    assert response.status_code == 400
    assert not Span.objects.filter(document=story).exists()
    assert "the mayor said" in [s["quote"] for s in _get(team.clients["carol"], story)["suggestions"]]


def test_a_rejection_is_remembered_across_a_rerun_for_that_member_only(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    response = team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/reject/")
    assert response.status_code == 200 and set(response.json()["rejected"]) == {cue["id"], *cue["links"]}
    Suggestion.objects.filter(document=story).exclude(pk__in=[cue["id"], *cue["links"]]).delete()
    assert document_suggest(document_id=story.pk, force=True) is True
    quotes = [s["quote"] for s in _get(team.clients["carol"], story)["suggestions"]]
    assert "the mayor said" not in quotes and "We will rebuild" not in quotes
    assert "The finance ministry said on Monday that" in quotes  # the others came back
    assert "the mayor said" in [s["quote"] for s in _get(team.clients["dave"], story)["suggestions"]]
    decided = team.clients["carol"].get(f"/api/v1/documents/{story.pk}/suggestions/?include=decided").json()
    assert _cue(decided, "the mayor said")["decision"] == "rejected"
    # undo of the rejection
    assert team.clients["carol"].delete(f"/api/v1/suggestions/{cue['id']}/decision/").status_code == 200
    assert "the mayor said" in [s["quote"] for s in _get(team.clients["carol"], story)["suggestions"]]


def test_deciding_twice_is_a_conflict(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    assert team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/reject/").status_code == 200
    assert team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/reject/").status_code == 409
    assert team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json").status_code == 409


def test_non_members_get_404(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    mallory = team.clients["mallory"]
    assert mallory.get(f"/api/v1/documents/{story.pk}/suggestions/").status_code == 404
    assert mallory.post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json").status_code == 404
    assert mallory.post(f"/api/v1/suggestions/{cue['id']}/reject/").status_code == 404
    assert team.anonymous.get(f"/api/v1/documents/{story.pk}/suggestions/").status_code == 401


def test_a_manager_turns_suggestions_off(team, story):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    settings_url = f"/api/v1/projects/{team.project.pk}/suggestions/settings/"
    assert team.clients["carol"].put(settings_url, {"enabled": False}, format="json").status_code == 403
    assert team.clients["alice"].put(settings_url, {"enabled": "no"}, format="json").status_code == 400
    assert team.clients["alice"].put(settings_url, {"enabled": False}, format="json").json() == {"enabled": False}
    assert _get(team.clients["carol"], story) == {"enabled": False, "suggestions": []}
    assert team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json").status_code == 409
    assert team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/suggestions/", {}, format="json").status_code == 409


def test_reading_suggestions_takes_the_same_queries_for_few_or_many(team, story):
    long_story = DocumentFactory(project=team.project, title="Long", text=" ".join([STORY] * 40))
    for document in (story, long_story):
        _get(team.clients["carol"], document)  # stored on first read
    counts = []
    for document in (story, long_story):
        with CaptureQueriesContext(connection) as queries:
            body = _get(team.clients["carol"], document)
        counts.append(len(queries))
    assert len(body["suggestions"]) > 100
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection
def test_the_project_job_suggests_every_document_and_stats_count_decisions(team, story, run_jobs, settings, tmp_path):
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/suggestions/", {}, format="json")
    assert response.status_code == 202, response.content
    assert team.clients["carol"].post(f"/api/v1/projects/{team.project.pk}/suggestions/", {}, format="json").status_code == 403
    run_jobs()
    job = team.clients["alice"].get(response["Location"]).json()
    assert job["state"] == "succeeded", job
    assert job["result"]["documents"] == 2 and job["result"]["suggested"] == 2  # the team's story and this one
    assert Suggestion.objects.filter(document=story).count() == len(_get(team.clients["carol"], story)["suggestions"])
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json")
    other = _cue(_get(team.clients["carol"], story), "according to local reporters")
    team.clients["carol"].post(f"/api/v1/suggestions/{other['id']}/reject/")
    stats = team.clients["bob"].get(f"/api/v1/projects/{team.project.pk}/suggestions/stats/").json()
    assert (stats["accepted"], stats["rejected"]) == (3, 2)
    assert stats["acceptance_rate"] == 0.6
    assert team.clients["carol"].get(f"/api/v1/projects/{team.project.pk}/suggestions/stats/").status_code == 403


def test_the_dashboard_reports_how_often_suggestions_are_accepted(team, story, client):
    cue = _cue(_get(team.clients["carol"], story), "the mayor said")
    team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json")
    client.force_login(team.bob)
    page = client.get(f"/projects/{team.project.pk}/dashboard/").content.decode()
    assert 'data-testid="suggestions-accepted">3<' in page and "quote_with_cue" in page
    client.force_login(team.carol)
    assert "suggestions-accepted" not in client.get(f"/projects/{team.project.pk}/dashboard/").content.decode()


def test_content_accepted_after_its_cue_is_linked_to_the_members_span_of_the_cue(team, story):
    body = _get(team.clients["carol"], story)
    cue = _cue(body, "the mayor said")
    first, second = cue["links"]
    assert team.clients["carol"].post(f"/api/v1/suggestions/{second}/reject/").status_code == 200
    assert team.clients["carol"].post(f"/api/v1/suggestions/{cue['id']}/accept/", {}, format="json").status_code == 201
    attribution = Span.objects.get(document=story, annotator=team.carol, label="attribution")
    assert list(attribution.links_out.values_list("target__quote", flat=True)) == ["We will rebuild"]
    assert team.clients["carol"].delete(f"/api/v1/suggestions/{second}/decision/").status_code == 200
    response = team.clients["carol"].post(f"/api/v1/suggestions/{second}/accept/", {}, format="json")
    assert response.status_code == 201 and response.json()["links"] == [[attribution.pk, response.json()["spans"][0]["id"]]]
    assert set(attribution.links_out.values_list("target__quote", flat=True)) == {"We will rebuild", "and we will do it fast"}


def test_storing_suggestions_takes_the_same_queries_for_few_or_many(team, story):
    long_story = DocumentFactory(project=team.project, title="Long", text=" ".join([STORY] * 40))
    counts = []
    for document in (story, long_story):
        with CaptureQueriesContext(connection) as queries:
            assert document_suggest(document_id=document.pk) is True
        counts.append(len(queries))
    assert Suggestion.objects.filter(document=long_story).count() > 200
    # Not one query per suggestion: at most a few more INSERT batches (SQLite splits a bulk
    # insert by its limit on query parameters; PostgreSQL takes each batch of 1,000 whole).
    assert counts[1] <= counts[0] + 4


def test_a_manager_turns_suggestions_off_and_on_from_the_dashboard(team, story, client):
    url = f"/projects/{team.project.pk}/suggestions/switch/"
    client.force_login(team.bob)
    assert client.post(url, {}).status_code == 403
    client.force_login(team.alice)
    assert 'name="enabled" checked' in client.get(f"/projects/{team.project.pk}/dashboard/").content.decode()
    assert client.post(url, {}).status_code == 302  # the box unticked
    assert _get(team.clients["carol"], story) == {"enabled": False, "suggestions": []}
    assert client.post(url, {"enabled": "on"}).status_code == 302
    assert _get(team.clients["carol"], story)["enabled"] is True
