# Copied from the anchor benchmark harness (/work/shared/anchor-bench/corpus.py, read-only reference
# of issue 13), unchanged apart from this note, so bench/anchors.py generates the very same workload.
"""Deterministic corpus generator for the annotation-server benchmark.

All offsets are Python code-point offsets (str indexing), end exclusive.

Each document: news-style English prose of 3-5 KB (UTF-8 bytes), built from
sentence templates, with curly quotes, em dashes and accented place/person
names.  20 non-overlapping spans per document, each covering one whole clause
(sentence without its trailing space).  In 5% of documents an astral-plane
emoji (U+1F4F0 or the flag U+1F1E6 U+1F1FF) is placed right BEFORE several
spans, so that UTF-16 vs code-point offset bugs show up.  In 10% of documents
two extra spans overlap the regular ones.

Usage:
    python corpus.py --n 5000 --out corpus.jsonl      # writes documents
    python corpus.py --long --out long.json           # the ~1 MB document
"""
from __future__ import annotations

import argparse
import random
import sys

import orjson

LABELS = ["assertion", "attribution", "disputed"]
EMOJIS = ["\U0001F4F0", "\U0001F1E6\U0001F1FF"]  # 📰 and 🇦🇿 (flag = 2 code points)
SEED = 20240611

PLACES = ["Gəncə", "Tərtər", "Bərdə", "Şəki", "Ağdam", "Naxçıvan", "Lənkəran",
          "Zürich", "São Paulo", "Kraków", "Reykjavík", "Malmö", "Île-de-France",
          "Baku", "Tbilisi", "Ankara", "Brussels", "Geneva", "Yerevan", "Quảng Ninh"]
PEOPLE = ["Elçin Məmmədov", "Ayşə Əliyeva", "José Muñoz", "François Lefèvre",
          "Zoë Brontë", "Jürgen Müller", "Łukasz Wiśniewski", "Ngozi Okonjo",
          "Rəşad Həsənov", "Søren Kierkegaard Jr.", "Ana Ćosić", "Mehmet Öztürk"]
BODIES = ["the ministry of defence", "the foreign ministry", "the regional governor’s office",
          "the state statistics committee", "the central bank", "the prosecutor general’s office",
          "the emergency situations ministry", "a parliamentary committee", "the UN mission",
          "the electoral commission"]
SOURCES = ["Reuters", "local media", "a senior official", "two witnesses", "the news agency APA",
           "an opposition lawmaker", "a spokesperson", "state television", "residents",
           "a diplomatic source"]
THINGS = ["the ceasefire", "the new pipeline", "the budget", "the bridge repairs", "the census",
          "grain exports", "the evacuation", "the trade agreement", "the vaccine rollout",
          "the railway line", "the reservoir", "the border crossing"]
VERBS = ["said", "stated", "announced", "confirmed", "claimed", "insisted", "denied", "reported"]
ADJ = ["sharp", "modest", "unexpected", "significant", "temporary", "long-awaited", "disputed"]

