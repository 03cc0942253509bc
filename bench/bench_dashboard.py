"""Serve the app with gunicorn on 127.0.0.1 and replay slider changes to the Dash callback endpoint.

Each replayed change is what the browser sends when a slider moves: first the state callback
(validate, update controls and URL), then the render callback (simulate, build every figure and
the readout table). Every change uses a new parameter value, so every render is uncached.

    python bench/bench_dashboard.py [--changes 60] [--workers 2]

Prints median and p95 server round-trip times and payload sizes (decoded: the requests accept
brotli and gzip, as a browser's do). Target (issue 3): render p95 under 100 ms for an uncached
default-sized simulation with all figures, payload under 300 kB.
Numbers are printed, never asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import (  # noqa: E402
    get,
    gunicorn,
    page_requests,
    percentile,
    post,
    render_body,
    state_body,
)
from dashboard.controls import CONTROL_SPECS  # noqa: E402
from dashboard.state import PageState  # noqa: E402
from model import Parameters  # noqa: E402


def _summary(label: str, seconds: list[float], sizes: list[int]) -> str:
    ms = [s * 1000 for s in seconds]
    p95 = percentile(ms, 95)
    return (
        f"{label:28} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   "
        f"payload median {statistics.median(sizes) / 1000:7.1f} kB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with gunicorn(args.workers) as server:
        base = server.base_url
        get(f"{base}/")
        callbacks = page_requests(base)
        endpoint = f"{base}/_dash-update-component"
        state = PageState(Parameters(), 30.0, "kaplan2005-llc")
        spec = next(s for s in CONTROL_SPECS if s.name == "vegfr1_signalling")
        # Warm each worker (numba loads its cache, Python imports settle): not measured.
        for k in range(4 * args.workers):
            store = PageState(Parameters(vegfr1_signalling=k)).to_store()
            post(endpoint, render_body(callbacks, store))
        state_times, state_sizes, render_times, render_sizes = [], [], [], []
        for k in range(args.changes):
            position = round(spec.low + (spec.high - spec.low) * (k + 0.5) / args.changes, 4)
            elapsed, size, reply = post(endpoint, state_body(callbacks, state, spec.name, position))
            state_times.append(elapsed)
            state_sizes.append(size)
            store = reply["response"]["state"]["data"]
            elapsed, size, _ = post(endpoint, render_body(callbacks, store))
            render_times.append(elapsed)
            render_sizes.append(size)
        cached = [post(endpoint, render_body(callbacks, store))[0] for _ in range(10)]
    print(f"{args.changes} slider changes, gunicorn {args.workers} workers, 127.0.0.1:")
    print(_summary("state callback", state_times, state_sizes))
    print(_summary("render callback (uncached)", render_times, render_sizes))
    print(_summary("render callback (cached)", cached, render_sizes[-1:]))
    total = [a + b for a, b in zip(state_times, render_times, strict=True)]
    print(
        _summary(
            "slider -> figures, total",
            total,
            [a + b for a, b in zip(state_sizes, render_sizes, strict=True)],
        )
    )


if __name__ == "__main__":
    main()
