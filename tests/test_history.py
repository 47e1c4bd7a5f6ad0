"""The span history: an import or an accept-all-agreed is one batch event naming its spans, an
edit stores what changed, and the history page, API and export still show every span's change
with its whole before and after."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.models import Role, Span, SpanBatch, SpanChange, SpanEvent, SpanLink
from annotate.permissions import access_for
from annotate.selectors import span_as_dict
from annotate.services import span_delete, span_link_create, span_update
from tests.conftest import client_for
from tests.dataset_builders import golden_project
from tests.factories import MembershipFactory, ProjectFactory


@pytest.fixture(autouse=True)
def _imports_run_in_the_request(settings):
    settings.JOBS_INLINE_IMPORT_MAX_BYTES = 512 * 1024 * 1024


@pytest.fixture
def golden(db):
    return golden_project()


@pytest.fixture
def imported(golden):
    """The golden project's jsonl imported by alice into an empty project with the same people."""
    target = ProjectFactory(name="Copy")
    for user, role in ((golden.alice, Role.MANAGER), (golden.bob, Role.REVIEWER), (golden.carol, Role.ANNOTATOR)):
        MembershipFactory(project=target, user=user, role=role)
    alice = client_for(golden.alice)
    export = b"".join(alice.get(f"/api/v1/projects/{golden.project.pk}/export/?format=jsonl").streaming_content)
    upload = SimpleUploadedFile("golden.jsonl", export, content_type="application/octet-stream")
    response = alice.post(f"/api/v1/projects/{target.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    golden.target = target
    golden.client = alice
    return golden


def history(client, project, **query) -> list[dict]:
    url = f"/api/v1/projects/{project.pk}/history/?page_size=500"
    for key, value in query.items():
        url += f"&{key}={value}"
    body = client.get(url).json()
    return body["results"]


def exported_history(client, project) -> list[dict]:
    response = client.get(f"/api/v1/projects/{project.pk}/history/export/")
    assert response.status_code == 200
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def current(span: Span) -> dict:
    links = list(SpanLink.objects.filter(attribution=span).order_by("id").values_list("target_id", flat=True))
    return span_as_dict(span, annotator_username=span.annotator.username, links=links)


def test_an_import_is_one_batch_event_naming_its_spans(imported):
    target = imported.target
    spans = list(Span.objects.filter(document__project=target).order_by("id"))
    assert len(spans) == 6
    batch = SpanBatch.objects.get(project=target)
    assert batch.actor == imported.alice and batch.span_ids() == [s.pk for s in spans]
    assert not SpanChange.objects.filter(project=target).exists()  # no row per span
    # ... and still one create per span wherever the history is read
    assert SpanEvent.objects.filter(project=target, action="create").count() == 6
    for events in (history(imported.client, target), exported_history(imported.client, target)):
        assert [(e["action"], e["span"], e["actor"]) for e in events] == [("create", s.pk, "alice") for s in spans]
        assert [e["after"] for e in events] == [current(s) for s in spans]
        assert all(e["before"] is None for e in events)
    linked = next(e for e in history(imported.client, target) if e["after"]["links"])
    assert linked["after"]["quote"] == "The ministry said"


def test_the_history_page_shows_every_imported_span(imported):
    from django.test import Client

    browser = Client()
    browser.force_login(imported.alice)
    html = browser.get(f"/projects/{imported.target.pk}/history/").content.decode()
    assert "6 span changes" in html
    for span in Span.objects.filter(document__project=imported.target):
        assert f"create span {span.pk}" in html
    assert "“<bdi>The ministry said</bdi>”" in html


def test_an_edit_stores_what_changed_and_the_history_shows_before_and_after(imported):
    target, alice = imported.target, imported.alice
    span = Span.objects.get(document__project=target, quote="inflation fell to 3%")
    created = current(span)
    access = access_for(alice, target.pk)
    span_update(span=span, access=access, actor=alice, fields={"note": "checked"})
    edited = current(Span.objects.get(pk=span.pk))
    change = SpanChange.objects.get(span_id_value=span.pk, action="update")
    assert set(change.before) == set(change.after) == {"note", "version", "updated_at"}
    assert (change.before["note"], change.after["note"]) == ("", "checked")
    # the batch no longer names the span: its created state is a row of its own now
    assert span.pk not in SpanBatch.objects.get(project=target).span_ids()
    assert SpanChange.objects.get(span_id_value=span.pk, action="create").after == created
    for events in (history(imported.client, target), exported_history(imported.client, target)):
        mine = [e for e in events if e["span"] == span.pk]
        assert [(e["action"], e["before"], e["after"]) for e in mine] == [
            ("create", None, created),
            ("update", created, edited),
        ]
        assert len(events) == 7
    assert SpanEvent.objects.filter(project=target, action="create").count() == 6


def test_a_second_edit_is_shown_whole_from_the_first(golden):
    from tests.workflow.conftest import label

    document = golden.documents[2]
    span = label(golden.carol, document, 0, 7)
    access = access_for(golden.carol, golden.project.pk)
    span_update(span=span, access=access, actor=golden.carol, fields={"note": "one"})
    middle = current(Span.objects.get(pk=span.pk))
    span_update(span=Span.objects.get(pk=span.pk), access=access, actor=golden.carol, fields={"label": "disputed", "dispute_basis": "fact_check"})
    last = current(Span.objects.get(pk=span.pk))
    events = [e for e in history(client_for(golden.alice), golden.project, document=document.pk)]
    assert [e["action"] for e in events] == ["create", "update", "update"]
    assert events[2]["before"] == middle and events[2]["after"] == last
    assert events[1]["after"] == middle


def test_a_deleted_imported_span_keeps_its_create_and_delete(imported):
    target, alice = imported.target, imported.alice
    said = Span.objects.get(document__project=target, quote="The ministry said")
    claim = Span.objects.get(document__project=target, quote="inflation fell to 3%")
    said_created = current(said)
    access = access_for(alice, target.pk)
    span_delete(span=claim, access=access, actor=alice)  # takes the attribution's link with it
    events = history(imported.client, target)
    assert [e["after"] for e in events if e["span"] == said.pk] == [said_created]  # links as created
    assert [e["action"] for e in events if e["span"] == claim.pk] == ["create", "delete"]
    deleted = next(e for e in events if e["span"] == claim.pk and e["action"] == "delete")
    assert deleted["before"]["quote"] == "inflation fell to 3%"


def test_a_link_to_an_imported_span_is_an_update_of_the_attribution(imported):
    target, alice = imported.target, imported.alice
    said = Span.objects.get(document__project=target, quote="The ministry said")
    other = Span.objects.get(document__project=target, quote__startswith="Critics")
    created = current(said)
    span_link_create(attribution=said, target=other, access=access_for(alice, target.pk), actor=alice)
    events = [e for e in history(imported.client, target) if e["span"] == said.pk]
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[0]["after"] == created
    assert events[1]["before"]["links"] == created["links"]
    assert events[1]["after"]["links"] == created["links"] + [other.pk]


def test_a_rolled_back_import_leaves_no_batch(golden):
    target = ProjectFactory(name="Copy")
    MembershipFactory(project=target, user=golden.alice, role=Role.MANAGER)
    lines = [
        json.dumps({"text": "Fine text.", "spans": [{"start": 0, "end": 4, "label": "assertion"}]}),
        json.dumps({"text": "Bad span.", "spans": [{"start": 0, "end": 99, "label": "assertion"}]}),
    ]
    upload = SimpleUploadedFile("x.jsonl", "\n".join(lines).encode(), content_type="application/octet-stream")
    response = client_for(golden.alice).post(f"/api/v1/projects/{target.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert not SpanBatch.objects.exists() and not SpanEvent.objects.filter(project=target).exists()


def test_the_history_page_shows_an_edit_of_an_imported_span_whole_before_and_after(imported):
    from django.test import Client

    target, alice = imported.target, imported.alice
    span = Span.objects.get(document__project=target, quote="inflation fell to 3%")
    span_update(span=span, access=access_for(alice, target.pk), actor=alice, fields={"note": "checked"})
    browser = Client()
    browser.force_login(alice)
    html = browser.get(f"/projects/{target.pk}/history/?document={span.document_id}").content.decode()
    assert f"update span {span.pk}" in html and f"create span {span.pk}" in html
    row = html[html.index(f"update span {span.pk}") :].split("</tr>")[0]
    before, after = row.split('data-label="Before"')[1].split('data-label="After"')
    # both cells show the whole span (label, offsets, quote), not only the changed note
    for cell in (before, after):
        assert "chip-assertion" in cell and "“<bdi>inflation fell to 3%</bdi>”" in cell
    assert "note:" not in before and "note: <bdi>checked</bdi>" in after
