"""Seeds the workspace benchmark's database with bulk_create: run by bench/workspace.py in the
server's environment (same DATABASE_URL / ANNOTATE_VAR_DIR), prints the ids it made as JSON.

Writing 5,000 spans and 1,000 links through the REST API took minutes on a loaded machine (and
timed out); the benchmark measures the page, not the setup, so the rows are written directly.

Usage: python bench/workspace_seed.py USERNAME SIZE SPANS LINKS"""
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the ministry said that inflation fell to percent in May council confirmed bridge engineers "
         "found corrosion critics dispute figure according officials report growth budget deficit "
         "election voters turnout spokesperson claimed schedule evidence shows données São Paulo "
         "naïve café résumé").split()
EMOJI = ["📰", "🇦🇿", "👩🏽‍🔬", "📉", "👍🏿", "🔧"]
LABELS = ["assertion", "attribution", "disputed"]
REVIEWERS = 4
SPANS_PER_REVIEWER = 400


def make_text(rng: random.Random, size: int) -> str:
    """News-like prose of `size` code points: sentences, paragraphs, an emoji now and then."""
    parts, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 22)))
        sentence = sentence[0].upper() + sentence[1:] + (f" {rng.choice(EMOJI)}" if rng.random() < 0.1 else "") + "."
        sentence += "\n\n" if rng.random() < 0.15 else " "
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[: size - 1].rstrip() + "."  # at most `size` code points


def word_starts(text: str) -> list[int]:
    return [i for i in range(len(text)) if (i == 0 or text[i - 1] in " \n") and not text[i].isspace()]


def trimmed(text: str, start: int, end: int) -> int:
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


def make_spans(rng: random.Random, text: str, n: int) -> list[tuple[str, int, int]]:
    """n distinct (label, start, end) over word boundaries, some overlapping."""
    starts = word_starts(text)
    spans = set()
    while len(spans) < n:
        start = rng.choice(starts)
        spans.add((rng.choice(LABELS), start, trimmed(text, start, min(len(text), start + rng.randint(8, 160)))))
    return sorted(spans, key=lambda s: (s[1], s[2]))


def reviewer_variants(rng: random.Random, base: list[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
    """One reviewer's take on the shared spans: most the same, some a few characters off."""
    own = set()
    for label, start, end in base:
        if rng.random() < 0.25:
            end = trimmed(text, start, min(len(text), max(start + 2, end + rng.randint(-4, 4))))
        own.add((label, start, end))
    return sorted(own, key=lambda s: (s[1], s[2]))


def main() -> None:
    username, size, span_count, link_count = sys.argv[1], *map(int, sys.argv[2:5])
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from annotate.models import Assignment, AssignmentStatus, Document, Membership, Project, Role, Span, SpanLink
    from annotate.offsets import sha256_hex

    rng = random.Random(20261128)
    User = get_user_model()
    me = User.objects.get(username=username)

    def document(project, title, text):
        return Document.objects.create(project=project, title=title, text=text, length=len(text),
                                       text_sha256=sha256_hex(text), received_sha256=sha256_hex(text))

    def spans_of(doc, annotator, rows):
        made = Span.objects.bulk_create(
            Span(document=doc, annotator=annotator, label=label, start=start, end=end, quote=doc.text[start:end])
            for label, start, end in rows
        )
        return sorted(made, key=lambda s: (s.start, s.end))

    def link_attributions(made, limit):
        # Each attribution links to the span after it in the text: short connectors, as in news.
        pairs = [(s, made[i + 1]) for i, s in enumerate(made[:-1]) if s.label == "attribution"][:limit]
        SpanLink.objects.bulk_create(SpanLink(attribution=a, target=t) for a, t in pairs)
        return len(pairs)

    with transaction.atomic():
        project = Project.objects.create(name="Benchmark", guidelines="# Label claims")
        Membership.objects.create(project=project, user=me, role=Role.MANAGER)
        out = {}
        small_text = make_text(rng, 1500)
        small = document(project, "Reference: 1.5 KB, 6 spans", small_text)
        spans_of(small, me, make_spans(rng, small_text, 6))
        out["reference"] = small.pk
        big_text = make_text(rng, size)
        big = document(project, f"{size / 1e6:g} MB, {span_count:,} spans", big_text)
        out["links"] = link_attributions(spans_of(big, me, make_spans(rng, big_text, span_count)), link_count)
        out["large"] = big.pk
        # Adjudication: 4 reviewers, 400 spans each, mostly agreeing, some a few characters off.
        adj_text = make_text(rng, 60_000)
        adj = document(project, f"Adjudication: {REVIEWERS} reviewers x {SPANS_PER_REVIEWER} spans", adj_text)
        base = make_spans(rng, adj_text, SPANS_PER_REVIEWER)
        for n in range(REVIEWERS):
            reviewer, _ = User.objects.get_or_create(username=f"bench-reviewer-{n + 1}")
            Membership.objects.create(project=project, user=reviewer, role=Role.ANNOTATOR)
            Assignment.objects.create(document=adj, user=reviewer, status=AssignmentStatus.DONE)
            link_attributions(spans_of(adj, reviewer, reviewer_variants(rng, base, adj_text)), SPANS_PER_REVIEWER)
        out["adjudication"] = adj.pk
        out["sizes"] = {"reference": len(small_text), "large": len(big_text), "adjudication": len(adj_text)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
