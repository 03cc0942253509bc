"""The server's answer to a slider move, on this checkout and on an older commit, in changes
taking turns: both served at once by gunicorn (each from its own checkout), so the two meet
the same background load on a shared machine (``bench/bench_dashboard.py`` benches one
checkout; two of its runs a minute apart differed by 1.3x here).

    python bench/ab_server.py REF [--changes 150] [--turn 10] [--workers 2] [--old-python PY]

REF is a commit (checked out in a temporary git worktree, removed afterwards) or a directory
holding another checkout (a variant being tried). Each change is a new slider position, the
same for both (so neither finds the run in a cache), sent back to back as
``bench_dashboard.py`` sends them, in turns of ``--turn`` changes: what a server does after
an answer (storing the run) then meets its own next request, as in ``bench_dashboard.py``,
not only the other server's. Prints, for each, the median and p95 of the round trip and
of the time in the server (gunicorn's ``%(D)s``), and the ratios old / new (above 1, this
checkout is faster). ``--old-python`` serves REF with another interpreter (a virtualenv's
``bin/python`` with the requirements installed): with REF this checkout's directory, the two
interpreters are compared. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import (  # noqa: E402
    checkout,
    page_requests,
    percentile,
    post,
    state_body,
    timed_gunicorn,
)
from dashboard.controls import CONTROL_SPECS  # noqa: E402
from dashboard.state import PageState  # noqa: E402

#: The slider moved: the one a teacher moves first.
SLIDER_MOVED = "vegfr1_signalling"
WARM_CHANGES = 10


def summary(old: dict[str, list[float]], new: dict[str, list[float]]) -> str:
    """Median and p95 (ms) of each kind of time, old and new, with the ratios old / new."""
    lines = [f"{'':14} {'old median':>10} {'new median':>10} {'ratio':>6}   "
             f"{'old p95':>8} {'new p95':>8} {'ratio':>6}"]  # fmt: skip
    for kind in old:
        o, n = [s * 1000 for s in old[kind]], [s * 1000 for s in new[kind]]
        om, nm = statistics.median(o), statistics.median(n)
        op, np_ = percentile(o, 95), percentile(n, 95)
        lines.append(f"{kind:14} {om:10.2f} {nm:10.2f} {om / nm:6.2f}   "
                     f"{op:8.2f} {np_:8.2f} {op / np_:6.2f}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ref", help="the older commit (or a checkout's directory) to compare with")
    parser.add_argument("--changes", type=int, default=150, help="slider changes to each")
    parser.add_argument("--turn", type=int, default=10, help="changes to one in a row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--old-python", default=sys.executable, help="the interpreter for REF")
    args = parser.parse_args()
    if args.changes < 1 or args.turn < 1:
        parser.error("--changes and --turn must be at least 1")
    spec = next(s for s in CONTROL_SPECS if s.name == SLIDER_MOVED)
    state = PageState.for_scenario("kaplan2005-llc")
    total = WARM_CHANGES + args.changes
    with contextlib.ExitStack() as stack:
        servers = {
            "old": stack.enter_context(
                timed_gunicorn(
                    args.workers,
                    root=stack.enter_context(checkout(args.ref)),
                    python=args.old_python,
                )
            ),
            "new": stack.enter_context(timed_gunicorn(args.workers)),
        }
        callbacks = {name: page_requests(server.base_url) for name, (server, _) in servers.items()}
        times: dict[str, dict[str, list[float]]] = {name: {"round trip": []} for name in servers}
        logged = {}
        for first in range(0, total, args.turn):
            if first >= WARM_CHANGES and not logged:  # numba's cache loaded: measured from here
                logged = {name: len(in_server()) for name, (_, in_server) in servers.items()}
            turn = range(first, min(first + args.turn, total))
            for name in ("old", "new") if first // args.turn % 2 else ("new", "old"):
                server = servers[name][0]
                for k in turn:
                    position = round(spec.low + (spec.high - spec.low) * (k + 0.5) / total, 6)
                    body = state_body(callbacks[name], state, spec.name, position)
                    elapsed = post(f"{server.base_url}/_dash-update-component", body)[0]
                    if logged:
                        times[name]["round trip"].append(elapsed)
        for name, (_, in_server) in servers.items():
            times[name]["in the server"] = in_server()[logged[name] :]
    print(f"{args.changes} slider changes each, gunicorn {args.workers} workers, taking turns:")
    print(summary(times["old"], times["new"]))


if __name__ == "__main__":
    main()
