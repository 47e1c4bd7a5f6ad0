"""Spans through the API: creation with exact offsets, edits, versions, links, layers."""
import pytest

from annotate.models import Span, SpanEvent, SpanLink
from tests.factories import DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db


def spans_url(document):
    return f"/api/v1/documents/{document.pk}/spans/"


def post_span(client, document, **fields):
    return client.post(spans_url(document), fields, format="json")


def test_created_span_carries_every_public_field(team):
    response = post_span(team.clients["carol"], team.document, start=4, end=12, label="attribution", quote="ministry",
                         source="the ministry", note="official source")
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("document", "annotator", "label", "start", "end", "quote", "note", "version")} == {
        "document": team.document.pk, "annotator": "carol", "label": "attribution", "start": 4, "end": 12,
        "quote": "ministry", "note": "official source", "version": 1,
    }
    assert body["source"] == "the ministry" and body["links"] == [] and body["layer"] == "individual"
    event = SpanEvent.objects.get(span_id_value=body["id"])
    assert event.action == "create" and event.after["quote"] == "ministry" and event.actor == team.carol


def test_quote_is_optional_and_filled_from_the_text(team):
    body = post_span(team.clients["carol"], team.document, start=0, end=3, label="assertion").json()
    assert body["quote"] == "The"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start": 4, "end": 12, "label": "assertion", "quote": "minister"}, "quote"),
        ({"start": 4, "end": 4, "label": "assertion"}, "end"),
        ({"start": 0, "end": 10_000, "label": "assertion"}, "end"),
        ({"start": -1, "end": 3, "label": "assertion"}, "start"),
        ({"start": 0, "end": 3, "label": "opinion"}, "label"),
        ({"start": "zero", "end": 3, "label": "assertion"}, "start"),
        ({"start": 0, "end": 2**40, "label": "assertion"}, "end"),
        ({"end": 3, "label": "assertion"}, "start"),
        ({"start": 0, "end": 3, "label": "disputed", "evidence_links": ["javascript:alert(1)"]}, "evidence_links"),
        ({"start": 0, "end": 3, "label": "disputed", "evidence_links": "https://a.org"}, "evidence_links"),
    ],
)
def test_invalid_spans_get_400_naming_the_field_and_write_nothing(team, fields, field):
    response = post_span(team.clients["carol"], team.document, **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not Span.objects.exists() and not SpanEvent.objects.exists()


def test_offsets_after_emoji_and_combining_marks_and_crlf(team):
    received = "🇦🇿 👩🏽‍🔬 Cafe\u0301 owners:\r\nthe figure 📰 is wrong."
    document = DocumentFactory(project=team.project, text=received)
    stored = document.text
    assert "\r" not in stored and "é" in stored
    start = stored.index("the figure")
    body = post_span(team.clients["carol"], document, start=start, end=start + 10, label="disputed",
                     quote="the figure", dispute_basis="within_text").json()
    assert (body["start"], body["end"], body["quote"]) == (start, start + 10, "the figure")
    # 🇦🇿 (2) + space + 👩🏽‍🔬 (4) + space + "Café owners:" (12) + "\n" = 21 code points before "the"
    # (in UTF-16 it would be 4 + 1 + 7 + 1 + 12 + 1 = 26).
    assert start == 21
    flag = post_span(team.clients["carol"], document, start=0, end=2, label="assertion", quote="🇦🇿")
    assert flag.status_code == 201
    half_flag = post_span(team.clients["carol"], document, start=0, end=1, label="assertion", quote="🇦🇿")
    assert half_flag.status_code == 400
    assert half_flag.json()["end"] == [
        "end 1 falls inside a grapheme cluster (flag 🇦🇿); nearest boundaries are 0 and 2."
    ]


def test_span_ends_must_fall_on_grapheme_cluster_boundaries(team):
    # NFC keeps x + combining acute as two code points (no precomposed x́); CRLF is stored as \n.
    document = DocumentFactory(project=team.project, text="Dr 👩🏽‍🔬 of 🇦🇿 said tax\u0301 is\r\nopen.")
    text, carol = document.text, team.clients["carol"]
    scientist, flag, accent = text.index("👩"), text.index("🇦🇿"), text.index("\u0301")
    inside_scientist = post_span(carol, document, start=scientist + 1, end=scientist + 4, label="assertion")
    assert inside_scientist.status_code == 400
    assert inside_scientist.json()["start"] == [
        f"start {scientist + 1} falls inside a grapheme cluster (👩🏽‍🔬 = U+1F469 U+1F3FD U+200D U+1F52C); "
        f"nearest boundaries are {scientist} and {scientist + 4}."
    ]
    inside_flag = post_span(carol, document, start=flag + 1, end=flag + 2, label="assertion")
    assert f"nearest boundaries are {flag} and {flag + 2}" in inside_flag.json()["start"][0]
    without_accent = post_span(carol, document, start=accent - 3, end=accent, label="assertion")
    assert without_accent.status_code == 400 and "U+0078 U+0301" in without_accent.json()["end"][0]
    for start, end in ((scientist, scientist + 4), (flag, flag + 2), (accent - 3, accent + 1)):
        assert post_span(carol, document, start=start, end=end, label="assertion").status_code == 201
    assert post_span(carol, document, start=text.index("is"), end=text.index("open") + 4, label="assertion").status_code == 201
    span = Span.objects.get(start=scientist)
    moved = carol.patch(f"/api/v1/spans/{span.pk}/", {"end": scientist + 2, "version": 1}, format="json")
    assert moved.status_code == 400 and "end" in moved.json()


def test_overlapping_spans_are_allowed(team):
    client = team.clients["carol"]
    assert post_span(client, team.document, start=0, end=20, label="assertion").status_code == 201
    assert post_span(client, team.document, start=4, end=12, label="attribution").status_code == 201
    assert post_span(client, team.document, start=4, end=12, label="disputed").status_code == 201
    assert [s["start"] for s in client.get(spans_url(team.document)).json()] == [0, 4, 4]


def test_relabel_drops_fields_of_the_old_label_and_bumps_version(team):
    client = team.clients["carol"]
    span = post_span(client, team.document, start=23, end=50, label="disputed", dispute_basis="fact_check",
                     evidence_links=["https://factcheck.example.org/1"]).json()
    response = client.patch(f"/api/v1/spans/{span['id']}/", {"label": "assertion", "note": "checked", "version": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "assertion" and body["dispute_basis"] == "" and body["evidence_links"] == []
    assert body["version"] == 2 and body["note"] == "checked" and response["ETag"] == '"2"'
    event = SpanEvent.objects.filter(action="update").get()
    assert event.before["label"] == "disputed" and event.after["label"] == "assertion"


def test_moving_a_span_checks_the_new_quote(team):
    client = team.clients["carol"]
    span = post_span(client, team.document, start=0, end=3, label="assertion").json()
    moved = client.patch(f"/api/v1/spans/{span['id']}/", {"start": 4, "end": 12, "version": 1}, format="json")
    assert moved.status_code == 200 and moved.json()["quote"] == "ministry"
    wrong = client.patch(f"/api/v1/spans/{span['id']}/", {"start": 0, "end": 3, "quote": "xyz", "version": 2}, format="json")
    assert wrong.status_code == 400 and Span.objects.get().quote == "ministry"


def test_stale_version_is_412_by_body_or_if_match(team):
    client = team.clients["carol"]
    span = post_span(client, team.document, start=0, end=3, label="assertion").json()
    span_url = f"/api/v1/spans/{span['id']}/"
    assert client.patch(span_url, {"note": "first", "version": 1}, format="json").status_code == 200
    stale = client.patch(span_url, {"note": "second", "version": 1}, format="json")
    assert stale.status_code == 412 and "version" in stale.json()
    assert client.patch(span_url, {"note": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(span_url, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(span_url, HTTP_IF_MATCH='"2"').status_code == 204
    assert SpanEvent.objects.filter(action="delete").get().before["note"] == "first"


def test_attribution_links_to_spans_in_the_same_layer(team):
    carol, dave = team.clients["carol"], team.clients["dave"]
    said = post_span(carol, team.document, start=4, end=22, label="attribution").json()
    claim = post_span(carol, team.document, start=23, end=50, label="assertion").json()
    daves = post_span(dave, team.document, start=23, end=50, label="assertion").json()
    links_url = f"/api/v1/spans/{said['id']}/links/"
    assert carol.post(links_url, {"target": claim["id"]}, format="json").status_code == 201
    assert carol.post(links_url, {"target": claim["id"]}, format="json").status_code == 409
    # dave's span is invisible to carol: the same answer as for a span that does not exist
    assert carol.post(links_url, {"target": daves["id"]}, format="json").status_code == 400
    assert carol.post(links_url, {"target": said["id"]}, format="json").status_code == 400
    from_assertion = carol.post(f"/api/v1/spans/{claim['id']}/links/", {"target": said["id"]}, format="json")
    assert from_assertion.status_code == 400 and "attribution" in from_assertion.json()
    assert carol.get(links_url).json() == [{"target": claim["id"]}]
    assert carol.get(spans_url(team.document)).json()[0]["links"] == [claim["id"]]
    assert carol.delete(f"{links_url}{claim['id']}/").status_code == 204
    assert not SpanLink.objects.exists()


def test_relabelling_an_attribution_removes_its_links(team):
    carol = team.clients["carol"]
    said = post_span(carol, team.document, start=4, end=22, label="attribution").json()
    claim = post_span(carol, team.document, start=23, end=50, label="assertion").json()
    carol.post(f"/api/v1/spans/{said['id']}/links/", {"target": claim["id"]}, format="json")
    body = carol.patch(f"/api/v1/spans/{said['id']}/", {"label": "assertion", "version": 1}, format="json").json()
    assert body["links"] == [] and not SpanLink.objects.exists()


def test_link_across_documents_is_refused(team):
    other = DocumentFactory(project=team.project, text="Another story entirely.")
    carol = team.clients["carol"]
    said = post_span(carol, team.document, start=4, end=22, label="attribution").json()
    elsewhere = post_span(carol, other, start=0, end=7, label="assertion").json()
    response = carol.post(f"/api/v1/spans/{said['id']}/links/", {"target": elsewhere["id"]}, format="json")
    assert response.status_code == 400 and "target" in response.json()


def test_layers_own_all_and_one_annotator(team):
    SpanFactory(document=team.document, annotator=team.carol, start=0, end=3)
    SpanFactory(document=team.document, annotator=team.dave, start=4, end=12)
    SpanFactory(document=team.document, annotator=team.bob, start=13, end=17)
    who = lambda client, q="": sorted(s["annotator"] for s in client.get(spans_url(team.document) + q).json())  # noqa: E731
    assert who(team.clients["carol"]) == ["carol"]
    assert who(team.clients["bob"]) == ["bob"]
    assert who(team.clients["bob"], "?annotator=all") == ["bob", "carol", "dave"]
    assert who(team.clients["alice"], "?annotator=dave") == ["dave"]
    assert team.clients["carol"].get(spans_url(team.document) + "?annotator=all").status_code == 403
    assert team.clients["carol"].get(spans_url(team.document) + "?annotator=dave").status_code == 403


def test_spans_endpoint_returns_every_span_in_one_response(team):
    text = "word " * 3000
    document = DocumentFactory(project=team.project, text=text)
    Span.objects.bulk_create(
        Span(document=document, annotator=team.carol, label="assertion", start=i * 5, end=i * 5 + 4, quote="word")
        for i in range(1500)
    )
    body = team.clients["carol"].get(spans_url(document)).json()
    assert len(body) == 1500 and all(s["quote"] == text[s["start"]:s["end"]] for s in body)


def test_list_and_detail_give_the_same_span(team):
    carol = team.clients["carol"]
    said = post_span(carol, team.document, start=4, end=22, label="attribution", note="n").json()
    claim = post_span(carol, team.document, start=23, end=50, label="assertion").json()
    carol.post(f"/api/v1/spans/{said['id']}/links/", {"target": claim["id"]}, format="json")
    listed = {s["id"]: s for s in carol.get(spans_url(team.document)).json()}
    for span_id in (said["id"], claim["id"]):
        assert listed[span_id] == carol.get(f"/api/v1/spans/{span_id}/").json()
    assert listed[said["id"]]["created_at"].endswith("Z")


def test_an_identical_span_is_409_with_the_existing_id(team):
    carol = team.clients["carol"]
    first = post_span(carol, team.document, start=4, end=12, label="assertion").json()
    again = post_span(carol, team.document, start=4, end=12, label="assertion", note="a second time")
    assert again.status_code == 409
    assert again.json() == {"detail": f"This span exists already: span {first['id']}.", "existing_id": first["id"]}
    assert Span.objects.count() == 1
    # Another label, another annotator or the gold layer is another span.
    assert post_span(carol, team.document, start=4, end=12, label="disputed", dispute_basis="fact_check").status_code == 201
    assert post_span(team.clients["dave"], team.document, start=4, end=12, label="assertion").status_code == 201


def test_moving_a_span_onto_an_identical_one_is_409(team):
    carol = team.clients["carol"]
    kept = post_span(carol, team.document, start=4, end=12, label="assertion").json()
    moved = post_span(carol, team.document, start=0, end=3, label="assertion").json()
    response = carol.patch(f"/api/v1/spans/{moved['id']}/", {"start": 4, "end": 12, "version": 1}, format="json")
    assert response.status_code == 409 and response.json()["existing_id"] == kept["id"]
    assert Span.objects.get(pk=moved["id"]).start == 0


def test_a_reviewer_may_create_a_span_in_another_members_layer(team):
    """What undoing the deletion of someone else's span needs: it comes back in its owner's layer."""
    response = post_span(team.clients["bob"], team.document, start=4, end=12, label="assertion", annotator="carol")
    assert response.status_code == 201, response.json()
    assert response.json()["annotator"] == "carol"
    span = Span.objects.get()
    assert span.annotator == team.carol
    assert SpanEvent.objects.get(span_id_value=span.pk).actor == team.bob


@pytest.mark.parametrize(
    ("client", "annotator", "status", "says"),
    [
        ("carol", "dave", 403, "may not write in another member's layer"),
        ("bob", "mallory", 400, "annotator"),
        ("bob", "nobody", 400, "annotator"),
    ],
)
def test_naming_another_layer_is_refused_without_the_right_or_a_member(team, client, annotator, status, says):
    response = post_span(team.clients[client], team.document, start=4, end=12, label="assertion", annotator=annotator)
    assert response.status_code == status
    assert says in str(response.json())
    assert not Span.objects.exists()


def test_an_annotator_may_name_their_own_layer(team):
    response = post_span(team.clients["carol"], team.document, start=4, end=12, label="assertion", annotator="carol")
    assert response.status_code == 201 and response.json()["annotator"] == "carol"
