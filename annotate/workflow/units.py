"""Adjudication units: which of the reviewers' spans the adjudicator decides together.

The selector (selectors.adjudication_groups) groups spans by exact (label, start, end): a *group*
is one way of drawing a span, with the reviewers who drew it so. Here groups become:

- *marks*: one claim drawn a little differently by several reviewers. A group is another version
  of a mark when
    1. it carries the same label (an assertion and a disputed span over the same words are two
       readings, decided apart; the panel still shows each as what the other reviewer "marked
       instead"),
    2. it shares text with every version already in the mark, and that shared text holds at least
       one letter or digit (so the part every version covers, drawn as agreed, always exists; two
       claims that merely touch, or share a space, stay apart), and
    3. none of its reviewers already has a version in the mark (a reviewer who drew two spans there
       meant two claims).
  No limit on how far the edges are apart: a fact-checker reads "the minister said prices rose"
  and "prices rose" as the same claim drawn wider, however many words the difference is, and
  sees the difference drawn in the text and spelled out in the panel. Nested spans are therefore
  one mark (the inner one is the shared part). Three reviewers where A overlaps B and B overlaps C
  but A and C share nothing: B joins A's mark (marks are built in text order) and C stays a mark
  of its own, since no text is common to all three. A version that could join two marks joins the
  one it shares more text with.
  The version most reviewers drew leads (then the tighter, then the earlier): its extent and
  fields are what Accept puts into gold; every version's spans are the gold span's origins.
- *spanning versions*: where one reviewer drew a single span over what another drew as two (carol
  "A. B." as one assertion, dave "A." and "B."), carol's version joins the first mark (rule 3 keeps
  dave's second span out of it), and the second mark also lists it as *covered by* that version
  (same label, a letter or digit of the second mark's shared part inside it, none of its reviewers
  in the second mark, and some reviewer of the first mark in the second: someone drew them apart); the first mark lists it as *covering* the second. The page shows carol's
  one span in both marks, saying so, and each mark is still decided apart: a covering version is
  only shown in the mark it does not belong to, never accepted or rejected from there (that would
  silently decide the other unit), so a reviewer is still at most once among a mark's versions.
  Why not one unit for all three: accepting "A." and "B." is two gold spans with their own
  fields and links, which the adjudicator may well want to decide one at a time (or take one and
  reject the other); the one-span reading stays one keystroke away (select "A. B.", press E).
- *units*: marks joined by attribution links (an attribution and the content it introduces), one
  decision.

Each mark also lists its *pieces*: the characters only some of its versions cover, with who covers
them and who does not, which the page draws apart from the shared part and names; where a covering
version's piece reaches over another mark, the piece says which of it that mark's reviewers drew as
a span of their own (`apart`), so the page does not call it missed.
"""
from __future__ import annotations

from bisect import bisect_left


def _has_word(group: dict, start: int, end: int) -> bool:
    """Any letter or digit in [start, end), read from the group's quote (offsets in code points)."""
    return any(ch.isalnum() for ch in group["quote"][start - group["start"] : end - group["start"]])


def marks_of(groups: list[dict]) -> list[dict]:
    """Marks over `groups` (each with label, start, end, quote, reviewers): dicts with the group
    indices of their versions (lead first), the part all of them cover ([start, end]) and the pieces."""
    order = sorted(range(len(groups)), key=lambda i: (groups[i]["start"], groups[i]["end"], groups[i]["label"]))
    marks: list[dict] = []
    open_marks: list[dict] = []  # marks a later group (starting no earlier) could still share text with
    for i in order:
        group = groups[i]
        open_marks = [m for m in open_marks if m["core"][1] > group["start"]]
        best, best_shared = None, 0
        for mark in open_marks:
            if mark["label"] != group["label"] or mark["reviewers"] & set(group["reviewers"]):
                continue
            start, end = max(mark["core"][0], group["start"]), min(mark["core"][1], group["end"])
            if end - start > best_shared and _has_word(group, start, end):
                best, best_shared = mark, end - start
        if best is None:
            best = {"label": group["label"], "versions": [], "reviewers": set(), "core": (group["start"], group["end"])}
            marks.append(best)
            open_marks.append(best)
        best["versions"].append(i)
        best["reviewers"] |= set(group["reviewers"])
        best["core"] = (max(best["core"][0], group["start"]), min(best["core"][1], group["end"]))
    finished = [_finished(mark, groups) for mark in marks]
    _spanning(finished, marks, groups)
    return finished


