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
