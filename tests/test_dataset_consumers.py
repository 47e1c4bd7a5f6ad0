"""Exports read by the tools researchers use, the real libraries (pinned in requirements-dev.txt),
with the exact calls docs/export-formats.md gives; every span's text is checked in each."""
import io
import json
import os
from collections import defaultdict

import pandas
import pytest

from annotate.datasets.exports.csv import COLUMNS
from annotate.datasets.records import DOCUMENT_FIELDS, SPAN_FIELDS, RenderOptions, manifest_build
from annotate.datasets.registry import export_format
from annotate.datasets.selectors import ExportFilters, export_records, export_snapshot
from annotate.models import Role
from tests.dataset_builders import add_span, golden_project
from tests.factories import DocumentFactory

# The Hugging Face libraries must never reach for the network in a test.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# Quotes pandas' defaults would turn into NaN or numbers.
TRAPS_TEXT = "NA null None 3 N/A nan 007 -1.5"
TRAPS = ["NA", "null", "None", "3", "N/A", "nan", "007", "-1.5"]


@pytest.fixture
def corpus(db):
    golden = golden_project()
    traps = DocumentFactory(project=golden.project, title="NA", text=TRAPS_TEXT, external_id="null", outlet="")
    for quote in TRAPS:
        add_span(traps, golden.carol, Role.ANNOTATOR, quote, "assertion")
    with export_snapshot():
        records = list(export_records(project_id=golden.project.pk, filters=ExportFilters()))
    return records


def render(format: str, records: list[dict], **options) -> bytes:
    manifest = manifest_build(
        project_id=1, project_name="Golden", format=format, layer="individual", filters={}, offset_unit="codepoint",
        last_changed_at="2024-01-01T00:00:00Z", documents=len(records), spans=sum(len(r["spans"]) for r in records),
    )  # fmt: skip
    return export_format(format).render_bytes(records, manifest, RenderOptions(**options))


def read_csv_as_documented(data: bytes) -> pandas.DataFrame:
    """The call docs/export-formats.md gives, word for word."""
    return pandas.read_csv(
        io.BytesIO(data),
        keep_default_na=False,
        dtype=defaultdict(lambda: str, span_index=int, start=int, end=int),
    )


def test_pandas_reads_the_raw_csv_exactly(corpus):
    data = render("csv", corpus, csv_safety="raw")
    assert pandas.read_csv(io.BytesIO(data))["quote"].isna().sum() > 0  # why the documented call matters
    frame = read_csv_as_documented(data)
    spans = [(record, span) for record in corpus for span in record["spans"]]
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(spans) == 6 + len(TRAPS)
    for (record, span), row in zip(spans, frame.to_dict("records")):
        assert row["quote"] == span["quote"] == record["text"][span["start"] : span["end"]]
        assert (row["start"], row["end"], row["label"]) == (span["start"], span["end"], span["label"])
        assert row["document_external_id"] == record["external_id"]
        assert row["note"] == span["note"] and row["source"] == span["source"]
    assert frame["quote"].isna().sum() == 0
    assert frame.loc[frame["document_external_id"] == "null", "quote"].tolist() == TRAPS


def _check_quotes(rows: list[dict], records: list[dict]) -> None:
    """One row per record, in order, every span's text at its offsets equal to its quote."""
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        assert row["external_id"] == record["external_id"] and row["text"] == record["text"]
        assert len(row["spans"]) == len(record["spans"])
        for span, expected in zip(row["spans"], record["spans"]):
            assert row["text"][span["start"] : span["end"]] == span["quote"] == expected["quote"]
            assert (span["label"], span["annotator"]) == (expected["label"], expected["annotator"])


def test_jsonl_is_one_document_a_line_and_nothing_else(corpus):
    lines = render("jsonl", corpus).decode("utf-8").splitlines()
    assert len(lines) == len(corpus) == 4
    assert all(set(json.loads(line)) == set(DOCUMENT_FIELDS) for line in lines)


def test_datasets_loads_the_jsonl_with_one_row_per_document(corpus, tmp_path):
    import datasets

    path = tmp_path / "export.jsonl"
    path.write_bytes(render("jsonl", corpus))
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == len(corpus)
    assert loaded.column_names == list(DOCUMENT_FIELDS)
    assert set(loaded.features["spans"].feature) == set(SPAN_FIELDS)
    _check_quotes(loaded.to_list(), corpus)


def test_pandas_reads_the_jsonl_with_one_row_per_document(corpus):
    frame = pandas.read_json(io.BytesIO(render("jsonl", corpus)), lines=True, dtype=False)
    assert list(frame.columns) == list(DOCUMENT_FIELDS)
    assert len(frame) == len(corpus)
    assert frame["external_id"].tolist() == [r["external_id"] for r in corpus]  # "null" stays a string
    _check_quotes(frame.to_dict("records"), corpus)