TEMPLATES = [
    "Officials in {place} {verb} on {day} that {thing} had been completed ahead of schedule.",
    "According to {source}, at least {n} people were affected by {thing} near {place}.",
    "“We will not accept any delay,” {person} told reporters in {place} on {day}.",
    "{Body} {verb} that {thing} would cost about {money} million manat — a {adj} increase.",
    "The figure, {n2} per cent higher than last year, was {verb} by {body} in a statement.",
    "Residents of {place} disputed the claim, saying {thing} had “never reached” their district.",
    "In a written reply, {body} {verb} that {n} inspectors had been sent to {place} and {place2}.",
    "{person}, who heads the office in {place}, {verb} that the report was “premature”.",
    "The ministry stated that {thing} — first proposed in {year} — remained on track.",
    "Critics in {place2} argued that the {adj} numbers did not add up, citing {source}.",
    "At a briefing on {day}, {person} {verb} that {n} km of road near {place} had reopened.",
    "{Source} {verb} that {thing} was delayed by {n} days because of heavy rain in {place}.",
    "It’s unclear whether {thing} will resume, {source} {verb}, adding that talks continue.",
    "Prices in {place} rose by {n2}% in {month}, the statistics committee {verb}.",
    "“This is a {adj} moment for {place},” {person} {verb}, describing {thing} as historic.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _sentence(rng: random.Random) -> str:
    t = rng.choice(TEMPLATES)
    body = rng.choice(BODIES)
    source = rng.choice(SOURCES)
    s = t.format(
        place=rng.choice(PLACES), place2=rng.choice(PLACES), verb=rng.choice(VERBS),
        day=rng.choice(DAYS), thing=rng.choice(THINGS), source=source,
        Source=source[0].upper() + source[1:], n=rng.randint(2, 4999),
        n2=f"{rng.randint(1, 99)}.{rng.randint(0, 9)}", person=rng.choice(PEOPLE),
        body=body, Body=body[0].upper() + body[1:],
        money=f"{rng.randint(1, 950)},{rng.randint(100, 999)}", adj=rng.choice(ADJ),
        year=rng.randint(1995, 2023), month=rng.choice(MONTHS),
    )
    return s


def make_doc(rng: random.Random, idx: int, *, emoji: bool, overlap: bool,
             n_spans: int = 20, min_bytes: int = 3000, max_bytes: int = 5000) -> dict:
    """Build one document.  Returns {id, text, spans:[{start,end,label,text}], emoji, overlap}."""
    target = rng.randint(min_bytes + 300, max_bytes - 300)
    sentences: list[str] = []
    size = 0
    while size < target or len(sentences) < n_spans + 2:
        s = _sentence(rng)
        sentences.append(s)
        size += len(s.encode()) + 1
    # trim if too large (keep >= n_spans + 2 sentences)
    while size > max_bytes - 100 and len(sentences) > n_spans + 2:
        size -= len(sentences.pop().encode()) + 1
    # choose which sentences are spans
    span_idx = sorted(rng.sample(range(len(sentences)), n_spans))
    emoji_before = set()
    if emoji:
        emoji_before = set(rng.sample(span_idx, 5))
    # assemble text; paragraphs every ~5 sentences
    parts: list[str] = []
    pos = 0
    spans = []
    sent_pos = []
    for i, s in enumerate(sentences):
        if i:
            sep = "\n\n" if i % 5 == 0 else " "
            parts.append(sep)
            pos += len(sep)
        if i in emoji_before:
            e = rng.choice(EMOJIS) + " "
            parts.append(e)
            pos += len(e)
        start = pos
        parts.append(s)
        pos += len(s)
        sent_pos.append((start, pos))
        if i in span_idx:
            spans.append({"start": start, "end": pos, "label": rng.choice(LABELS)})
    text = "".join(parts)
    if overlap:
        # 1) a span covering two consecutive sentences, crossing a regular span
        i = rng.randrange(0, len(sentences) - 1)
        spans.append({"start": sent_pos[i][0], "end": sent_pos[i + 1][1], "label": "disputed"})
        # 2) a sub-clause inside a spanned sentence (first half up to a word boundary)
        j = rng.choice(span_idx)
        a, b = sent_pos[j]
        cut = text.rfind(" ", a, a + (b - a) // 2)
        if cut <= a:
            cut = a + (b - a) // 2
        spans.append({"start": a, "end": cut, "label": "attribution"})
    for sp in spans:
        sp["text"] = text[sp["start"]:sp["end"]]
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {"id": f"doc{idx:06d}", "text": text, "spans": spans,
            "emoji": bool(emoji), "overlap": bool(overlap)}


def generate(n: int, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        emoji = (i % 20) == 7       # exactly 5%
        overlap = (i % 10) == 3     # exactly 10%
        docs.append(make_doc(rng, i, emoji=emoji, overlap=overlap))
    return docs


def generate_long(seed: int = SEED + 1, n_spans: int = 5000, target_bytes: int = 1_000_000) -> dict:
    """One ~1 MB document with n_spans non-overlapping clause spans (emoji before some)."""
    rng = random.Random(seed)
    sentences = []
    size = 0
    while size < target_bytes - 200:
        s = _sentence(rng)
        sentences.append(s)
        size += len(s.encode()) + 1
    while len(sentences) < n_spans:
        sentences.append(_sentence(rng))
    span_idx = set(rng.sample(range(len(sentences)), n_spans))
    parts = []
    pos = 0
    spans = []
    for i, s in enumerate(sentences):
        if i:
            sep = "\n\n" if i % 6 == 0 else " "
            parts.append(sep)
            pos += len(sep)
        if i in span_idx and i % 97 == 0:
            e = rng.choice(EMOJIS) + " "
            parts.append(e)
            pos += len(e)
        start = pos
        parts.append(s)
        pos += len(s)
        if i in span_idx:
            spans.append({"start": start, "end": pos, "label": rng.choice(LABELS)})
    text = "".join(parts)
    for sp in spans:
        sp["text"] = text[sp["start"]:sp["end"]]
    return {"id": "long000001", "text": text, "spans": spans, "emoji": True, "overlap": False}


def check(docs: list[dict]) -> None:
    for d in docs:
        for sp in d["spans"]:
            assert d["text"][sp["start"]:sp["end"]] == sp["text"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--out", default="-")
    a = ap.parse_args(argv)
    if a.long:
        d = generate_long()
        data = orjson.dumps(d)
        out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
        out.write(data)
        return
    docs = generate(a.n, a.seed)
    check(docs)
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    for d in docs:
        out.write(orjson.dumps(d) + b"\n")


if __name__ == "__main__":
    main()
