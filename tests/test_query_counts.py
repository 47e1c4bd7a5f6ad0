"""List endpoints run a bounded number of queries whatever the page size (no N+1)."""
import pytest
from django.db import connection

from annotate.models import Role, Span, SpanChange, SpanLink
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def grow(team, n: int):
    for i in range(n):
        DocumentFactory(project=team.project, title=f"Doc {i}")
        MembershipFactory(project=team.project, user=UserFactory(), role=Role.ANNOTATOR)
        MembershipFactory(project=ProjectFactory(), user=team.carol, role=Role.ANNOTATOR)
    text = team.document.text
    first_end = Span.objects.filter(document=team.document).count() // 2 + 1  # identical spans are refused
    spans = Span.objects.bulk_create(
        Span(document=team.document, annotator=team.carol, label=label, start=0, end=end, quote=text[:end])
        for end in range(first_end, first_end + n)
        for label in ["attribution", "assertion"]
    )
    SpanLink.objects.bulk_create(SpanLink(attribution=a, target=t) for a, t in zip(spans[::2], spans[1::2]))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/?page_size=100",
        "/api/v1/projects/{p}/members/?page_size=100",
        "/api/v1/projects/{p}/documents/?page_size=100",
        "/api/v1/documents/{d}/spans/",
        "/api/v1/documents/{d}/spans/?annotator=all",
    ],
)
def test_list_queries_do_not_grow_with_rows(team, path, django_assert_max_num_queries):
    client = team.clients["carol"] if "annotator=all" not in path else team.clients["bob"]
    url = path.format(p=team.project.pk, d=team.document.pk)
    grow(team, 3)
    client.get(url)  # warm up: token lookup caches nothing, but keep the two runs alike
    with django_assert_max_num_queries(6) as small:
        assert client.get(url).status_code == 200
    grow(team, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    rows = body if isinstance(body, list) else body["results"]
    assert len(rows) > 40


@pytest.mark.django_db(transaction=True)
def test_a_span_save_is_two_queries(team, django_assert_num_queries):
    """One POST of a span with an API token, outside any transaction as in production: the
    token's user with the document, the caller's membership and the text window validation
    needs; then one statement that inserts the span and its history row while the caller is
    still a member and the text unchanged (its own transaction). SQLite: the token's user, then
    BEGIN, the document read, the span, its history row and COMMIT."""
    client = team.clients["carol"]
    url = f"/api/v1/documents/{team.document.pk}/spans/"
    assert client.post(url, {"start": 0, "end": 3, "label": "assertion"}, format="json").status_code == 201
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 6) as queries:
        response = client.post(url, {"start": 4, "end": 12, "label": "attribution"}, format="json")
    assert response.status_code == 201
    if connection.vendor == "postgresql":
        first = queries.captured_queries[0]["sql"]
        assert "authtoken_token" in first and "annotate_document" in first and "annotate_membership" in first
    body = response.json()
    assert body["quote"] == "ministry"
    span = Span.objects.get(pk=body["id"])
    assert (span.start, span.end, span.label, span.annotator_id) == (4, 12, "attribution", team.carol.pk)
    change = SpanChange.objects.get(span_id_value=span.pk)
    assert change.action == "create" and change.actor_id == team.carol.pk and change.project_id == team.project.pk
    assert change.after == body  # the history's created state is the answer, id included
    assert not connection.in_atomic_block and "SAVEPOINT" not in str(queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement save is PostgreSQL's")
def test_a_span_save_that_finds_the_document_changed_takes_the_locked_path(team, monkeypatch):
    """The write re-checks membership and the text's hash in its own statement: a save whose
    caller stopped being a member between the read and the write writes nothing and answers
    404, as a save by a non-member always did."""
    from annotate.models import Membership
    from annotate.permissions import token_user_and_document_window
    from annotate.services import spans as span_services

    read = token_user_and_document_window
    url = f"/api/v1/documents/{team.document.pk}/spans/"

    def read_then_leave(key, document_id, **kwargs):
        found = read(key, document_id, **kwargs)
        Membership.objects.filter(user=team.carol, project=team.project).delete()
        return found

    # the membership ends between the save's read and its write (another request's doing)
    monkeypatch.setattr(span_services, "token_user_and_document_window", read_then_leave)
    response = team.clients["carol"].post(url, {"start": 4, "end": 12, "label": "attribution"}, format="json")
    assert response.status_code == 404
    assert not Span.objects.filter(document=team.document, start=4, end=12).exists()
    assert not SpanChange.objects.filter(document=team.document, after__start=4).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement save is PostgreSQL's")
def test_a_session_span_save_that_finds_the_document_changed_takes_the_locked_path(team, monkeypatch):
    """The same for a save from the editor (a session, no token): its read is
    document_window_for_user's, without the lock."""
    from rest_framework.test import APIClient

    from annotate.models import Membership
    from annotate.permissions import document_window_for_user
    from annotate.services import spans as span_services

    read = document_window_for_user

    def read_then_leave(user, document_id, **kwargs):
        found = read(user, document_id, **kwargs)
        if not kwargs.get("lock", True):
            Membership.objects.filter(user=user, project=team.project).delete()
        return found

    monkeypatch.setattr(span_services, "document_window_for_user", read_then_leave)
    client = APIClient()
    client.force_login(team.carol)
    response = client.post(f"/api/v1/documents/{team.document.pk}/spans/", {"start": 4, "end": 12, "label": "attribution"}, format="json")
    assert response.status_code == 404
    assert not Span.objects.filter(document=team.document, start=4, end=12).exists()


def test_a_refused_span_save_still_answers_409_and_400(team):
    client = team.clients["carol"]
    url = f"/api/v1/documents/{team.document.pk}/spans/"
    first = client.post(url, {"start": 4, "end": 12, "label": "assertion"}, format="json").json()
    again = client.post(url, {"start": 4, "end": 12, "label": "assertion"}, format="json")
    assert again.status_code == 409 and again.json()["existing_id"] == first["id"]
    assert client.post(url, {"start": 12, "end": 4, "label": "assertion"}, format="json").status_code == 400
    # a non-member learns nothing from the body: 404 first, whatever the body holds
    for body in ({"start": 12, "end": 4, "label": "assertion"}, {"start": 4, "end": 12, "label": "assertion"}):
        assert team.clients["mallory"].post(url, body, format="json").status_code == 404
    assert team.clients["mallory"].post(url, "{not json", content_type="application/json").status_code == 404
