"""A small project for export and import tests: emoji, flags, ZWJ sequences, combining marks,
CRLF-origin text, overlapping spans, links, notes, a disputed span with evidence, a gold layer."""
from types import SimpleNamespace

from annotate import services
from annotate.models import Layer, Role
from annotate.permissions import Access
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

CRLF_TEXT = (
    "Critics 📰 say the 🇦🇿 delegation's 👩🏽‍🔬 lead scientist disputes it.\r\n"
    "The ministry said inflation fell to 3%.\r\n"
)
COMBINING_TEXT = "Ca\u0301mara says q\u0303 is e\u0301 rare; the mayor's office denied it."


def users(*names_and_roles):
    """{username: user} (made once per test database) for [(username, role)]."""
    made = {}
    for username, _ in names_and_roles:
        from django.contrib.auth import get_user_model

        made[username] = get_user_model().objects.filter(username=username).first() or UserFactory(username=username)
    return made


def add_span(document, user, role, text_piece, label, *, occurrence=0, layer=Layer.INDIVIDUAL, **fields):
    """A span over the given piece of the (stored) text, created through the service."""
    text = document.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(text_piece, start + 1)
    access = Access(user_id=user.pk, project_id=document.project_id, role=role)
    return services.span_create(
        document=document,
        access=access,
        actor=user,
        fields={"start": start, "end": start + len(text_piece), "label": label, "quote": text_piece, **fields},
        layer=layer,
    )


def link(attribution, target, user, role):
    access = Access(user_id=user.pk, project_id=attribution.document.project_id, role=role)
    services.span_link_create(attribution=attribution, target=target, access=access, actor=user)


def golden_project(name="Golden"):
    """The project the golden files are made from. Returns a namespace with project, users, documents."""
    people = users(("alice", Role.MANAGER), ("bob", Role.REVIEWER), ("carol", Role.ANNOTATOR))
    project = ProjectFactory(name=name)
    for username, role in (("alice", Role.MANAGER), ("bob", Role.REVIEWER), ("carol", Role.ANNOTATOR)):
        MembershipFactory(project=project, user=people[username], role=role)
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    doc1 = DocumentFactory(
        project=project,
        title="Emoji 📰, flags 🇦🇿 and a scientist 👩🏽‍🔬",
        text=CRLF_TEXT,
        external_id="golden-1",
        outlet="Daily Planet",
        source_url="https://example.org/golden-1",
        author="Lois Lane",
        language="en",
    )
    doc2 = DocumentFactory(project=project, title="Combining marks", text=COMBINING_TEXT, external_id="golden-2", outlet="")
    doc3 = DocumentFactory(project=project, title="Nothing labelled", text="Nothing is labelled here.", outlet="")

    # carol: two overlapping spans, an attribution linked to the claim it attributes.
    add_span(doc1, carol, Role.ANNOTATOR, "Critics 📰 say the 🇦🇿 delegation", "assertion", note="overlaps the next")
    add_span(
        doc1,
        carol,
        Role.ANNOTATOR,
        "🇦🇿 delegation's 👩🏽‍🔬 lead scientist disputes it",
        "disputed",
        dispute_basis="within_text",
        evidence_links=["https://example.org/fact-check"],
    )
    said = add_span(doc1, carol, Role.ANNOTATOR, "The ministry said", "attribution", source="the ministry")
    claim = add_span(doc1, carol, Role.ANNOTATOR, "inflation fell to 3%", "assertion")
    link(said, claim, carol, Role.ANNOTATOR)
    add_span(doc2, carol, Role.ANNOTATOR, "q\u0303 is \u00e9 rare", "assertion", note="combining tilde")
    # bob: his own individual span, and a gold span he accepted.
    add_span(doc1, bob, Role.REVIEWER, "👩🏽‍🔬 lead scientist", "assertion")
    add_span(doc2, bob, Role.REVIEWER, "the mayor's office denied it", "assertion", layer=Layer.GOLD)
    return SimpleNamespace(project=project, alice=alice, bob=bob, carol=carol, documents=[doc1, doc2, doc3])


def export_text(data: bytes) -> str:
    """An export as text: a zip format (brat) as its members in name order, each under a
    "=== name ===" line, so tests can read and golden files can show what it holds."""
    import io
    import zipfile

    if data.startswith(b"\x78\x9c"):  # zlib: a spacy DocBin (never the start of UTF-8 text)
        return docbin_text(data)
    if not data.startswith(b"PK\x03\x04"):
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = []
        for name in sorted(archive.namelist()):
            content = archive.read(name).decode("utf-8")
            if content and not content.endswith("\n"):
                name, content = f"{name} (no newline at the end)", content + "\n"
            parts.append(f"=== {name} ===\n{content}")
        return "".join(parts)


def docbin_docs(data: bytes) -> list:
    """The Docs of a spacy export (a DocBin), read as spaCy's own docs say to."""
    import spacy
    from spacy.tokens import DocBin

    return list(DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab))


def docbin_text(data: bytes) -> str:
    """A spacy export as JSON lines, one per Doc (tokens, doc.spans["annotate"] with annotators,
    doc.ents, user_data), so golden files and tests can read the binary DocBin."""
    import json

    lines = []
    for doc in docbin_docs(data):
        group = doc.spans["annotate"]
        lines.append(json.dumps({
            "tokens": [token.text for token in doc],
            "spans": [[span.text, span.label_, span.id_] for span in group],
            "span_index": group.attrs["span_index"],
            "ents": [[ent.text, ent.label_] for ent in doc.ents],
            "user_data": doc.user_data["annotate"],
        }, ensure_ascii=False))  # fmt: skip
    return "".join(line + "\n" for line in lines)
