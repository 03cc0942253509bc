"""What a user sees in Chromium: time to the first figure, and slider -> figures redrawn.

Serves the app with gunicorn on 127.0.0.1, opens it in Debian's headless Chromium (a fresh one,
once it has finished starting: a user's browser is already running) and times, with the page's
own clock (``performance.now()``, the Performance API):

- *first figure*: from the navigation's start to the first trace drawn in the cascade figure,
  with the main thread's long tasks until then (steadier than the time on a busy machine, where
  the main thread also waits for other processes); and until every Explore figure has been
  drawn once (the page draws them one a frame);
- *slider -> figures*: from the key press that moves a slider (focus on its handle, arrow key:
  what a keyboard user does; a mouse drag ends in the same callbacks) to the moment the last of
  the Explore tab's three figures has been redrawn by Plotly (``plotly_afterplot``), and to the
  moment the last of those on the screen has (off-screen ones are drawn after the paint:
  ``assets/plotly-offscreen.js``), and to the end of the frame that paints those (the target:
  "figures visible"; a user-blocking task queued from that frame's requestAnimationFrame runs
  after its paint);
- the main thread's long tasks (over 50 ms) meanwhile, which is where a slow page spends time.

    python bench/bench_browser.py [--changes 20] [--width 1400 --height 900] [--profile 6]
                                  [--presentation]   # e.g. a projector: 1024x768

``--profile MOVES`` then profiles that many more moves with Chrome's CPU profiler and prints
the main-thread script time per move by script file (Plotly, Dash's renderer, React...).

Targets (issue 10): first figure <= 2 s, slider -> figures <= 300 ms. Numbers are printed,
never asserted: these machines are shared and noisy. Each run also times the server alone
(the same callback over HTTP, no browser) so the browser's share can be read as a ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NamedTuple

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from bench.serving import gunicorn, page_requests, percentile, post, state_body  # noqa: E402
from dashboard.controls import CONTROL_SPECS  # noqa: E402
from dashboard.state import PageState  # noqa: E402
from tests.chromium import CHROME_ARGUMENTS, CHROMIUM  # noqa: E402

FIGURES = ("cascade-graph", "organ-graph", "burden-graph")
SLIDER = "vegfr1_signalling"

# Runs before any of the page's scripts (CDP, so the page's CSP does not apply to it): records
# when Plotly finishes drawing each figure, when the controls appear, key presses, and long
# main-thread tasks.
PROBE = (
    f"const FIGURE_IDS = {json.dumps(FIGURES)};"
    + """
