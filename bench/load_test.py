"""Many users at once: the app under real gunicorn on 127.0.0.1, each simulated user loading the
page and then moving sliders, for a bounded time per level of users.

    python bench/load_test.py [--users 10 30 50] [--duration 25] [--think 1 3] [--workers 2]
                              [--setting LABEL=GUNICORN_ARGS ...] [--json report.json]
    python bench/load_test.py --server http://127.0.0.1:8050   # a server already running

A user loads the page as a browser does (the index, ``/_dash-layout``, ``/_dash-dependencies``,
then the page callback's first call), then repeats until the level's time is up: think, then
move one slider (chosen at random) to a random position, which is exactly the browser's one
request: the page callback, answering with the new state and the Explore tab drawn for it.
That request is an *action*; its latency is what the user waits for new figures. The
think time is uniform between the two ``--think`` values, 1-3 s by default: reading the changed
figures before reaching for the next slider (a drag sends a request per step, but Dash's
renderer waits for each answer before sending the next, so a dragging user is one action at a
time too). Users arrive spread over the first seconds of a level, each with a page load; a
level stops starting actions after ``--duration`` seconds and lets those under way finish.
Requests ask for brotli or gzip and are decoded, as a browser's are.

Per level: requests, errors (a non-2xx answer or an exception; a move the app refuses with a
message, such as a therapy starting after its end, is counted apart), action latency
p50/p95/p99, each request kind's p95, throughput, the gunicorn processes' CPU per action and
the machine's load average. Each ``--setting`` starts its own server with extra gunicorn
arguments (``--setting "sync=--worker-class sync --threads 1"``: gunicorn.conf.py's threads
would turn a sync worker into gthread); the servers take turns at each level, so
settings compare in the same run under much the same background load.
Target (issue 9): 50 users, 2 workers, 0 errors, action p95 <= 150 ms. Numbers are printed,
never asserted: the machine is shared and the users run on it too. Only 127.0.0.1 is served
or loaded: any other ``--server`` host is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shlex
import sys
import threading
import time
import urllib.error
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import (  # noqa: E402
    HOST,
    get,
    gunicorn,
    page_requests,
    percentile,
    post,
    state_body,
)
from dashboard.controls import CONTROL_SPECS  # noqa: E402
from dashboard.state import PageState, slider_position  # noqa: E402
from model import Parameters  # noqa: E402
from tests.dash_requests import CallbackRequests  # noqa: E402

SLIDERS = [s for s in CONTROL_SPECS if not s.optional]
RAMP_SECONDS = 5.0  # users arrive spread over this (at most a quarter of the level)


@dataclass
class Level:
    """What the users of one level did: request latencies by kind, action latencies, errors."""

    users: int
    requests: dict[str, list[float]] = field(default_factory=dict)
    actions: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.requests.setdefault(kind, []).append(seconds)

    def action(self, seconds: float) -> None:
        with self.lock:
            self.actions.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def _timed(level: Level, kind: str, call, *args):
    """``call(*args)`` recorded as a request of ``kind``; None (and an error) if it failed."""
    try:
        elapsed, status, reply = call(*args)
    except Exception as problem:  # HTTPError (non-2xx), a reset, a timeout, bad JSON: all count
        level.error(f"{kind}: {problem!r}")
        return None
    level.request(kind, elapsed)
    if not 200 <= status < 300:
        level.error(f"{kind}: HTTP {status}")
        return None
    return reply


def _post(url: str, body: dict) -> tuple[float, int, dict]:
    elapsed, _, reply = post(url, body)
    return elapsed, 200, reply  # urllib raises HTTPError on anything else but 2xx


def _move(rng: random.Random) -> tuple[str, float]:
    """A slider and a random position on it (log sliders move in decades, as on screen)."""
    spec = rng.choice(SLIDERS)
    low, high = slider_position(spec, spec.low), slider_position(spec, spec.high)
    return spec.name, round(rng.uniform(low, high), 4)


def _act(level: Level, base: str, callbacks: CallbackRequests, state: PageState, move) -> object:
    """One action (the page callback); the new page state, or None on an error or a refusal."""
    start = time.perf_counter()
    endpoint = f"{base}/_dash-update-component"
    reply = _timed(level, "callback", _post, endpoint, state_body(callbacks, state, *move))
    if reply is None:
        return None
    response = reply.get("response", {})
    if response.get("message", {}).get("is_open"):
        # Refused with a message, the last good state kept (e.g. a therapy that would start
        # after its end): the page draws nothing new.
        with level.lock:
            level.refused.append(move)
        return None
    level.action(time.perf_counter() - start)
    store = response.get("state", {}).get("data")
    return PageState.from_store(store) if store else state


def _user(level: Level, base: str, callbacks: CallbackRequests, args, seed: int) -> None:
    rng = random.Random(seed)
    start = time.monotonic()
    ramp = min(RAMP_SECONDS, args.duration / 4)
    time.sleep(rng.uniform(0, ramp))
    for path in ("/", "/_dash-layout", "/_dash-dependencies"):
        _timed(level, "page", get, f"{base}{path}")
    state = _act(level, base, callbacks, PageState(Parameters()), (None, None))
    state = state or PageState(Parameters())
    while True:
        time.sleep(rng.uniform(*args.think))
        if time.monotonic() - start >= args.duration:
            return
        state = _act(level, base, callbacks, state, _move(rng)) or state


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds used so far by gunicorn and its workers (None without a local server)."""
    if pid is None:
        return None
    try:
        processes = [psutil.Process(pid)]
        processes += processes[0].children(recursive=True)
        return sum(sum(p.cpu_times()[:2]) for p in processes)  # user + system
    except psutil.Error:
        return None


