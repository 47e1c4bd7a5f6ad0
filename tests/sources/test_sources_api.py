"""The sources view and claim maps through the API and the pages, on the real database."""
import csv
import datetime as dt
import io

import pytest

from annotate import services
from annotate.models import Assignment, AssignmentStatus, Role
from annotate.permissions import access_for
from tests.factories import DocumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT_A = "The Ministry said that prices fell. =HYPERLINK(1) ministry officials said the plan works."
TEXT_B = "The ministry said that the plan failed. Critics claimed the figures were wrong."


def _span(document, user, text, quote, label="attribution", **fields):
    start = text.index(quote)
    return services.span_create(
        document=document, access=access_for(user, document.project_id), actor=user,
        fields={"start": start, "end": start + len(quote), "label": label, **fields},
    )


def _link(attribution, target, user):
    services.span_link_create(attribution=attribution, target=target, access=access_for(user, attribution.document.project_id), actor=user)


@pytest.fixture
def stories(team):
    a = DocumentFactory(project=team.project, title="A", text=TEXT_A, outlet="Daily", published_on=dt.date(2026, 3, 4))
    b = DocumentFactory(project=team.project, title="B", text=TEXT_B, outlet="Weekly", published_on=dt.date(2026, 4, 1))
    cue = _span(a, team.carol, TEXT_A, "The Ministry said that", source="The Ministry")
    _link(cue, _span(a, team.carol, TEXT_A, "prices fell", "assertion"), team.carol)
    _span(a, team.carol, TEXT_A, "ministry officials said", source="=HYPERLINK(1) ministry officials")
    cue_b = _span(b, team.carol, TEXT_B, "The ministry said that", source="the ministry")
    _link(cue_b, _span(b, team.carol, TEXT_B, "the plan failed", "disputed", dispute_basis="external_evidence",
                       evidence_links=["https://example.org/report"]), team.carol)
    _span(b, team.carol, TEXT_B, "Critics claimed", source="critics")
    # dave marks the same attribution as carol on B: it counts once
    _span(b, team.dave, TEXT_B, "The ministry said that", source="The Ministry")
    return a, b


def _sources(client, project, **query):
    response = client.get(f"/api/v1/projects/{project.pk}/sources/", query)
    assert response.status_code == 200, response.content
    return {s["name"]: s for s in response.json()["sources"]}


def test_sources_group_by_key_count_once_and_say_where_when_and_how(team, stories):
    sources = _sources(team.clients["alice"], team.project)
    ministry = sources["the Ministry"]
    assert ministry["attributions"] == 2 and ministry["documents"] == 2
    assert ministry["outlets"] == {"Daily": 1, "Weekly": 1}
    assert ministry["months"] == {"2026-03": 1, "2026-04": 1}
    assert ministry["verbs"] == {"said": 2}
    assert ministry["content_labels"] == {"assertion": 1, "disputed": 1}
    assert sources["critics"]["verbs"] == {"claimed": 1}
    assert list(sources)[0] == "the Ministry"  # most attributed first


def test_an_annotator_counts_only_their_own_and_a_blind_reviewer_not_the_others(team, stories):
    a, b = stories
    assert _sources(team.clients["dave"], team.project)["the Ministry"]["attributions"] == 1  # his one on B
    team.project.blind_review = True
    team.project.save()
    Assignment.objects.create(document=b, user=team.bob, status=AssignmentStatus.IN_PROGRESS)
    seen = _sources(team.clients["bob"], team.project)
    assert seen["the Ministry"]["attributions"] == 1  # A only: B is still open for bob
    assert "critics" not in seen


def test_merge_chains_and_split(team, stories):
    client, url = team.clients["bob"], f"/api/v1/projects/{team.project.pk}/sources/"
    assert client.post(url + "merge/", {"sources": ["=HYPERLINK(1) ministry officials"], "into": "critics"}, format="json").status_code == 200
    assert client.post(url + "merge/", {"sources": ["critics"], "into": "The Ministry"}, format="json").json() == {
        "into": "ministry", "merged": ["critics"]}
    merged = _sources(client, team.project)
    assert list(merged) == ["the Ministry"] and merged["the Ministry"]["attributions"] == 4
    assert merged["the Ministry"]["merged_keys"] == ["critics", "hyperlink(1) ministry officials"]
    assert client.post(url + "split/", {"key": "critics"}, format="json").status_code == 200
    assert set(_sources(client, team.project)) == {"the Ministry", "critics"}
    assert client.post(url + "split/", {"key": "critics"}, format="json").status_code == 400
    assert team.clients["carol"].post(url + "merge/", {"sources": ["critics"], "into": "ministry"}, format="json").status_code == 403
    for body, field in [({"sources": [], "into": "x"}, "sources"), ({"sources": ["ministry"], "into": "ministry"}, "sources"),
                        ({"sources": ["x"], "into": ""}, "into"), ({"sources": "x", "into": "y"}, "sources")]:
        response = client.post(url + "merge/", body, format="json")
        assert response.status_code == 400 and field in response.json(), body


def test_csv_neutralises_formulas_unless_raw(team, stories):
    url = f"/api/v1/projects/{team.project.pk}/sources/"
    rows = list(csv.DictReader(io.StringIO(team.clients["alice"].get(url, {"format": "csv"}).content.decode())))
    names = {row["source"] for row in rows}
    assert "'=HYPERLINK(1) ministry officials" in names
    raw = team.clients["alice"].get(url, {"format": "csv", "csv_safety": "raw"}).content.decode()
    assert "\r\n=HYPERLINK(1) ministry officials," in raw
    assert team.clients["alice"].get(url, {"format": "xml"}).status_code == 400
    assert team.clients["alice"].get(url, {"layer": "nope"}).status_code == 400


def test_the_claim_map_lists_attributions_with_content_and_disputes_with_evidence(team, stories, client):
    _, b = stories
    claims = team.clients["alice"].get(f"/api/v1/documents/{b.pk}/claims/").json()
    first = claims["attributions"][0]
    assert (first["cue"], first["source_key"]) == ("The ministry said that", "ministry")
    assert [c["quote"] for c in first["content"]] == ["the plan failed"]
    assert claims["disputed"][0]["evidence_links"] == ["https://example.org/report"]
    assert team.clients["mallory"].get(f"/api/v1/documents/{b.pk}/claims/").status_code == 404
    client.force_login(team.alice)
    page = client.get(f"/documents/{b.pk}/claims/")
    assert page.status_code == 200 and "https://example.org/report" in page.content.decode()


def test_the_page_offers_merging_to_reviewers_only(team, stories, client):
    client.force_login(team.bob)
    page = client.get(f"/projects/{team.project.pk}/sources/").content.decode()
    assert 'name="into"' in page and "<bdi>the Ministry</bdi>" in page
    client.force_login(team.carol)
    assert 'name="into"' not in client.get(f"/projects/{team.project.pk}/sources/").content.decode()
    client.force_login(team.bob)
    response = client.post(f"/projects/{team.project.pk}/sources/merge/", {"sources": ["critics"], "into": "ministry"})
    assert response.status_code == 302
    assert "critics" in client.get(response["Location"]).content.decode()  # shown as merged, with Split off
    assert "Split off" in client.get(f"/projects/{team.project.pk}/sources/").content.decode()