window.__bench = {afterplot: {}, painted: {}, firstTrace: null, controls: null, keydown: [],
                  longtasks: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
document.addEventListener('keydown', () => window.__bench.keydown.push(performance.now()), true);
const hooked = new WeakSet();
new MutationObserver(() => {
  const b = window.__bench;
  if (b.firstTrace === null && document.querySelector('#cascade-graph .trace')) {
    b.firstTrace = performance.now();
  }
  if (b.controls === null && document.querySelector('#controls-column [role=slider]')) {
    b.controls = performance.now();  // rendered after the first figure (dashboard/later.py)
  }
  for (const id of FIGURE_IDS) {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    if (gd && gd.on && !hooked.has(gd)) {
      hooked.add(gd);
      b.afterplot[id] = [];
      b.painted[id] = [];
      gd.on('plotly_afterplot', () => {
        const k = b.afterplot[id].push(performance.now()) - 1;
        // The frame that shows this drawing: its rAF callbacks run before its paint, a task
        // queued from one after it; user-blocking, so before any timer queued meanwhile (the
        // off-screen figures' redraw: assets/plotly-offscreen.js).
        requestAnimationFrame(() => scheduler.postTask(
          () => { b.painted[id][k] = performance.now(); }, {priority: 'user-blocking'}));
      });
    }
  }
}).observe(document, {childList: true, subtree: true});
"""
)


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the processes below ``pid`` (a process that
    ends meanwhile is left out)."""
    total = 0.0
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system
    return total


def wait_until_idle(
    used: Callable[[], float], *, share: float = 0.05, window: float = 0.5, timeout: float = 20
) -> float:
    """Wait until ``used()`` (CPU seconds so far) grows by less than ``share`` of one core over
    ``window`` seconds, twice running, or ``timeout`` seconds have passed; returns the seconds
    waited."""
    start = time.monotonic()
    before, quiet = used(), 0
    while quiet < 2 and time.monotonic() - start < timeout:
        time.sleep(window)
        now = used()
        quiet = quiet + 1 if now - before < share * window else 0
        before = now
    return time.monotonic() - start


def _browser(width: int, height: int) -> webdriver.Chrome:
    """A fresh headless Chromium (an empty cache), once it has finished starting: a started
    Chromium keeps ~1 core busy for ~2 s (a page opened meanwhile shares the machine's 2 cores
    with it and came ~1.4x later); a user's browser is already running when they open a page."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in CHROME_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
    driver.get("about:blank")
    wait_until_idle(partial(cpu_seconds, driver.service.process.pid))
    return driver


class PageLoad(NamedTuple):
    """A cold page load, in ms from navigation start (``busy``: a duration)."""

    first: float  # the cascade's first trace drawn
    busy: float  # the main thread's long tasks before it
    every: float  # every Explore figure drawn once
    controls: float  # the controls column's sliders rendered


def page_load(driver: webdriver.Chrome, url: str) -> PageLoad:
    """Open ``url`` and wait until every Explore figure has been drawn once and the controls
    have been rendered. The long tasks are read then: the task drawing the first figure is
    reported only when it ends."""
    driver.get(url)
    first = _wait(lambda: driver.execute_script("return window.__bench.firstTrace"), 60, "figure")
    _wait(
        lambda: driver.execute_script(
            "const a = window.__bench.afterplot;"
            f"return {json.dumps(FIGURES)}.every(id => a[id] && a[id].length > 0);"
        ),
        30,
        "all figures",
    )
    every = driver.execute_script(
        f"const a = window.__bench.afterplot; return Math.max(...{json.dumps(FIGURES)}"
        ".map(id => a[id][0]));"
    )
    controls = _wait(
        lambda: driver.execute_script("return window.__bench.controls"), 30, "controls"
    )
    busy = driver.execute_script(  # long tasks' time up to the first figure, clipped at it
        "const b = window.__bench, f = b.firstTrace;"
        "return b.longtasks.filter(([s]) => s < f)"
        "  .reduce((t, [s, d]) => t + Math.min(d, f - s), 0);"
    )
    return PageLoad(first, busy, every, controls)


def _bench(
    driver: webdriver.Chrome, url: str, changes: int, profile: int = 0, presentation: bool = False
) -> dict:
    first, busy, every, controls = page_load(driver, url)
    time.sleep(1.0)  # the page quiet before the first change
    if presentation:  # the switch redraws every figure in large type
        count = driver.execute_script("return window.__bench.afterplot['cascade-graph'].length")
        driver.find_element(By.CSS_SELECTOR, "#presentation").click()
        _wait(
            lambda: driver.execute_script(
                "return window.__bench.afterplot['cascade-graph'].length > arguments[0]", count
            ),
            30,
            "presentation mode",
        )
        time.sleep(1.0)
    handle = driver.find_element(By.CSS_SELECTOR, f"#control-{SLIDER} [role=slider]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
    latencies, on_screen, painted, long_ms, phases = [], [], [], [], []
    for k in range(changes):
        before = driver.execute_script(
            "const a = window.__bench.afterplot; const c = {};"
            "for (const id in a) c[id] = a[id].length; return c;"
        )
        handle.send_keys(Keys.ARROW_RIGHT if k % 2 == 0 else Keys.ARROW_LEFT)
        done = _wait(
            lambda before=before: driver.execute_script(
                "const b = window.__bench, before = arguments[0];"
                "const t0 = b.keydown[b.keydown.length - 1];"
                "const ids = Object.keys(before);"
                "const ends = ids.map(id => b.afterplot[id][before[id]]);"
                "if (ends.some(t => t === undefined)) return null;"
                "const shown = ids.filter(id => {"
                "  const r = document.getElementById(id).getBoundingClientRect();"
                "  return r.bottom > 0 && r.top < innerHeight && r.height > 0; });"
                "const seen = shown.map(id => b.afterplot[id][before[id]]);"
                "const painted = shown.map(id => b.painted[id][before[id]]);"
                "if (painted.some(t => t === undefined)) return null;"
                "const long = b.longtasks.filter(([s, d]) => s + d > t0)"
                "  .reduce((sum, [s, d]) => sum + d, 0);"
                "const calls = performance.getEntriesByType('resource')"
                "  .filter(r => r.name.includes('/_dash-update-component') && r.startTime > t0)"
                "  .map(r => [r.startTime - t0, r.responseEnd - t0]);"
                "return [Math.max(...ends) - t0, long, calls, Math.max(...seen, t0) - t0,"
                "  Math.max(...painted, t0) - t0];",
                before,
            ),
            30,
            "the figures to redraw",
        )
        latencies.append(done[0])
        on_screen.append(done[3])
        painted.append(done[4])
        long_ms.append(done[1])
        phases.append(_phases(done[0], done[2]))
        time.sleep(0.3)  # let late tasks finish before the next change
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".map(r => [r.name, r.transferSize, r.encodedBodySize]);"
    )
    scripts = _script_profile(driver, handle, profile) if profile else {}
    return {
        "scripts": scripts,
        "first": first,
        "busy_before_first": busy,
        "every_first": every,
        "controls": controls,
        "latencies": latencies,
        "on_screen": on_screen,
        "painted": painted,
        "long": long_ms,
        "phases": phases,
        "resources": resources,
    }


#: A script's name without Dash's cache-busting fingerprint: ``dash_renderer``, ``react-dom``.
_SCRIPT_NAME = re.compile(r"^([A-Za-z_-]+[A-Za-z])")


def by_script(profile: dict) -> dict[str, float]:
    """Self time (ms) by script file in one CDP ``Profiler.stop`` profile, idle time left out:
    ``{"plotly-seedsoil": ..., "dash_renderer": ...}``. Native calls the scripts make (getBBox,
    querySelectorAll...) count as "(DOM and built-ins)"; work outside any script (style,
    layout, paint) is "(program)", and garbage collection "(garbage collector)"."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    totals: dict[str, float] = {}
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]
        if frame["functionName"] == "(idle)":
            continue
        match = _SCRIPT_NAME.match(frame["url"].rsplit("/", 1)[-1])
        if match:
            name = match.group(1)
        elif frame["functionName"] in ("(program)", "(garbage collector)"):
            name = frame["functionName"]
        else:
            name = "(DOM and built-ins)"
        totals[name] = totals.get(name, 0.0) + delta / 1000.0
    return totals


