"""Workspace speed: a 1 MB document with 5,000 spans, opened in headless Chromium.

Creates the project, document and spans through the REST API of a freshly started server, then
opens the workspace page and reports, next to the same figures for a small reference document
(1.5 KB, 6 spans) measured in the same run:
- time from navigation start to "ready" (spans drawn) and to "interactive" (the frame after it),
- main-thread work (CDP TaskDuration) and the longest task while opening,
- main-thread work of adding one span with the keyboard (select, press 1, until saved and painted),
- main-thread work of undoing one step (Ctrl+Z, until the delete is answered and painted),
- frames while scrolling the large document with --links attribution links drawn as connectors
  (frame intervals from requestAnimationFrame; a frame over 25 ms counts as dropped).

Run: .venv/bin/python bench/workspace.py [--runs 5] [--adds 10] [--links 1000]
(BENCH_DATABASE_URL=postgres://... to run against a PostgreSQL database, which is flushed.)
"""
import argparse
import os
import random
import secrets
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS, browser_login, create_user, running_server  # noqa: E402

TARGET_OPEN_MS = 1000
TARGET_ADD_MS = 50
WORDS = ("the ministry said that inflation fell to percent in May council confirmed bridge engineers "
         "found corrosion critics dispute figure according officials report growth budget deficit "
         "election voters turnout spokesperson claimed schedule evidence shows données São Paulo "
         "naïve café résumé").split()
EMOJI = ["📰", "🇦🇿", "👩🏽‍🔬", "📉", "👍🏿", "🔧"]
LABELS = ["assertion", "attribution", "disputed"]


def make_text(rng: random.Random, size: int) -> str:
    """News-like prose of `size` code points: sentences, paragraphs, an emoji now and then."""
    parts, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 22)))
        sentence = sentence[0].upper() + sentence[1:] + (f" {rng.choice(EMOJI)}" if rng.random() < 0.1 else "") + "."
        sentence += "\n\n" if rng.random() < 0.15 else " "
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:size].rstrip() + "."


def make_spans(rng: random.Random, text: str, n: int) -> list[dict]:
    """n spans over word boundaries, some overlapping, each with its quote."""
    starts = [i for i in range(len(text)) if (i == 0 or text[i - 1] in " \n") and not text[i].isspace()]
    spans = []
    for _ in range(n):
        start = rng.choice(starts)
        end = min(len(text), start + rng.randint(8, 160))
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        spans.append({"start": start, "end": end, "label": rng.choice(LABELS), "quote": text[start:end]})
    return spans


def api_setup(base: str, username: str, password: str, documents: list, parallel: bool, links: int = 0) -> list[int]:
    token = httpx.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": password}).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        project = client.post("/api/v1/projects/", json={"name": "Benchmark", "guidelines": "# Label claims"}).json()
        ids = []
        for title, text, spans in documents:
            started = time.perf_counter()
            response = client.post(f"/api/v1/projects/{project['id']}/documents/", json={"title": title, "text": text})
            response.raise_for_status()
            document = response.json()
            print(f"  created '{title}' ({len(text):,} code points) in {time.perf_counter() - started:.2f} s")
            started = time.perf_counter()

            def post_many(chunk, document_id=document["id"]):
                made = []
                with httpx.Client(base_url=base, headers=headers, timeout=60) as own:
                    for span in chunk:
                        response = own.post(f"/api/v1/documents/{document_id}/spans/", json=span)
                        response.raise_for_status()
                        made.append(response.json())
                return made

            # SQLite takes one writer at a time: parallel posts only help (and only work) on PostgreSQL.
            lanes = 8 if parallel else 1
            with ThreadPoolExecutor(lanes) as pool:
                made = [row for rows in pool.map(post_many, [spans[i::lanes] for i in range(lanes)]) for row in rows]
            print(f"  created {len(spans):,} spans through the API in {time.perf_counter() - started:.1f} s")
            if links and len(spans) > links:
                started = time.perf_counter()
                made.sort(key=lambda row: row["start"])
                attributions = [row for row in made if row["label"] == "attribution"]
                # Each attribution links to the span after it in the text: short connectors, as in news.
                after = {row["id"]: made[i + 1] for i, row in enumerate(made[:-1])}
                pairs = [(a["id"], after[a["id"]]["id"]) for a in attributions if a["id"] in after][:links]

                def link_many(chunk):
                    with httpx.Client(base_url=base, headers=headers, timeout=60) as own:
                        for attribution, target in chunk:
                            own.post(f"/api/v1/spans/{attribution}/links/", json={"target": target}).raise_for_status()

                with ThreadPoolExecutor(lanes) as pool:
                    list(pool.map(link_many, [pairs[i::lanes] for i in range(lanes)]))
                print(f"  created {len(pairs):,} links through the API in {time.perf_counter() - started:.1f} s")
            ids.append(document["id"])
    return ids


OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: "longtask", buffered: true });
"""


def task_seconds(cdp) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["TaskDuration"]


def measure_open(context, base: str, document_id: int) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = task_seconds(cdp)
    page.goto(f"{base}/documents/{document_id}/")
    page.wait_for_function("() => performance.getEntriesByName('workspace-interactive').length > 0", timeout=60_000)
    figures = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          html_ms: nav.responseEnd,
          ready_ms: performance.getEntriesByName('workspace-ready')[0].startTime,
          interactive_ms: performance.getEntriesByName('workspace-interactive')[0].startTime,
          longest_task_ms: Math.max(0, ...window.__longTasks),
          spans: document.getElementById('span-count').textContent,
        };
    }""")
    figures["main_thread_ms"] = (task_seconds(cdp) - before) * 1000
    return page, cdp, figures


LOCATE = """
const locate = (u) => {
  const walker = document.createTreeWalker(document.getElementById('doc-text'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) { if (u <= node.length) return [node, u]; u -= node.length; }
};
"""

# The UTF-16 offset of the text under the middle of the viewport: new spans are made where the
# reader is looking.
UNIT_IN_VIEW = """() => {
  const text = document.getElementById('doc-text');
  const box = text.getBoundingClientRect();
  const p = document.caretPositionFromPoint(box.left + 60, window.innerHeight / 2);
  const before = new Range(); before.setStart(text, 0); before.setEnd(p.offsetNode, p.offset);
  return before.toString().length;
}"""


# Resolves once the new span is saved (the status says so) and two more frames are painted. One
# evaluate, no polling: Playwright's wait_for_function would add its own work to the figure.
SAVED_AND_PAINTED = """() => new Promise((resolve) => {
  const status = document.getElementById('status');
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve)));
  if (status.textContent.startsWith('Saved')) return done();
  new MutationObserver((_, observer) => {
    if (status.textContent.startsWith('Saved')) { observer.disconnect(); done(); }
  }).observe(status, { childList: true, characterData: true, subtree: true });
})"""
TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r))))"


def measure_adds(page, cdp, text: str, adds: int, rng: random.Random) -> list[dict]:
    page.wait_for_timeout(500)  # let the page settle before timing anything
    results = []
    for _ in range(adds):
        count = int(page.locator("#span-count").text_content().strip("()"))
        page.evaluate("() => window.scrollBy(0, 700)")
        page.wait_for_timeout(150)
        start = page.evaluate(UNIT_IN_VIEW) + rng.randrange(0, 40)
        page.evaluate("([a, b]) => {" + LOCATE + "window.getSelection().setBaseAndExtent(...locate(a), ...locate(b)); }",
                      [start, start + 30])
        page.wait_for_timeout(100)
        before = task_seconds(cdp)
        page.keyboard.press("1")
        page.evaluate(SAVED_AND_PAINTED)
        after = task_seconds(cdp)
        # The same wait with nothing happening: what the measurement itself costs.
        idle_before = task_seconds(cdp)
        page.evaluate(TWO_FRAMES)
        idle = (task_seconds(cdp) - idle_before) * 1000
        local = page.evaluate("() => { const m = performance.getEntriesByName('span-add-local'); return m[m.length - 1].duration; }")
        page.evaluate("() => document.getElementById('status').textContent = ''")
        results.append({"main_thread_ms": (after - before) * 1000, "local_ms": local, "idle_ms": idle})
    return results


