"""Releases: freeze the gold layer (and optionally the individual layers) as export records, and
render them later in every export format from the frozen row alone, so each download is the same
bytes whatever happens to the project afterwards."""
import copy
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from annotate.datasets.selectors import ExportFilters, export_records, export_snapshot
from annotate.errors import Conflict, InvalidInput
from annotate.datasets.records import CSV_SAFETY, RenderOptions, content_summary, manifest_build
from annotate.datasets.registry import EXPORT_FORMATS, export_format, offset_unit_problem
from annotate.models import Document, Layer, Project, Span
from annotate.permissions import FREEZE_RELEASE, SEE_RELEASES, Access, check, documents_with_others_hidden
from annotate.selectors import project_last_changed_at
from annotate.validation import check_plain_text_fields
from annotate.workflow import selectors
from annotate.workflow.models import GoldOrigin, Release

# Files of a release besides the export formats: its manifest, the agreement report frozen with
# it, and the provenance of each gold span (which reviewers' spans it was accepted from).
EXTRA_FILES = {
    "manifest": ("application/json; charset=utf-8", "manifest.json"),
    "agreement": ("application/json; charset=utf-8", "agreement.json"),
    "provenance": ("application/x-ndjson; charset=utf-8", "provenance.jsonl"),
}


def release_files() -> dict[str, tuple[str, str]]:
    """{name: (media type, file suffix)} of everything a release can be downloaded as."""
    files = {name: (export_format(name).media_type, export_format(name).extension) for name in EXPORT_FORMATS}
    files.update(EXTRA_FILES)
    return files


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(moment) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def release_provenance(*, project: Project) -> list[dict]:
    """Per document with gold spans: each gold span's label, offsets and origins (the source
    spans' reviewers, labels and offsets), in text order. Two queries for the whole project (it
    was three per document: 25 of the 32 s of freezing 5,000 documents)."""
    gold = Span.objects.filter(document__project=project, layer=Layer.GOLD).order_by("document_id", "start", "end", "id")
    origins = defaultdict(list)
    for gold_span_id, *origin in (
        GoldOrigin.objects.filter(gold_span__document__project=project, gold_span__layer=Layer.GOLD)
        .order_by("id")
        .values_list("gold_span_id", "source_username", "source_label", "source_start", "source_end")
    ):
        origins[gold_span_id].append(dict(zip(("annotator", "label", "start", "end"), origin)))
    by_document: dict[int, dict] = {}  # in document order, as the query reads them
    for document_id, external_id, title, text_sha256, span_id, start, end, label in gold.values_list(
        "document_id", "document__external_id", "document__title", "document__text_sha256", "id", "start", "end", "label"
    ):
        entry = by_document.setdefault(
            document_id, {"external_id": external_id, "title": title, "text_sha256": text_sha256, "gold": []}
        )
        entry["gold"].append({"start": start, "end": end, "label": label, "origins": origins.get(span_id, [])})
    return list(by_document.values())


def release_freeze(
    *, project: Project, access: Access, actor, name: str, description: str = "", include_individual: bool = False
) -> Release:
    """Freeze the next numbered release: the gold layer's export records (and the individual
    layers' when asked), the provenance of every gold span, a manifest with counts and the
    records' content_sha256 (the one an export of the same data states), and the agreement
    report as it is now. All read in one snapshot (REPEATABLE READ on PostgreSQL)."""
    check(access, FREEZE_RELEASE, project=project)
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": ["A release needs a name."]})
    if len(name) > 200:
        raise InvalidInput({"name": ["At most 200 characters."]})
    check_plain_text_fields({"name": name, "description": description}, ("name",), multiline=("description",))
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return _freeze(
                project=project,
                access=access,
                actor=actor,
                name=name,
                description=description,
                include_individual=include_individual,
            )
    except IntegrityError as error:  # another manager froze the same number at the same moment
        raise Conflict({"name": ["Another release was frozen at the same moment: try again."]}) from error


