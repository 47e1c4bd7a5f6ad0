"""Bidi and other invisible control characters in names and titles are refused with a field
message (API 400, form error, import line), through the services; joiners emoji need are kept."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotate.accounts import services as accounts
from annotate.errors import InvalidInput
from annotate.models import Document, Project
from annotate.validation import invisible_character_error

HIDDEN = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u202a",
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2069",
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",
    "\u061c",  # ARABIC LETTER MARK
    "\u200b",  # ZERO WIDTH SPACE (Cf)
    "\ufeff",
    "\x07",  # BEL (Cc)
    "\t",
    "\n",
    "\u2028",  # LINE SEPARATOR
]


@pytest.mark.parametrize("char", HIDDEN)
def test_each_invisible_control_is_named(char):
    message = invisible_character_error(f"invoice{char}gpj.exe")
    assert message and f"U+{ord(char):04X}" in message and "position 7" in message


@pytest.mark.parametrize(
    "value",
    ["Plain title", "Critics 📰 and 👩🏽‍🔬", "می‌خواهم", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "Ca\u0301mara", "עברית"],
)
def test_ordinary_text_joiners_and_flag_tags_pass(value):
    assert invisible_character_error(value) is None


def test_api_project_name(team):
    response = team.clients["alice"].post("/api/v1/projects/", {"name": "Budget \u202eweek"}, format="json")
    assert response.status_code == 400
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.json()["name"][0]
    response = team.clients["alice"].patch(f"/api/v1/projects/{team.project.pk}/", {"name": "x\u2066y"}, format="json")
    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.parametrize("field", ["title", "outlet", "author"])
def test_api_document_fields(team, field):
    body = {"title": "Title", "text": "Text may hold \u200f marks.", field: "Daily \u202eenalP"}
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/documents/", body, format="json")
    assert response.status_code == 400, response.content
    assert "U+202E" in response.json()[field][0]
    response = team.clients["alice"].patch(f"/api/v1/documents/{team.document.pk}/", {field: "a\u200eb"}, format="json")
    assert response.status_code == 400 and "U+200E" in response.json()[field][0]


def test_the_text_itself_may_hold_bidi_marks(team):
    body = {"title": "Title", "text": "Hebrew \u200fmark in the text."}
    assert team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/documents/", body, format="json").status_code == 201


def test_span_source(team):
    body = {"start": 4, "end": 12, "label": "attribution", "source": "the \u202eyrtsinim"}
    response = team.clients["carol"].post(f"/api/v1/documents/{team.document.pk}/spans/", body, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["source"][0]


def test_import_names_the_line_and_field(team):
    content = b'{"title": "Good", "text": "Fine."}\n{"title": "Bad \\u202e", "text": "Fine too."}\n'
    upload = SimpleUploadedFile("docs.jsonl", content)
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["line"], error["field"]) == (2, "title") and "U+202E" in error["message"]
    assert not Document.objects.filter(title="Good").exists()


def test_project_form_shows_the_message_beside_the_field(team):
    browser = Client()
    browser.force_login(team.carol)
    response = browser.post("/projects/new/", {"name": "Budget \u202eweek", "description": ""})
    assert response.status_code == 400
    error = re.search(r'<p class="field-error" id="id_name_error">(.*?)</p>', response.content.decode(), re.S)
    assert error and "U+202E" in error.group(1)
    assert not Project.objects.filter(name__startswith="Budget").exists()


def test_release_name(team):
    response = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1\u202e"}, format="json"
    )
    assert response.status_code == 400 and "U+202E" in response.json()["name"][0]


def test_usernames_through_the_account_services(team, settings):
    settings.SIGNUP_OPEN = True
    with pytest.raises(InvalidInput) as refused:
        accounts.signup_create(username="admin\u202e", email="x@example.org", password="long-enough-pass-1")
    assert "U+202E" in refused.value.detail["username"][0]


def test_pages_isolate_user_text_with_bdi(team):
    """Right-to-left names already stored (or allowed: Hebrew, Arabic) cannot reorder the text beside them."""
    team.project.name = "חדשות"
    team.project.save(update_fields=["name"])
    team.document.title, team.document.outlet = "أخبار 2024", "הארץ"
    team.document.save(update_fields=["title", "outlet"])
    browser = Client()
    browser.force_login(team.alice)
    project_page = browser.get(f"/projects/{team.project.pk}/").content.decode()
    assert "<h1><bdi>חדשות</bdi></h1>" in project_page
    assert "<bdi>أخبار 2024</bdi>" in project_page and "<td><bdi>הארץ</bdi></td>" in project_page
    workspace = browser.get(f"/documents/{team.document.pk}/").content.decode()
    assert '<h1 id="doc-title"><bdi>أخبار 2024</bdi></h1>' in workspace
    assert "<bdi>alice</bdi>" in workspace  # the signed-in user in the header
    listing = browser.get("/").content.decode()
    assert "<bdi>חדשות</bdi>" in listing


def test_external_id_is_refused_like_a_title(team):
    body = {"title": "Title", "text": "Text.", "external_id": "story-\u202e1"}
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/documents/", body, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["external_id"][0]
    content = b'{"title": "Good", "external_id": "a\\u2066b", "text": "Fine."}\n'
    upload = SimpleUploadedFile("docs.jsonl", content)
    response = team.clients["alice"].post(f"/api/v1/projects/{team.project.pk}/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["line"], error["field"]) == (1, "external_id") and "U+2066" in error["message"]


def test_descriptions_refuse_controls_but_keep_line_breaks(team):
    alice = team.clients["alice"]
    url = f"/api/v1/projects/{team.project.pk}/"
    response = alice.patch(url, {"description": "Budget\n\u202eweek"}, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["description"][0]
    assert alice.patch(url, {"description": "Two lines\r\nand a\ttab."}, format="json").status_code == 200
    response = alice.post(
        f"/api/v1/projects/{team.project.pk}/releases/", {"name": "v1", "description": "First \u2067cut"}, format="json"
    )
    assert response.status_code == 400 and "U+2067" in response.json()["description"][0]
