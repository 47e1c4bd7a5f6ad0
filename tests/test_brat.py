"""brat standoff: the export (annotate/datasets/exports/brat.py) and the import
(annotate/datasets/imports/brat.py), round trip and a corpus written by hand."""
import io
import json
import zipfile

import pytest

from annotate.datasets.exports.brat import encode_value, escape_note, fragments
from annotate.datasets.registry import export_format
from annotate.models import Role
from tests.conftest import client_for
from tests.dataset_builders import add_span, golden_project
from tests.factories import DocumentFactory


def export_zip(client, project, **params) -> bytes:
    response = client.get(f"/api/v1/projects/{project.pk}/export/", {"format": "brat", **params})
    assert response.status_code == 200, getattr(response, "data", response)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.brat.zip"')
    return b"".join(response.streaming_content)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def golden(db):
    return golden_project()


def test_export_is_one_brat_collection_per_annotator(golden):
    files = members(export_zip(client_for(golden.alice), golden.project))
    assert sorted(files) == [
        "annotation.conf", "bob/annotation.conf", "bob/golden-1.ann", "bob/golden-1.txt",
        "carol/annotation.conf", "carol/golden-1.ann", "carol/golden-1.txt", "carol/golden-2.ann", "carol/golden-2.txt",
        "doc-6c0283bf54bf.ann", "doc-6c0283bf54bf.txt", "manifest.json",
    ]  # fmt: skip
    # the .txt is the stored text byte for byte (CRLF stored as LF, NFC), as brat's offsets need
    for document in golden.documents[:2]:
        assert files[f"carol/{document.external_id}.txt"] == document.text.encode("utf-8")
    assert files["bob/golden-1.txt"] == files["carol/golden-1.txt"]
    assert files["doc-6c0283bf54bf.ann"] == b""  # nobody's spans: in the root collection, still openable
    assert len({files[name] for name in files if name.endswith("annotation.conf")}) == 1
    carol = files["carol/golden-1.ann"].decode("utf-8").splitlines()
    text = golden.documents[0].text
    for line in carol:
        if line.startswith("T"):
            _, middle, quote = line.split("\t")
            label, start, end = middle.split(" ")
            assert text[int(start) : int(end)] == quote  # code points of the .txt
    assert "R1\tAttribution Arg1:T3 Arg2:T4" in carol
    assert "A3\tSource T3 the%20ministry" in carol


@pytest.mark.parametrize("layer", ["individual", "gold"])
def test_every_ann_has_its_txt_and_conf_in_its_folder_as_brat_needs(golden, layer):
    """brat pairs <name>.ann with <name>.txt in the same directory and reads annotation.conf
    from the collection's directory: every folder of the export is a collection brat opens."""
    files = members(export_zip(client_for(golden.alice), golden.project, layer=layer))
    anns = [name for name in files if name.endswith(".ann")]
    assert anns
    for name in anns:
        folder = name.rpartition("/")[0]
        assert name.removesuffix(".ann") + ".txt" in files, name
        assert (f"{folder}/" if folder else "") + "annotation.conf" in files, name
    assert all(name.removesuffix(".txt") + ".ann" in files for name in files if name.endswith(".txt"))


def test_a_gold_export_is_the_gold_collection_with_every_document(golden):
    files = members(export_zip(client_for(golden.alice), golden.project, layer="gold"))
    assert sorted(files) == [
        "annotation.conf", "gold/annotation.conf", "gold/doc-6c0283bf54bf.ann", "gold/doc-6c0283bf54bf.txt",
        "gold/golden-1.ann", "gold/golden-1.txt", "gold/golden-2.ann", "gold/golden-2.txt", "manifest.json",
    ]  # fmt: skip
    assert files["gold/golden-1.ann"] == b""
    assert files["gold/golden-2.ann"].decode().startswith("T1\tassertion ")


def test_a_span_across_lines_is_written_as_fragments_and_notes_are_escaped(golden):
    document = DocumentFactory(project=golden.project, title="Lines", text="First line\nsecond line\n\nthird", external_id="lines")
    add_span(document, golden.carol, Role.ANNOTATOR, "line\nsecond line\n\nthird", "assertion", note="a\\b\nc\td")
    ann = members(export_zip(client_for(golden.alice), golden.project))["carol/lines.ann"].decode("utf-8")
    assert ann == "T1\tassertion 6 10;11 22;24 29\tline second line third\n#1\tAnnotatorNotes T1\ta\\\\b\\nc\\td\n"


