"""List endpoints run a bounded number of queries whatever the page size (no N+1)."""
import pytest

from annotate.models import Role, Span, SpanLink
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


def test_a_span_save_is_six_queries(team, django_assert_num_queries):
    """One POST of a span: the token's user; then, in one transaction (a savepoint here, inside
    the test's transaction), the document with the caller's membership and the text window
    validation needs, its row locked; the span; its history row. No savepoint of its own: an
    identical span (409) rolls the whole transaction back and is looked up after it."""
    client = team.clients["carol"]
    url = f"/api/v1/documents/{team.document.pk}/spans/"
    assert client.post(url, {"start": 0, "end": 3, "label": "assertion"}, format="json").status_code == 201
    with django_assert_num_queries(6):
        response = client.post(url, {"start": 4, "end": 12, "label": "attribution"}, format="json")
    assert response.status_code == 201
    assert response.json()["quote"] == "ministry"


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
