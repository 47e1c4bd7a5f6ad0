"""What holding live DOM Ranges costs every DOM write in Chromium (why the workspace keeps its spans'
extents as StaticRange, static/js/text_view.js).

A page of 250 paragraphs; N Ranges (live, or StaticRange) kept over its text; then 2,000 appends
and 2,000 text changes in another element, timed. The first row (no ranges) is the reference,
measured in the same run. Chromium updates every live Range of a document on each mutation of
it, wherever the mutation is.

Run: .venv/bin/python bench/live_ranges.py
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

WRITES = """([n, kind]) => {
  document.body.innerHTML = '<div id=t></div><div id=side></div>';
  const t = document.getElementById('t');
  const nodes = [];
  for (let i = 0; i < 250; i++) { const d = document.createElement('div'); d.textContent = 'word '.repeat(800); t.append(d); nodes.push(d.firstChild); }
  window.kept = [];
  for (let i = 0; i < n; i++) {
    const node = nodes[i % 250], at = (i * 7) % 3000;
    if (kind === 'live') { const r = new Range(); r.setStart(node, at); r.setEnd(node, at + 4); kept.push(r); }
    else kept.push(new StaticRange({ startContainer: node, startOffset: at, endContainer: node, endOffset: at + 4 }));
  }
  const side = document.getElementById('side');
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) { const s = document.createElement('span'); s.textContent = 'x'; side.append(s); }
  for (let i = 0; i < 2000; i++) side.firstChild.textContent = 'y' + i;
  side.replaceChildren();
  return performance.now() - t0;
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        print(f"Chromium {browser.version} (load %.1f %.1f %.1f)" % os.getloadavg())
        for n, kind in [(0, "none"), (5000, "static"), (5000, "live")]:
            page = browser.new_page()  # a fresh page each: ranges of the last one are not collected yet
            ms = page.evaluate(WRITES, [n, kind])
            print(f"  {n:5} {kind:6} ranges: {ms:8.1f} ms for 4,000 DOM writes ({ms / 4:.3f} ms per 1,000)")
            page.close()
        browser.close()
    print("end (load %.1f %.1f %.1f)" % os.getloadavg())


if __name__ == "__main__":
    main()
