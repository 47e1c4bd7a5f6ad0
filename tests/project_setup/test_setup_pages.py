"""The setup pages through Django's test client: each form's success and error path, with the
services' own messages next to the fields and what was typed kept."""
import re

import pytest
from django.core import mail
from django.test import Client

from annotate.accounts.models import Invite
from annotate.models import Document, Membership, Project, Role
from tests.factories import SpanFactory, UserFactory

pytestmark = pytest.mark.django_db


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}_error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def test_creating_a_project_makes_you_its_manager(team):
    response = browser_for(team.carol).post("/projects/new/", {"name": " Budget week ", "description": "Numbers."})
    project = Project.objects.get(name="Budget week")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert Membership.objects.get(project=project).role == Role.MANAGER


def test_a_blank_project_name_is_the_services_message_beside_the_field(team):
    response = browser_for(team.carol).post("/projects/new/", {"name": "  ", "description": "kept text"})
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "id_name") == "A project needs a name."
    assert 'aria-invalid="true"' in html and "kept text" in html


def test_settings_save_and_a_bad_quota_is_refused_beside_its_field(team):
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/settings/"
    data = {"name": "Election desk", "description": "", "guidelines": "# Rules", "reviewers_per_document": 3}
    assert client.post(url, data).status_code == 302
    team.project.refresh_from_db()
    assert (team.project.name, team.project.reviewers_per_document, team.project.blind_review) == ("Election desk", 3, False)
    response = client.post(url, {**data, "reviewers_per_document": 9, "name": "Typed name"})
    assert response.status_code == 400 and field_error(response.content.decode(), "id_reviewers_per_document")
    assert 'value="Typed name"' in response.content.decode()


def test_the_guidelines_preview_uses_the_sanitising_renderer(team):
    client = browser_for(team.alice)
    response = client.post(
        "/markdown/preview/", {"text": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
        content_type="application/json",
    )
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html and "<script>" not in html and "javascript:" not in html
    assert Client().post("/markdown/preview/", {}, content_type="application/json").status_code == 302
    assert client.post("/markdown/preview/", "[]", content_type="application/json").status_code == 400


def test_archiving_hides_the_project_from_the_list_and_stops_new_work(team):
    client = browser_for(team.alice)
    client.post(f"/projects/{team.project.pk}/archive/", {"archived": "1"})
    listing = client.get("/")
    assert [p.name for p in listing.context["archived"]] == ["Election coverage"]
    queue = browser_for(team.carol).post(f"/projects/{team.project.pk}/next/")
    assert queue.status_code == 302 and "/assignments/" in queue["Location"]  # nothing handed out
    client.post(f"/projects/{team.project.pk}/archive/", {"archived": "0"})
    assert [p.name for p in client.get("/").context["active"]] == ["Election coverage"]


def test_delete_says_what_is_lost_and_needs_the_typed_name(team):
    SpanFactory(document=team.document, annotator=team.carol)
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/delete/"
    page = client.get(url)
    assert page.context["loss"] == {"documents": 1, "spans": 1, "releases": 0, "members": 4}
    wrong = client.post(url, {"confirm_name": "Election"})
    assert wrong.status_code == 400
    assert field_error(wrong.content.decode(), "id_confirm_name") == "Type the project&#x27;s name, Election coverage, to delete it."
    assert client.post(url, {"confirm_name": "Election coverage"}).status_code == 302
    assert not Project.objects.filter(pk=team.project.pk).exists()


def test_adding_an_existing_user_and_the_duplicate_error(team):
    UserFactory(username="frank")
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/members/"
    assert client.post(url, {"invitee": "frank", "role": "reviewer"}).status_code == 302
    assert Membership.objects.get(project=team.project, user__username="frank").role == Role.REVIEWER
    again = client.post(url, {"invitee": "frank", "role": "annotator"})
    assert again.status_code == 409
    assert field_error(again.content.decode(), "id_invitee") == "frank is already a member of this project."
    assert 'value="frank"' in again.content.decode()


def test_an_invite_link_is_shown_once_and_mailed(team, django_capture_on_commit_callbacks):
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/members/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"invitee": "erin@example.org", "role": "annotator"})
    first = client.get(url).content.decode()
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', first).group(1)
    assert link.startswith("http://testserver/invites/") and link in mail.outbox[0].body
    assert "invite-link" not in client.get(url).content.decode()  # shown once
    assert Invite.objects.get().email == "erin@example.org"


def test_the_last_manager_cannot_be_demoted_or_removed(team):
    client = browser_for(team.alice)
    alice = Membership.objects.get(project=team.project, user=team.alice)
    demote = client.post(f"/projects/{team.project.pk}/members/{alice.pk}/role/", {f"member-{alice.pk}-role": "reviewer"})
    assert demote.status_code == 409
    assert field_error(demote.content.decode(), f"id_member-{alice.pk}-role") == "A project keeps at least one manager."
    remove = client.post(f"/projects/{team.project.pk}/members/{alice.pk}/remove/")
    assert remove.status_code == 409 and "A project keeps at least one manager." in remove.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.MANAGER


