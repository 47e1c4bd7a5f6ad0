"""Cost of mapping import offsets through normalisation (annotate.offsets.normalize_with_map)
on 1 MB texts, against plain normalize_text on the same text in the same run (the reference:
what every import pays already). Run: .venv/bin/python bench/offset_map.py"""
import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")

from annotate.offsets import normalize_text, normalize_with_map  # noqa: E402

TEXTS = {
    "English, CRLF": "The ministry said inflation fell in May, critics said.\r\n" * 20_000,
    "French, NFD (every accent decomposed), CRLF": unicodedata.normalize("NFD", "Le café était très animé à l'été.\r\n") * 30_000,
    "Greek, NFC, CRLF": "Καλημέρα κόσμε, είπε ο υπουργός.\r\n" * 30_000,
    "English, one combining accent a line": "The cafe\u0301 owner said prices would rise.\n" * 25_000,
}


def median_ms(function, text: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'text':48} {'chars':>10} {'normalize_text':>15} {'with the map':>13} {'changed':>8}")
    for name, text in TEXTS.items():
        stored, offsets = normalize_with_map(text)
        assert stored == normalize_text(text)
        plain, mapped = median_ms(normalize_text, text), median_ms(normalize_with_map, text)
        print(f"{name:48} {len(text):>10,} {plain:>12.1f} ms {mapped:>10.1f} ms {len(offsets.changed):>8,}")


if __name__ == "__main__":
    main()
