"""Blind review in every read path, not only the span list: a member whose own assignment on a
document is still open does not read other members' spans (individual or gold) on it through
the project export (every layer and format, API and the project page's form), release downloads
(API and page) or the per-document agreement figures (API and page).

The fixture: bob (reviewer) is still working on `hidden` (in progress) and is done with `seen`.
carol labelled both; alice adjudicated carol's span on `hidden` into gold. Each span's note is a
marker that shows up in every format that carries notes; conll carries annotators instead.
"""
import json
from types import SimpleNamespace

import pytest
from django.test import Client

from annotate.datasets.registry import EXPORT_FORMATS as FORMATS
from annotate.models import Assignment, AssignmentStatus
from annotate.permissions import access_for
from annotate.workflow import services
from tests.dataset_builders import export_text
from tests.factories import DocumentFactory
from tests.workflow.conftest import TEXT, label

SECRET = "carol-on-hidden"  # carol's note on the document bob has not finished
GOLD_SECRET = "gold-on-hidden"
SEEN = "carol-on-seen"
OWN = "bob-on-hidden"


@pytest.fixture
def blind(team):
    hidden, seen = team.document, DocumentFactory(project=team.project, title="Seen story", text=TEXT)
    carol_hidden = label(team.carol, hidden, 23, 37, note=SECRET)
    label(team.carol, seen, 23, 37, note=SEEN)
    label(team.bob, hidden, 4, 12, note=OWN)
    label(team.bob, seen, 4, 12)
    Assignment.objects.create(document=hidden, user=team.bob, status=AssignmentStatus.IN_PROGRESS)
    Assignment.objects.create(document=seen, user=team.bob, status=AssignmentStatus.DONE)
    Assignment.objects.create(document=hidden, user=team.dave, status=AssignmentStatus.IN_PROGRESS)
    Assignment.objects.create(document=hidden, user=team.carol, status=AssignmentStatus.DONE)
    services.gold_accept(
        document=hidden,
        access=access_for(team.alice, team.project.pk),
        actor=team.alice,
        span_ids=[carol_hidden.pk],
        fields={"start": 23, "end": 37, "label": "assertion", "note": GOLD_SECRET},
    )
    return SimpleNamespace(hidden=hidden, seen=seen)


def _export(team, who, **params):
    if params.get("format") == "conll":
        params["comments"] = "1"  # the annotator of each block is in a comment line
    response = team.clients[who].get(f"/api/v1/projects/{team.project.pk}/export/", params)
    assert response.status_code == 200, response.content
    return export_text(b"".join(response.streaming_content))


def _conll_annotators(body: str) -> list[str]:
    """The annotator of each document block that has spans (conll carries no notes)."""
    names = (line.split("=", 1)[1].strip().strip('"') for line in body.splitlines() if line.startswith("# annotator ="))
    return sorted(name for name in names if name)


