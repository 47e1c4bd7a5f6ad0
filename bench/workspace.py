"""Workspace and adjudication speed: a 1 MB document with 5,000 spans, opened in headless Chromium.

Seeds a fresh database (bench/workspace_seed.py: the rows written with bulk_create), starts the
server, opens the workspace page and reports, next to the same figures for a small reference
document (1.5 KB, 6 spans) measured in the same run, with the load average beside every figure:
- time from navigation start to "interactive" (spans drawn, and the frame after it),
- main-thread work (CDP TaskDuration) and the longest task while opening,
- main-thread work of adding one span with the keyboard (select, press 1, until saved and painted),
- main-thread work of undoing one step (Ctrl+Z, until the delete is answered and painted),
- frames while scrolling the large document with --links attribution links drawn as connectors
  (frame intervals from requestAnimationFrame; a frame over 25 ms counts as dropped),
- opening the adjudication page of a document with 4 reviewers x 400 spans (reference: the small
  document's, 1 reviewer x 6 spans).
Every part is bounded (30 s per wait); a part that times out prints NOT MEASURED and the rest run.

With --profile N, N more adds on the large document run under Chrome's sampling profiler (CDP
Profiler domain) and the functions with the most self time are printed: where an add's
main-thread time goes ("(program)" is the browser's own work: style, layout, paint). With
--trace N, N adds are traced (CDP Tracing) and the renderer main thread's events with the most
self time are printed: which of style, layout, pre-paint, paint that browser work is.

Run: .venv/bin/python bench/workspace.py [--runs 5] [--adds 10] [--links 1000] [--only workspace|adjudication] [--profile 10]
(BENCH_DATABASE_URL=postgres://... to run against a PostgreSQL database, which is flushed.)
"""
import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import CHROMIUM, CHROMIUM_FLAGS, browser_login, create_user, running_server  # noqa: E402

TARGET_OPEN_MS = 1000
TARGET_ADD_MS = 50
PART_TIMEOUT_MS = 30_000  # every wait of every part: a loaded machine gives a "timed out" line, not a hang


def load() -> str:
    """The machine's load average, printed beside every figure (2 shared cores)."""
    return "load %.1f %.1f %.1f" % os.getloadavg()


def seed(env: dict, username: str, size: int, spans: int, links: int) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("workspace_seed.py")), username,
                          str(size), str(spans), str(links)], env=env, check=True, capture_output=True,
                         text=True, timeout=300)
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  seeded {size:,} code points, {spans:,} spans, {ids['links']:,} links and the adjudication "
          f"document in {time.perf_counter() - started:.1f} s ({load()})")
    return ids


OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: "longtask", buffered: true });
"""


def task_seconds(cdp) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["TaskDuration"]


# Pages the bench is done with stay open, idle (the workspace runs no timers), until the browser
# closes at the end. The browser, its renderers and the server share this machine's two cores:
# closing a page with 5,000 spans' DOM while the next one opened ran that teardown beside the
# server's answer and took its time to first byte from about 20 ms to 70-530 ms (2026-12-04),
# which a reader's browser, on another machine than the server, never adds.
DONE_PAGES: list = []


# Resolves when the page's main thread has nothing left to do (its work after "interactive").
MAIN_THREAD_IDLE = "() => new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 10000 }))"


def retire(page) -> None:
    """Done with `page`: it stays open, and the next measurement starts once its own work is over."""
    page.evaluate(MAIN_THREAD_IDLE)
    DONE_PAGES.append(page)


def measure_open(context, url: str, mark: str, count_js: str) -> tuple:
    """Opens url, waits for the performance mark `mark` (the page's "interactive"), returns the page,
    its CDP session and the figures."""
    page = context.new_page()
    page.set_default_timeout(PART_TIMEOUT_MS)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = task_seconds(cdp)
    page.goto(url)
    page.wait_for_function(f"() => performance.getEntriesByName('{mark}').length > 0")
    figures = page.evaluate("""([mark, count]) => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          html_ms: nav.responseEnd,
          server_ms: nav.responseStart - nav.requestStart,
          interactive_ms: performance.getEntriesByName(mark)[0].startTime,
          longest_task_ms: Math.max(0, ...window.__longTasks),
          count: eval(count),
        };
    }""", [mark, count_js])
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
  setTimeout(() => resolve('timed out'), 30000);
  if (status.textContent.startsWith('Saved')) return done();
  new MutationObserver((_, observer) => {
    if (status.textContent.startsWith('Saved')) { observer.disconnect(); done(); }
  }).observe(status, { childList: true, characterData: true, subtree: true });
})"""
TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r))))"