def _ms(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and p99 in milliseconds (None when nothing was measured)."""
    ms = [v * 1000 for v in values]
    return {f"p{q}": round(percentile(ms, q), 1) if ms else None for q in (50, 95, 99)}


def run_level(base: str, callbacks: CallbackRequests, users: int, args, pid, seed) -> dict:
    """``users`` users for ``args.duration`` seconds: the level's report."""
    level = Level(users)
    load_before = os.getloadavg()
    cpu_before = _server_cpu(pid)
    client_before = time.process_time()
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=_user, args=(level, base, callbacks, args, seed * 1000 + k), daemon=True
        )
        for k in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    wall = time.perf_counter() - started
    client = time.process_time() - client_before
    cpu_after = _server_cpu(pid)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    all_requests = [s for kind in level.requests.values() for s in kind]
    return {
        "users": users,
        "seconds": round(wall, 1),
        "requests": len(all_requests) + len(level.errors),
        "errors": len(level.errors),
        "error_samples": level.errors[:5],
        "refused_moves": len(level.refused),
        "actions": len(level.actions),
        "requests_per_s": round(len(all_requests) / wall, 1),
        "actions_per_s": round(len(level.actions) / wall, 2),
        "action_ms": _ms(level.actions),
        "request_ms": {kind: _ms(s) for kind, s in sorted(level.requests.items())}
        | {"all": _ms(all_requests)},
        "server_cpu_ms_per_action": (
            round(cpu * 1000 / len(level.actions), 1) if cpu is not None and level.actions else None
        ),
        # The simulated users share the machine: their own CPU, per second of the level.
        "client_cpu_share": round(client / wall, 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "alive_users_at_end": sum(t.is_alive() for t in threads),
    }


def _warm(base: str, callbacks: CallbackRequests, workers: int) -> None:
    """Let every worker load the numba cache and settle its imports: not measured."""
    state = PageState(Parameters())
    for k in range(4 * max(workers, 1)):
        post(
            f"{base}/_dash-update-component",
            state_body(callbacks, state, "vegfr1_signalling", float(k)),
        )


def _run_levels(targets: list[tuple[str, str, int | None]], args) -> list[dict]:
    """Every level on every target (label, base URL, server pid), the targets taking turns at
    each level so that they meet the same background load on a shared machine."""
    requests = {}
    for _, base, _ in targets:
        requests[base] = page_requests(base)
        _warm(base, requests[base], args.workers)
    reports = []
    for seed, users in enumerate(args.users, start=1):
        for label, base, pid in targets:
            report = {"setting": label} | run_level(base, requests[base], users, args, pid, seed)
            print(_row(report), flush=True)
            reports.append(report)
    return reports


HEADER = (
    f"{'setting':>12} {'users':>5} {'reqs':>6} {'errs':>5} {'req/s':>6} {'act/s':>6} "
    f"{'action p50':>10} {'p95':>6} {'p99':>6} {'callback p95':>12} "
    f"{'CPU/act':>8} {'load 1m':>7}"
)


def _number(value: float | None, width: int) -> str:
    return f"{'-' if value is None else f'{value:.1f}':>{width}}"


def _row(r: dict) -> str:
    a, req = r["action_ms"], r["request_ms"]
    return (
        f"{r['setting']:>12} {r['users']:>5} {r['requests']:>6} {r['errors']:>5} "
        f"{r['requests_per_s']:>6.1f} {r['actions_per_s']:>6.2f} {_number(a['p50'], 8)}ms "
        f"{_number(a['p95'], 6)} {_number(a['p99'], 6)} "
        f"{_number(req.get('callback', {}).get('p95'), 12)} "
        f"{_number(r['server_cpu_ms_per_action'], 6)}ms {r['loadavg_after'][0]:>7.2f}"
    )


def _local_server(url: str) -> str:
    """``url`` without a trailing slash if its host is 127.0.0.1, else ValueError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname != HOST:
        raise ValueError(f"only http://{HOST}:PORT may be load-tested, not {url!r}")
    return url.rstrip("/")


def _setting(text: str) -> tuple[str, list[str]]:
    label, _, gunicorn_args = text.partition("=")
    if not label:
        raise argparse.ArgumentTypeError("a setting is LABEL=GUNICORN_ARGS")
    return label, shlex.split(gunicorn_args)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 30, 50])
    parser.add_argument("--duration", type=float, default=25.0, help="seconds per level")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--setting", type=_setting, action="append", metavar="LABEL=ARGS")
    parser.add_argument("--server", help=f"an app already serving on http://{HOST}:PORT")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    if not all(1 <= u <= 500 for u in args.users):
        parser.error("--users: from 1 to 500 each")
    if not 1 <= args.duration <= 600:
        parser.error("--duration: from 1 to 600 seconds")
    if not 0 <= args.think[0] <= args.think[1] <= 60:
        parser.error("--think: 0 <= MIN <= MAX <= 60 seconds")
    if args.server:
        if args.setting:
            parser.error("--setting starts servers; it cannot go with --server")
        try:
            args.server = _local_server(args.server)
        except ValueError as problem:
            parser.error(str(problem))
    elif not args.setting:
        args.setting = [("default", [])]
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"{args.workers} workers, {args.duration:g} s per level, think {args.think[0]:g}-"
        f"{args.think[1]:g} s"
    )
    print(HEADER, flush=True)
    with contextlib.ExitStack() as servers:
        targets = [("external", args.server, None)] if args.server else []
        for label, extra in args.setting or []:
            server = servers.enter_context(gunicorn(args.workers, extra))
            targets.append((label, server.base_url, server.pid))
        levels = _run_levels(targets, args)
    report = {
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "duration_s": args.duration,
        "think_s": args.think,
        "settings": dict(args.setting or []),
        "levels": levels,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, allow_nan=False))
    return report


if __name__ == "__main__":
    main()
