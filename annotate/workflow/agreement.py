"""Inter-annotator agreement as pure functions: span F1 (exact and overlap), Cohen's kappa and
Krippendorff's alpha on tokens. No database: callers pass texts and spans in.

Tokens: annotate.datasets.tokenize, the one tokenizer the CoNLL export uses too (words kept
whole, one token per other character, graphemes never split: "inflation", "3", "%", "📰"),
on the stored text (code points). A reviewer's value for a token
is the set of labels of the spans that overlap it (one nominal category per set, "none" when
no span covers it). Because most of a news text is unlabelled, most tokens are "none" for
everyone, which inflates token-level kappa and alpha: read them beside span F1.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import krippendorff
import numpy as np

from annotate.datasets.tokenize import tokenize as shared_tokenize
from annotate.models import Label

TOKENIZER_NOTE = "annotate.datasets.tokenize (the CoNLL export's tokenizer) on the stored text (Unicode code points)"

LABELS: tuple[str, ...] = tuple(Label.values)  # bit i of a token's value <=> label i covers it
INFLATION_NOTE = (
    "Token kappa and alpha count every token, and most tokens are unlabelled by everyone: that "
    "shared 'none' inflates them. Span F1 ignores unlabelled text."
)


@dataclass(frozen=True)
class SpanKey:
    label: str
    start: int
    end: int


@dataclass
class DocumentLayers:
    """One document's text and each reviewer's spans on it (only reviewers whose layer counts)."""

    document_id: int
    title: str
    text: str
    layers: dict[str, list[SpanKey]] = field(default_factory=dict)


def tokenize(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the tokens, in code points."""
    bounds = shared_tokenize(text)
    if not bounds:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    array = np.asarray(bounds, dtype=np.int64)
    return array[:, 0], array[:, 1]


def token_values(starts: np.ndarray, ends: np.ndarray, spans: Iterable[SpanKey]) -> np.ndarray:
    """One integer per token: bit i set when a span with LABELS[i] overlaps the token."""
    values = np.zeros(len(starts), dtype=np.int64)
    for span in spans:
        first = int(np.searchsorted(ends, span.start, side="right"))  # first token ending after start
        last = int(np.searchsorted(starts, span.end, side="left"))  # tokens starting before end
        if first < last:
            values[first:last] |= 1 << LABELS.index(span.label)
    return values


def _max_matching(a: Sequence[SpanKey], b: Sequence[SpanKey], overlap: bool) -> int:
    """Size of a maximum one-to-one matching of a's spans to b's (same label, and equal or
    overlapping offsets): Kuhn's augmenting paths, each span used at most once."""
    if not overlap:
        counts: dict[SpanKey, int] = defaultdict(int)
        for span in a:
            counts[span] += 1
        matched = 0
        for span in b:
            if counts[span] > 0:
                counts[span] -= 1
                matched += 1
        return matched
    edges = [
        [j for j, y in enumerate(b) if y.label == x.label and x.start < y.end and y.start < x.end] for x in a
    ]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(1 for i in range(len(a)) if edges[i] and augment(i, set()))


@dataclass
class SpanCounts:
    """Pooled (micro) counts for span F1: matches and the two reviewers' span totals."""

    exact: int = 0
    overlap: int = 0
    total: int = 0  # spans of both reviewers together

    def add(self, a: Sequence[SpanKey], b: Sequence[SpanKey]) -> None:
        self.exact += _max_matching(a, b, overlap=False)
        self.overlap += _max_matching(a, b, overlap=True)
        self.total += len(a) + len(b)


def span_f1(matches: int, total: int) -> tuple[float | None, str | None]:
    """F1 = 2·matches / (spans of A + spans of B): precision and recall taking either reviewer as
    the reference give the same F1."""
    if total == 0:
        return None, "Neither reviewer marked a span."
    return 2 * matches / total, None


def cohen_kappa(x: np.ndarray, y: np.ndarray) -> tuple[float | None, str | None]:
    """Cohen's kappa (1960) for two raters' nominal values (non-negative integers) on the same items:
    (p_o - p_e) / (1 - p_e), p_e from each rater's own category proportions."""
    if len(x) == 0:
        return None, "No tokens both reviewers labelled."
    # Values are small non-negative integers (label bit masks): count them directly.
    cx, cy = np.asarray(x, dtype=np.int64), np.asarray(y, dtype=np.int64)
    k = int(max(cx.max(), cy.max())) + 1
    n = len(x)
    observed = np.count_nonzero(cx == cy) / n
    expected = float(np.dot(np.bincount(cx, minlength=k), np.bincount(cy, minlength=k))) / (n * n)
    if expected >= 1.0:
        return None, "Both reviewers gave every token the same single value: chance agreement is 1."
    return float((observed - expected) / (1 - expected)), None