def test_helpers():
    assert fragments("ab\ncd", 0, 5) == [(0, 2), (3, 5)]
    assert fragments("ab\n\ncd", 1, 6) == [(1, 2), (4, 6)]
    assert encode_value("a b|c,d:e=f%g\u00a0é") == "a%20b%7Cc%2Cd%3Ae%3Df%25g%C2%A0é"
    assert escape_note("x\r\ny") == "x\\r\\ny"


def test_same_records_give_the_same_bytes(golden):
    alice = client_for(golden.alice)
    assert export_zip(alice, golden.project) == export_zip(alice, golden.project)
    assert export_format("brat").offset_units == ("codepoint",)


def test_utf16_offsets_are_refused_for_brat(golden):
    response = client_for(golden.alice).get(f"/api/v1/projects/{golden.project.pk}/export/", {"format": "brat", "offset_unit": "utf16"})
    assert response.status_code == 400


# ---------------------------------------------------------------- import

from annotate.models import Document, Span, SpanLink  # noqa: E402
from tests.test_imports import post, state  # noqa: E402


def brat_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def at(text: str, *pieces: str) -> str:
    """brat offsets ("s e;s e") of pieces of the text as given, each found after the last."""
    ranges, position = [], 0
    for piece in pieces:
        start = text.index(piece, position)
        ranges.append(f"{start} {start + len(piece)}")
        position = start + len(piece)
    return ";".join(ranges)


INTERVIEW = "The owner of Cafe\u0301 Rouge said\r\nprices would rise.\r\nCritics disagreed, according to the union."
MAPPING = '{"Cue": "attribution", "Claim": "assertion", "Entity": null, "Said": "link"}'


def interview_corpus() -> dict[str, str]:
    t, cafe = INTERVIEW, "Cafe\u0301 Rouge"
    carol = "\n".join([
        f"T1\tCue {at(t, 'said')}\tsaid",
        f"T2\tClaim {at(t, 'prices would rise.')}\tprices would rise.",
        f"T3\tClaim {at(t, 'prices would rise.', 'Critics disagreed')}\tprices would rise. Critics disagreed",
        f"T4\tCue {at(t, 'Critics', 'according to')}\tCritics according to",
        f"T5\tClaim {at(t, 'disagreed')}\tdisagreed",
        f"T6\tEntity {at(t, cafe)}\t{cafe}",
        "E1\tCue:T1 Content:T2",
        "R1\tSaid Arg1:T5 Arg2:T4",
        "A1\tSource T1 the%20owner",
        "A2\tSource T6 ignored",
        "#1\tAnnotatorNotes T2\tfirst line\\nsecond line",
    ]) + "\n"  # fmt: skip
    bob = f"T1\tClaim {at(t, 'prices would rise.')}\tprices would rise.\r\n"
    return {
        "corpus/interview.txt": INTERVIEW,
        "corpus/interview_carol.ann": carol,
        "corpus/interview_bob.ann": bob,
        "corpus/short.txt": "Short and sweet.",
        "corpus/short.ann": "T1\tassertion 0 5\tShort\n",
        "corpus/annotation.conf": "[entities]\nCue\nClaim\n",
    }


def spans_of(document) -> set[tuple]:
    return {
        (s.annotator.username, s.label, s.quote, s.source, s.note, tuple(sorted(link.target.quote for link in s.links_out.all())))
        for s in Span.objects.filter(document=document).select_related("annotator")
    }


