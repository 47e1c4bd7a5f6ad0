"""Reads of the sources view and the claim map, through the blind-review rule of every bulk read
(permissions.readable_spans): an annotator counts only their own attributions, a reviewer still
at work on a blind document does not count the others' spans on it."""
from collections import Counter, defaultdict

from annotate.models import DisputeBasis, Document, Label, Layer, Span, SpanLink
from annotate.permissions import SEE_SOURCES, Access, check, readable_spans
from annotate.suggestions.rules import rules_for

from .models import SourceMerge
from .normalise import NO_SOURCE, display_name, source_key

LAYERS = (Layer.INDIVIDUAL, Layer.GOLD)


def _layer(layer: str | None) -> str:
    from annotate.errors import invalid

    layer = layer or Layer.INDIVIDUAL
    if layer not in LAYERS:
        raise invalid("layer", f"One of {', '.join(LAYERS)}.")
    return layer


def merges_of(project_id: int) -> dict[str, str]:
    return dict(SourceMerge.objects.filter(project_id=project_id).values_list("key", "into"))


def _verb_of(cue: str, verbs: frozenset[str]) -> str:
    """How the source is made to speak: the cue's reporting verb ("said", "claimed"), if any."""
    words = [word.strip(".,;:“”\"'").lower() for word in cue.split()]
    if "according" in words:
        return "according to"
    return next((word for word in words if word in verbs), "")


def own_variants(key: str, variants: Counter) -> Counter:
    """The forms of the group's own key (a merged group is named after the source it was merged into)."""
    own = Counter({variant: count for variant, count in variants.items() if source_key(variant) == key})
    return own or variants


def project_sources(*, access: Access, layer: str | None = None) -> dict:
    """Every source the project's visible attributions name, grouped by key (and merges), with
    how many attributions each has, in how many documents, per outlet, per month, how they are
    made to speak (the cue's verb) and what their words are labelled (assertion or disputed).
    Identical attributions (same document, offsets, source) by several reviewers count once."""
    check(access, SEE_SOURCES)
    layer = _layer(layer)
    merges = merges_of(access.project_id)
    rules = rules_for("en")
    spans = (
        Span.objects.filter(readable_spans(access=access), document__project_id=access.project_id, layer=layer,
                            label=Label.ATTRIBUTION)
        .values_list("pk", "document_id", "start", "end", "source", "quote", "document__outlet", "document__published_on")
    )
    content_labels: dict[int, Counter] = defaultdict(Counter)
    links = SpanLink.objects.filter(
        readable_spans(access=access, prefix="target__"),
        attribution__document__project_id=access.project_id, attribution__layer=layer,
    ).values_list("attribution_id", "target__label")
    for attribution_id, label in links:
        content_labels[attribution_id][label] += 1
    groups: dict[str, dict] = {}
    seen: set[tuple] = set()
    for pk, document_id, start, end, source, cue, outlet, published_on in spans.iterator(chunk_size=2000):
        key = source_key(source)
        key = merges.get(key, key)
        identity = (document_id, start, end, key)
        if identity in seen:
            continue
        seen.add(identity)
        group = groups.setdefault(key, {
            "key": key, "variants": Counter(), "keys": set(), "attributions": 0, "documents": set(),
            "outlets": Counter(), "months": Counter(), "verbs": Counter(), "content": Counter(),
        })
        group["attributions"] += 1
        if source.strip():
            group["variants"][source.strip()] += 1
        group["keys"].add(source_key(source))
        group["documents"].add(document_id)
        group["outlets"][outlet or "(no outlet)"] += 1
        group["months"][published_on.strftime("%Y-%m") if published_on else "undated"] += 1
        verb = _verb_of(cue, rules.reporting_verbs) if rules else ""
        group["verbs"][verb or "(no verb)"] += 1
        group["content"].update(content_labels.get(pk, {}))
    sources = []
    for key, group in groups.items():
        sources.append({
            "key": key,
            "name": display_name(own_variants(key, group["variants"])) if key != NO_SOURCE else "(source not given)",
            "variants": dict(group["variants"].most_common()),
            "merged_keys": sorted(k for k in group["keys"] if k != key),
            "attributions": group["attributions"],
            "documents": len(group["documents"]),
            "outlets": dict(group["outlets"].most_common()),
            "months": dict(sorted(group["months"].items())),
            "verbs": dict(group["verbs"].most_common()),
            "content_labels": dict(group["content"].most_common()),
        })
    sources.sort(key=lambda s: (-s["attributions"], s["name"].casefold()))
    documents = defaultdict(int)
    for document_id, _, _, _ in seen:
        documents[document_id] += 1
    titles = dict(Document.objects.filter(pk__in=list(documents)).values_list("pk", "title"))
    claim_maps = sorted(({"document": pk, "title": titles.get(pk, ""), "attributions": n} for pk, n in documents.items()),
                        key=lambda d: (-d["attributions"], d["title"].casefold()))
    return {"layer": layer, "sources": sources, "documents": claim_maps, "merges": [{"key": k, "into": v} for k, v in sorted(merges.items())]}


def document_claims(*, document: Document, access: Access, layer: str | None = None) -> dict:
    """The document's claim map: each visible attribution with its source and the content it
    attributes, and each disputed claim with its basis and evidence, in text order."""
    check(access, SEE_SOURCES)
    layer = _layer(layer)
    visible = Span.objects.filter(readable_spans(access=access), document_id=document.pk, layer=layer)
    rows = list(visible.select_related("annotator").order_by("start", "end", "id"))
    by_id = {span.pk: span for span in rows}
    targets = defaultdict(list)
    for attribution_id, target_id in SpanLink.objects.filter(
        attribution_id__in=[s.pk for s in rows if s.label == Label.ATTRIBUTION]
    ).order_by("id").values_list("attribution_id", "target_id"):
        if target_id in by_id:
            targets[attribution_id].append(by_id[target_id])
    merges = merges_of(document.project_id)
    attributions, disputed = [], []
    for span in rows:
        if span.label == Label.ATTRIBUTION:
            key = source_key(span.source)
            attributions.append({
                "id": span.pk, "cue": span.quote, "start": span.start, "end": span.end, "source": span.source,
                "source_key": merges.get(key, key), "annotator": span.annotator.username, "note": span.note,
                "content": [
                    {"id": t.pk, "label": t.label, "quote": t.quote, "start": t.start, "end": t.end}
                    for t in targets[span.pk]
                ],
            })
        elif span.label == Label.DISPUTED:
            disputed.append({
                "id": span.pk, "quote": span.quote, "start": span.start, "end": span.end,
                "dispute_basis": span.dispute_basis, "dispute_basis_label": DisputeBasis(span.dispute_basis).label if span.dispute_basis else "",
                "evidence_links": span.evidence_links, "note": span.note,
                "annotator": span.annotator.username,
            })
    return {"document": document.pk, "layer": layer, "attributions": attributions, "disputed": disputed}


def sources_csv_rows(result: dict):
    """One row a source: the columns of the sources CSV (see docs/sources.md)."""
    yield ("source", "key", "attributions", "documents", "outlets", "months", "verbs", "content_labels", "variants", "merged_keys")
    join = lambda counts: "; ".join(f"{k}: {v}" for k, v in counts.items())  # noqa: E731
    for source in result["sources"]:
        yield (
            source["name"], source["key"], source["attributions"], source["documents"], join(source["outlets"]),
            join(source["months"]), join(source["verbs"]), join(source["content_labels"]), join(source["variants"]), " | ".join(source["merged_keys"]),
        )

