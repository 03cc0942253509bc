"""The browser bench (bench/bench_browser.py) on this checkout and on an older commit, taking
turns in one run, so the two meet the same background load on a shared machine.

    python bench/ab_browser.py REF [--rounds 3] [--changes 16]

REF is any commit (``0c0e568``, ``HEAD~5``): it is checked out in a temporary git worktree
(removed afterwards) and benched with its own ``bench/bench_browser.py``. Prints each round's
medians and the ratio old / new of slider -> figures and of the first figure: above 1, this
checkout is faster. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(checkout: Path, changes: int) -> tuple[float, float]:
    """(slider -> figures median, first figure) in ms, from one bench_browser run."""
    out = subprocess.run(
        [sys.executable, "bench/bench_browser.py", "--changes", str(changes)],
        cwd=checkout, capture_output=True, text=True, timeout=600, check=True,
    ).stdout  # fmt: skip
    slider = re.search(r"slider -> figures redrawn\s+median\s+(\d+)", out)
    first = re.search(r"first figure drawn\s+(\d+)", out)
    if not slider or not first:
        raise RuntimeError(f"unexpected bench output:\n{out}")
    return float(slider.group(1)), float(first.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ref", help="the older commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seed-soil-ab-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.ref],
                       cwd=ROOT, check=True)  # fmt: skip
        try:
            print(f"round  {'old ms':>8} {'new ms':>8} {'ratio':>6}   first: old / new s")
            for k in range(1, args.rounds + 1):
                old_slider, old_first = _bench(old, args.changes)
                new_slider, new_first = _bench(ROOT, args.changes)
                print(
                    f"{k:>5}  {old_slider:8.0f} {new_slider:8.0f} {old_slider / new_slider:6.2f}"
                    f"   {old_first / 1000:.2f} / {new_first / 1000:.2f}"
                    f" ({old_first / new_first:.2f})",
                    flush=True,
                )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False)  # fmt: skip


if __name__ == "__main__":
    main()
