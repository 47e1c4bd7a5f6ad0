"""Agreement speed and exactness: the full report on a synthetic project, against a plain-Python
reference (per-token lists, Cohen's formula and Krippendorff's coincidence matrix written out)
measured in the same run on the same data; the two must give the same numbers.

    .venv/bin/python bench/agreement.py [--documents 500] [--reviewers 3] [--chars 4000]
"""
import argparse
import os
import random
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
import django  # noqa: E402

django.setup()

from annotate.datasets.tokenize import tokenize  # noqa: E402  (the report's own tokenizer)
from annotate.workflow.agreement import (  # noqa: E402
    LABELS,
    DocumentLayers,
    SpanKey,
    _group_measure,
    _Prepared,
    agreement_report,
)

WORDS = "the ministry said that inflation fell to 3% in May while critics 📰 disputed the figure".split()


def make_documents(n_documents: int, n_reviewers: int, chars: int, seed: int = 7) -> list[DocumentLayers]:
    rng = random.Random(seed)
    reviewers = [f"reviewer{i}" for i in range(n_reviewers)]
    documents = []
    for d in range(n_documents):
        text = ""
        while len(text) < chars:
            text += " ".join(rng.choice(WORDS) for _ in range(14)) + ". "
        words = tokenize(text)
        truth = []
        for _ in range(chars // 150):
            i = rng.randrange(len(words) - 8)
            truth.append(SpanKey(rng.choice(LABELS), words[i][0], words[i + rng.randrange(1, 8)][1]))
        layers = {}
        for reviewer in reviewers:
            spans = []
            for span in truth:
                roll = rng.random()
                if roll < 0.15:
                    continue  # missed
                if roll < 0.35:  # a different extent
                    spans.append(SpanKey(span.label, span.start, max(span.start + 1, span.end - rng.randrange(1, 6))))
                else:
                    spans.append(span)
            layers[reviewer] = spans
        documents.append(DocumentLayers(document_id=d, title=f"doc {d}", text=text, layers=layers))
    return documents


def reference_report(documents: list[DocumentLayers]) -> dict:
    """Overall kappa (Light's) and alpha the plain way, for comparison."""

    def values(document, spans):
        tokens = tokenize(document.text)
        out = []
        for start, end in tokens:
            mask = 0
            for span in spans:
                if span.start < end and start < span.end:
                    mask |= 1 << LABELS.index(span.label)
            out.append(mask)
        return out

    per_doc = {d.document_id: {u: values(d, s) for u, s in d.layers.items()} for d in documents}
    users = sorted({u for d in documents for u in d.layers})
    kappas = []
    for a, b in combinations(users, 2):
        x, y = [], []
        for d in documents:
            if a in d.layers and b in d.layers:
                x += per_doc[d.document_id][a]
                y += per_doc[d.document_id][b]
        n = len(x)
        p_o = sum(1 for i in range(n) if x[i] == y[i]) / n
        cx, cy = Counter(x), Counter(y)
        p_e = sum(cx[c] * cy[c] for c in set(cx) | set(cy)) / (n * n)
        kappas.append((p_o - p_e) / (1 - p_e))
    coincidence: Counter = Counter()
    for d in documents:
        layers = list(per_doc[d.document_id].values())
        if len(layers) < 2:
            continue
        m = len(layers)
        for t in range(len(layers[0])):
            unit = [layer[t] for layer in layers]
            for i in range(m):
                for j in range(m):
                    if i != j:
                        coincidence[(unit[i], unit[j])] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), value in coincidence.items():
        n_c[c] += value
    n = sum(n_c.values())
    disagree = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    alpha = 1 - (n - 1) * disagree / expected
    return {"cohen_kappa": sum(kappas) / len(kappas), "krippendorff_alpha": alpha}


def overall_only(documents: list[DocumentLayers]) -> dict:
    prepared = _Prepared(documents)
    users = sorted({u for d in documents for u in d.layers})
    return _group_measure(prepared, documents, users, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--chars", type=int, default=4000)
    args = parser.parse_args()
    documents = make_documents(args.documents, args.reviewers, args.chars)
    tokens = sum(len(tokenize(d.text)) for d in documents)
    spans = sum(len(s) for d in documents for s in d.layers.values())
    print(f"{args.documents} documents of {args.chars} chars, {args.reviewers} reviewers, {tokens} tokens, {spans} spans")

    started = time.perf_counter()
    report = agreement_report(documents)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    overall = overall_only(documents)
    ours_overall = time.perf_counter() - started
    started = time.perf_counter()
    reference = reference_report(documents)
    theirs = time.perf_counter() - started

    print(f"agreement_report (all measures, overall + per label + pairs + per document): {ours:.2f} s")
    print(f"ours, overall kappa and alpha only (the reference's work):                   {ours_overall:.2f} s")
    print(f"reference, plain Python (overall kappa and alpha only):                      {theirs:.2f} s")
    assert overall == report["overall"]
    for measure in ("cohen_kappa", "krippendorff_alpha"):
        print(f"  {measure}: ours {report['overall'][measure]:.6f}, reference {reference[measure]:.6f}")
        assert abs(report["overall"][measure] - reference[measure]) < 1e-6, measure
    print(f"  span F1 exact {report['overall']['span_f1_exact']:.4f}, overlap {report['overall']['span_f1_overlap']:.4f}")


if __name__ == "__main__":
    main()
