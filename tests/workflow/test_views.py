"""Workflow pages: each renders for the roles that may see it, refuses the others, and its forms
call the services."""
import pytest
from django.test import Client

from annotate.models import Assignment, AssignmentStatus, Layer, Span
from annotate.permissions import access_for
from annotate.workflow.releases import release_freeze
from tests.workflow.conftest import label


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(team):
    p, d = team.project.pk, team.document.pk
    return {
        "dashboard": f"/projects/{p}/dashboard/",
        "assignments": f"/projects/{p}/assignments/",
        "agreement": f"/projects/{p}/agreement/",
        "adjudication": f"/projects/{p}/adjudication/",
        "adjudicate": f"/documents/{d}/adjudicate/",
        "releases": f"/projects/{p}/releases/",
        "release": f"/projects/{p}/releases/1/",
        "download": f"/projects/{p}/releases/1/download/jsonl/",
        "history": f"/projects/{p}/history/",
        "project": f"/projects/{p}/",
    }


# alice (manager), bob (reviewer), carol (annotator), mallory (outsider); blind review on
PAGE_MATRIX = {
    "dashboard": (200, 200, 200, 404),
    "assignments": (200, 200, 200, 404),
    "agreement": (200, 200, 403, 404),
    "adjudication": (200, 200, 403, 404),
    "adjudicate": (200, 200, 403, 404),
    "releases": (200, 200, 403, 404),
    "release": (200, 200, 403, 404),
    "download": (200, 200, 403, 404),
    "history": (200, 200, 200, 404),
    "project": (200, 200, 200, 404),
}


@pytest.fixture
def busy_team(team):
    for name in ("carol", "dave"):
        label(getattr(team, name), team.document, 23, 50)
        Assignment.objects.create(document=team.document, user=getattr(team, name), status=AssignmentStatus.DONE)
    label(team.carol, team.document, 4, 12, label="attribution", source="<b>ministry</b>")
    release_freeze(project=team.project, access=access_for(team.alice, team.project.pk), actor=team.alice, name="v1")
    return team


@pytest.mark.parametrize("page", sorted(PAGE_MATRIX))
@pytest.mark.parametrize("who", ["alice", "bob", "carol", "mallory"])
def test_page_permissions(busy_team, page, who):
    response = browser(getattr(busy_team, who)).get(_pages(busy_team)[page])
    assert response.status_code == PAGE_MATRIX[page][["alice", "bob", "carol", "mallory"].index(who)]


def test_anonymous_is_sent_to_sign_in(busy_team):
    for url in _pages(busy_team).values():
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_project_page_links_the_workflow_pages_for_the_role(busy_team):
    manager = browser(busy_team.alice).get(_pages(busy_team)["project"]).content.decode()
    annotator = browser(busy_team.carol).get(_pages(busy_team)["project"]).content.decode()
    assert "Next document" in manager and "Adjudication" in manager and "Agreement" in manager
    assert "Next document" in annotator and "Adjudication" not in annotator and "Agreement" not in annotator


def test_agreement_page_shows_numbers_and_the_inflation_note(busy_team):
    html = browser(busy_team.alice).get(_pages(busy_team)["agreement"]).content.decode()
    assert "carol · dave" in html
    assert "inflate" in html
    assert "0.667" in html  # carol has 2 spans, dave 1, one match: 2 * 1 / 3


def test_adjudicate_page_accepts_agreed_spans_and_escapes_user_text(busy_team):
    client = browser(busy_team.bob)
    url = _pages(busy_team)["adjudicate"]
    html = client.get(url).content.decode()
    # User text reaches the page only inside json_script, escaped.
    assert "\\u003Cb\\u003Eministry\\u003C/b\\u003E" in html and "<b>ministry</b>" not in html
    response = client.post(url, {"action": "accept_agreed"})
    assert response.status_code == 302
    assert Span.objects.filter(document=busy_team.document, layer=Layer.GOLD).count() == 1
    attribution = Span.objects.get(document=busy_team.document, annotator=busy_team.carol, label="attribution")
    client.post(url, {"action": "reject", "spans": [attribution.pk]})
    assert hasattr(Span.objects.get(pk=attribution.pk), "rejection")
    # a bad edit comes back as a message, not a 500
    response = client.post(url, {"action": "accept_edited", "spans": [attribution.pk], "label": "assertion", "start": "x", "end": "3"}, follow=True)
    assert response.status_code == 200 and "whole number" in response.content.decode()


def test_queue_button_hands_out_a_document_and_says_when_the_queue_is_empty(busy_team):
    client = browser(busy_team.bob)
    response = client.post(f"/projects/{busy_team.project.pk}/next/")
    assert response.status_code == 302
    assert Assignment.objects.filter(user=busy_team.bob).count() == 0  # the only document already has its reviewer
    assert "Nothing left" in client.get(response["Location"]).content.decode()