def krippendorff_alpha(reliability: np.ndarray) -> tuple[float | None, str | None]:
    """Nominal alpha over a coders × units matrix of non-negative integer values (NaN = the
    coder did not label that unit), computed by the `krippendorff` package."""
    if reliability.size == 0:
        return None, "No tokens were labelled by two or more reviewers."
    pairable = np.count_nonzero(~np.isnan(reliability), axis=0) >= 2
    if not pairable.any():
        return None, "No tokens were labelled by two or more reviewers."
    reliability = reliability[:, pairable]
    present = ~np.isnan(reliability)
    raw = reliability[present].astype(np.int64)  # values are non-negative integers (label masks)
    seen = np.bincount(raw)
    values = np.flatnonzero(seen)
    lookup = np.zeros(len(seen), dtype=np.int64)
    lookup[values] = np.arange(len(values))
    codes = lookup[raw]
    if len(values) < 2:
        return None, "Every token has the same value for every reviewer: alpha needs variation."
    # The package's value_counts input (units x values: how many coders gave each value) is
    # several times faster than its reliability_data input on long documents; the same alpha.
    units = np.broadcast_to(np.arange(reliability.shape[1]), reliability.shape)[present]
    value_counts = np.bincount(units * len(values) + codes.ravel(), minlength=reliability.shape[1] * len(values))
    value_counts = value_counts.reshape(reliability.shape[1], len(values))
    return float(krippendorff.alpha(value_counts=_merge_unanimous(value_counts), level_of_measurement="nominal")), None


def _merge_unanimous(value_counts: np.ndarray) -> np.ndarray:
    """The same coincidences in far fewer units: a unit where all m coders gave value v adds
    exactly m to o[v, v] (m(m-1)/(m-1)), so every unanimous unit of value v can be merged into
    one unit whose coders are all of theirs. Most tokens are unanimous ("none" for everyone),
    so the package then works on the disagreements plus one row per value."""
    coders = value_counts.sum(axis=1)
    unanimous = value_counts.max(axis=1) == coders
    totals = value_counts[unanimous].sum(axis=0)
    merged = np.diag(totals)[totals > 0]
    return np.vstack([value_counts[~unanimous], merged])


def _measure(counts: SpanCounts, kappa, alpha) -> dict:
    exact, exact_reason = span_f1(counts.exact, counts.total)
    overlap, overlap_reason = span_f1(counts.overlap, counts.total)
    reasons = {
        "span_f1_exact": exact_reason,
        "span_f1_overlap": overlap_reason,
        "cohen_kappa": kappa[1],
        "krippendorff_alpha": alpha[1],
    }
    return {
        "span_f1_exact": _round(exact),
        "span_f1_overlap": _round(overlap),
        "cohen_kappa": _round(kappa[0]),
        "krippendorff_alpha": _round(alpha[0]),
        "spans": counts.total,
        "undefined": {name: reason for name, reason in reasons.items() if reason},
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _light_kappa(kappas: list[tuple[float | None, str | None]]) -> tuple[float | None, str | None]:
    """Light's (1971) kappa: the mean of the pairwise Cohen's kappas that are defined."""
    defined = [value for value, _ in kappas if value is not None]
    if not kappas:
        return None, "No two reviewers labelled the same document."
    if not defined:
        return None, kappas[0][1]
    return sum(defined) / len(defined), None


class _Prepared:
    """Token values of every layer of every document, computed once."""

    def __init__(self, documents: Sequence[DocumentLayers]):
        self.documents = documents
        self.pairs: dict[tuple, dict] = {}
        self.values: dict[int, dict[str, np.ndarray]] = {}
        self.spans_by_label: dict[tuple[int, str], dict[str, list[SpanKey]]] = {}
        for document in documents:
            starts, ends = tokenize(document.text)
            self.values[document.document_id] = {
                user: token_values(starts, ends, spans) for user, spans in document.layers.items()
            }
            for user, spans in document.layers.items():
                grouped: dict[str, list[SpanKey]] = {label: [] for label in LABELS}
                for span in spans:
                    grouped[span.label].append(span)
                self.spans_by_label[(document.document_id, user)] = grouped


def _label_view(values: np.ndarray, label: str | None) -> np.ndarray:
    return values if label is None else (values >> LABELS.index(label)) & 1


def _pair_measure(
    prepared: _Prepared, a: str, b: str, docs: list[DocumentLayers], label: str | None, with_alpha: bool = True
) -> dict:
    """Span counts and kappa of one pair on their shared documents (and the pair's alpha, the
    slow part, only when asked: group measures take alpha across all reviewers instead)."""
    key = (a, b, label, tuple(d.document_id for d in docs), with_alpha)
    if key not in prepared.pairs:
        prepared.pairs[key] = _compute_pair(prepared, a, b, docs, label, with_alpha)
    return prepared.pairs[key]


def _compute_pair(prepared: _Prepared, a: str, b: str, docs, label: str | None, with_alpha: bool) -> dict:
    counts = SpanCounts()
    xs, ys = [], []
    for document in docs:
        labels = LABELS if label is None else (label,)
        span_a = prepared.spans_by_label[(document.document_id, a)]
        span_b = prepared.spans_by_label[(document.document_id, b)]
        for name in labels:
            counts.add(span_a[name], span_b[name])
        xs.append(_label_view(prepared.values[document.document_id][a], label))
        ys.append(_label_view(prepared.values[document.document_id][b], label))
    x = np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64)
    y = np.concatenate(ys) if ys else np.zeros(0, dtype=np.int64)
    kappa = cohen_kappa(x, y)
    alpha: tuple[float | None, str | None] = (None, "Not computed.")
    if with_alpha:
        alpha = krippendorff_alpha(np.vstack([x, y]).astype(float)) if len(x) else (None, "No shared tokens.")
    return {"measure": _measure(counts, kappa, alpha), "kappa": kappa, "counts": counts}


