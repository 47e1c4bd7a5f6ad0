"""package: a zip a data scientist opens without glue code: data files, manifest, agreement,
guidelines and a Hugging Face dataset card.

    README.md           dataset card: YAML header (license, configs/data_files, dataset_info
                        features) so `datasets.load_dataset("unzipped/")` loads it, then the text
    manifest.json       the export's manifest with content_sha256, the split and every file's
                        documents, spans and SHA-256
    data/train.jsonl    the jsonl export (format_version 2) of each split: train, validation, test
    <format>/<split>.<extension>   further formats on request (formats=conll,spacy)
    agreement.json      the agreement report (what the reader may see of it)
    guidelines.md       the project's annotation guidelines

Splits (`split=80,10,10&seed=7`) are by document, stratified by outlet: within each outlet the
documents are ordered by SHA-256 of (seed, text_sha256, external_id) and cut at the percentages,
so the same seed gives the same split on any machine and a document keeps its split when others
are added. Without `split` everything is in `train`. A split with no documents has no file.
The zip's members carry a fixed date, so the same records give the same bytes.
"""
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

from annotate.datasets.records import ContentDigest, RenderOptions, compact_json, compact_json_bytes, zip_member

DESCRIPTION = "Dataset package (zip: jsonl, manifest, agreement, guidelines, Hugging Face card)"  # what the export form shows
MEDIA_TYPE = "application/zip"
EXTENSION = "zip"
OFFSET_UNITS = ("codepoint",)
FORMAT_VERSION = 1
WANTS_ATTACHMENTS = True  # the caller adds agreement.json and guidelines.md (RenderOptions.attachments)
SPLITS = ("train", "validation", "test")
LICENSE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,63}$")  # Hugging Face licence identifiers: cc-by-4.0, mit, other
STRING = {"dtype": "string"}
FEATURES = [
    *({"name": name, **STRING} for name in ("external_id", "title", "outlet", "source_url", "author", "published_on", "language", "text_sha256", "text")),
    {"name": "spans", "list": [
        {"name": "start", "dtype": "int64"}, {"name": "end", "dtype": "int64"},
        *({"name": name, **STRING} for name in ("label", "quote", "annotator", "layer", "note", "source", "dispute_basis")),
        {"name": "evidence_links", "list": "string"}, {"name": "links", "list": "int64"},
    ]},
]  # fmt: skip


def split_indexes(records: list[dict], ratios: tuple[int, int, int] | None, seed: int) -> dict[str, list[int]]:
    """{split: [record index, in export order]}: by document, stratified by outlet (module docstring)."""
    if ratios is None:
        return {"train": list(range(len(records)))}
    by_outlet: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_outlet.setdefault(record["outlet"], []).append(index)
    out: dict[str, list[int]] = {name: [] for name in SPLITS}
    for outlet in sorted(by_outlet):
        ordered = sorted(by_outlet[outlet], key=lambda i: (_draw(seed, records[i]), i))
        n = len(ordered)
        first, second = round(n * ratios[0] / 100), round(n * (ratios[0] + ratios[1]) / 100)
        out["train"] += ordered[:first]
        out["validation"] += ordered[first:second]
        out["test"] += ordered[second:]
    return {name: sorted(indexes) for name, indexes in out.items()}


def _draw(seed: int, record: dict) -> str:
    return hashlib.sha256(f"{seed}\0{record['text_sha256']}\0{record['external_id']}".encode()).hexdigest()


def _yaml_string(value: str) -> str:
    return compact_json(value)  # a JSON string is a YAML string


def _yaml_features(features: list, indent: str) -> list[str]:
    lines = []
    for feature in features:
        lines.append(f"{indent}- name: {feature['name']}")
        if "dtype" in feature:
            lines.append(f"{indent}  dtype: {feature['dtype']}")
        elif isinstance(feature["list"], str):
            lines.append(f"{indent}  list: {feature['list']}")
        else:
            lines.append(f"{indent}  list:")
            lines += _yaml_features(feature["list"], indent + "  ")
    return lines


