"""The browser bench (bench/bench_browser.py) on this checkout and on an older commit, taking
turns in one run, so the two meet the same background load on a shared machine.

"slider -> figures" is until every figure of the Explore tab is redrawn; "on screen" until
those on the screen are (REF's bench must print it: commits since 2026-12-01's fifth session).

    python bench/ab_browser.py REF [--rounds 3] [--changes 16] [--profile 6]

REF is any commit (``0c0e568``, ``HEAD~5``): it is checked out in a temporary git worktree
(removed afterwards) and benched with its own ``bench/bench_browser.py``. Prints each round's
medians and the ratio old / new of slider -> figures and of the first figure: above 1, this
checkout is faster. With ``--profile MOVES`` both also print their main-thread script time per
move (CPU profile), steadier than the latency on a busy machine, where REF's bench has the
option (commits since 2026-12-01's fourth session). Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(
    checkout: Path, changes: int, profile: int
) -> tuple[float, float, float | None, float | None]:
    """(slider -> figures median, first figure, script per move or None, slider -> figures on
    the screen or None) in ms, from one bench_browser run (the script time: CPU profile, all
    but "(program)"; the on-screen time: benches since 2026-12-01's fifth session)."""
    command = [sys.executable, "bench/bench_browser.py", "--changes", str(changes)]
    run = subprocess.run(
        [*command, "--profile", str(profile)] if profile else command,
        cwd=checkout, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if run.returncode and "unrecognized arguments: --profile" in run.stderr:  # an older bench
        run = subprocess.run(command, cwd=checkout, capture_output=True, text=True, timeout=900)
    run.check_returncode()
    out = run.stdout
    slider = re.search(r"slider -> figures redrawn\s+median\s+(\d+)", out)
    first = re.search(r"first figure drawn\s+(\d+)", out)
    if not slider or not first:
        raise RuntimeError(f"unexpected bench output:\n{out}")
    script = re.search(r"all but \(program\)\s+([\d.]+) ms", out)
    seen = re.search(r"slider -> figures on screen\s+median\s+(\d+)", out)
    return (
        float(slider.group(1)),
        float(first.group(1)),
        float(script.group(1)) if script else None,
        float(seen.group(1)) if seen else None,
    )


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
    with tempfile.TemporaryDirectory(prefix="seed-soil-ab-") as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.ref],
                       cwd=ROOT, check=True)  # fmt: skip
        try:
            print(f"round  {'old ms':>8} {'new ms':>8} {'ratio':>6}   on screen: old / new ms"
                  "   first: old / new s"
                  + ("   script per move: old / new ms" if args.profile else ""))  # fmt: skip
            for k in range(1, args.rounds + 1):
                old_slider, old_first, old_script, old_seen = _bench(
                    old, args.changes, args.profile
                )
                new_slider, new_first, new_script, new_seen = _bench(
                    ROOT, args.changes, args.profile
                )
                seen = (
                    f"{old_seen:.0f} / {new_seen:.0f} ({old_seen / new_seen:.2f})"
                    if old_seen and new_seen
                    else f"n/a / {new_seen:.0f}"
                    if new_seen
                    else "n/a"
                )
                scripts = (
                    f"   {old_script:.0f} / {new_script:.0f} ({old_script / new_script:.2f})"
                    if old_script and new_script
                    else ""
                )
                print(
                    f"{k:>5}  {old_slider:8.0f} {new_slider:8.0f} {old_slider / new_slider:6.2f}"
                    f"   {seen}   {old_first / 1000:.2f} / {new_first / 1000:.2f}"
                    f" ({old_first / new_first:.2f}){scripts}",
                    flush=True,
                )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False)  # fmt: skip


if __name__ == "__main__":
    main()
