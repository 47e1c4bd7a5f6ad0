"""Real concurrent requests against a live server: with quota 1 no document goes to two people."""
import threading
from collections import Counter

import httpx
import pytest
from django.db import connection

from annotate.models import Assignment, Role
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory, token_for

PEOPLE = 12
DOCUMENTS = 5


@pytest.mark.django_db(transaction=True)
def test_people_asking_at_the_same_moment_never_share_a_document(live_server):
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: the SKIP LOCKED path is what this tests. SQLite has no row locks (the queue "
            "serialises itself per process there) and pytest's in-memory SQLite fails concurrent writers at once"
        )
    for round_number in range(3):
        project = ProjectFactory(reviewers_per_document=1)
        documents = [DocumentFactory(project=project) for _ in range(DOCUMENTS)]
        tokens = []
        for i in range(PEOPLE):
            user = UserFactory(username=f"r{round_number}-annotator{i}")
            MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
            tokens.append(token_for(user))
        barrier = threading.Barrier(PEOPLE)
        results: list[tuple[int, int | None]] = []
        lock = threading.Lock()

        def ask(token: str) -> None:
            with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
                barrier.wait()
                response = client.post(f"/api/v1/projects/{project.pk}/next/")
                with lock:
                    results.append((response.status_code, response.json()["document"] if response.status_code == 200 else None))

        threads = [threading.Thread(target=ask, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        statuses = Counter(status for status, _ in results)
        handed_out = [document for status, document in results if status == 200]
        assert statuses == {200: DOCUMENTS, 204: PEOPLE - DOCUMENTS}, results
        assert sorted(handed_out) == sorted(d.pk for d in documents)  # each document exactly once
        per_document = Counter(Assignment.objects.filter(document__project=project).values_list("document_id", flat=True))
        assert set(per_document.values()) == {1}