def test_removing_a_member_keeps_their_spans(team):
    SpanFactory(document=team.document, annotator=team.dave)
    dave = Membership.objects.get(project=team.project, user=team.dave)
    assert browser_for(team.alice).post(f"/projects/{team.project.pk}/members/{dave.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=dave.pk).exists()
    assert team.document.spans.filter(annotator=team.dave).count() == 1


def test_the_members_page_queries_do_not_grow_with_members(team, django_assert_max_num_queries):
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/members/"
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for i in range(15):
        Membership.objects.create(project=team.project, user=UserFactory(), role=Role.ANNOTATOR)
        SpanFactory(document=team.document, annotator=Membership.objects.last().user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["rows"]) == 19


def test_pasting_a_document_opens_it_and_a_bad_date_is_refused_beside_the_field(team):
    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/documents/new/"
    bad = client.post(url, {"title": "Kept title", "text": "Body 📰", "published_on": "31/05/2026"})
    assert bad.status_code == 400
    assert field_error(bad.content.decode(), "id_published_on").startswith("Not a date")
    assert 'value="Kept title"' in bad.content.decode() and "Body 📰" in bad.content.decode()
    blank = client.post(url, {"title": " ", "text": " "}).content.decode()
    assert field_error(blank, "id_title") == "A document needs a title."
    assert field_error(blank, "id_text") == "The text is empty."  # both at once
    good = client.post(url, {"title": "Budget", "text": "The deficit halved.\r\n", "published_on": "2026-05-31", "outlet": "Courier"})
    document = Document.objects.get(title="Budget")
    assert good["Location"] == f"/documents/{document.pk}/"
    assert (document.text, str(document.published_on), document.outlet) == ("The deficit halved.\n", "2026-05-31", "Courier")


def test_a_documents_text_cannot_change_once_it_has_spans(team):
    client = browser_for(team.alice)
    url = f"/documents/{team.document.pk}/edit/"
    version = team.document.version
    assert client.post(url, {"title": "Retitled", "text": "Entirely new text.", "read_version": version}).status_code == 302
    team.document.refresh_from_db()
    assert team.document.text == "Entirely new text."
    SpanFactory(document=team.document, annotator=team.carol)
    page = client.get(url).content.decode()
    assert "The text cannot change: 1 span points into it" in page and "disabled" in page
    client.post(url, {"title": "Again", "text": "Tampered", "read_version": team.document.version})
    team.document.refresh_from_db()
    assert (team.document.title, team.document.text) == ("Again", "Entirely new text.")


def test_deleting_a_document_shows_its_span_count_first(team):
    SpanFactory(document=team.document, annotator=team.carol)
    SpanFactory(document=team.document, annotator=team.dave)
    client = browser_for(team.alice)
    url = f"/documents/{team.document.pk}/delete/"
    assert client.get(url).context["span_count"] == 2
    assert client.post(url)["Location"] == f"/projects/{team.project.pk}/"
    assert not Document.objects.filter(pk=team.document.pk).exists()


def test_uploading_reports_the_failing_line_and_imports_nothing(team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_for(team.alice)
    url = f"/projects/{team.project.pk}/documents/upload/"
    assert client.post(url, {"on_duplicate": "refuse"}).status_code == 400
    bad = SimpleUploadedFile("stories.jsonl", b'{"title": "A", "text": "x"}\n{"title": ""}\n')
    response = client.post(url, {"file": bad, "on_duplicate": "refuse"})
    assert response.status_code == 400 and "line 2" in response.content.decode()
    good = SimpleUploadedFile("stories.jsonl", b'{"title": "A", "text": "x"}\n{"title": "B", "text": "y"}\n')
    assert client.post(url, {"file": good, "on_duplicate": "refuse"}).status_code == 302
    assert team.project.documents.count() == 3


def test_saving_over_another_managers_newer_edit_is_refused(team):
    client = browser_for(team.alice)
    url = f"/documents/{team.document.pk}/edit/"
    read = team.document.version
    assert client.post(url, {"title": "First edit", "text": team.document.text, "read_version": read}).status_code == 302
    stale = client.post(url, {"title": "Second edit", "text": team.document.text, "read_version": read})
    assert stale.status_code == 412 and "reload it and try again" in stale.content.decode()
    assert 'value="Second edit"' in stale.content.decode()
    team.document.refresh_from_db()
    assert team.document.title == "First edit"


def project_tabs(html: str) -> list[tuple[str, bool]]:
    """The project's section tabs on a page: (name, marked aria-current) in order; [] if none."""
    nav = re.search(r'<nav class="tabs" aria-label="Project sections">(.*?)</nav>', html, re.S)
    if nav is None:
        return []
    return [
        (name.strip(), "aria-current" in attributes)
        for attributes, name in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav.group(1))
    ]


def test_every_setup_page_of_a_project_has_the_projects_tabs_with_its_section_current(team):
    client = browser_for(team.alice)
    project, document = team.project.pk, team.document.pk
    pages = {
        f"/projects/{project}/members/": "Members",
        f"/projects/{project}/settings/": "Settings",
        f"/projects/{project}/delete/": "Settings",
        f"/projects/{project}/documents/new/": "Documents",
        f"/projects/{project}/documents/upload/": "Documents",
        f"/projects/{project}/documents/from-web/": "Documents",
        f"/documents/{document}/edit/": "Documents",
        f"/documents/{document}/delete/": "Documents",
    }
    for url, section in pages.items():
        html = client.get(url).content.decode()
        tabs = project_tabs(html)
        assert [name for name, _ in tabs][:1] == ["Documents"] and "Members" in dict(tabs), url
        assert [name for name, current in tabs if current] == [section], url
        # one navigation: no second set of links to the project's sections beside the tabs
        assert html.count(f'href="/projects/{project}/members/"') == 1, url
        if url != f"/projects/{project}/delete/":  # whose crumbs and Cancel button lead back to Settings
            assert html.count(f'href="/projects/{project}/settings/"') == 1, url


def test_the_project_page_links_to_members_and_settings_once_in_its_tabs(team):
    html = browser_for(team.alice).get(f"/projects/{team.project.pk}/").content.decode()
    assert [name for name, current in project_tabs(html) if current] == ["Documents"]
    assert html.count(f'href="/projects/{team.project.pk}/members/"') == 1
    assert html.count(f'href="/projects/{team.project.pk}/settings/"') == 1
