"""Rendering alone (no database): each export format over the same in-memory records, beside
jsonl, the cheapest renderer, measured in the same run as the reference.

Run: .venv/bin/python bench/render_formats.py [--documents 5000] [--spans 20]
The records are like bench/export.py's project (texts of about 4 KB from _common.make_text, two
annotators, spans on word boundaries). Prints seconds per format, the ratio to jsonl, and the tokenizer alone (conll's floor).
"""
import argparse
import os
import random
import sys
import time

from _common import django_setup, make_text


def records(documents: int, spans: int) -> list[dict]:
    from annotate.datasets.tokenize import tokenize
    from annotate.offsets import sha256_hex

    rng = random.Random(1)
    out = []
    for n in range(documents):
        text = make_text(rng)
        tokens = tokenize(text)
        chosen = sorted(rng.sample(range(len(tokens) - 4), spans))
        spans_ = []
        for i, first in enumerate(chosen):
            start, end = tokens[first][0], tokens[first + rng.randint(0, 3)][1]
            spans_.append({
                "start": start, "end": end, "label": ("assertion", "attribution", "disputed")[i % 3],
                "quote": text[start:end], "annotator": ("ann1", "ann2")[i % 2], "layer": "individual", "note": "",
                "source": "", "dispute_basis": "", "evidence_links": [], "links": [],
            })  # fmt: skip
        out.append({
            "external_id": f"bench-{n}", "title": f"Story {n}", "outlet": ("AFP", "Reuters")[n % 2], "source_url": "",
            "author": "", "published_on": None, "language": "en", "text_sha256": sha256_hex(text), "text": text,
            "spans": spans_,
        })  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--spans", type=int, default=20)
    parser.add_argument("--formats", default="jsonl,conll,csv,w3c,spacy,package")
    args = parser.parse_args()
    django_setup()
    from annotate.datasets.records import RenderOptions
    from annotate.datasets.registry import export_format

    data = records(args.documents, args.spans)
    manifest = {"format": "x", "project": {"name": "bench"}, "layer": "individual", "spans": 0}
    print(f"{args.documents} documents x {args.spans} spans; load average {os.getloadavg()[0]:.1f} (2 cores)")
    from annotate.datasets.tokenize import token_columns

    started = time.perf_counter()
    for record in data:
        token_columns(record["text"])
    tokenizing = time.perf_counter() - started  # what conll cannot do without: one regex pass per text
    reference = None
    for name in args.formats.split(","):
        started = time.perf_counter()
        size = len(export_format(name).render_bytes(data, {**manifest, "format": name, "format_version": 1}, RenderOptions()))
        seconds = time.perf_counter() - started
        reference = reference or seconds
        print(f"{name:<10}{seconds:>8.2f} s{size / 1e6:>8.1f} MB{seconds / reference:>8.2f} x jsonl")
        sys.stdout.flush()
    print(f"{'tokenize':<10}{tokenizing:>8.2f} s  (annotate.datasets.tokenize over every text: conll's floor)")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