def measure_adds(page, cdp, adds: int, rng: random.Random, profiles: list | None = None, around=None) -> list[dict]:
    """Adds spans where the reader looks. What is measured, per add: main-thread work from the
    keypress until the span is saved (the status says so after the server's answer, with the list,
    highlights and editor updated) and two more frames are painted. The bench's own scroll and
    selection before the keypress are outside it (each followed by waits that let their frames and
    the highlighter's window move finish). With `profiles`, the CPU profiler runs over the same
    interval only, and each add's profile is appended. `around`: (start, stop) callables run just
    before the keypress and just after the second frame (the trace of --trace)."""
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
        if profiles is not None:
            cdp.send("Profiler.start")
        if around:
            around[0]()
        before = task_seconds(cdp)
        page.keyboard.press("1")
        page.evaluate(SAVED_AND_PAINTED)
        after = task_seconds(cdp)
        if around:
            around[1]()
        if profiles is not None:
            profiles.append(cdp.send("Profiler.stop")["profile"])
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


def profile_adds(page, cdp, adds: int, rng: random.Random, top: int = 15) -> None:
    """Adds under the CDP sampling profiler, each profiled from its keypress to its second frame
    painted (not the bench's scroll before it); prints the functions with the most self time."""
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})  # microseconds
    profiles = []
    measure_adds(page, cdp, adds, rng, profiles)
    self_us = {}
    for profile in profiles:
        nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
            frame = nodes[node_id]
            where = f"{frame['functionName'] or '(anonymous)'} {frame['url'].rsplit('/', 1)[-1]}:{frame['lineNumber'] + 1}"
            self_us[where] = self_us.get(where, 0) + delta
    busy = {k: v for k, v in self_us.items() if not k.startswith("(idle)")}
    total = sum(busy.values()) / 1000
    print(f"  profile of {adds} adds: {total:.0f} ms sampled outside idle ({load()}); most self time:")
    for where, us in sorted(busy.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {us / 1000 / adds:7.2f} ms/add  {where.strip()}")


TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc"]


def trace_adds(page, cdp, adds: int, rng: random.Random, top: int = 20, out: str | None = None) -> None:
    """Adds under Chromium's tracing (CDP Tracing), each traced from its keypress to its second
    frame painted; prints the renderer main thread's trace events with the most self time per add
    (style, layout, pre-paint, paint, script...): what "(program)" in the CPU profile is made of.
    `out`: the raw trace events are written there as JSON (each Paint event names its node and clip)."""
    events: list[dict] = []
    ended: list[bool] = []
    cdp.on("Tracing.dataCollected", lambda message: events.extend(message["value"]))
    cdp.on("Tracing.tracingComplete", lambda message: ended.append(True))

    def start():
        ended.clear()
        cdp.send("Tracing.start", {"traceConfig": {"includedCategories": TRACE_CATEGORIES}, "transferMode": "ReportEvents"})

    def stop():
        cdp.send("Tracing.end")
        for _ in range(300):  # at most 30 s
            if ended:
                return
            page.wait_for_timeout(100)
        raise TimeoutError("the trace did not end")

    measure_adds(page, cdp, adds, rng, around=(start, stop))
    if out:
        Path(out).write_text(json.dumps(events))
    main_threads = {(e["pid"], e["tid"]) for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"
                    and e.get("args", {}).get("name") == "CrRendererMain"}
    self_us: dict[str, float] = {}
    by_thread: dict[tuple, list[dict]] = {}
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in main_threads and "dur" in e:
            by_thread.setdefault((e["pid"], e["tid"]), []).append(e)
    for complete in by_thread.values():
        complete.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack: list[dict] = []  # open events; a child's time is taken off its parent's self time
        for e in complete:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            name = e["name"]
            self_us[name] = self_us.get(name, 0) + e["dur"]
            if stack:
                parent = stack[-1]["name"]
                self_us[parent] = self_us.get(parent, 0) - min(e["dur"], stack[-1]["ts"] + stack[-1]["dur"] - e["ts"])
            stack.append(e)
    total = sum(v for k, v in self_us.items() if k not in ("ThreadControllerImpl::RunTask", "RunTask")) / 1000
    print(f"  trace of {adds} adds, renderer main thread ({load()}); most self time per add (of {total / adds:.1f} ms traced):")
    for name, us in sorted(self_us.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {us / 1000 / adds:7.2f} ms/add  {name}")


def summary(values: list[float]) -> str:
    if not values:
        return "no figures"
    return f"median {statistics.median(values):7.1f}   max {max(values):7.1f}   ({load()})"


def part(name: str, run) -> None:
    """Runs one measurement; a timeout (a loaded machine) is reported and the next part runs."""
    from playwright.sync_api import Error as PlaywrightError

    started = time.perf_counter()
    try:
        run()
    except (PlaywrightError, TimeoutError) as error:
        print(f"  {name}: NOT MEASURED after {time.perf_counter() - started:.0f} s: {str(error).splitlines()[0]} ({load()})")


def open_runs(context, url: str, mark: str, count_js: str, title: str, runs: int):
    figures = []
    for n in range(runs):
        page, cdp, one = measure_open(context, url, mark, count_js)
        figures.append(one)
        if n < runs - 1:
            retire(page)
    print(f"\n{title}: open, {runs} runs (ms from navigation start)")
    for key in ["server_ms", "html_ms", "interactive_ms", "main_thread_ms", "longest_task_ms"]:
        print(f"  {key:17} {summary([r[key] for r in figures])}")
    print(f"  drawn at interactive: {figures[-1]['count']}")
    return page, cdp


def workspace_parts(context, base: str, title: str, document_id: int, args, rng) -> None:
    opened = {}
    part(f"{title}: open", lambda: opened.update(last=open_runs(
        context, f"{base}/documents/{document_id}/", "workspace-interactive",
        "document.getElementById('span-count').textContent", title, args.runs)))
    if "last" not in opened:
        return
    page, cdp = opened["last"]

    def adds():
        results = measure_adds(page, cdp, args.adds, rng)
        print(f"{title}: add one span with the keyboard, {len(results)} times (ms)")
        print(f"  {'main_thread_ms':17} {summary([a['main_thread_ms'] for a in results])}")
        print(f"  {'local_ms':17} {summary([a['local_ms'] for a in results])}   (drawn, before the request)")
        print(f"  {'idle_ms':17} {summary([a['idle_ms'] for a in results])}   (the same wait, no span: floor)")

    def undos():
        results = measure_undos(page, cdp, args.adds)
        print(f"{title}: undo one step (Ctrl+Z), {len(results)} times (ms)")
        print(f"  {'main_thread_ms':17} {summary(results)}")

    def scroll():
        intervals = page.evaluate(SCROLL_FRAMES, 240)
        connectors = page.evaluate("() => document.querySelectorAll('#link-connectors path.connector').length")
        dropped = sum(1 for t in intervals if t > 25)
        print(f"{title}: scrolling 240 frames with {connectors} connectors drawn near the viewport")
        print(f"  {'frame_ms':17} {summary(intervals)}   dropped (> 25 ms): {dropped}")

    part(f"{title}: add", adds)
    part(f"{title}: undo", undos)
    part(f"{title}: scroll", scroll)
    if args.profile and "MB" in title:
        part(f"{title}: profile", lambda: profile_adds(page, cdp, args.profile, rng))
    if args.trace:
        out = f"{args.trace_out}.{'large' if 'MB' in title else 'reference'}.json" if args.trace_out else None
        part(f"{title}: trace", lambda: trace_adds(page, cdp, args.trace, rng, out=out))
    retire(page)


def adjudication_parts(context, base: str, title: str, document_id: int, runs: int) -> None:
    def run():
        page, _ = open_runs(context, f"{base}/documents/{document_id}/adjudicate/", "adjudication-interactive",
                            "document.getElementById('unit-count').textContent + ' units'",
                            title, runs)
        retire(page)

    part(f"{title}: open", run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--adds", type=int, default=10)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--only", choices=["workspace", "adjudication"], help="run one page's parts")
    parser.add_argument("--profile", type=int, default=0, help="this many more adds under the CPU profiler")
    parser.add_argument("--trace", type=int, default=0, help="this many more adds under Chromium's tracing (style, layout, paint)")
    parser.add_argument("--trace-out", metavar="PREFIX", help="write each page's trace events to PREFIX.large.json / PREFIX.reference.json")
    args = parser.parse_args()
    rng = random.Random(20261128)
    password = secrets.token_urlsafe(12)
    from playwright.sync_api import sync_playwright

    print(f"start ({load()})")
    with running_server(database_url=os.environ.get("BENCH_DATABASE_URL")) as (base, env):
        create_user(env, "bench", password)
        print(f"server {base} ({env.get('DATABASE_URL', 'temporary SQLite')})")
        ids = seed(env, "bench", args.size, args.spans, args.links)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            print(f"Chromium {browser.version}, viewport 1280x900")
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(OBSERVE_LONG_TASKS)
            login_page = context.new_page()
            browser_login(login_page, base, "bench", password)
            login_page.close()
            if args.only != "adjudication":
                workspace_parts(context, base, "Reference: 1.5 KB, 6 spans", ids["reference"], args, rng)
                workspace_parts(context, base, f"{args.size / 1e6:g} MB, {args.spans:,} spans, {ids['links']:,} links",
                                ids["large"], args, rng)
            if args.only != "workspace":
                adjudication_parts(context, base, "Adjudication reference: 1.5 KB, 1 reviewer x 6 spans",
                                   ids["reference"], args.runs)
                adjudication_parts(context, base, "Adjudication: 4 reviewers x 400 spans", ids["adjudication"], args.runs)
            browser.close()
    print(f"\ntargets: interactive < {TARGET_OPEN_MS} ms (large document, adjudication of 4 x 400); adding a span and "
          f"undoing one step < {TARGET_ADD_MS} ms main-thread work at the median; no dropped frames while scrolling")
    print(f"end ({load()})")


if __name__ == "__main__":
    main()
