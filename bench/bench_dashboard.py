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
from model import Parameters  # noqa: E402

RENDER_OUTPUT = (
    "..cascade-graph.figure...organ-graph.figure...burden-graph.figure...readouts.children"
    "...burden-day.max...burden-day.value.."
)


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


def _outputs(spec: str) -> list[dict]:
    return [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in spec.strip(".").split("...")
    ]


def _state_body(state: PageState, name: str, position: float) -> dict:
    """The state callback's request when slider ``name`` moved to ``position``."""
    sliders = [
        {"id": {"type": SLIDER, "name": s.name}, "property": "value",
         "value": position if s.name == name else slider_position(s, state.params[s.name])}
        for s in CONTROL_SPECS if not s.optional
    ]  # fmt: skip
    inputs = [
        {"id": {"type": INPUT, "name": s.name}, "property": "value", "value": state.params[s.name]}
        for s in CONTROL_SPECS
    ]
    outputs_spec = (
        '..state.data...{"name":["ALL"],"type":"param-slider"}.value...'
        '{"name":["ALL"],"type":"param-input"}.value...scenario.value...days.value...url.search'
        "...message.children...message.is_open...scenario-text.children...tabs.active_tab.."
    )
    outputs = [
        {"id": "state", "property": "data"},
        [{"id": s["id"], "property": "value"} for s in sliders],
        [{"id": i["id"], "property": "value"} for i in inputs],
        {"id": "scenario", "property": "value"},
        {"id": "days", "property": "value"},
        {"id": "url", "property": "search"},
        {"id": "message", "property": "children"},
        {"id": "message", "property": "is_open"},
        {"id": "scenario-text", "property": "children"},
        {"id": "tabs", "property": "active_tab"},
    ]
    changed = json.dumps({"name": name, "type": SLIDER}, separators=(",", ":"), sort_keys=True)
    return {
        "output": outputs_spec,
        "outputs": outputs,
        "inputs": [
            {"id": "url", "property": "search", "value": ""},
            {"id": "scenario", "property": "value", "value": state.scenario},
            sliders,
            inputs,
            {"id": "days", "property": "value", "value": state.days},
            {"id": "reset-all", "property": "n_clicks", "value": None},
            [],
            {"id": "upload", "property": "contents", "value": None},
            {"id": "sweep-graph", "property": "clickData", "value": None},
        ],
        "state": [
            {"id": "upload", "property": "filename", "value": None},
            {"id": "state", "property": "data", "value": state.to_store()},
            {"id": "sweep-result", "property": "data", "value": None},
        ],
        "changedPropIds": [f"{changed}.value"],
    }


def _render_body(store: dict) -> dict:
    return {
        "output": RENDER_OUTPUT,
        "outputs": _outputs(RENDER_OUTPUT),
        "inputs": [
            {"id": "state", "property": "data", "value": store},
            {"id": "reference", "property": "data", "value": None},
            {"id": "axis-scale", "property": "value", "value": "log"},
            {"id": "presentation", "property": "value", "value": False},
            {"id": "burden-day", "property": "value", "value": store["days"]},
        ],
        "state": [{"id": "burden-day", "property": "max", "value": store["days"]}],
        "changedPropIds": ["state.data"],
    }


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
    env = {**os.environ, "SEED_SOIL_CACHE_DIR": cache_dir}
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
        endpoint = f"{base}/_dash-update-component"
        state = PageState(Parameters(), 30.0, "kaplan2005-llc")
        spec = next(s for s in CONTROL_SPECS if s.name == "vegfr1_signalling")
        # Warm each worker (numba loads its cache, Python imports settle): not measured.
        for k in range(4 * args.workers):
            _post(endpoint, _render_body(PageState(Parameters(vegfr1_signalling=k)).to_store()))
        state_times, state_sizes, render_times, render_sizes = [], [], [], []
        for k in range(args.changes):
            position = round(spec.low + (spec.high - spec.low) * (k + 0.5) / args.changes, 4)
            elapsed, size, reply = _post(endpoint, _state_body(state, spec.name, position))
            state_times.append(elapsed)
            state_sizes.append(size)
            store = reply["response"]["state"]["data"]
            elapsed, size, _ = _post(endpoint, _render_body(store))
            render_times.append(elapsed)
            render_sizes.append(size)
        cached = [_post(endpoint, _render_body(store))[0] for _ in range(10)]
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