def _freeze(*, project: Project, access: Access, actor, name: str, description: str, include_individual: bool) -> Release:
    number = (Release.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
    layers = [Layer.GOLD, Layer.INDIVIDUAL] if include_individual else [Layer.GOLD]
    with export_snapshot():
        records = {layer: list(export_records(project_id=project.pk, filters=ExportFilters(layer=layer))) for layer in layers}
        records["provenance"] = release_provenance(project=project)
        # Which document each layer's record is (records name documents by external id, which
        # may be blank): blind review withholds spans per document when the release is read.
        records[DOCUMENT_IDS] = list(project.documents.order_by("id").values_list("id", flat=True))
        last_changed_at = _iso(project_last_changed_at(project=project))
        agreement = json.loads(_canonical(selectors.project_agreement(project=project, access=access)))
    manifest = {
        "project": {"id": project.pk, "name": project.name},
        "release": {"number": number, "name": name, "description": description, "frozen_at": _iso(timezone.now())},
        "frozen_by": actor.username,
        "last_changed_at": last_changed_at,
        **_counts({layer: records[layer] for layer in layers}),
        "formats": sorted(release_files()),
        "offsets": "Unicode code points, half-open [start, end); jsonl and csv also in UTF-16 (offset_unit=utf16)",
    }
    return Release.objects.create(
        project=project,
        number=number,
        name=name,
        description=description,
        includes_individual=include_individual,
        records=records,
        manifest=manifest,
        agreement=agreement,
        content_sha256=manifest["content_sha256"],
        created_by=actor,
    )


def _counts(records: dict[str, list[dict]]) -> dict:
    """The manifest's figures for these records ({layer: records}, gold among them)."""
    summaries = {layer: content_summary(layer_records) for layer, layer_records in records.items()}
    gold_counts: dict[str, int] = {}
    for record in records[Layer.GOLD]:
        for span in record["spans"]:
            gold_counts[span["label"]] = gold_counts.get(span["label"], 0) + 1
    return {
        "layers": summaries,
        "documents": summaries[Layer.GOLD]["documents"],
        "documents_with_gold": sum(1 for record in records[Layer.GOLD] if record["spans"]),
        "gold_spans": summaries[Layer.GOLD]["spans"],
        "gold_spans_per_label": dict(sorted(gold_counts.items())),
        "content_sha256": summaries[Layer.GOLD]["content_sha256"],
    }


DOCUMENT_IDS = "document_ids"  # beside the layers in Release.records: the records' documents, in order
BLIND_REVIEW_NOTE = (
    "blind review: other members' spans on documents whose assignment you have not finished are left out"
)


@dataclass(frozen=True)
class _Withheld:
    """What blind review keeps from one reader of a release: the documents they have not
    finished (by id for the agreement report, by external id and text hash for the records,
    which name documents that way) and the reader's own username (their own spans stay)."""

    document_ids: frozenset[int]
    document_keys: frozenset[tuple[str, str]]
    own: str

    def hides(self, record: dict, document_id: int | None = None) -> bool:
        """By id when the release froze its documents' ids; else (older releases, provenance)
        by external id and text hash, which may hide a duplicate too: the safe side."""
        if document_id is not None:
            return document_id in self.document_ids
        return (record["external_id"], record["text_sha256"]) in self.document_keys


def _withheld_for(release: Release | None, access: Access) -> _Withheld | None:
    hidden = documents_with_others_hidden(access=access)
    if not hidden:
        return None
    keys = Document.objects.filter(pk__in=hidden).values_list("external_id", "text_sha256")
    own = get_user_model().objects.filter(pk=access.user_id).values_list("username", flat=True).get()
    return _Withheld(document_ids=frozenset(hidden), document_keys=frozenset(keys), own=own)


def _record_without_others(record: dict, own: str) -> dict:
    """The record with only `own`'s spans, their links renumbered (links never cross annotators)."""
    kept = [i for i, span in enumerate(record["spans"]) if span["annotator"] == own]
    position = {old: new for new, old in enumerate(kept)}
    spans = [
        {**record["spans"][i], "links": [position[t] for t in record["spans"][i]["links"] if t in position]} for i in kept
    ]
    return {**record, "spans": spans}


def _records_for(records: list[dict], document_ids: list[int] | None, withheld: _Withheld | None) -> tuple[list[dict], int]:
    """The frozen records the reader may read, and how many documents lost spans to blind review."""
    if withheld is None:
        return records, 0
    shown, touched = [], 0
    for index, record in enumerate(records):
        if withheld.hides(record, document_ids[index] if document_ids else None):
            record = _record_without_others(record, withheld.own)
            touched += 1
        shown.append(record)
    return shown, touched


def _agreement_for(agreement: dict, withheld: _Withheld | None) -> dict:
    """The frozen report without the reader's unfinished documents. Its pooled figures cannot
    be recomputed from the frozen row, so they are withheld whole when a document was left out."""
    if withheld is None or not any(row["id"] in withheld.document_ids for row in agreement.get("documents", [])):
        return agreement
    return {
        **agreement,
        "documents": [row for row in agreement["documents"] if row["id"] not in withheld.document_ids],
        "overall": None,
        "labels": {},
        "pairs": [],
        "withheld": {"reason": BLIND_REVIEW_NOTE + "; the pooled figures are withheld with them"},
    }


def _manifest_for(release: Release, records: dict, withheld: _Withheld | None) -> dict:
    """The frozen manifest, its counts (and content hash) taken again from the records the
    reader may read when blind review withholds some, with a note saying so."""
    if withheld is None:
        return release.manifest
    layers = [layer for layer in release.manifest["layers"] if layer in records]
    shown, touched = {}, 0
    for layer in layers:
        shown[layer], withheld_here = _records_for(records[layer], records.get(DOCUMENT_IDS), withheld)
        touched = max(touched, withheld_here)
    if not touched:
        return release.manifest
    return {**release.manifest, **_counts(shown), "withheld": {"documents": touched, "reason": BLIND_REVIEW_NOTE}}


def releases_as_read(*, releases: list[Release], access: Access) -> list[Release]:
    """The releases as this reader may see them: under blind review their manifest's counts,
    content hash and agreement report leave out what the reader may not read (the frozen
    downloads do the same). Copies, never saved; records are read only when something is
    withheld (in one query for the lot), so a list costs nothing extra otherwise."""
    releases = list(releases)
    if not releases:
        return releases
    check(access, SEE_RELEASES, project=releases[0].project)
    withheld = _withheld_for(None, access)
    if withheld is None:
        return releases
    records = dict(Release.objects.filter(pk__in=[r.pk for r in releases]).values_list("pk", "records"))
    shown = []
    for release in releases:
        seen = copy.copy(release)  # Model.__getstate__ copies its state: the original is untouched
        seen.manifest = _manifest_for(release, records[release.pk], withheld)
        seen.content_sha256 = seen.manifest["content_sha256"]
        seen.agreement = _agreement_for(release.agreement, withheld)
        shown.append(seen)
    return shown


def release_render(
    *,
    release: Release,
    fmt: str,
    layer: str = Layer.GOLD,
    offset_unit: str = "codepoint",
    access: Access,
    csv_safety: str = "spreadsheet",
    manifest_out: dict | None = None,
    render_options: dict | None = None,
) -> bytes:
    """The release as one file, rendered from its frozen row only: the same bytes every time
    for the same reader. Export formats take `layer` (gold, or individual when the release has
    it) and `offset_unit`. For a reader (`access`) under blind review other members' spans on
    the documents they have not finished are left out, and the manifest says so. `manifest_out`
    receives an export format's manifest with its content_sha256 (for the response headers)."""
    check(access, SEE_RELEASES, project=release.project)
    withheld = _withheld_for(release, access)
    if fmt == "manifest":
        return _canonical(_manifest_for(release, release.records, withheld)) + b"\n"
    if fmt == "agreement":
        return _canonical(_agreement_for(release.agreement, withheld)) + b"\n"
    if fmt == "provenance":
        provenance = [r for r in release.records["provenance"] if withheld is None or not withheld.hides(r)]
        return b"".join(_canonical(record) + b"\n" for record in provenance)
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput({"format": [f"Use one of: {', '.join(sorted(release_files()))}."]})
    if layer not in Layer.values or layer not in release.records:
        raise InvalidInput({"layer": [f"This release holds: {', '.join(release.manifest['layers'])}."]})
    if problem := offset_unit_problem(fmt, offset_unit):
        raise InvalidInput({"offset_unit": [problem]})
    if csv_safety not in CSV_SAFETY:
        raise InvalidInput({"csv_safety": [f"Use one of: {', '.join(CSV_SAFETY)}."]})
    frozen = release.manifest
    summary = frozen["layers"][layer]
    records, touched = _records_for(release.records[layer], release.records.get(DOCUMENT_IDS), withheld)
    extra = {"release": {**frozen["release"], "content_sha256": summary["content_sha256"]}}
    if touched:
        summary = content_summary(records)
        extra["release"]["content_sha256"] = summary["content_sha256"]
        extra["withheld"] = {"documents": touched, "reason": BLIND_REVIEW_NOTE}
    manifest = manifest_build(
        project_id=release.project_id,
        project_name=frozen["project"]["name"],
        format=fmt,
        layer=layer,
        filters={},
        offset_unit=offset_unit,
        last_changed_at=frozen["last_changed_at"],
        documents=summary["documents"],
        spans=summary["spans"],
        extra=extra,
        csv_safety=csv_safety,
    )
    render_options = dict(render_options or {})
    if getattr(export_format(fmt).module, "WANTS_ATTACHMENTS", False):  # a package
        agreement = _canonical(_agreement_for(release.agreement, withheld)) + b"\n"
        # the guidelines are not frozen with a release: the project's current ones
        render_options["attachments"] = (("agreement.json", agreement), ("guidelines.md", release.project.guidelines.encode()))
    options = RenderOptions(offset_unit=offset_unit, csv_safety=csv_safety, **render_options)
    if manifest_out is not None:
        manifest_out.update(manifest, content_sha256=summary["content_sha256"])
    return export_format(fmt).render_bytes(records, manifest, options)