def _entities(record: dict) -> list[tuple[str, str]]:
    """(text, label) of the spans a conll block of this record keeps, per annotator in order:
    the overlap rule of annotate.datasets.exports.conll, applied to the record."""
    from annotate.datasets.exports.conll import tag_tokens
    from annotate.datasets.tokenize import tokenize

    tokens = tokenize(record["text"])
    kept = []
    for annotator in sorted({s["annotator"] for s in record["spans"]}):
        tags, _ = tag_tokens(tokens, [s for s in record["spans"] if s["annotator"] == annotator])
        for i, tag in enumerate(tags):
            if tag.startswith("B-"):
                j = i + 1
                while j < len(tags) and tags[j] == "I-" + tag[2:]:
                    j += 1
                kept.append((record["text"][tokens[i][0] : tokens[j - 1][1]], tag[2:]))
    return kept


def test_spacy_convert_reads_the_conll_with_the_exact_entities(corpus, tmp_path):
    import subprocess
    import sys

    import spacy
    from spacy.tokens import DocBin

    source = tmp_path / "export.conll"
    source.write_bytes(render("conll", corpus))
    out = tmp_path / "converted"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(source), str(out)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    docs = list(DocBin().from_disk(out / "export.spacy").get_docs(spacy.blank("xx").vocab))
    blocks = [(record, annotator) for record in corpus for annotator in sorted({s["annotator"] for s in record["spans"]}) or [""]]
    assert len(docs) == len(blocks) == 5
    expected = [entity for record in corpus for entity in _entities(record)]
    # spaCy joins the tokens with spaces, so compare the tokens of each entity
    from annotate.datasets.tokenize import tokenize

    def words(text):
        return [text[s:e] for s, e in tokenize(text)]

    found = [(ent.text, ent.label_) for doc in docs for ent in doc.ents]
    assert len(found) == len(expected) == 13  # 14 spans, one dropped as overlapping
    assert [(words(text), label) for text, label in found] == [(words(text), label) for text, label in expected]


def test_seqeval_reads_the_conll_tags(corpus):
    from seqeval.metrics import classification_report
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2

    sequences, tokens = [], []
    for block in render("conll", corpus).decode("utf-8").split("-DOCSTART- -X- O O\n"):
        rows = [line.split("\t") for line in block.splitlines() if line]
        if rows:
            tokens.append([token for token, _ in rows])
            sequences.append([tag for _, tag in rows])
    report = classification_report(sequences, sequences, output_dict=True, mode="strict", scheme=IOB2)
    assert set(report) >= {"assertion", "attribution"}  # the one disputed span overlaps: dropped
    entities = [(label, " ".join(tokens[i][start : end + 1])) for i, tags in enumerate(sequences) for label, start, end in get_entities(tags)]
    assert len(entities) == 13
    assert ("attribution", "The ministry said") in entities and ("assertion", "NA") in entities


def test_spacy_loads_the_docbin_with_every_span(corpus):
    import spacy
    from spacy.tokens import DocBin

    from annotate.datasets.exports.spacy import SPANS_KEY

    nlp = spacy.blank("en")
    docs = list(DocBin().from_bytes(render("spacy", corpus)).get_docs(nlp.vocab))
    assert len(docs) == len(corpus)
    for doc, record in zip(docs, corpus):
        assert doc.text == record["text"]
        group = doc.spans[SPANS_KEY]
        assert len(group) == len(record["spans"])  # every span of the corpus aligns with spaCy's tokens
        for span, index in zip(group, group.attrs["span_index"]):
            expected = record["spans"][index]
            assert span.text == expected["quote"] == record["text"][span.start_char : span.end_char]
            assert (span.start_char, span.end_char, span.label_, span.id_) == (
                expected["start"], expected["end"], expected["label"], expected["annotator"]
            )  # fmt: skip
        ents = list(doc.ents)
        assert all(a.end <= b.start for a, b in zip(ents, ents[1:]))  # no overlaps
        assert {(e.start_char, e.end_char, e.label_) for e in ents} <= {(s.start_char, s.end_char, s.label_) for s in group}
        data = doc.user_data[SPANS_KEY]
        assert (data["external_id"], data["title"], data["spans_not_aligned"]) == (record["external_id"], record["title"], 0)
        assert json.loads(json.dumps(data["spans"])) == record["spans"]  # msgpack gives lists back as tuples
    # golden-1: five spans; carol's disputed one overlaps her first assertion (taken first): dropped
    assert [len(doc.ents) for doc in docs] == [4, 1, 0, len(TRAPS)]


def test_spacy_counts_spans_that_do_not_align_and_never_widens_them(corpus):
    from annotate.datasets.exports.spacy import SPANS_KEY, counts
    from tests.dataset_builders import docbin_docs

    record = {**corpus[-1], "spans": [dict(corpus[-1]["spans"][0], start=1, end=3, quote="ul")]}  # inside "null"
    record["text"] = "null " + record["text"]
    assert counts([record]) == {"spans_not_aligned": 1}
    (doc,) = docbin_docs(render("spacy", [record]))
    assert len(doc.spans[SPANS_KEY]) == 0 and len(doc.ents) == 0
    assert doc.user_data[SPANS_KEY]["spans_not_aligned"] == 1