def _group_measure(prepared: _Prepared, docs: Sequence[DocumentLayers], users: list[str], label: str | None) -> dict:
    """Pooled span F1 and Light's kappa over every pair, alpha across all reviewers at once."""
    counts = SpanCounts()
    kappas = []
    for a, b in combinations(users, 2):
        shared = [d for d in docs if a in d.layers and b in d.layers]
        if not shared:
            continue
        result = _pair_measure(prepared, a, b, shared, label, with_alpha=False)
        counts.exact += result["counts"].exact
        counts.overlap += result["counts"].overlap
        counts.total += result["counts"].total
        kappas.append(result["kappa"])
    columns = []
    for document in docs:
        layers = prepared.values[document.document_id]
        if len(layers) < 2:
            continue
        n_tokens = len(next(iter(layers.values())))
        block = np.full((len(users), n_tokens), np.nan)
        for row, user in enumerate(users):
            if user in layers:
                block[row] = _label_view(layers[user], label)
        columns.append(block)
    reliability = np.hstack(columns) if columns else np.zeros((len(users), 0))
    measure = _measure(counts, _light_kappa(kappas), krippendorff_alpha(reliability))
    if not kappas:  # no pair shares a document: say that, not "no spans"
        for name in ("span_f1_exact", "span_f1_overlap"):
            measure["undefined"][name] = "No two reviewers labelled the same document."
    return measure


def agreement_report(documents: Sequence[DocumentLayers]) -> dict:
    """The agreement report: {"overall": M, "labels": {label: M}, "pairs": [{"a", "b", "documents",
    "labels", ...M}], "documents": [{"id", "title", "reviewers", ...M}], "reviewers", "notes"}.

    Each M holds span_f1_exact, span_f1_overlap, cohen_kappa (Light's mean of pairwise kappas
    outside a pair), krippendorff_alpha (nominal, tokens), spans (the span count behind F1) and
    `undefined`: {measure: reason} for each measure that is null."""
    prepared = _Prepared(documents)
    users = sorted({user for document in documents for user in document.layers})
    pairs = []
    for a, b in combinations(users, 2):
        shared = [d for d in documents if a in d.layers and b in d.layers]
        if not shared:
            continue
        pair = {"a": a, "b": b, "documents": len(shared)}
        pair.update(_pair_measure(prepared, a, b, shared, None)["measure"])
        pair["labels"] = {label: _pair_measure(prepared, a, b, shared, label)["measure"] for label in LABELS}
        pairs.append(pair)
    per_document = []
    for document in documents:
        reviewers = sorted(document.layers)
        if len(reviewers) < 2:
            continue
        entry = {"id": document.document_id, "title": document.title, "reviewers": reviewers}
        entry.update(_group_measure(prepared, [document], reviewers, None))
        per_document.append(entry)
    # Most disagreement first: the lowest overlap F1 (undefined last), then the lowest alpha.
    per_document.sort(
        key=lambda d: (
            d["span_f1_overlap"] is None,
            d["span_f1_overlap"] if d["span_f1_overlap"] is not None else 0,
            d["krippendorff_alpha"] if d["krippendorff_alpha"] is not None else 1,
            d["id"],
        )
    )
    return {
        "reviewers": users,
        "documents_compared": sum(1 for d in documents if len(d.layers) >= 2),
        "overall": _group_measure(prepared, documents, users, None),
        "labels": {label: _group_measure(prepared, documents, users, label) for label in LABELS},
        "pairs": pairs,
        "documents": per_document,
        "notes": {
            "tokenizer": TOKENIZER_NOTE,
            "kappa_inflation": INFLATION_NOTE,
            "overall_kappa": "Outside a pair, cohen_kappa is Light's kappa: the mean of the pairwise kappas.",
            "span_f1": "Micro average: matches and spans pooled over labels, documents and pairs; "
            "each span matched at most once.",
        },
    }