def test_a_hand_written_corpus_imports_in_one_upload(golden):
    response = post(client_for(golden.alice), golden.project, brat_zip(interview_corpus()), "corpus.zip", format="brat", mapping=MAPPING)
    assert response.status_code == 201, response.json()
    result = response.json()["result"]
    assert result == {"documents": 2, "spans": 8, "skipped": 0, "duplicates": [], "ignored": {"Entity": 1, "Source": 1},
                      "split_discontinuous": 1}  # fmt: skip
    interview = Document.objects.get(project=golden.project, external_id="corpus/interview")
    assert interview.title == "interview"
    assert interview.text == "The owner of Café Rouge said\nprices would rise.\nCritics disagreed, according to the union."
    assert spans_of(interview) == {
        ("carol", "attribution", "said", "the owner", "", ("prices would rise.",)),
        ("carol", "assertion", "prices would rise.", "", "first line\nsecond line", ()),
        ("carol", "assertion", "prices would rise.\nCritics disagreed", "", "", ()),  # fragments over a line break: one span
        ("carol", "attribution", "Critics", "", "", ("disagreed",)),  # a real gap: one span per fragment
        ("carol", "attribution", "according to", "", "", ("disagreed",)),
        ("carol", "assertion", "disagreed", "", "", ()),
        ("bob", "assertion", "prices would rise.", "", "", ()),
    }
    short = Document.objects.get(project=golden.project, external_id="corpus/short")
    assert spans_of(short) == {("alice", "assertion", "Short", "", "", ())}  # a plain .ann: the uploader's


def test_plain_ann_files_belong_to_the_annotator_field(golden):
    files = {"a.txt": "Some text here.", "a.ann": "T1\tassertion 0 4\tSome\n"}
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip", format="brat", annotator="carol")
    assert response.status_code == 201, response.json()
    assert Span.objects.get(document__external_id="a").annotator == golden.carol


def test_round_trip_export_import_export_is_identical(golden):
    from tests.factories import MembershipFactory, ProjectFactory

    copy = ProjectFactory(name="Copy")  # an empty project with the same people
    for user, role in ((golden.alice, Role.MANAGER), (golden.bob, Role.REVIEWER), (golden.carol, Role.ANNOTATOR)):
        MembershipFactory(project=copy, user=user, role=role)
    document = DocumentFactory(project=golden.project, title="Lines", text="First line\nsecond line\n\nthird", external_id="lines")
    add_span(document, golden.carol, Role.ANNOTATOR, "line\nsecond line\n\nthird", "assertion", note="a\\b\nc\td")
    alice = client_for(golden.alice)
    first = export_zip(alice, golden.project)
    response = post(alice, copy, first, "golden.brat.zip", format="brat")
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["spans"] == 7 and response.json()["result"]["ignored"] == {}
    second = export_zip(alice, copy)
    one, two = members(first), members(second)
    manifests = [json.loads(files.pop("manifest.json")) for files in (one, two)]
    assert one == two  # every .txt, .ann and annotation.conf byte for byte
    # (content_sha256 differs: brat carries no titles, outlets or authors)
    assert manifests[0]["spans"] == manifests[1]["spans"] == 7 and manifests[0]["project"] != manifests[1]["project"]


@pytest.mark.parametrize(
    "files,mapping,where",
    [
        ({"a.txt": "Some text.", "a.ann": "T1\tClaim 0 4\tSome\n"}, "", ("a.ann", 1, "type", "'Claim'")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 4\tSome\nR1\tSupports Arg1:T1 Arg2:T1\n"}, "", ("a.ann", 2, "type", "'Supports'")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 4\tSoma\n"}, "", ("a.ann", 1, "text", "'Some'")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 40\tSome\n"}, "", ("a.ann", 1, "offsets", "0 40")),
        ({"a.txt": "Some text.", "a.ann": "\n\nT1\tassertion 0 4\tSome\nA1\tSource T1 x\n"}, "", ("a.ann", 3, "T1.source", "Only an attribution span")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 4\tSome\nT2\tassertion 5 9\ttext\nR1\tAttribution Arg1:T1 Arg2:T2\n"}, "",
         ("a.ann", 3, "arguments", "Neither T1")),
        ({"a.txt": "Some text.", "a_dave.ann": "T1\tassertion 0 4\tSome\n"}, "", ("a_dave.ann", 1, "T1.annotator", "'dave'")),
        ({"a.txt": "Cafe\u0301 ok.", "a.ann": "T1\tassertion 0 4\tCafe\n"}, "", ("a.ann", 1, "T1.end", "'e\u0301'")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 4\tSome\n"}, '{"assertion": "gold"}', ("a.zip", 0, "mapping", "'gold'")),
        ({"a.txt": "Some text.", "a.ann": "T1\tassertion 0 4\tSome\n"}, "[1]", ("a.zip", 0, "mapping", "JSON object")),
        ({"a.txt": "Some text.", "b.ann": ""}, "", ("b.ann", 0, "file", "No .txt")),
        ({"a.txt": "Some text.", "a.pdf": "x"}, "", ("a.pdf", 0, "file", ".pdf")),
        ({"a.txt": b"Some \xff text.", "a.ann": ""}, "", ("a.txt", 1, "file", "UTF-8")),
        ({"../a.txt": "Some text."}, "", ("../a.txt", 0, "file", "climbs out")),
        ({"carol/a.txt": "Some text.", "carol/a_bob.ann": ""}, "", ("carol/a_bob.ann", 0, "file", "the folder says")),
    ],
)  # fmt: skip
def test_problems_name_file_line_and_field_and_nothing_is_imported(golden, files, mapping, where):
    before = state(golden.project)
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip", format="brat", mapping=mapping)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any((e["file"], e["line"], e["field"]) == where[:3] and where[3] in e["message"] for e in errors), errors
    assert state(golden.project) == before


def test_ignored_types_are_counted_and_the_mapping_overrides_defaults(golden):
    files = {"a.txt": "Some text here.", "a.ann": "T1\tassertion 0 4\tSome\nT2\tassertion 5 9\ttext\nA1\tSource T1 x\n"}
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip", format="brat",
                    mapping='{"assertion": "disputed", "Source": null}')  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["ignored"] == {"Source": 1}
    assert set(Span.objects.filter(document__external_id="a").values_list("label", flat=True)) == {"disputed"}


