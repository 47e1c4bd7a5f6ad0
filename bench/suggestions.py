"""Suggested attributions: precision and recall on the evaluation set, and speed.

    .venv/bin/python bench/suggestions.py

Quality: bench/data/suggestions_eval.jsonl (written for this project, CC0; see docs/suggestions.md),
scored exact and by overlap, cues (attribution spans) and contents (the spans a cue attributes)
apart, plus how often a found cue names the same source. Speed: a 5 KB story and a 1 MB document,
each beside the floor measured in the same run (spaCy's tokenizer and sentencizer alone).
"""
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.suggestions.engine import _pipeline, suggest  # noqa: E402
from annotate.suggestions.evaluation import Scores, add, cues_and_contents, score  # noqa: E402

EVAL_SET = ROOT / "bench" / "data" / "suggestions_eval.jsonl"


def gold_of(item: dict):
    """(cues with sources, attributed contents) as offsets, from the quotes of the evaluation line."""
    text, cues, contents, starts = item["text"], [], [], []
    for span in item["spans"]:
        start = text.find(span["quote"])
        if start < 0:
            raise SystemExit(f"{item['id']}: quote not in text: {span['quote']!r}")
        starts.append((start, start + len(span["quote"])))
        if span["label"] == "attribution":
            cues.append(((start, start + len(span["quote"])), span.get("source", "")))
        elif span["label"] == "assertion" and "attributed_by" in span:
            contents.append((start, start + len(span["quote"])))
    return cues, contents


def quality(lines: list[dict]) -> dict:
    empty = Scores(0, 0, 0)
    totals = {(part, mode): empty for part in ("cue", "content") for mode in ("exact", "overlap")}
    sources_same = sources_compared = 0
    for item in lines:
        proposals = suggest(item["text"], item.get("language", "en"))
        predicted_cues, predicted_contents = cues_and_contents(proposals)
        gold_cues, gold_contents = gold_of(item)
        for mode in ("exact", "overlap"):
            totals["cue", mode] = add(totals["cue", mode], score(predicted_cues, [c for c, _ in gold_cues], mode == "overlap"))
            totals["content", mode] = add(totals["content", mode], score(predicted_contents, gold_contents, mode == "overlap"))
        for proposal in proposals:
            for (start, end), source in gold_cues:
                if proposal.cue and proposal.cue.start < end and start < proposal.cue.end:
                    sources_compared += 1
                    sources_same += proposal.cue.source.lower() == source.lower()
    return {"scores": totals, "sources": (sources_same, sources_compared)}


def timed(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def speed(lines: list[dict]) -> list[tuple[str, float, float, str]]:
    stories = " ".join(item["text"] for item in lines)
    story = (stories * (5000 // len(stories) + 1))[:5000]
    story = story[: story.rfind(". ") + 1]
    big = (stories + "\n\n") * (1_000_000 // (len(stories) + 2) + 1)
    big = big[:1_000_000]
    nlp, _ = _pipeline("en")
    suggest(story)  # warm the pipeline and the matcher
    rows = []
    for name, text, repeats, target in (("5 KB story", story, 20, "<100 ms"), ("1 MB document", big, 3, "<5000 ms")):
        floor = timed(lambda: nlp(text), repeats)
        ours = timed(lambda: suggest(text), repeats)
        rows.append((name, ours, floor, target))
    return rows


def main() -> None:
    lines = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"load average {os.getloadavg()[0]:.2f}")
    for split in ("dev", "test"):
        chosen = [line for line in lines if line.get("split") == split]
        result = quality(chosen)
        print(f"\n{split} split: {len(chosen)} stories ({'the rules were tuned on it' if split == 'dev' else 'held out: never used to tune the rules'})")
        print(f"{'part':8} {'match':8} {'precision':>9} {'recall':>7} {'F1':>6}  (found/predicted/gold)")
        for (part, mode), s in result["scores"].items():
            print(f"{part:8} {mode:8} {s.precision:9.2f} {s.recall:7.2f} {s.f1:6.2f}  ({s.true_positives}/{s.predicted}/{s.gold})")
        same, compared = result["sources"]
        print(f"source named as the human did, of cues found: {same}/{compared}")
    print()
    print(f"{'speed':14} {'suggest':>10} {'floor (tokenize + sentences)':>30} target")
    for name, ours, floor, target in speed(lines):
        print(f"{name:14} {ours:8.1f} ms {floor:27.1f} ms  {target}")


if __name__ == "__main__":
    main()
