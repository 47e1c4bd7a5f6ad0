"""Real concurrent requests against a live server: every race ends in 2xx/404/409/412, never a 500,
and leaves the database consistent (no link on a span that is not an attribution, no orphans)."""
import threading
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from django.db import connection

from annotate.models import Document, Label, Membership, Role, Span, SpanEvent, SpanLink
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory, token_for

ROUNDS = 8

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: these races are about row locks and deferred foreign keys, which SQLite does "
            "not have (it serialises writers), and pytest's in-memory SQLite fails concurrent writers at once"
        )


def _at_once(live_server, calls: list[tuple[str, Callable[[httpx.Client], httpx.Response]]]) -> list[tuple[int, str]]:
    """Run each (token, request) in its own thread, released together by a barrier; return
    (status, body) per call, in the order the calls were given."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, token: str, call) -> None:
        with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
            client.get("/api/v1/projects/")  # warm the connection, so the barrier releases requests, not handshakes
            barrier.wait()
            response = call(client)
            results[index] = (response.status_code, response.text)

    threads = [threading.Thread(target=run, args=(i, token, call)) for i, (token, call) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _no_500(results) -> None:
    assert all(status < 500 for status, _ in results), results


@pytest.fixture
def manager():
    user = UserFactory(username="alice")
    return user, token_for(user)


def _document_with_manager(user):
    project = ProjectFactory()
    MembershipFactory(project=project, user=user, role=Role.MANAGER)
    return DocumentFactory(project=project)


def test_two_deletes_of_the_same_span_give_one_204_and_one_404(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        span = SpanFactory(document=_document_with_manager(user), annotator=user)
        delete = lambda c, pk=span.pk: c.delete(f"/api/v1/spans/{pk}/", headers={"If-Match": '"1"'})  # noqa: E731
        results = _at_once(live_server, [(token, delete), (token, delete)])
        _no_500(results)
        assert sorted(status for status, _ in results) == [204, 404], results
        assert not Span.objects.filter(pk=span.pk).exists()
        assert SpanEvent.objects.filter(span_id_value=span.pk, action="delete").count() == 1


def test_two_removals_of_the_same_member_give_one_204_and_one_404(live_server, manager):
    user, token = manager
    for round_number in range(ROUNDS):
        project = ProjectFactory()
        MembershipFactory(project=project, user=user, role=Role.MANAGER)
        carol = UserFactory(username=f"carol{round_number}")
        MembershipFactory(project=project, user=carol, role=Role.ANNOTATOR)
        remove = lambda c, p=project.pk, u=carol.username: c.delete(f"/api/v1/projects/{p}/members/{u}/")  # noqa: E731
        results = _at_once(live_server, [(token, remove), (token, remove)])
        _no_500(results)
        assert sorted(status for status, _ in results) == [204, 404], results
        assert not Membership.objects.filter(project=project, user=carol).exists()


def test_deleting_a_document_while_spans_are_written_to_it(live_server, manager):
    user, token = manager
    writers = 4
    for _ in range(ROUNDS):
        document = _document_with_manager(user)
        existing = SpanFactory(document=document, annotator=user, start=4, end=12)
        calls = [(token, lambda c, pk=document.pk: c.delete(f"/api/v1/documents/{pk}/", headers={"If-Match": '"1"'}))]
        for i in range(writers):
            body = {"start": 0, "end": 3 + i, "label": "assertion"}
            calls.append((token, lambda c, pk=document.pk, b=body: c.post(f"/api/v1/documents/{pk}/spans/", json=b)))
        calls.append(
            (
                token,
                lambda c, pk=existing.pk: c.patch(
                    f"/api/v1/spans/{pk}/", json={"label": "disputed", "dispute_basis": "fact_check", "version": 1}
                ),
            )
        )
        results = _at_once(live_server, calls)
        _no_500(results)
        assert results[0][0] == 204, results
        assert {status for status, _ in results[1:]} <= {200, 201, 404}, results
        assert not Document.objects.filter(pk=document.pk).exists()
        assert not Span.objects.filter(document_id=document.pk).exists()
        assert not SpanEvent.objects.filter(document_id=document.pk).exists()


def _attribution_and_targets(user, count: int) -> tuple[Span, list[Span]]:
    document = _document_with_manager(user)
    attribution = SpanFactory(document=document, annotator=user, label=Label.ATTRIBUTION, start=0, end=12)
    return attribution, [SpanFactory(document=document, annotator=user, start=18 + i, end=50) for i in range(count)]


def _link(attribution_id: int, target_id: int):
    return lambda c: c.post(f"/api/v1/spans/{attribution_id}/links/", json={"target": target_id})


def test_linking_to_a_span_while_it_is_deleted(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        attribution, [target] = _attribution_and_targets(user, 1)
        results = _at_once(
            live_server,
            [
                (token, _link(attribution.pk, target.pk)),
                (token, lambda c, t=target.pk: c.delete(f"/api/v1/spans/{t}/", headers={"If-Match": '"1"'})),
            ],
        )
        _no_500(results)
        link_status, delete_status = results[0][0], results[1][0]
        assert delete_status == 204, results
        assert link_status in (201, 400, 409), results  # 400: the target was already gone when it was looked up
        assert not SpanLink.objects.filter(target_id=target.pk).exists()


def test_linking_while_the_attribution_is_relabelled_never_leaves_links_on_an_assertion(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        attribution, targets = _attribution_and_targets(user, 3)
        calls = [(token, _link(attribution.pk, target.pk)) for target in targets]
        calls.append(
            (token, lambda c, a=attribution.pk: c.patch(f"/api/v1/spans/{a}/", json={"label": "assertion", "version": 1}))
        )
        results = _at_once(live_server, calls)
        _no_500(results)
        assert results[-1][0] == 200, results
        assert Counter(status for status, _ in results[:-1]).keys() <= {201, 400}, results
        assert Span.objects.get(pk=attribution.pk).label == Label.ASSERTION
        assert not SpanLink.objects.filter(attribution_id=attribution.pk).exists()
        assert not SpanLink.objects.exclude(attribution__label=Label.ATTRIBUTION).exists()


def test_two_managers_removing_each_other_at_once_keep_one_manager(live_server):
    for round_number in range(ROUNDS):
        project = ProjectFactory()
        alice, bob = UserFactory(username=f"alice{round_number}"), UserFactory(username=f"bob{round_number}")
        for user in (alice, bob):
            MembershipFactory(project=project, user=user, role=Role.MANAGER)
        results = _at_once(
            live_server,
            [
                (token_for(alice), lambda c, p=project.pk, u=bob.username: c.delete(f"/api/v1/projects/{p}/members/{u}/")),
                (token_for(bob), lambda c, p=project.pk, u=alice.username: c.delete(f"/api/v1/projects/{p}/members/{u}/")),
            ],
        )
        _no_500(results)
        # The second removal is refused: it would leave no manager (409), or its caller is gone (404).
        assert sorted(status for status, _ in results)[0] == 204, results
        assert sorted(status for status, _ in results)[1] in (404, 409), results
        assert Membership.objects.filter(project=project, role=Role.MANAGER).count() == 1


def test_the_same_span_posted_twice_at_once_is_stored_once(live_server, manager):
    user, token = manager
    for _ in range(ROUNDS):
        document = _document_with_manager(user)
        post = lambda c, pk=document.pk: c.post(f"/api/v1/documents/{pk}/spans/", json={"start": 4, "end": 12, "label": "assertion"})  # noqa: E731
        results = _at_once(live_server, [(token, post), (token, post), (token, post)])
        _no_500(results)
        assert sorted(status for status, _ in results) == [201, 409, 409], results
        span = Span.objects.get(document=document)
        assert all(f'"existing_id":{span.pk}' in body.replace(" ", "") for status, body in results if status == 409)
