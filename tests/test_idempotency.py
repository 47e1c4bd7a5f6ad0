"""Idempotency-Key on POST: a retry returns the first answer and writes nothing twice."""
import threading

import httpx
import pytest
from django.db import connection
from rest_framework.test import APIClient

from annotate.models import Document
from annotate.ops.models import IdempotencyRecord
from tests.factories import token_for
from tests.test_ops_endpoints import database_unreachable


def documents_url(team) -> str:
    return f"/api/v1/projects/{team.project.pk}/documents/"


def post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_returns_the_first_answer_and_writes_once(team):
    body = {"title": "Budget", "text": "The treasury said the deficit halved."}
    first = post(team.clients["alice"], documents_url(team), body, "retry-1")
    second = post(team.clients["alice"], documents_url(team), body, "retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert second["Content-Type"] == first["Content-Type"]
    assert Document.objects.filter(project=team.project, title="Budget").count() == 1


def test_without_a_key_each_post_writes(team):
    body = {"title": "Budget", "text": "The treasury said the deficit halved."}
    team.clients["alice"].post(documents_url(team), body, format="json")
    team.clients["alice"].post(documents_url(team), body, format="json")
    assert Document.objects.filter(project=team.project, title="Budget").count() == 2


def test_the_same_key_with_another_body_is_refused(team):
    post(team.clients["alice"], documents_url(team), {"title": "One", "text": "First text."}, "k")
    other = post(team.clients["alice"], documents_url(team), {"title": "Two", "text": "Second text."}, "k")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]
    assert not Document.objects.filter(title="Two").exists()


def test_keys_belong_to_their_caller(team):
    """bob's key "k" is not alice's key "k" (and bob cannot read alice's answer through it)."""
    body = {"title": "Budget", "text": "The treasury said the deficit halved."}
    team.bob.memberships.update(role="manager")
    alice = post(team.clients["alice"], documents_url(team), body | {"external_id": "a"}, "k")
    bob = post(team.clients["bob"], documents_url(team), body | {"external_id": "b"}, "k")
    assert alice.status_code == bob.status_code == 201
    assert alice.json()["id"] != bob.json()["id"]


def test_a_signed_in_browser_session_is_a_caller_too(team):
    session = APIClient()
    session.force_login(team.alice)
    body = {"title": "From the page", "text": "Some text."}
    first = post(session, documents_url(team), body, "page-1")
    second = post(session, documents_url(team), body, "page-1")
    assert first.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert Document.objects.filter(title="From the page").count() == 1


def test_a_refusal_is_replayed_but_an_authorisation_failure_is_not(team):
    bad = {"title": "", "text": "Some text."}
    first = post(team.clients["alice"], documents_url(team), bad, "bad")
    again = post(team.clients["alice"], documents_url(team), bad, "bad")
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    body = {"title": "By an annotator", "text": "Some text."}
    refused = post(team.clients["carol"], documents_url(team), body, "carol-1")
    assert refused.status_code == 403
    assert not IdempotencyRecord.objects.filter(key="carol-1").exists()


def test_keys_expire(team, settings):
    settings.IDEMPOTENCY_KEY_TTL_SECONDS = 0
    body = {"title": "Budget", "text": "The treasury said the deficit halved."}
    post(team.clients["alice"], documents_url(team), body, "old")
    again = post(team.clients["alice"], documents_url(team), body, "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Document.objects.filter(title="Budget").count() == 2
    assert IdempotencyRecord.objects.filter(key="old").count() == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_key_is_400(team, key):
    response = post(team.clients["alice"], documents_url(team), {"title": "T", "text": "t"}, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_an_answer_the_server_could_not_give_is_not_kept(team):
    """503 while the database was down: the retry with the same key runs for real."""
    body = {"title": "Budget", "text": "The treasury said the deficit halved."}
    client = team.clients["alice"]
    # The failure happens in middleware, outside any view, so it reaches handler500 as in
    # production; the test client would otherwise re-raise it instead of returning the answer.
    client.raise_request_exception = False
    with database_unreachable():
        assert post(client, documents_url(team), body, "during-outage").status_code == 503
    retry = post(client, documents_url(team), body, "during-outage")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Document.objects.filter(title="Budget").count() == 1


@pytest.mark.django_db(transaction=True)
def test_copies_sent_at_the_same_moment_write_once(team, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: concurrent writers; pytest's in-memory SQLite fails them at once")
    copies = 8
    barrier = threading.Barrier(copies)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    token = token_for(team.alice)
    body = {"title": "Sent eight times", "text": "A flaky connection resends the same request."}

    def send() -> None:
        with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
            barrier.wait()
            response = client.post(documents_url(team), json=body, headers={"Idempotency-Key": "flaky-1"})
            with lock:
                answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201] * copies, answers
    assert len({answer["id"] for _, answer in answers}) == 1
    assert Document.objects.filter(title="Sent eight times").count() == 1
