"""Serve the app with gunicorn on 127.0.0.1 and replay slider changes to the Dash callback endpoint.

Each replayed change is what the browser sends when a slider moves: first the state callback
(validate, update controls and URL), then the render callback (simulate, build every figure and
the readout table). Every change uses a new parameter value, so every render is uncached.

    python bench/bench_dashboard.py [--changes 60] [--workers 2]

Prints median and p95 server round-trip times and payload sizes. Target (issue 3): render p95
under 100 ms for an uncached default-sized simulation with all figures, payload under 300 kB.
Numbers are printed, never asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.controls import CONTROL_SPECS, INPUT, SLIDER  # noqa: E402
from dashboard.state import PageState, slider_position  # noqa: E402
from model import GROUPS, Parameters  # noqa: E402
from model.hypotheses import hypothesis_of  # noqa: E402
from tests.dash_requests import CallbackRequests, prop_id  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> tuple[float, int, dict]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
    elapsed = time.perf_counter() - start
    return elapsed, len(payload), json.loads(payload) if payload else {}


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _state_body(callbacks: CallbackRequests, state: PageState, name: str, position: float) -> dict:
    """The state callback's request when slider ``name`` moved to ``position``."""
    slider = {"type": SLIDER, "name": name}
    positions = {
        prop_id({"type": SLIDER, "name": s.name}, "value"): slider_position(s, state.params[s.name])
        for s in CONTROL_SPECS
        if not s.optional
    }
    values = {
        "url.search": "",
        "scenario.value": state.scenario,
        "hypothesis.value": hypothesis_of(state.params),
        **positions,
        **{
            prop_id({"type": INPUT, "name": s.name}, "value"): state.params[s.name]
            for s in CONTROL_SPECS
        },
        prop_id(slider, "value"): position,
        "days.value": state.days,
        "reset-all.n_clicks": None,
        **{prop_id({"type": "reset-group", "group": g}, "n_clicks"): None for g in GROUPS},
        "upload.contents": None,
        "sweep-graph.clickData": None,
        "upload.filename": None,
        "state.data": state.to_store(),
        "sweep-result.data": None,
    }
    return callbacks.body("state.data", values, changed=[prop_id(slider, "value")])


def _render_body(callbacks: CallbackRequests, store: dict) -> dict:
    """The render callback's request after the state store changed to ``store``."""
    values = {
        "state.data": store,
        "reference.data": None,
        "axis-scale.value": "log",
        "presentation.value": False,
        "burden-day.value": store["days"],
        "burden-day.max": store["days"],
    }
    return callbacks.body("cascade-graph.figure", values, changed=["state.data"])


def _summary(label: str, seconds: list[float], sizes: list[int]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (
        f"{label:28} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   "
        f"payload median {statistics.median(sizes) / 1000:7.1f} kB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cache_dir = tempfile.mkdtemp(prefix="seed-soil-bench-cache-")
    # Several workers need one shared secret (gunicorn.conf.py refuses to start without it).
    env = {
        **os.environ,
        "SEED_SOIL_CACHE_DIR": cache_dir,
        "DASH_SECRET_KEY": os.environ.get("DASH_SECRET_KEY") or secrets.token_hex(32),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--preload", "app:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        urllib.request.urlopen(f"{base}/", timeout=10).read()
        callbacks = CallbackRequests(
            _get_json(f"{base}/_dash-dependencies"), _get_json(f"{base}/_dash-layout")
        )
        endpoint = f"{base}/_dash-update-component"
        state = PageState(Parameters(), 30.0, "kaplan2005-llc")
        spec = next(s for s in CONTROL_SPECS if s.name == "vegfr1_signalling")
        # Warm each worker (numba loads its cache, Python imports settle): not measured.
        for k in range(4 * args.workers):
            store = PageState(Parameters(vegfr1_signalling=k)).to_store()
            _post(endpoint, _render_body(callbacks, store))
        state_times, state_sizes, render_times, render_sizes = [], [], [], []
        for k in range(args.changes):
            position = round(spec.low + (spec.high - spec.low) * (k + 0.5) / args.changes, 4)
            elapsed, size, reply = _post(
                endpoint, _state_body(callbacks, state, spec.name, position)
            )
            state_times.append(elapsed)
            state_sizes.append(size)
            store = reply["response"]["state"]["data"]
            elapsed, size, _ = _post(endpoint, _render_body(callbacks, store))
            render_times.append(elapsed)
            render_sizes.append(size)
        cached = [_post(endpoint, _render_body(callbacks, store))[0] for _ in range(10)]
    finally:
        server.terminate()
        server.wait(timeout=10)
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
