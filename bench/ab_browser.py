"""The browser bench (bench/bench_browser.py) on this checkout and on an older commit, taking
turns in one run, so the two meet the same background load on a shared machine.

"slider -> figures" is until every figure of the Explore tab is redrawn; "on screen" until
those on the screen are (REF's bench must print it: commits since 2026-12-01's fifth session),
"painted" until the frame that shows them has been painted (since 2026-12-02).

    python bench/ab_browser.py REF [--rounds 3] [--changes 16] [--profile 6]

REF is any commit (``0c0e568``, ``HEAD~5``), checked out in a temporary git worktree
(removed afterwards), or a directory holding another checkout; it is benched with its own
``bench/bench_browser.py``. Prints each round's
medians and the ratio old / new of slider -> figures, of the first figure and of the main
thread's long tasks before it (REF's bench prints them since 2026-12-02): above 1, this
checkout is faster. With ``--profile MOVES`` both also print their main-thread script time per
move (CPU profile), steadier than the latency on a busy machine, where REF's bench has the
option (commits since 2026-12-01's fourth session). Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import checkout  # noqa: E402


class Run(NamedTuple):
    """One bench_browser run's medians, in ms (None where REF's bench does not print it)."""

    slider: float  # slider -> figures redrawn
    first: float  # the first figure, from navigation start
    script: float | None  # script per move (CPU profile, all but "(program)")
    seen: float | None  # slider -> figures on the screen (benches since 2026-12-01)
    busy: float | None  # main-thread long tasks before the first figure (since 2026-12-02)
    painted: float | None = None  # slider -> the frame that paints them (since 2026-12-02)


def _number(pattern: str, out: str) -> float | None:
    found = re.search(pattern, out)
    return float(found.group(1)) if found else None


def _bench(checkout: Path, changes: int, profile: int) -> Run:
    """One run of ``checkout``'s own bench/bench_browser.py."""
    command = [sys.executable, "bench/bench_browser.py", "--changes", str(changes)]
    run = subprocess.run(
        [*command, "--profile", str(profile)] if profile else command,
        cwd=checkout, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if run.returncode and "unrecognized arguments: --profile" in run.stderr:  # an older bench
        run = subprocess.run(command, cwd=checkout, capture_output=True, text=True, timeout=900)
    run.check_returncode()
    out = run.stdout
    slider = _number(r"slider -> figures redrawn\s+median\s+(\d+)", out)
    first = _number(r"first figure drawn\s+(\d+)", out)
    if slider is None or first is None:
        raise RuntimeError(f"unexpected bench output:\n{out}")
    return Run(
        slider,
        first,
        _number(r"all but \(program\)\s+([\d.]+) ms", out),
        _number(r"slider -> figures on screen\s+median\s+(\d+)", out),
        _number(r"main thread before it\s+(\d+) ms", out),
        _number(r"slider -> figures painted\s+median\s+(\d+)", out),
    )


def _pair(old: float | None, new: float | None, scale: float = 1.0, digits: int = 0) -> str:
    """``old / new (ratio)``, or what is known of it."""
    if old and new:
        return f"{old / scale:.{digits}f} / {new / scale:.{digits}f} ({old / new:.2f})"
    return f"n/a / {new / scale:.{digits}f}" if new else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ref", help="the older commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=16)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="MOVES",
        help="also compare main-thread script time per move (needs REF's bench to have it)",
    )
    args = parser.parse_args()
    with checkout(args.ref) as old:
        print(f"round  {'old ms':>8} {'new ms':>8} {'ratio':>6}   on screen: old / new ms"
              "   painted: old / new ms"
              "   first: old / new s   main thread before it: old / new s"
              + ("   script per move: old / new ms" if args.profile else ""))  # fmt: skip
        for k in range(1, args.rounds + 1):
            before = _bench(old, args.changes, args.profile)
            after = _bench(ROOT, args.changes, args.profile)
            scripts = f"   {_pair(before.script, after.script)}" if args.profile else ""
            print(
                f"{k:>5}  {before.slider:8.0f} {after.slider:8.0f}"
                f" {before.slider / after.slider:6.2f}   {_pair(before.seen, after.seen)}"
                f"   {_pair(before.painted, after.painted)}"
                f"   {_pair(before.first, after.first, 1000, 2)}"
                f"   {_pair(before.busy, after.busy, 1000, 2)}{scripts}",
                flush=True,
            )


if __name__ == "__main__":
    main()