UNDONE_AND_PAINTED = SAVED_AND_PAINTED.replace("'Saved'", "'Undone'")


def measure_undos(page, cdp, steps: int) -> list[float]:
    """Main-thread work of Ctrl+Z, one step at a time (the spans measure_adds made)."""
    results = []
    for _ in range(steps):
        page.evaluate("() => document.getElementById('status').textContent = ''")
        page.locator("#doc-text").focus()
        before = task_seconds(cdp)
        page.keyboard.press("Control+z")
        page.evaluate(UNDONE_AND_PAINTED)
        results.append((task_seconds(cdp) - before) * 1000)
    return results


# Scrolls 40 px a frame for `frames` frames and returns the intervals between frames (ms).
SCROLL_FRAMES = """(frames) => new Promise((resolve) => {
  window.scrollTo(0, document.body.scrollHeight / 3);
  const times = [];
  const tick = (t) => {
    times.push(t);
    if (times.length > frames) return resolve(times.slice(1).map((x, i) => x - times[i]));
    window.scrollBy(0, 40);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f}   max {max(values):7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--adds", type=int, default=10)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--links", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(20261128)
    big_text = make_text(rng, args.size)
    small_text = make_text(rng, 1500)
    documents = [
        ("Reference: 1.5 KB, 6 spans", small_text, make_spans(rng, small_text, 6)),
        (f"{args.size / 1e6:g} MB, {args.spans:,} spans", big_text, make_spans(rng, big_text, args.spans)),
    ]
    password = secrets.token_urlsafe(12)
    from playwright.sync_api import sync_playwright

    with running_server(database_url=os.environ.get("BENCH_DATABASE_URL")) as (base, env):
        create_user(env, "bench", password)
        print(f"server {base} ({env.get('DATABASE_URL', 'temporary SQLite')})")
        ids = api_setup(base, "bench", password, documents, parallel="DATABASE_URL" in env, links=args.links)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            print(f"Chromium {browser.version}, viewport 1280x900")
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(OBSERVE_LONG_TASKS)
            login_page = context.new_page()
            browser_login(login_page, base, "bench", password)
            login_page.close()
            for (title, text, _), document_id in zip(documents, ids):
                runs = []
                for _ in range(args.runs):
                    page, cdp, figures = measure_open(context, base, document_id)
                    runs.append(figures)
                    last = (page, cdp)
                    if len(runs) < args.runs:
                        page.close()
                print(f"\n{title}: open, {args.runs} runs (ms from navigation start)")
                for key in ["html_ms", "ready_ms", "interactive_ms", "main_thread_ms", "longest_task_ms"]:
                    print(f"  {key:17} {summary([r[key] for r in runs])}")
                print(f"  spans at interactive: {runs[-1]['spans']}")
                adds = measure_adds(*last, text, args.adds, rng)
                print(f"{title}: add one span with the keyboard, {args.adds} times (ms)")
                print(f"  {'main_thread_ms':17} {summary([a['main_thread_ms'] for a in adds])}")
                print(f"  {'local_ms':17} {summary([a['local_ms'] for a in adds])}   (drawn, before the request)")
                print(f"  {'idle_ms':17} {summary([a['idle_ms'] for a in adds])}   (the same wait, no span: measurement floor)")
                undos = measure_undos(*last, args.adds)
                print(f"{title}: undo one step (Ctrl+Z), {args.adds} times (ms)")
                print(f"  {'main_thread_ms':17} {summary(undos)}")
                intervals = last[0].evaluate(SCROLL_FRAMES, 240)
                connectors = last[0].evaluate("() => document.querySelectorAll('#link-connectors path.connector').length")
                dropped = sum(1 for t in intervals if t > 25)
                print(f"{title}: scrolling 240 frames with {connectors} connectors drawn near the viewport")
                print(f"  {'frame_ms':17} {summary(intervals)}   dropped (> 25 ms): {dropped}")
                last[0].close()
            browser.close()
    print(f"\ntargets: interactive < {TARGET_OPEN_MS} ms for the large document; adding a span < {TARGET_ADD_MS} ms main-thread work")


if __name__ == "__main__":
    main()
