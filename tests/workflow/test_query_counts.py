"""Workflow reads take a fixed number of queries whatever the size of the project."""
import pytest

from annotate.models import Assignment, AssignmentStatus, Role
from tests.factories import DocumentFactory, MembershipFactory, UserFactory
from tests.workflow.conftest import TEXT, label


def _grow(team, documents: int, reviewers: int):
    people = [UserFactory() for _ in range(reviewers)]
    for person in people:
        MembershipFactory(project=team.project, user=person, role=Role.ANNOTATOR)
    for _ in range(documents):
        document = DocumentFactory(project=team.project, text=TEXT)
        for person in people:
            label(person, document, 23, 50)
            label(person, document, 4, 12, label="attribution")
            Assignment.objects.create(document=document, user=person, status=AssignmentStatus.DONE)


@pytest.mark.parametrize(
    "path,limit",
    [
        ("/api/v1/projects/{p}/agreement/", 10),
        ("/api/v1/projects/{p}/progress/", 9),
        ("/api/v1/projects/{p}/history/", 6),
        ("/api/v1/projects/{p}/assignments/", 6),
    ],
)
def test_project_reads_do_not_grow_with_the_project(team, django_assert_max_num_queries, path, limit):
    url = path.format(p=team.project.pk)
    _grow(team, documents=2, reviewers=2)
    with django_assert_max_num_queries(limit):
        small = team.clients["alice"].get(url)
    _grow(team, documents=6, reviewers=3)
    with django_assert_max_num_queries(limit):
        large = team.clients["alice"].get(url)
    assert small.status_code == large.status_code == 200


def test_adjudication_view_does_not_grow_with_reviewers(team, django_assert_max_num_queries):
    for name in ("carol", "dave", "bob"):
        label(getattr(team, name), team.document, 23, 50)
        Assignment.objects.create(document=team.document, user=getattr(team, name), status=AssignmentStatus.DONE)
    team.clients["alice"].post(f"/api/v1/documents/{team.document.pk}/gold/accept-agreed/")
    with django_assert_max_num_queries(13):
        view = team.clients["alice"].get(f"/api/v1/documents/{team.document.pk}/adjudication/").json()
    assert len(view["gold"]) == 1 and view["reviewers"] == ["bob", "carol", "dave"]


def test_adjudication_page_does_not_grow_with_reviewers_or_spans(team, django_assert_max_num_queries):
    """The page of 4 reviewers with many spans each reads as many rows in as many queries as one
    span: the whole view goes to the page in one json_script."""
    from django.test import Client

    from annotate.models import Label, Layer, Span

    client = Client()
    client.force_login(team.alice)

    def page(limit):
        with django_assert_max_num_queries(limit):
            response = client.get(f"/documents/{team.document.pk}/adjudicate/")
        assert response.status_code == 200
        return response

    label(team.carol, team.document, 23, 50)
    page(24)
    reviewers = [UserFactory() for _ in range(4)]
    for person in reviewers:
        MembershipFactory(project=team.project, user=person, role=Role.ANNOTATOR)
        Assignment.objects.create(document=team.document, user=person, status=AssignmentStatus.DONE)
        Span.objects.bulk_create(
            Span(document=team.document, annotator=person, layer=Layer.INDIVIDUAL, label=Label.ASSERTION,
                 start=i % 60, end=i % 60 + 3, quote=team.document.text[i % 60 : i % 60 + 3])
            for i in range(60)
        )
    response = page(24)
    assert response.content.count(b'"annotator"') >= 240