def test_manager_assigns_and_an_annotator_skips_with_a_reason_in_the_page(busy_team):
    url = _pages(busy_team)["assignments"]
    browser(busy_team.alice).post(url, {"action": "assign", "username": "bob", "documents": [busy_team.document.pk]})
    assignment = Assignment.objects.get(user=busy_team.bob)
    client = browser(busy_team.bob)
    page = client.post(url, {"action": "status", "assignment": assignment.pk, "status": "skipped", "skip_reason": ""}, follow=True)
    assert "Say why" in page.content.decode()
    client.post(url, {"action": "status", "assignment": assignment.pk, "status": "skipped", "skip_reason": "Paywalled"})
    assignment.refresh_from_db()
    assert assignment.status == "skipped" and assignment.skip_reason == "Paywalled"
    # carol cannot touch bob's assignment from her page
    browser(busy_team.carol).post(url, {"action": "status", "assignment": assignment.pk, "status": "done"})
    assignment.refresh_from_db()
    assert assignment.status == "skipped"


def test_freeze_in_the_page_needs_a_manager(busy_team):
    url = _pages(busy_team)["releases"]
    assert browser(busy_team.bob).post(url, {"name": "v2"}).status_code == 403
    response = browser(busy_team.alice).post(url, {"name": "Second"})
    assert response.status_code == 302 and response["Location"].endswith("/releases/2/")


def test_dashboard_draws_the_chart_as_svg(busy_team):
    html = browser(busy_team.alice).get(_pages(busy_team)["dashboard"]).content.decode()
    assert "<svg" in html and "<rect" in html
    assert "style=" not in html  # the CSP forbids inline style


def test_history_page_shows_before_and_after(busy_team):
    from annotate.permissions import access_for
    from annotate.services import span_update

    span = Span.objects.filter(annotator=busy_team.carol, label="assertion").first()
    span_update(span=span, access=access_for(busy_team.carol, busy_team.project.pk), actor=busy_team.carol, fields={"note": "checked <i>twice</i>"})
    html = browser(busy_team.alice).get(_pages(busy_team)["history"] + f"?document={busy_team.document.pk}").content.decode()
    assert f"create span {span.pk}" in html and f"update span {span.pk}" in html
    assert "note: <bdi>checked &lt;i&gt;twice&lt;/i&gt;</bdi>" in html


def test_manager_sets_the_quota_and_blind_review_in_the_page(busy_team):
    url = _pages(busy_team)["assignments"]
    browser(busy_team.alice).post(url, {"action": "settings", "reviewers_per_document": "3"})
    busy_team.project.refresh_from_db()
    assert busy_team.project.reviewers_per_document == 3 and busy_team.project.blind_review is False
    page = browser(busy_team.alice).post(url, {"action": "settings", "reviewers_per_document": "9", "blind_review": "on"}, follow=True)
    assert "Must be between 1 and 5" in page.content.decode()
    assert browser(busy_team.bob).post(url, {"action": "settings", "reviewers_per_document": "2"}).status_code == 403


def test_assignments_page_filters_by_status_and_reviewer(busy_team):
    url = _pages(busy_team)["assignments"]
    Assignment.objects.create(document=busy_team.document, user=busy_team.bob, status=AssignmentStatus.IN_PROGRESS)
    client = browser(busy_team.alice)
    html = client.get(url, {"status": "in_progress"}).content.decode()
    assert html.count("data-assignment=") == 1 and "Mark done" in html
    html = client.get(url, {"username": "carol"}).content.decode()
    assert html.count("data-assignment=") == 1 and "Reopen" in html and "Mark done" not in html


def test_release_page_offers_every_format_and_the_extra_files(busy_team):
    html = browser(busy_team.bob).get(_pages(busy_team)["release"]).content.decode()
    assert html.count("<h1>") == 1 and "Content SHA-256" in html
    for name in ("jsonl", "w3c", "conll", "spacy", "csv", "manifest", "agreement", "provenance"):
        assert f"/download/{name}/" in html


def test_release_page_downloads_the_package_with_the_conll_spacy_and_brat_files(busy_team):
    """What spaCy and brat-based tools open, without the reader typing a query string."""
    import io
    import re
    import zipfile

    client = browser(busy_team.bob)
    html = client.get(_pages(busy_team)["release"]).content.decode()
    link = re.search(r'href="([^"]*/download/\?formats=[^"]*)"[^>]*data-testid="download-package-all"', html)
    assert link, "no link to the package with every tool's files"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).namelist()
    assert {name.split("/")[0] for name in names} >= {"data", "brat", "conll", "spacy"}