def _script_profile(driver: webdriver.Chrome, handle, moves: int) -> dict[str, float]:
    """Main-thread time per slider move by script file (``by_script``), from Chrome's sampling
    CPU profiler over ``moves`` more moves. CPU time is steadier than the latency on a busy
    machine: compare it between commits (``bench/ab_browser.py --profile``)."""
    totals: dict[str, float] = {}
    driver.execute_cdp_cmd("Profiler.enable", {})
    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": 200})
    for k in range(moves):
        driver.execute_cdp_cmd("Profiler.start", {})
        handle.send_keys(Keys.ARROW_RIGHT if k % 2 == 0 else Keys.ARROW_LEFT)
        time.sleep(2.0)  # the move, its redraw and any late task
        for name, ms in by_script(driver.execute_cdp_cmd("Profiler.stop", {})["profile"]).items():
            totals[name] = totals.get(name, 0.0) + ms / moves
    driver.execute_cdp_cmd("Profiler.disable", {})
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _phases(total: float, calls: list[list[float]]) -> dict[str, float]:
    """Where one change's time went, from the callback requests' resource timings (ms after
    the key press): before the first request, in requests, between them, after the last."""
    calls = sorted(calls)
    if not calls:
        return {"requests": 0, "before": total, "in requests": 0.0, "between": 0.0, "after": 0.0}
    between = sum(max(0.0, b[0] - a[1]) for a, b in zip(calls, calls[1:], strict=False))
    return {
        "requests": len(calls),
        "before": calls[0][0],
        "in requests": sum(end - start for start, end in calls),
        "between": between,
        "after": total - max(end for _, end in calls),
    }


