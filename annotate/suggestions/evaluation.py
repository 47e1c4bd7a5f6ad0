"""Precision and recall of suggestions against human spans: exact and overlap, cue and content apart."""
from dataclasses import dataclass

from .engine import Proposal


@dataclass(frozen=True)
class Scores:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _matched(predicted: list[tuple[int, int]], gold: list[tuple[int, int]], overlap: bool) -> int:
    """Gold spans found, each predicted span matching at most one gold span (greedy in text order)."""
    free = list(gold)
    found = 0
    for start, end in sorted(predicted):
        for candidate in free:
            if (start, end) == candidate or (overlap and start < candidate[1] and candidate[0] < end):
                free.remove(candidate)
                found += 1
                break
    return found


def score(predicted: list[tuple[int, int]], gold: list[tuple[int, int]], overlap: bool) -> Scores:
    return Scores(_matched(predicted, gold, overlap), len(predicted), len(gold))


def cues_and_contents(proposals: list[Proposal]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    cues = [(p.cue.start, p.cue.end) for p in proposals if p.cue]
    contents = [(c.start, c.end) for p in proposals for c in p.contents]
    return cues, contents


def add(a: Scores, b: Scores) -> Scores:
    return Scores(a.true_positives + b.true_positives, a.predicted + b.predicted, a.gold + b.gold)