def test_spacy_training_corpus_reads_the_docbin(corpus, tmp_path):
    import spacy
    from spacy.training import Corpus

    path = tmp_path / "train.spacy"
    path.write_bytes(render("spacy", corpus))
    examples = list(Corpus(str(path))(spacy.blank("en")))  # the reader `spacy train` uses
    assert len(examples) == len(corpus)
    assert [len(example.reference.ents) for example in examples] == [4, 1, 0, len(TRAPS)]
    for example, record in zip(examples, corpus):
        assert example.reference.text == record["text"]
        for ent in example.reference.ents:
            assert ent.text == record["text"][ent.start_char : ent.end_char]


def test_spacy_train_trains_on_the_docbin_as_it_is(corpus, tmp_path):
    """`spacy train` itself, with the config `spacy init config` writes for a blank English NER:
    two steps (it learns nothing worth keeping; the point is that the file is read and used)."""
    import subprocess
    import sys

    (tmp_path / "labels.spacy").write_bytes(render("spacy", corpus))
    spacy_cli = [sys.executable, "-m", "spacy"]
    subprocess.run([*spacy_cli, "init", "config", "config.cfg", "--lang", "en", "--pipeline", "ner"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    trained = subprocess.run(
        [*spacy_cli, "train", "config.cfg", "--paths.train", "labels.spacy", "--paths.dev", "labels.spacy",
         "--training.max_steps", "2", "--training.eval_frequency", "1", "--output", "model"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stdout + trained.stderr
    import spacy

    from tests.dataset_builders import docbin_docs

    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {ent.label_ for doc in docbin_docs(render("spacy", corpus)) for ent in doc.ents}


def _unzipped(data: bytes, folder) -> "Path":
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def test_datasets_loads_the_unzipped_package_with_its_card(corpus, tmp_path):
    import datasets

    folder = _unzipped(render("package", corpus, formats=("conll", "spacy"), license="cc-by-4.0"), tmp_path / "package")
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == ["README.md", "conll/train.conll", "data/train.jsonl", "manifest.json", "spacy/train.spacy"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: cc-by-4.0\nconfigs:\n")
    loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert list(loaded) == ["train"]
    assert loaded["train"].column_names == list(DOCUMENT_FIELDS)
    assert loaded["train"].features["published_on"] == datasets.Value("string")  # from the card, though all null
    _check_quotes(loaded["train"].to_list(), corpus)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "package" and manifest["documents"] == len(corpus)
    assert manifest["files"]["data/train.jsonl"]["documents"] == len(corpus)
    assert manifest["spans_not_aligned"] == 0 and manifest["split"] is None


def test_package_splits_are_seeded_by_document_and_stratified_by_outlet(db, tmp_path):
    import datasets

    from annotate.datasets.exports.package import split_indexes

    records = [
        {"outlet": f"outlet-{n % 3}", "text_sha256": f"{n:064x}", "external_id": f"doc-{n}", "text": f"Doc {n}.", "spans": []}
        for n in range(60)
    ]
    first = split_indexes(records, (80, 10, 10), seed=7)
    assert first == split_indexes(records, (80, 10, 10), seed=7)  # reproducible
    assert first != split_indexes(records, (80, 10, 10), seed=8)
    assert [len(first[name]) for name in ("train", "validation", "test")] == [48, 6, 6]
    for name, share in (("train", 16), ("validation", 2), ("test", 2)):  # each outlet: 20 documents
        assert sorted({records[i]["outlet"] for i in first[name]}) == ["outlet-0", "outlet-1", "outlet-2"]
        assert all(sum(records[i]["outlet"] == f"outlet-{k}" for i in first[name]) == share for k in range(3))
    assert sorted(i for indexes in first.values() for i in indexes) == list(range(60))


def test_datasets_loads_a_split_package_with_exact_rows_per_split(db, tmp_path):
    import datasets

    from tests.dataset_builders import golden_project
    from tests.factories import DocumentFactory

    golden = golden_project()
    for n in range(17):
        DocumentFactory(project=golden.project, text=f"Story {n} from the wire.", outlet=("AFP", "Reuters")[n % 2])
    with export_snapshot():
        records = list(export_records(project_id=golden.project.pk, filters=ExportFilters()))
    data = render("package", records, split=(70, 15, 15), seed=3, formats=("conll",))
    folder = _unzipped(data, tmp_path / "package")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["split"]["documents"]
    assert sum(counts.values()) == len(records) == 20 and min(counts.values()) > 0
    assert manifest["split"]["seed"] == 3 and manifest["split"]["stratified_by"] == "outlet"
    loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert {name: loaded[name].num_rows for name in loaded} == counts
    assert all(loaded[name].column_names == list(DOCUMENT_FIELDS) for name in loaded)
    ids = [row["text_sha256"] for name in loaded for row in loaded[name]]
    assert sorted(ids) == sorted(r["text_sha256"] for r in records)  # each document in exactly one split
    assert render("package", records, split=(70, 15, 15), seed=3, formats=("conll",)) == data  # same bytes