def _server_only(base_url: str, changes: int) -> list[float]:
    """The same callback request per change over HTTP, without a browser."""
    callbacks = page_requests(base_url)
    spec = next(s for s in CONTROL_SPECS if s.name == SLIDER)
    state = PageState.for_scenario("kaplan2005-llc")
    endpoint = f"{base_url}/_dash-update-component"
    times = []
    for k in range(changes):
        position = round(spec.low + (spec.high - spec.low) * (k + 0.25) / changes, 4)
        elapsed, _, _ = post(endpoint, state_body(callbacks, state, SLIDER, position))
        times.append(elapsed * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument(
        "--presentation", action="store_true", help="switch presentation mode on first"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="MOVES",
        help="also profile this many more moves: main-thread script time per move, by script",
    )
    args = parser.parse_args()

    with gunicorn(workers=2) as server:
        driver = _browser(args.width, args.height)
        try:
            run = _bench(
                driver, f"{server.base_url}/", args.changes, args.profile, args.presentation
            )
        finally:
            driver.quit()
        server_ms = _server_only(server.base_url, args.changes)
    lat = run["latencies"]
    transfer = sum(r[1] for r in run["resources"])
    print(
        f"Chromium {args.width}x{args.height}"
        f"{', presentation mode' if args.presentation else ''}, gunicorn 2 workers, 127.0.0.1, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"first figure drawn          {run['first']:8.0f} ms after navigation start "
        "(target <= 2000)"
    )
    print(
        f"  main thread before it     {run['busy_before_first']:8.0f} ms in long tasks "
        "(scripts compiled and run, rendering, drawing)"
    )
    print(f"every figure drawn once     {run['every_first']:8.0f} ms after navigation start")
    print(f"controls rendered           {run['controls']:8.0f} ms after navigation start")
    print(
        f"slider -> figures redrawn   median {statistics.median(lat):6.0f} ms   "
        f"p95 {percentile(lat, 95):6.0f} ms   ({len(lat)} changes)"
    )
    seen = run["on_screen"]
    print(
        f"slider -> figures on screen median {statistics.median(seen):6.0f} ms   "
        f"p95 {percentile(seen, 95):6.0f} ms   (drawn by Plotly)"
    )
    shown = run["painted"]
    print(
        f"slider -> figures painted   median {statistics.median(shown):6.0f} ms   "
        f"p95 {percentile(shown, 95):6.0f} ms   (the frame that shows them; target <= 300)"
    )
    print(
        f"  long main-thread tasks     median {statistics.median(run['long']):6.0f} ms per change"
    )
    for part in ("requests", "before", "in requests", "between", "after"):
        values = [p[part] for p in run["phases"]]
        unit = "" if part == "requests" else " ms"
        print(f"    {part + ':':<26} median {statistics.median(values):6.0f}{unit}")
    print(
        f"  server alone (HTTP)        median {statistics.median(server_ms):6.0f} ms   "
        f"p95 {percentile(server_ms, 95):6.0f} ms   "
        f"browser/server ratio {statistics.median(lat) / statistics.median(server_ms):.1f}x"
    )
    print(
        f"page load transferred       {transfer / 1e6:8.2f} MB ({len(run['resources'])} resources)"
    )
    if run["scripts"]:
        print(f"  script per move (CPU profile, self time, {args.profile} moves):")
        for name, ms in list(run["scripts"].items())[:9]:
            print(f"    {name:<28} {ms:8.1f} ms")
        scripts = sum(ms for name, ms in run["scripts"].items() if not name.startswith("(pro"))
        print(f"    {'all but (program)':<28} {scripts:8.1f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps({**run, "server_ms": server_ms}, indent=1))


if __name__ == "__main__":
    main()