def test_a_mapping_is_only_for_brat(golden):
    response = post(client_for(golden.alice), golden.project, b"Plain.", "a.txt", mapping='{"a": null}')
    assert response.status_code == 400 and "brat" in str(response.json())


# ---------------------------------------------------------------- merge


def test_merge_adds_incoming_spans_to_the_document_with_the_same_text(golden):
    alice = client_for(golden.alice)
    first = {"a.txt": "Some text here.", "a_carol.ann": "T1\tassertion 0 4\tSome\n"}
    assert post(alice, golden.project, brat_zip(first), "a.zip", format="brat").status_code == 201
    document = Document.objects.get(project=golden.project, external_id="a")
    second = {"a.txt": "Some text here.", "a_bob.ann": "T1\tassertion 5 9\ttext\n"}
    refused = post(alice, golden.project, brat_zip(second), "a.zip", format="brat")
    assert refused.status_code == 409
    response = post(alice, golden.project, brat_zip(second), "a.zip", format="brat", on_duplicate="merge")
    assert response.status_code == 201, response.json()
    assert response.json()["result"] | {"ignored": None} == {
        "documents": 0, "spans": 1, "skipped": 0, "duplicates": [], "merged": 1, "ignored": None, "split_discontinuous": 0
    }  # fmt: skip
    assert sorted(Span.objects.filter(document=document).values_list("annotator__username", "quote")) == [("bob", "text"), ("carol", "Some")]
    # the same span again follows the duplicate-span rule: refused, named, nothing written
    before = state(golden.project)
    again = post(alice, golden.project, brat_zip(second), "a.zip", format="brat", on_duplicate="merge")
    assert again.status_code == 400
    [error] = again.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("a_bob.ann", 1, "T1") and "exists already" in error["message"]
    assert state(golden.project) == before


def test_merge_into_a_jsonl_document_and_a_different_text_under_the_same_id_is_409(golden):
    alice = client_for(golden.alice)
    text = golden.documents[1].text  # golden-2
    line = json.dumps({"title": "again", "text": text, "spans": [{"start": 0, "end": 6, "label": "assertion", "annotator": "bob"}]})
    response = post(alice, golden.project, line.encode(), "more.jsonl", on_duplicate="merge")
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["merged"] == 1 and response.json()["result"]["documents"] == 0
    assert Span.objects.filter(document=golden.documents[1], annotator=golden.bob, start=0, end=6).exists()
    other = json.dumps({"title": "x", "external_id": "golden-2", "text": "Another text."})
    conflict = post(alice, golden.project, other.encode(), "other.jsonl", on_duplicate="merge")
    assert conflict.status_code == 409 and conflict.json()["duplicates"][0]["external_id"] == "golden-2"


# ---------------------------------------------------------------- pages