def _spanning(finished: list[dict], marks: list[dict], groups: list[dict]) -> None:
    """Fill each mark's `covers` and `covered_by` ({"group", "mark"}): a version of one mark that is
    one span over another mark of the same label none of whose reviewers drew it (module docstring)."""
    for mark in finished:
        mark["covers"], mark["covered_by"] = [], []
    by_start = sorted(range(len(finished)), key=lambda m: finished[m]["shared"][0])
    starts = [finished[m]["shared"][0] for m in by_start]
    longest = max((m["shared"][1] - m["shared"][0] for m in finished), default=0)
    for m, mark in enumerate(finished):
        for i in mark["versions"]:
            group = groups[i]
            # Marks whose shared part starts before the version ends (and, being at most `longest`
            # long, does not end before it starts): bisect keeps this linear on a long document.
            lo = bisect_left(starts, group["start"] - longest)
            for other in by_start[lo : bisect_left(starts, group["end"])]:
                target = finished[other]
                start, end = max(target["shared"][0], group["start"]), min(target["shared"][1], group["end"])
                if (
                    other == m
                    or marks[other]["label"] != group["label"]
                    or end <= start
                    or marks[other]["reviewers"] & set(group["reviewers"])
                    or not _has_word(group, start, end)
                    or not (marks[other]["reviewers"] & marks[m]["reviewers"])  # nobody drew the two apart
                ):
                    continue
                mark["covers"].append({"group": i, "mark": other})
                target["covered_by"].append({"group": i, "mark": m})
                _drawn_apart(mark["pieces"], target, marks[other]["reviewers"])


def _drawn_apart(pieces: list[dict], target: dict, reviewers: set) -> None:
    """Note on each piece of a covering mark the stretch of it that `target`'s reviewers drew as a
    span of their own: they did not miss it (the page says "drew it as a separate span")."""
    for piece in pieces:
        start, end = max(piece["start"], target["shared"][0]), min(piece["end"], target["shared"][1])
        apart = sorted(reviewers.intersection(piece["missing"]))
        if start < end and apart:
            piece["apart"].append({"start": start, "end": end, "reviewers": apart})


def _finished(mark: dict, groups: list[dict]) -> dict:
    versions = sorted(
        mark["versions"],
        key=lambda i: (-len(groups[i]["reviewers"]), groups[i]["end"] - groups[i]["start"], groups[i]["start"]),
    )
    return {"versions": versions, "shared": list(mark["core"]), "pieces": _pieces(versions, groups)}


def _pieces(versions: list[int], groups: list[dict]) -> list[dict]:
    """The stretches between consecutive version edges that some versions cover and some do not."""
    if len(versions) < 2:
        return []
    everyone = sorted({r for i in versions for r in groups[i]["reviewers"]})
    edges = sorted({groups[i][side] for i in versions for side in ("start", "end")})
    pieces = []
    for start, end in zip(edges, edges[1:]):
        covered = sorted({r for i in versions if groups[i]["start"] <= start and end <= groups[i]["end"] for r in groups[i]["reviewers"]})
        if covered and len(covered) < len(everyone):
            missing = [r for r in everyone if r not in covered]
            pieces.append({"start": start, "end": end, "covered": covered, "missing": missing, "apart": []})
    return pieces


def units_of(groups: list[dict], marks: list[dict]) -> list[list[int]]:
    """Mark indices joined by attribution links (span["links"] holds target span ids), each unit
    in text order, the units in the order of their first mark."""
    mark_of_span = {span["id"]: m for m, mark in enumerate(marks) for i in mark["versions"] for span in groups[i]["spans"]}
    parent = list(range(len(marks)))

    def root(m: int) -> int:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for m, mark in enumerate(marks):
        for i in mark["versions"]:
            for span in groups[i]["spans"]:
                for target in span["links"]:
                    if target in mark_of_span:
                        a, b = root(m), root(mark_of_span[target])
                        if a != b:
                            parent[max(a, b)] = min(a, b)
    units: dict[int, list[int]] = {}
    for m in range(len(marks)):
        units.setdefault(root(m), []).append(m)
    start = lambda m: (groups[marks[m]["versions"][0]]["start"], groups[marks[m]["versions"][0]]["end"])  # noqa: E731
    result = [sorted(members, key=start) for members in units.values()]
    return sorted(result, key=lambda members: start(members[0]))