def _spacy_spans(body: str) -> set[tuple[str, str]]:
    """(document title, annotator) of each span (spacy carries no notes)."""
    docs = [json.loads(line) for line in body.splitlines()]  # tests.dataset_builders.docbin_text
    return {(d["user_data"]["title"], annotator) for d in docs for _, _, annotator in d["spans"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_of_individual_layers_hides_others_spans_on_unfinished_documents(team, blind, fmt):
    for_bob, for_alice = _export(team, "bob", format=fmt), _export(team, "alice", format=fmt)
    if fmt == "conll":  # no notes in conll: each document's section names its annotator
        assert _conll_annotators(for_alice) == ["bob", "bob", "carol", "carol"]
        assert _conll_annotators(for_bob) == ["bob", "bob", "carol"]
    elif fmt == "spacy":
        assert (blind.hidden.title, "carol") in _spacy_spans(for_alice)
        assert _spacy_spans(for_bob) == {(blind.hidden.title, "bob"), (blind.seen.title, "bob"), (blind.seen.title, "carol")}
    else:
        assert SECRET in for_alice and SECRET not in for_bob
        assert OWN in for_bob and SEEN in for_bob


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_of_the_gold_layer_hides_gold_on_unfinished_documents(team, blind, fmt):
    for_bob, for_alice = _export(team, "bob", format=fmt, layer="gold"), _export(team, "alice", format=fmt, layer="gold")
    if fmt == "conll":
        assert _conll_annotators(for_alice) == ["alice"] and _conll_annotators(for_bob) == []
    elif fmt == "spacy":
        assert _spacy_spans(for_alice) == {(blind.hidden.title, "alice")} and _spacy_spans(for_bob) == set()
    else:
        assert GOLD_SECRET in for_alice and GOLD_SECRET not in for_bob


def test_export_manifest_counts_only_what_the_export_holds(team, blind):
    def spans(who):
        return team.clients[who].get(f"/api/v1/projects/{team.project.pk}/export/manifest/").json()["spans"]

    assert (spans("alice"), spans("bob")) == (4, 3)


def test_export_named_annotator_on_an_unfinished_document_is_hidden(team, blind):
    body = _export(team, "bob", annotator="carol")
    assert SEEN in body and SECRET not in body


def test_project_page_export_form_is_the_same_export(team, blind):
    """The project page's export panel is a GET form to the API export, with the session."""
    browser = Client()
    browser.force_login(team.bob)
    page = browser.get(f"/projects/{team.project.pk}/")
    assert f'action="/api/v1/projects/{team.project.pk}/export/"' in page.content.decode()
    body = b"".join(browser.get(f"/api/v1/projects/{team.project.pk}/export/", {"format": "csv"}).streaming_content)
    assert SEEN.encode() in body and SECRET.encode() not in body


def test_annotator_export_holds_only_their_own_spans(team, blind):
    label(team.dave, blind.hidden, 0, 3, note="dave-own")
    body = _export(team, "dave")
    assert "dave-own" in body and SECRET not in body and SEEN not in body


# ---------------------------------------------------------------- releases


def _release(team):
    response = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1", "include_individual": True}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["number"]


def _download(client, team, number, fmt, prefix="/api/v1", **params):
    if fmt == "conll":
        params["comments"] = "1"  # the annotator of each block is in a comment line
    response = client.get(f"{prefix}/projects/{team.project.pk}/releases/{number}/download/{fmt}/", params)
    assert response.status_code == 200, response.content
    return export_text(response.content)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("layer", ["gold", "individual"])
def test_release_download_hides_others_spans_on_unfinished_documents(team, blind, fmt, layer):
    number = _release(team)
    secret = GOLD_SECRET if layer == "gold" else SECRET
    for_alice = _download(team.clients["alice"], team, number, fmt, layer=layer)
    for_bob = _download(team.clients["bob"], team, number, fmt, layer=layer)
    if fmt == "conll":
        assert len(_conll_annotators(for_bob)) == len(_conll_annotators(for_alice)) - 1
    elif fmt == "spacy":
        assert _spacy_spans(for_bob) == _spacy_spans(for_alice) - {(blind.hidden.title, "carol"), (blind.hidden.title, "alice")}
    else:
        assert secret in for_alice and secret not in for_bob
        if layer == "individual":
            assert OWN in for_bob and SEEN in for_bob


def test_release_page_download_hides_them_too(team, blind):
    number = _release(team)
    browser = Client()
    browser.force_login(team.bob)
    body = _download(browser, team, number, "jsonl", prefix="", layer="individual")
    assert SEEN in body and SECRET not in body


def test_release_says_what_it_withheld(team, blind):
    number = _release(team)
    head = json.loads(_download(team.clients["bob"], team, number, "manifest"))
    assert head["withheld"]["documents"] == 1
    assert "blind review" in head["withheld"]["reason"]
    assert "withheld" not in json.loads(_download(team.clients["alice"], team, number, "manifest"))
    # the jsonl download (documents only) says it in its headers
    url = f"/api/v1/projects/{team.project.pk}/releases/{number}/download/jsonl/"
    assert team.clients["bob"].get(url)["X-Dataset-Withheld-Documents"] == "1"
    assert "X-Dataset-Withheld-Documents" not in team.clients["alice"].get(url)


def test_release_provenance_and_agreement_hide_unfinished_documents(team, blind):
    number = _release(team)
    provenance = _download(team.clients["bob"], team, number, "provenance")
    assert blind.hidden.title not in provenance
    assert blind.hidden.title in _download(team.clients["alice"], team, number, "provenance")
    frozen = json.loads(_download(team.clients["bob"], team, number, "agreement"))
    assert blind.hidden.pk not in [row["id"] for row in frozen["documents"]]
    assert frozen["overall"] is None and "blind review" in frozen["withheld"]["reason"]
    alice_frozen = json.loads(_download(team.clients["alice"], team, number, "agreement"))
    assert blind.hidden.pk in [row["id"] for row in alice_frozen["documents"]]


# ---------------------------------------------------------------- agreement


def test_agreement_leaves_out_unfinished_documents(team, blind):
    def report(who):
        response = team.clients[who].get(f"/api/v1/projects/{team.project.pk}/agreement/")
        assert response.status_code == 200
        return response.json()

    assert {row["id"] for row in report("alice")["documents"]} == {blind.hidden.pk, blind.seen.pk}
    assert [row["id"] for row in report("bob")["documents"]] == [blind.seen.pk]
    assert report("bob")["documents_compared"] == 1


def test_agreement_page_leaves_them_out(team, blind):
    browser = Client()
    browser.force_login(team.bob)
    page = browser.get(f"/projects/{team.project.pk}/agreement/").content.decode()
    assert blind.seen.title in page and blind.hidden.title not in page
    browser.force_login(team.alice)
    assert blind.hidden.title in browser.get(f"/projects/{team.project.pk}/agreement/").content.decode()


def test_annotators_see_no_release_or_agreement_under_blind_review(team, blind):
    number = _release(team)
    client = team.clients["dave"]
    assert client.get(f"/api/v1/projects/{team.project.pk}/agreement/").status_code == 403
    assert client.get(f"/api/v1/projects/{team.project.pk}/releases/{number}/download/jsonl/").status_code == 403


def test_the_dashboard_says_who_finished_what_only_as_far_as_the_reader_may_see(team, blind):
    """Who finished which document (the time per document) follows permissions.readable_assignments:
    managers every row; reviewers others' rows except on documents blind review hides from them;
    annotators their own."""
    from django.utils import timezone

    now = timezone.now()
    Assignment.objects.filter(status=AssignmentStatus.DONE).update(started_at=now - timezone.timedelta(minutes=5), done_at=now)
    rows = lambda who: {  # noqa: E731
        (row["title"], row["annotator"])
        for row in team.clients[who].get(f"/api/v1/projects/{team.project.pk}/progress/").json()["time_per_document"]
    }
    assert rows("alice") == {(blind.hidden.title, "carol"), (blind.seen.title, "bob")}
    assert rows("bob") == {(blind.seen.title, "bob")}  # carol finished the story he still has open
    assert rows("carol") == {(blind.hidden.title, "carol")}
    assert rows("dave") == set()
    reviewers = lambda who: team.clients[who].get(f"/api/v1/projects/{team.project.pk}/progress/").json()["reviewers"]  # noqa: E731
    assert set(reviewers("alice")) == {"bob", "carol", "dave"}
    assert reviewers("bob") == {"bob": {"not_started": 0, "in_progress": 1, "done": 1, "skipped": 0}}  # the others work on his open story
    assert set(reviewers("carol")) == {"carol"}
    page = Client()
    page.force_login(team.bob)
    body = page.get(f"/projects/{team.project.pk}/dashboard/").content.decode()
    assert blind.seen.title in body and blind.hidden.title not in body


def test_release_package_is_the_default_download_and_hides_them_too(team, blind):
    import io
    import zipfile

    number = _release(team)

    def package(who, **params):
        response = team.clients[who].get(f"/api/v1/projects/{team.project.pk}/releases/{number}/download/", params)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}

    for_alice, for_bob = package("alice", layer="individual"), package("bob", layer="individual", formats="csv")
    assert SECRET in for_alice["data/train.jsonl"] and SECRET not in for_bob["data/train.jsonl"]
    assert SECRET not in for_bob["csv/train.csv"] and OWN in for_bob["csv/train.csv"]
    assert json.loads(for_bob["manifest.json"])["withheld"]["documents"] == 1
    assert blind.hidden.pk not in [row["id"] for row in json.loads(for_bob["agreement.json"])["documents"]]
    assert GOLD_SECRET not in package("bob")["data/train.jsonl"]
