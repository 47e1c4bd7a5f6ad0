"""Exports read by the tools researchers use, the real libraries (pinned in requirements-dev.txt),
with the exact calls docs/export-formats.md gives; every span's text is checked in each."""
import io
from collections import defaultdict

import pandas
import pytest

from annotate.datasets.exports.csv import COLUMNS
from annotate.datasets.records import RenderOptions, manifest_build
from annotate.datasets.registry import export_format
from annotate.datasets.selectors import ExportFilters, export_records, export_snapshot
from annotate.models import Role
from tests.dataset_builders import add_span, golden_project
from tests.factories import DocumentFactory

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
