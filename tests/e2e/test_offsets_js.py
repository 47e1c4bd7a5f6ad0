"""static/js/offsets.js against Python's own counting, on many random awkward strings."""
import random

from tests.e2e.workspace import utf16

ALPHABET = ["a", " ", "\n", "é", "e\u0301", "📰", "🇦🇿", "👩🏽‍🔬", "ש", "ق", "\u200d", "\ufe0f", "中", "𝔸"]


def test_offset_index_matches_python(page, live_server):
    page.goto("/login/")  # any page of ours: the module is imported under the app's CSP
    rng = random.Random(7)
    texts = ["", "📰"] + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(200)]
    results = page.evaluate(
        """async (texts) => {
            const { OffsetIndex } = await import('/static/js/offsets.js');
            return texts.map((text) => {
                const index = new OffsetIndex(text);
                const points = [];
                for (let p = 0; p <= index.length; p++) points.push(index.toUtf16(p));
                const back = points.map((u) => index.fromUtf16(u));
                let insidePairRefused = true;
                for (const a of index.astral) {
                    try { index.fromUtf16(a + 1); insidePairRefused = false; } catch (e) {}
                }
                const slices = [];
                for (let p = 0; p < index.length; p += 3) slices.push(index.slice(p, Math.min(index.length, p + 5)));
                return { length: index.length, points, back, insidePairRefused, slices };
            });
        }""",
        texts,
    )
    for text, result in zip(texts, results):
        assert result["length"] == len(text)
        assert result["points"] == [utf16(text, p) for p in range(len(text) + 1)]
        assert result["back"] == list(range(len(text) + 1))
        assert result["insidePairRefused"]
        assert result["slices"] == [text[p : p + 5] for p in range(0, len(text), 3)]


def test_snap_to_graphemes_matches_the_server_segmentation(page, live_server):
    """snapToGraphemes (Intl.Segmenter) widens a range to the clusters the regex package's \\X
    finds, the ones the server checks span ends against."""
    import regex

    page.goto("/login/")
    rng = random.Random(29)
    texts = ["".join(rng.choice(ALPHABET + ["\u0301", "🇦", "🇿"]) for _ in range(rng.randint(1, 40))) for _ in range(150)]
    ranges = []
    for text in texts:
        n = len(text)
        a, b = sorted((rng.randint(0, n), rng.randint(0, n)))
        ranges.append((a, b))
    results = page.evaluate(
        """async ([texts, ranges]) => {
            const { OffsetIndex } = await import('/static/js/offsets.js');
            return texts.map((text, i) => {
                const index = new OffsetIndex(text);
                const [a, b] = ranges[i];
                return index.rangeFromUtf16(index.toUtf16(a), index.toUtf16(b));
            });
        }""",
        [texts, ranges],
    )
    for text, (a, b), got in zip(texts, ranges, results):
        starts = [m.start() for m in regex.finditer(r"\X", text)] + [len(text)]
        expected_start = max(s for s in starts if s <= a)
        expected_end = min(s for s in starts if s >= b)
        assert (got["start"], got["end"]) == (expected_start, expected_end), (text, a, b)
