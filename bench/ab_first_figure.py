"""The first figure of a cold page load, on this checkout and on an older commit, in visits
taking turns: both served at once by gunicorn (each from its own checkout), each visit a fresh
headless Chromium (no cache) once it has finished starting, so the two meet the same
background load on a shared machine.

    python bench/ab_first_figure.py REF [--visits 10] [--width 1400 --height 900]

REF is a commit (checked out in a temporary git worktree, removed afterwards) or a directory
holding another checkout (a variant being tried).

For each visit it prints the time from navigation start to the first trace drawn in the
cascade figure (what ``bench/bench_browser.py`` calls the first figure), the main thread's
long tasks until then, the time every Explore figure had been drawn and the time the controls
column's sliders appeared; then the medians and their ratios old / new (above 1, this
checkout is faster). ``bench/ab_browser.py`` runs the whole browser bench per round (one cold
visit each, then slider moves): for the first figure alone this gives many more cold visits
per minute.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_browser import PageLoad, _browser, page_load  # noqa: E402
from bench.serving import checkout, gunicorn  # noqa: E402


def visit(url: str, width: int, height: int) -> PageLoad:
    """One cold visit."""
    driver = _browser(width, height)
    try:
        return page_load(driver, url)
    finally:
        driver.quit()


def summary(old: list[PageLoad], new: list[PageLoad]) -> str:
    """The medians of each measure over the visits, and their ratios old / new (above 1, new
    is faster)."""
    o, n = (
        PageLoad(*(statistics.median(col) for col in zip(*visits, strict=True)))
        for visits in (old, new)
    )
    return (
        f"median {o.first:10.0f} {n.first:10.0f}   {o.busy:.0f} / {n.busy:.0f}"
        f"   {o.every:.0f} / {n.every:.0f}   {o.controls:.0f} / {n.controls:.0f}\n"
        f"ratio old / new: first figure {o.first / n.first:.2f}, "
        f"main thread before it {o.busy / n.busy:.2f}, "
        f"every figure {o.every / n.every:.2f}, controls {o.controls / n.controls:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ref", help="the older commit (or a checkout's directory) to compare with")
    parser.add_argument("--visits", type=int, default=10, help="cold visits to each")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        old = stack.enter_context(gunicorn(root=stack.enter_context(checkout(args.ref))))
        new = stack.enter_context(gunicorn())
        results: dict[str, list[PageLoad]] = {"old": [], "new": []}
        print(
            f"visit  {'old first':>10} {'new first':>10}   main thread before it: old / new ms"
            "   every figure: old / new ms   controls: old / new ms"
        )
        for k in range(1, args.visits + 1):
            order = [("old", old), ("new", new)] if k % 2 else [("new", new), ("old", old)]
            for name, server in order:
                results[name].append(visit(server.base_url + "/", args.width, args.height))
            o, n = results["old"][-1], results["new"][-1]
            print(f"{k:>5}  {o.first:10.0f} {n.first:10.0f}   {o.busy:.0f} / {n.busy:.0f}"
                  f"   {o.every:.0f} / {n.every:.0f}   {o.controls:.0f} / {n.controls:.0f}",
                  flush=True)  # fmt: skip
        print(summary(results["old"], results["new"]))


if __name__ == "__main__":
    main()
