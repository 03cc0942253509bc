"""What the benchmark scripts share: the app under real gunicorn on 127.0.0.1, and the callback
request a slider move makes the browser send.

A slider move is one request to the page callback: validate, update the controls and the URL,
simulate, build every figure of the Explore tab and the readout table. The body comes from the
app's own ``/_dash-dependencies`` and ``/_dash-layout`` (``tests/dash_requests.py``), so it
changes when the callback does.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.controls import CONTROL_SPECS, INPUT, SLIDER  # noqa: E402
from dashboard.guard import UPDATE_PATH  # noqa: E402
from dashboard.ids import control_id  # noqa: E402
from dashboard.state import PageState, slider_position  # noqa: E402
from model import GROUPS  # noqa: E402
from model.hypotheses import hypothesis_of  # noqa: E402
from tests.dash_requests import CallbackRequests, prop_id  # noqa: E402

HOST = "127.0.0.1"
#: What a browser asks for; the answers are decoded as the browser would.
ACCEPT_ENCODING = "gzip, deflate, br"
STARTUP_SECONDS = 120  # create_app() loads the numba cache: slow on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    workers: int = 2,
    extra_args: Sequence[str] = (),
    fill_cache: Callable[[str], None] | None = None,
    root: Path = ROOT,
    python: str = sys.executable,
) -> Iterator[subprocess.Popen]:
    """``gunicorn app:server`` on 127.0.0.1 with its own cache folder (``fill_cache`` fills it
    first); yields the process once ``/health`` answers (``process.base_url``), stops it on
    exit. ``root`` is the checkout served (another commit's worktree, say), ``python`` the
    interpreter (of a virtualenv with the requirements) that runs gunicorn.

    Several workers need one shared secret (gunicorn.conf.py refuses to start without it).
    """
    port = free_port()
    cache_dir = tempfile.mkdtemp(prefix="seed-soil-bench-cache-")
    if fill_cache:
        fill_cache(cache_dir)
    env = {
        **os.environ,
        "SEED_SOIL_CACHE_DIR": cache_dir,
        "DASH_SECRET_KEY": os.environ.get("DASH_SECRET_KEY") or secrets.token_hex(32),
    }
    command = [python, "-m", "gunicorn", "--bind", f"{HOST}:{port}",
               "--workers", str(workers), "--preload", "--no-control-socket",
               *extra_args, "app:server"]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server.base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}: {command}")
            try:
                urllib.request.urlopen(f"{server.base_url}/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"gunicorn not healthy in {STARTUP_SECONDS} s") from None
                time.sleep(0.1)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(cache_dir, ignore_errors=True)


@contextlib.contextmanager
def timed_gunicorn(
    workers: int = 2,
    root: Path = ROOT,
    fill_cache: Callable[[str], None] | None = None,
    python: str = sys.executable,
) -> Iterator[tuple[subprocess.Popen, Callable[[], list[float]]]]:
    """``gunicorn`` that also logs each request's own time (its ``%(D)s``): yields the process
    and a function giving the seconds each callback request so far took in the server. That is
    the server's part of a round trip, without the client's (urllib, a new connection,
    decompressing: ~2 ms here). The log lives in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="seed-soil-bench-") as logs:
        access = Path(logs) / "access.log"
        log_args = ["--access-logfile", str(access), "--access-logformat", "%(D)s %(U)s"]
        with gunicorn(workers, log_args, fill_cache, root, python) as server:

            def in_server() -> list[float]:
                lines = access.read_text().splitlines() if access.exists() else []
                return [int(line.split()[0]) / 1e6 for line in lines
                        if line.endswith("/" + UPDATE_PATH)]  # fmt: skip

            yield server, in_server


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """``ref``'s files: a directory holding another checkout (a variant being tried) as it
    is, else the commit checked out in a temporary git worktree, removed on exit."""
    if Path(ref).is_dir():
        yield Path(ref)
        return
    with tempfile.TemporaryDirectory(prefix="seed-soil-ab-") as tmp:
        root = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(root), ref],
                       cwd=ROOT, check=True)  # fmt: skip
        try:
            yield root
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(root)], cwd=ROOT,
                           check=False)  # fmt: skip


def _decoded(response) -> bytes:
    payload = response.read()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(payload)
    if encoding == "gzip":
        return gzip.decompress(payload)
    return payload


def get(url: str, timeout: float = 30) -> tuple[float, int, bytes]:
    """Seconds, status and decoded body of a browser-like GET."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = _decoded(response)
        status = response.status
    return time.perf_counter() - start, status, body


def get_json(url: str) -> object:
    return json.loads(get(url)[2])


def post(url: str, body: dict, timeout: float = 30) -> tuple[float, int, dict]:
    """Seconds, bytes received (decoded) and reply of a browser-like JSON POST."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
        method="POST",
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = _decoded(response)
    elapsed = time.perf_counter() - start
    return elapsed, len(payload), json.loads(payload) if payload else {}


def page_requests(base_url: str) -> CallbackRequests:
    """Builds callback bodies for the app at ``base_url`` (what a page load fetches)."""
    return CallbackRequests(
        get_json(f"{base_url}/_dash-dependencies"), get_json(f"{base_url}/_dash-layout")
    )


def state_body(
    callbacks: CallbackRequests,
    state: PageState,
    name: str | None = None,
    position: float | None = None,
) -> dict:
    """The page callback's request (the new state and the Explore tab drawn for it) when
    slider ``name`` moved to ``position``; without a ``name``, the one a page load sends
    (nothing changed yet) from a page whose layout came without its Explore tab drawn (opened
    with a query). The page shows ``state``, with the layout's view settings."""
    positions = {
        prop_id(control_id(SLIDER, s.name), "value"): slider_position(s, state.params[s.name])
        for s in CONTROL_SPECS
        if not s.optional
    }
    values = {
        "url.search": "",
        "scenario.value": state.scenario,
        "hypothesis.value": hypothesis_of(state.params),
        **positions,
        **{
            prop_id(control_id(INPUT, s.name), "value"): state.params[s.name] for s in CONTROL_SPECS
        },
        "days.value": state.days,
        "reset-all.n_clicks": None,
        **{prop_id({"type": "reset-group", "group": g}, "n_clicks"): None for g in GROUPS},
        "upload.contents": None,
        "sweep-graph.clickData": None,
        "reference.data": None,
        "axis-scale.value": "log",
        "presentation.value": False,
        "burden-day.value": state.days,
        "upload.filename": None,
        "state.data": state.to_store(),
        "sweep-result.data": None,
        "message.is_open": False,
        "tabs.active_tab": "explore",
        "scenario-changed.hidden": True,
        "burden-day.max": state.days,
        "risk-section.style": {"display": "none"},
        "first-drawn.data": False,  # a layout that came without the tab drawn: it is drawn
    }
    if name is None:
        return callbacks.body("state.data", values)
    moved = prop_id(control_id(SLIDER, name), "value")
    return callbacks.body("state.data", values | {moved: position}, changed=[moved])


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]
