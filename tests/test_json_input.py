"""Hostile JSON (annotate.json_input): bodies and import lines nested past JSON_MAX_DEPTH, and lone
surrogates from any import decode path (jsonl escapes, csv, txt, zip members), answer 400 with
the limit, file and line named; nothing is imported (all or nothing)."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate import json_input
from annotate.models import Document, Span

DEEP = "[" * 100_000 + "]" * 100_000


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def post_import(client, project, content: bytes, name: str):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(f"/api/v1/projects/{project.pk}/import/", {"file": upload}, format="multipart")


def zipped(**members: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members.items():
            zf.writestr(name.replace("__", "."), data)
    return archive.getvalue()


@pytest.mark.parametrize("body", [DEEP, deep_object(50_000), '{"title": "t", "text": ' + DEEP + "}"])
def test_deeply_nested_api_bodies_are_400_naming_the_limit(team, body):
    response = team.clients["alice"].generic(
        "POST", f"/api/v1/projects/{team.project.pk}/documents/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON_MAX_DEPTH" in response.json()["detail"] and "32" in response.json()["detail"]


def test_nesting_just_past_the_limit_is_refused_and_at_it_accepted(settings):
    settings.JSON_MAX_DEPTH = 4
    assert json_input.loads('{"a": [{"b": [1]}]}') == {"a": [{"b": [1]}]}
    with pytest.raises(json_input.JSONInputError, match="deeper than 4 levels .* at a\\[0\\]\\.b\\[0\\]"):
        json_input.loads('{"a": [{"b": [[1]]}]}')


def test_every_json_endpoint_parses_with_the_limit(team):
    """The parser is the default, not a per-view choice: a span PATCH and a token request too."""
    client = team.clients["alice"]
    for method, url in [
        ("PATCH", f"/api/v1/projects/{team.project.pk}/"),
        ("POST", f"/api/v1/documents/{team.document.pk}/spans/"),
        ("POST", "/api/v1/auth/token/"),
    ]:
        response = client.generic(method, url, DEEP, content_type="application/json")
        assert response.status_code == 400, (url, response.content)


def test_a_lone_surrogate_deep_in_an_api_body_is_400_naming_the_field(team):
    response = team.clients["alice"].post(
        f"/api/v1/documents/{team.document.pk}/spans/",
        '{"start": 0, "end": 3, "label": "disputed", "evidence_links": ["https://e.org/\\udfff"]}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["evidence_links[0]"][0]


def test_a_lone_surrogate_in_an_api_body_is_400_naming_the_field(team):
    response = team.clients["alice"].generic(
        "POST",
        f"/api/v1/projects/{team.project.pk}/documents/",
        '{"title": "Half \\ud83d an emoji", "text": "Fine text."}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["title"][0]
    assert not Document.objects.filter(project=team.project, title__startswith="Half").exists()


def test_a_surrogate_pair_is_one_character_and_accepted(team):
    response = team.clients["alice"].post(
        f"/api/v1/projects/{team.project.pk}/documents/",
        '{"title": "Paper \\ud83d\\udcf0", "text": "Fine text."}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Document.objects.get(pk=response.json()["id"]).title == "Paper 📰"


GOOD_LINE = b'{"title": "Good", "text": "A good first line."}\n'


@pytest.mark.parametrize(
    "line, where",
    [
        (b'{"title": "t", "text": "Lone \\udc00 low half."}', "text"),
        (b'{"title": "Lone \\ud800", "text": "High half in the title."}', "title"),
        (
            b'{"title": "t", "text": "Hello", "spans": [{"start": 0, "end": 2, "label": "assertion", "note": "\\ud800"}]}',
            "spans[0].note",
        ),
    ],
)
def test_jsonl_escapes_that_decode_to_a_lone_surrogate_are_refused(team, line, where):
    response = post_import(team.clients["alice"], team.project, GOOD_LINE + line + b"\n", "bad.jsonl")
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("bad.jsonl", 2, where)
    assert "surrogate" in error["message"]
    assert not Document.objects.filter(project=team.project, title="Good").exists()


def test_a_deep_import_line_is_refused_with_its_line(team):
    response = post_import(team.clients["alice"], team.project, GOOD_LINE + DEEP.encode() + b"\n", "deep.jsonl")
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("deep.jsonl", 2, "line")
    assert "JSON_MAX_DEPTH" in error["message"]
    assert not Document.objects.filter(project=team.project, title="Good").exists()


ENCODED_SURROGATE = b"\xed\xa0\x80"  # U+D800 as "UTF-8" (CESU-8 style): not valid UTF-8


@pytest.mark.parametrize(
    "name, content, line",
    [
        ("docs.csv", b"text,title\nfine,ok\nbad " + ENCODED_SURROGATE + b",x\n", 3),
        ("doc.txt", b"line one\nline two " + ENCODED_SURROGATE + b"\n", 2),
        ("raw.jsonl", GOOD_LINE + b'{"title": "t", "text": "' + ENCODED_SURROGATE + b'"}\n', 2),
    ],
)
def test_encoded_surrogates_are_refused_by_every_decoder(team, name, content, line):
    response = post_import(team.clients["alice"], team.project, content, name)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["file"], error["line"]) == (name, line)
    assert "UTF-8" in error["message"]
    assert Document.objects.filter(project=team.project).count() == 1  # team.document only


def test_zip_members_are_checked_by_their_own_decoders(team):
    archive = zipped(
        a__txt=b"A fine text.",
        b__jsonl=GOOD_LINE + b'{"title": "t", "text": "x \\udfff"}\n',
        c__csv=b"text\nok\nbad " + ENCODED_SURROGATE + b"\n",
        d__txt=b"first\n" + ENCODED_SURROGATE,
    )
    response = post_import(team.clients["alice"], team.project, archive, "batch.zip")
    assert response.status_code == 400, response.content
    assert [(e["file"], e["line"]) for e in response.json()["errors"]] == [("b.jsonl", 2), ("c.csv", 3), ("d.txt", 2)]
    assert Document.objects.filter(project=team.project).count() == 1
    assert not Span.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "18446744073709551616",  # past uint64: orjson reads it as a float
        "[-9223372036854775809, 1]",  # past int64
        '{"spans": [{"start": 36893488147419103232}]}',
        "[1.5, -0, 9223372036854775808, 1e-400]",
        '{"a": 1, "a": 2}',
        '"\\ud83d\\ude00 a pair"',
        "\ufeff{}".encode(),  # the BOM json.loads takes in bytes
    ],
)
def test_loads_gives_what_the_standard_library_gives(text):
    import json

    assert json_input.loads(text) == json.loads(text)
    assert [type(v) for v in _leaves(json_input.loads(text))] == [type(v) for v in _leaves(json.loads(text))]


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for child in value.values() for leaf in _leaves(child)]
    if isinstance(value, list):
        return [leaf for child in value for leaf in _leaves(child)]
    return [value]


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a": 1,}', "Not JSON: Expecting property name enclosed in double quotes at column 9."),
        ('{"a":\n NaN}', "NaN is not valid JSON."),
        ("[1e400, Infinity]", "Infinity is not valid JSON."),
        ('{"a": "x\\udc00"}', "a holds a lone surrogate"),
        ('{"a": ["x", "\ud800"]}', "a[1] holds a lone surrogate"),
    ],
)
def test_what_loads_refuses_it_names_in_the_standard_library_s_words(text, message):
    with pytest.raises(json_input.JSONInputError) as error:
        json_input.loads(text)
    assert error.value.message.startswith(message)


def test_the_depth_limit_holds_for_what_orjson_accepts(settings):
    settings.JSON_MAX_DEPTH = 3
    with pytest.raises(json_input.JSONInputError, match="JSON_MAX_DEPTH"):
        json_input.loads('{"spans": [{"evidence_links": []}]}')
    assert json_input.loads('{"spans": [{"start": 1}]}') == {"spans": [{"start": 1}]}
