"""The page callback's direct answer against Dash's dispatch, in one process, in turns.

    python bench/bench_dispatch.py [--changes 200]

One app (Flask's test client, no HTTP): each slider change is posted once through the server's
view (the direct answer, ``dashboard.direct``) and once through Dash's own dispatch, which the
direct answer wraps, in alternating order, each with a new slider value (every run uncached).
Prints the median and p95 of each, and their ratio: both measured in the same run, so the ratio
holds on a busy machine where the times do not. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import percentile, state_body  # noqa: E402
from dashboard.controls import CONTROL_SPECS  # noqa: E402
from dashboard.guard import UPDATE_PATH  # noqa: E402
from dashboard.state import PageState  # noqa: E402
from tests.dash_requests import CallbackRequests  # noqa: E402

ENDPOINT = "/" + UPDATE_PATH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    os.environ["SEED_SOIL_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-dispatch-")
    from dashboard import create_app

    server = create_app().server
    client = server.test_client()
    client.get("/")
    callbacks = CallbackRequests(
        client.get("/_dash-dependencies").get_json(), client.get("/_dash-layout").get_json()
    )
    views = server.view_functions
    paths = {"direct": views[ENDPOINT], "dash": views[ENDPOINT].__wrapped__}
    state = PageState.for_scenario("kaplan2005-llc")
    spec = next(s for s in CONTROL_SPECS if s.name == "vegfr1_signalling")
    times: dict[str, list[float]] = {name: [] for name in paths}
    total = 2 * args.changes + 20
    for k in range(total):
        name = ("direct", "dash")[(k + k // 2) % 2]  # ABBA: neither always goes first
        position = round(spec.low + (spec.high - spec.low) * (k + 0.5) / total, 5)
        body = state_body(callbacks, state, spec.name, position)
        views[ENDPOINT] = paths[name]
        start = time.perf_counter()
        response = client.post(ENDPOINT, json=body)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{name}: {response.status_code} {response.get_data()[:200]!r}")
        if k >= 20:  # the first ones warm both paths up
            times[name].append(elapsed * 1000)
    views[ENDPOINT] = paths["direct"]
    print(f"{args.changes} uncached slider changes each, in process, in turns:")
    for name, ms in times.items():
        print(
            f"  {name:7} median {statistics.median(ms):6.2f} ms   p95 {percentile(ms, 95):6.2f} ms"
        )
    ratio = statistics.median(times["direct"]) / statistics.median(times["dash"])
    print(f"  direct / dash, medians: {ratio:.2f}")


if __name__ == "__main__":
    main()
