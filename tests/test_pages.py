"""The browser pages, seen through Django's test client: membership checks, filters, progress
with a bounded number of queries, and page data reaching scripts only through json_script."""
import json
import re

import pytest
from django.test import Client

from annotate.models import Assignment, AssignmentStatus, Role, Span
from tests.factories import DocumentFactory, MembershipFactory, SpanFactory, UserFactory

pytestmark = pytest.mark.django_db


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login(team):
    for path in ["/", f"/projects/{team.project.pk}/", f"/documents/{team.document.pk}/"]:
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_outsiders_get_404(team):
    mallory = browser_for(team.mallory)
    assert mallory.get(f"/projects/{team.project.pk}/").status_code == 404
    assert mallory.get(f"/documents/{team.document.pk}/").status_code == 404


def grow(team, n: int):
    for i in range(n):
        document = DocumentFactory(project=team.project, title=f"Story {i}", outlet=f"Outlet {i % 3}")
        SpanFactory(document=document, annotator=team.carol, label="assertion")
        SpanFactory(document=document, annotator=team.dave, label="disputed")
        Assignment.objects.create(document=document, user=team.dave, status=AssignmentStatus.DONE)


def test_project_page_queries_do_not_grow_with_documents(team, django_assert_max_num_queries):
    client = browser_for(team.bob)
    grow(team, 2)
    with django_assert_max_num_queries(12) as small:
        assert client.get(f"/projects/{team.project.pk}/").status_code == 200
    grow(team, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/projects/{team.project.pk}/")
    assert response.status_code == 200
    assert len(response.context["documents"]) == 33


def test_project_page_progress_counts_labels_and_who_is_done(team):
    grow(team, 1)
    document = team.project.documents.get(title="Story 0")
    row = lambda response: next(d for d in response.context["documents"] if d.pk == document.pk)  # noqa: E731
    reviewer_view = row(browser_for(team.bob).get(f"/projects/{team.project.pk}/"))
    assert reviewer_view.progress == {"labels": {"assertion": 1, "disputed": 1}, "done_by": ["dave"]}
    # An annotator counts only their own spans.
    annotator_view = row(browser_for(team.carol).get(f"/projects/{team.project.pk}/"))
    assert annotator_view.progress["labels"] == {"assertion": 1}
    assert annotator_view.label_counts == [("assertion", 1), ("attribution", 0), ("disputed", 0)]


def test_project_page_counts_follow_blind_review(team):
    grow(team, 1)
    document = team.project.documents.get(title="Story 0")
    SpanFactory(document=document, annotator=team.bob, label="attribution")
    mine = Assignment.objects.create(document=document, user=team.bob, status=AssignmentStatus.IN_PROGRESS)
    row = lambda user: next(  # noqa: E731
        d for d in browser_for(user).get(f"/projects/{team.project.pk}/").context["documents"] if d.pk == document.pk
    )
    # bob reviews the document blind and is not done: he counts only his own span
    assert row(team.bob).progress["labels"] == {"attribution": 1}
    # the manager always sees every layer
    assert row(team.alice).progress["labels"] == {"assertion": 1, "attribution": 1, "disputed": 1}
    mine.status = AssignmentStatus.DONE
    mine.save(update_fields=["status"])
    assert row(team.bob).progress["labels"] == {"assertion": 1, "attribution": 1, "disputed": 1}
    team.project.blind_review = False
    team.project.save(update_fields=["blind_review"])
    mine.status = AssignmentStatus.IN_PROGRESS
    mine.save(update_fields=["status"])
    assert row(team.bob).progress["labels"] == {"assertion": 1, "attribution": 1, "disputed": 1}


def test_project_page_filters(team):
    grow(team, 6)
    client = browser_for(team.dave)
    titles = lambda query: sorted(d.title for d in client.get(f"/projects/{team.project.pk}/{query}").context["documents"])  # noqa: E731
    assert titles("?outlet=Outlet+1") == ["Story 1", "Story 4"]
    assert titles("?q=story+5") == ["Story 5"]
    assert titles("?q=outlet+2") == ["Story 2", "Story 5"]
    assert titles("?status=not_done") == ["Ministry reports inflation drop"]
    assert len(titles("?status=done")) == 6
    assert titles("?status=done&outlet=Outlet+0&q=3") == ["Story 3"]


def test_workspace_page_data_is_json_script_only(team):
    team.document.title = "<script>alert(1)</script>"
    team.document.save()
    response = browser_for(team.carol).get(f"/documents/{team.document.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    # Every <script> either has a src or is the JSON data block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="' in tag or 'type="application/json"' in tag
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert 'style="' not in html
    data = json.loads(re.search(r'<script id="workspace-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["text"] == team.document.text
    assert data["document"]["length"] == len(team.document.text)
    assert data["sees_all_layers"] is False and data["layers"] == []


def test_workspace_offers_layers_to_reviewers_and_neighbours(team):
    second = DocumentFactory(project=team.project)
    data = browser_for(team.bob).get(f"/documents/{team.document.pk}/").context["data"]
    assert data["sees_all_layers"] and data["layers"] == ["alice", "bob", "carol", "dave"]
    assert data["urls"]["previous"] is None and data["urls"]["next"] == f"/documents/{second.pk}/"
    assert not data["done"]
    Assignment.objects.create(document=team.document, user=team.bob, status=AssignmentStatus.DONE)
    assert browser_for(team.bob).get(f"/documents/{team.document.pk}/").context["data"]["done"]


def test_project_list_shows_only_my_projects(team):
    user = UserFactory()
    MembershipFactory(project=team.other_project, user=user, role=Role.ANNOTATOR)
    html = browser_for(user).get("/").content.decode()
    assert team.other_project.name.replace("'", "&#x27;") in html and team.project.name not in html
    assert Span.objects.count() == 0
