"""Fuzzing: schemathesis generates requests for every operation in /api/schema/ (valid ones and
ones that break the schema) and sends them to a live server on PostgreSQL, signed in as a
seeded manager; no answer may be a 5xx. Path ids point at real seeded objects so the requests
reach the code behind the 404. Bounded: FUZZ_EXAMPLES examples per operation and mode."""
import os

import httpx
import pytest
import schemathesis
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from annotate.models import Assignment, AssignmentStatus, Role
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory, token_for
from tests.workflow.conftest import TEXT, label

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fuzz run is once, on PostgreSQL, like the browser tests"),
    pytest.mark.django_db(transaction=True),
]


def seed() -> dict:
    """A project with a document, spans of two annotators, a gold span and a release."""
    project = ProjectFactory(name="Fuzzed")
    alice, carol, dave = (UserFactory(username=name) for name in ("alice", "carol", "dave"))
    MembershipFactory(project=project, user=alice, role=Role.MANAGER)
    MembershipFactory(project=project, user=carol, role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=dave, role=Role.ANNOTATOR)
    document = DocumentFactory(project=project, title="Story", text=TEXT)
    attribution = label(carol, document, 0, 16, label="attribution", source="the ministry")
    label(dave, document, 23, 50)
    label(carol, document, 23, 50)
    assignment = Assignment.objects.create(document=document, user=carol, status=AssignmentStatus.DONE)
    Assignment.objects.create(document=document, user=dave, status=AssignmentStatus.DONE)
    return {
        "token": token_for(alice),
        "project": project.pk,
        "document": document.pk,
        "span": attribution.pk,
        "assignment": assignment.pk,
        "username": "carol",
    }


def path_ids(path: str, ids: dict) -> dict:
    """Real ids for the operation's path parameters (a `pk` is a project, document, span or
    assignment according to the segment before it)."""
    values = {}
    if "{pk}" in path:
        kind = path.split("{pk}")[0].rstrip("/").rsplit("/", 1)[-1]
        values["pk"] = {"projects": ids["project"], "documents": ids["document"], "spans": ids["span"]}.get(
            kind, ids.get("assignment")
        )
    if "{username}" in path:
        values["username"] = ids["username"]
    if "{number}" in path:
        values["number"] = 1
    if "{target_id}" in path:
        values["target_id"] = ids["span"]
    return values


def fuzz(operation, *, base_url: str, headers: dict, ids: dict, mode: GenerationMode) -> list[str]:
    server_errors: list[str] = []
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_ids(operation.path, ids) or None)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        if response.status_code >= 500:
            server_errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {case.as_curl_command()}")

    run()
    return server_errors


def test_no_operation_answers_a_server_error(live_server, settings):
    settings.RATE_LIMITS = {}
    ids = seed()
    headers = {"Authorization": f"Token {ids['token']}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=120) as client:
        response = client.get("/api/schema/", params={"format": "json"})
        assert response.status_code == 200, response.text
    schema = schemathesis.openapi.from_dict(response.json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    # Deletes last: they remove the seeded objects the other operations read.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    server_errors = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            server_errors += fuzz(operation, base_url=live_server.url, headers=headers, ids=ids, mode=mode)
    assert not server_errors, "\n".join(sorted(set(server_errors))[:20])