def test_the_import_forms_offer_brat_from_the_registry(golden):
    from django.test import Client

    browser = Client()
    browser.force_login(golden.alice)
    page = browser.get(f"/projects/{golden.project.pk}/").content.decode()
    assert '<option value="brat">' in page and 'name="mapping"' in page and '<option value="merge">' in page
    upload = browser.get(f"/projects/{golden.project.pk}/documents/upload/").content.decode()
    assert 'value="brat"' in upload and 'name="mapping"' in upload


@pytest.mark.django_db(transaction=True)
def test_a_queued_brat_import_keeps_its_mapping_and_annotator(settings, tmp_path):
    """A worker runs the import with the fields the request gave (kept in the job's params)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    golden = golden_project()
    files = {"a.txt": "Some text here.", "a.ann": "T1\tClaim 0 4\tSome\nT2\tNoise 5 9\ttext\n"}
    upload = SimpleUploadedFile("a.zip", brat_zip(files))
    fields = {"file": upload, "format": "brat", "mapping": '{"Claim": "assertion", "Noise": null}', "annotator": "carol"}
    client = client_for(golden.alice)
    response = client.post(f"/api/v1/projects/{golden.project.pk}/import/", fields, format="multipart", HTTP_PREFER="respond-async")
    assert response.status_code == 202, response.json()
    call_command("jobs_worker", burst=True, verbosity=0)
    done = client.get(response.json()["url"]).json()
    assert done["state"] == "succeeded", done
    assert done["result"]["ignored"] == {"Noise": 1}
    assert Span.objects.get(document__external_id="a").annotator == golden.carol


def test_relations_read_their_roles_and_normalisation_lines_can_be_ignored(golden):
    ann = ("T1\tattribution 0 4\tSome\nT2\tassertion 5 9\ttext\nR1\tAttribution Arg2:T2 Arg1:T1\n"
           "N1\tReference T2 Wikipedia:1\ttext\n*\tEquiv T1 T2\n")  # fmt: skip
    files = {"a.txt": "Some text here.", "a.ann": ann}
    alice = client_for(golden.alice)
    refused = post(alice, golden.project, brat_zip(files), "a.zip", format="brat")
    assert refused.status_code == 400 and {e["field"] for e in refused.json()["errors"]} == {"type"}
    assert {e["line"] for e in refused.json()["errors"]} == {4, 5}
    response = post(alice, golden.project, brat_zip(files), "a.zip", format="brat", mapping='{"Reference": null, "Equiv": null}')
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["ignored"] == {"Reference": 1, "Equiv": 1}
    assert SpanLink.objects.get(attribution__document__external_id="a").target.quote == "text"


def test_a_gold_layer_export_imports_back_as_gold(golden):
    from tests.factories import MembershipFactory, ProjectFactory

    copy = ProjectFactory(name="Copy")
    for user, role in ((golden.alice, Role.MANAGER), (golden.bob, Role.REVIEWER), (golden.carol, Role.ANNOTATOR)):
        MembershipFactory(project=copy, user=user, role=role)
    alice = client_for(golden.alice)
    first = export_zip(alice, golden.project, layer="gold")
    assert "gold/golden-2.ann" in members(first)
    response = post(alice, copy, first, "gold.brat.zip", format="brat", annotator="bob")  # the gold/ folder says gold
    assert response.status_code == 201, response.json()
    second = members(export_zip(alice, copy, layer="gold"))
    one = members(first)
    one.pop("manifest.json"), second.pop("manifest.json")
    assert one == second
    assert list(Span.objects.filter(document__project=copy).values_list("layer", "annotator__username")) == [("gold", "bob")]


def test_the_upload_page_says_what_was_ignored_and_merged(golden):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    browser = Client()
    browser.force_login(golden.alice)
    files = {"a.txt": "Some text here.", "a.ann": "T1\tassertion 0 4\tSome\nT2\tNoise 5 9\ttext\n"}
    upload = SimpleUploadedFile("a.zip", brat_zip(files))
    response = browser.post(
        f"/projects/{golden.project.pk}/documents/upload/",
        {"file": upload, "format": "brat", "on_duplicate": "refuse", "mapping": '{"Noise": null}', "annotator": "carol"},
        follow=True,
    )
    page = response.content.decode()
    assert "Imported 1 documents with 1 spans; ignored 1 Noise." in page
    assert Span.objects.get(document__external_id="a").annotator == golden.carol


def test_a_brat_zip_sent_as_a_plain_zip_says_to_ask_for_brat(golden):
    files = {"a.txt": "Some text here.", "a.ann": "T1\tassertion 0 4\tSome\n"}
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["file"] == "a.ann" and "format=brat" in error["message"]


# ---------------------------------------------------------------- collections (folders)


def test_annotator_folders_of_one_text_import_as_one_document_with_their_layers(golden):
    text = "Some text here."
    files = {
        "carol/a.txt": text, "carol/a.ann": "T1\tassertion 0 4\tSome\n", "carol/annotation.conf": "[entities]\n",
        "bob/a.txt": text, "bob/a.ann": "T1\tassertion 5 9\ttext\n",
        "bob/b.txt": "Only bob.", "bob/b.ann": "",
        "c.txt": "At the root.", "c.ann": "T1\tassertion 0 2\tAt\n",
        "train/d.txt": "A folder that is nobody.", "train/d.ann": "T1\tassertion 0 1\tA\n",
        "annotation.conf": "[entities]\n", "manifest.json": "{}",
    }  # fmt: skip
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip", format="brat")
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["documents"] == 4
    a = Document.objects.get(project=golden.project, external_id="a")
    assert (a.title, a.text) == ("a", text)
    assert sorted(Span.objects.filter(document=a).values_list("annotator__username", "layer", "quote")) == [
        ("bob", "individual", "text"), ("carol", "individual", "Some")]  # fmt: skip
    assert Document.objects.filter(project=golden.project, external_id="b").exists()
    assert Span.objects.get(document__external_id="c").annotator == golden.alice  # a plain .ann at the root: the uploader's
    assert Span.objects.get(document__external_id="train/d").annotator == golden.alice  # not a member's name: a path


def test_the_gold_folder_is_the_gold_layer_with_the_same_rules_as_the_layer_field(golden):
    files = {"gold/a.txt": "Some text here.", "gold/a.ann": "T1\tassertion 0 4\tSome\n",
             "carol/a.txt": "Some text here.", "carol/a.ann": "T1\tassertion 5 9\ttext\n"}  # fmt: skip
    alice = client_for(golden.alice)
    refused = post(alice, golden.project, brat_zip(files), "a.zip", format="brat", annotator="carol")  # carol annotates
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert (error["file"], error["line"], error["field"]) == ("gold/a.ann", 1, "T1.annotator") and "reviewers or managers" in error["message"]
    response = post(alice, golden.project, brat_zip(files), "a.zip", format="brat")
    assert response.status_code == 201, response.json()
    assert sorted(Span.objects.filter(document__external_id="a").values_list("annotator__username", "layer", "quote")) == [
        ("alice", "gold", "Some"), ("carol", "individual", "text")]  # fmt: skip


def test_different_texts_under_one_name_are_an_error_naming_both_files(golden):
    files = {"carol/a.txt": "Some text here.", "carol/a.ann": "", "bob/a.txt": "Some text there.", "bob/a.ann": ""}
    before = state(golden.project)
    response = post(client_for(golden.alice), golden.project, brat_zip(files), "a.zip", format="brat")
    assert response.status_code == 400, response.json()
    [error] = response.json()["errors"]
    assert error["field"] == "file" and "bob/a.txt" in error["message"] and "carol/a.txt" in error["message"]
    assert state(golden.project) == before


def test_the_upload_pages_offer_the_gold_layer_to_who_may_write_it(golden):
    from django.test import Client

    from annotate.models import Membership

    browser = Client()
    browser.force_login(golden.alice)  # a manager
    project_page = browser.get(f"/projects/{golden.project.pk}/").content.decode()
    assert '<select id="import-layer" name="layer"' in project_page
    upload_page = browser.get(f"/projects/{golden.project.pk}/documents/upload/").content.decode()
    assert 'name="layer"' in upload_page and '<option value="gold">' in upload_page
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.zip", brat_zip({"a.txt": "Some text here.", "a.ann": "T1\tassertion 0 4\tSome\n"}))
    browser.post(f"/projects/{golden.project.pk}/documents/upload/",
                 {"file": upload, "format": "brat", "on_duplicate": "refuse", "layer": "gold"}, follow=True)  # fmt: skip
    assert Span.objects.get(document__external_id="a").layer == "gold"
    assert Membership.objects.get(project=golden.project, user=golden.alice).role == Role.MANAGER
