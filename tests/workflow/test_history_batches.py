"""Accept-all-agreed writes one batch event for its gold spans; the history still shows each."""
from annotate.models import Layer, Span, SpanBatch, SpanChange, SpanEvent, SpanLink
from annotate.selectors import span_as_dict
from tests.workflow.test_adjudication import _two_reviewers, _url


def test_accept_agreed_is_one_batch_event_and_the_history_shows_each_gold_span(team):
    _two_reviewers(team)
    before = SpanChange.objects.count()
    assert team.clients["bob"].post(_url(team, "gold/accept-agreed/")).json()["accepted"] == 2
    gold = list(Span.objects.filter(document=team.document, layer=Layer.GOLD).order_by("id"))
    batch = SpanBatch.objects.get(project=team.project)
    assert batch.actor == team.bob and batch.span_ids() == [s.pk for s in gold]
    assert SpanChange.objects.count() == before  # the carried link is part of the created state
    assert SpanEvent.objects.filter(document=team.document, actor=team.bob, action="create").count() == 2
    events = team.clients["alice"].get(f"/api/v1/projects/{team.project.pk}/history/?page_size=100").json()["results"]
    shown = {e["span"]: e["after"] for e in events if e["actor"] == "bob"}
    links = {s.pk: list(SpanLink.objects.filter(attribution=s).values_list("target_id", flat=True)) for s in gold}
    assert shown == {s.pk: span_as_dict(s, annotator_username="bob", links=links[s.pk]) for s in gold}
    assert any(links.values())