def dataset_card(manifest: dict, files: dict[str, dict], splits: dict[str, list[int]], license: str) -> str:
    header = ["---", f"license: {license}", "configs:", "- config_name: default", "  data_files:"]
    for name in splits:
        header += [f"  - split: {name}", f"    path: data/{name}.jsonl"]
    header += ["dataset_info:", "  features:", *_yaml_features(FEATURES, "  "), "  splits:"]
    for name in splits:
        header += [f"  - name: {name}", f"    num_examples: {files[f'data/{name}.jsonl']['documents']}"]
    header.append("---")
    project = manifest["project"]["name"]
    rows = "\n".join(
        f"| `{path}` | {info['documents']} | {info['spans']} |" for path, info in files.items()
    )
    body = f"""
# {project} ({manifest['layer']} layer)

Labelled news texts exported by annotate: assertions, attributions and disputed claims, with exact
character offsets (Unicode code points, half-open `[start, end)`; every span's `quote` equals
`text[start:end]`). One row per document; `spans` holds its labels. Licence: `{license}`.

| File | Documents | Spans |
|---|---|---|
{rows}

`manifest.json` states the filters, counts, split and every file's SHA-256 (content_sha256:
{manifest.get('content_sha256', '')}); `agreement.json` is the inter-annotator agreement report and
`guidelines.md` the guidelines the annotators followed.

```python
import datasets, pandas
ds = datasets.load_dataset("path/to/this/folder")        # splits: {', '.join(splits)}
frame = pandas.read_json("data/train.jsonl", lines=True, dtype=False)
```

Fields: `external_id`, `title`, `outlet`, `source_url`, `author`, `published_on` (YYYY-MM-DD or
null), `language`, `text_sha256`, `text`, `spans` (`start`, `end`, `label`, `quote`,
`annotator`, `layer`, `note`, `source`, `dispute_basis`, `evidence_links`, `links`: indexes of
linked spans in the same row). Formats: docs/export-formats.md in annotate.
"""
    return "\n".join(header) + "\n" + body



def render(records: Iterable[dict], manifest: dict, options: RenderOptions) -> Iterator[bytes]:
    from annotate.datasets.registry import export_format  # the registry imports this module

    if options.offset_unit != "codepoint":
        raise ValueError("A package's files count code points.")
    records = list(records)  # each split is rendered in several formats
    splits = {name: idx for name, idx in split_indexes(records, options.split, options.seed).items() if idx}
    digest = ContentDigest()
    for record in records:
        digest.add(record)
    files: dict[str, dict] = {}
    members: list[tuple[str, bytes]] = []
    counts: dict[str, int] = {}
    for fmt in ("jsonl", *options.formats):
        module = export_format(fmt)
        folder = "data" if fmt == "jsonl" else fmt
        for name, indexes in splits.items():
            part = [records[i] for i in indexes]
            summary = ContentDigest()
            for record in part:
                summary.add(record)
            part_manifest = {
                **manifest, "format": fmt, "format_version": module.format_version,
                "documents": summary.documents, "spans": summary.spans,
            }  # fmt: skip
            data = module.render_bytes(part, part_manifest, RenderOptions(offset_unit="codepoint"))
            path = f"{folder}/{name}.{module.extension}"
            files[path] = {**summary.summary(), "sha256": hashlib.sha256(data).hexdigest()}
            members.append((path, data))
            if hasattr(module.module, "counts"):
                for key, value in module.module.counts(part).items():
                    counts[key] = counts.get(key, 0) + value
    split = None
    if options.split is not None:
        split = {
            "percentages": dict(zip(SPLITS, options.split)), "seed": options.seed, "by": "document",
            "stratified_by": "outlet", "documents": {name: len(splits.get(name, [])) for name in SPLITS},
        }  # fmt: skip
    full = {**manifest, **counts, **digest.summary(), "split": split, "license": options.license, "files": files}
    full["formats"] = ["jsonl", *options.formats]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        zip_member(archive, "README.md", dataset_card(full, files, splits, options.license).encode("utf-8"))
        zip_member(archive, "manifest.json", compact_json_bytes(full) + b"\n")
        for name, data in options.attachments:
            zip_member(archive, name, data)
        for path, data in members:
            zip_member(archive, path, data)
    yield buffer.getvalue()


def package_options(*, formats: Iterable[str], split: str | None, seed: int, license: str) -> tuple[dict, dict[str, list[str]]]:
    """(RenderOptions fields, problems by parameter) from a request's `formats`, `split`, `seed`
    and `license` parameters."""
    from annotate.datasets.registry import EXPORT_FORMATS

    problems: dict[str, list[str]] = {}
    able = [name for name in EXPORT_FORMATS if name not in ("jsonl", "package")]
    chosen = tuple(sorted({name for name in formats if name and name != "jsonl"}))
    unknown = sorted(set(chosen) - set(able))
    if unknown:
        problems["formats"] = [f"Not a format a package holds: {', '.join(unknown)}. Use: {', '.join(able)}."]
    ratios = None
    if split:
        try:
            ratios = tuple(int(part) for part in split.split(","))
        except ValueError:
            ratios = ()
        if len(ratios) != 3 or min(ratios) < 0 or sum(ratios) != 100:
            problems["split"] = ["Three whole percentages for train, validation and test that add up to 100, e.g. 80,10,10."]
    if not LICENSE.match(license or ""):
        problems["license"] = ["A licence identifier as the Hugging Face hub takes it, e.g. cc-by-4.0, mit or other."]
    return {"formats": chosen, "split": ratios, "seed": seed, "license": license}, problems
