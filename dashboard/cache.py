"""Simulations shared through a cache (flask-caching's back-ends), keyed on the model's
version, the validated parameter set and the time span.

Default: a file-system cache shared by every worker on the host (no extra server:
``RunFileCache``). When ``REDIS_URL`` is set, a Redis cache shared across hosts
(``RunRedisCache``). Either holds at most ``_THRESHOLD`` runs and drops the oldest first.
Only runs that take longer than ``SHARE_AFTER_S`` are shared: a shorter one is cheaper to run
again than to store and read back. Each worker also keeps its last ``RecentRuns.SIZE`` runs in
memory (``RecentRuns``). Outside a Flask app context (unit tests, scripts) the model simply
runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

import redis
from cachelib import BaseCache
from flask import (
    Flask,
    Response,
    after_this_request,
    current_app,
    has_app_context,
    has_request_context,
)
from flask_caching import Cache
from flask_caching.backends.filesystemcache import FileSystemCache
from flask_caching.backends.rediscache import RedisCache

from dashboard.state import PageState
from model import SimulationResult, simulate
from model import __version__ as MODEL_VERSION
from model.errors import InvalidInput

__all__ = [
    "SHARE_AFTER_S",
    "RecentRuns",
    "RunFileCache",
    "RunRedisCache",
    "backend_status",
    "cache",
    "cache_config",
    "init_cache",
    "redis_url",
    "register_health",
    "run_key",
    "simulate_state",
]

log = logging.getLogger(__name__)

cache = Cache()
_TIMEOUT_S = 3600
_THRESHOLD = 2000  # cached runs kept on disk (each ~100-300 kB)
#: A run that took less time than this is not written to the shared back-end. Storing a run
#: (pickling ~240 kB, writing a file or a Redis key) takes ~0.4-0.9 ms of the worker after
#: the answer and reading it back ~0.25 ms; a default 30-day run takes ~1.2-2 ms, and a slider
#: move's run is rarely asked for again. Storing every run cost each slider move more than its
#: share of the runs found later, and a request that came while its worker stored waited:
#: with runs kept in memory instead, ``bench/ab_server.py`` measured 1.04x the median time in
#: the server and 1.01-1.21x its p95, ``bench/load_test.py`` (50 users) 0.87x the server's CPU
#: per action. Long runs (a year, LSODA's stiff runs: 10 ms and more) are still shared.
SHARE_AFTER_S = 0.005
_RECENT_KEY = "seed_soil_recent_runs"


class RunFileCache(FileSystemCache):
    """flask-caching's file-system cache, pruned in batches, oldest first, by file times.

    cachelib's ``FileSystemCache``, once its folder holds ``threshold`` entries, prunes on every
    store: it opens every file in the folder twice to read its expiry time, then removes one
    file. A server that had stored 2,000 runs spent that on every slider move after answering
    it, in the worker that answers the next one: a slider move's p95 went from ~12 ms to
    173-186 ms (``bench/bench_dashboard.py --stored 2000``; ``bench/bench_cache.py`` times the
    store alone).

    Here a store that finds the folder over ``threshold`` reads the files' modification times
    in one directory scan (no file is opened) and removes the oldest down to ``LOW_WATER`` of
    the threshold, so the next prune comes ``(1 - LOW_WATER) * threshold`` stores later. Every
    run is stored with the same timeout, so the oldest written are the first to expire; an
    expired entry still left is refused by ``get`` (cachelib reads its time there). Files on
    disk are cachelib's own, read as before.

    The count of files is kept in memory, not in cachelib's count file, which every store read
    and rewrote (~0.4 ms of a store's ~0.8). It is this worker's: what its last scan found plus
    its own stores since. Other workers store in the same folder, so every ``RECOUNT_EVERY``
    stores the folder is scanned anew: it holds at most ``threshold`` plus ``RECOUNT_EVERY`` a
    worker before a prune.
    """

    #: What a prune leaves, as a share of the threshold.
    LOW_WATER = 0.8
    #: Stores between two scans of the folder.
    RECOUNT_EVERY = 50

    def __init__(self, *args, **kwargs) -> None:
        self._count = self._stores = 0
        super().__init__(*args, **kwargs)  # counts the folder's files (``_update_count``)

    @property
    def _file_count(self) -> int:
        return self._count

    def _update_count(self, delta: int | None = None, value: int | None = None) -> None:
        if self._threshold:
            self._count = self._count + delta if delta else value or 0

    def _prune(self) -> None:
        self._stores += 1
        if not self._threshold or (
            not self._over_threshold() and self._stores % self.RECOUNT_EVERY
        ):
            return
        count_file = os.path.basename(self._get_filename(self._fs_count_file))
        dated = []
        with os.scandir(self._path) as entries:
            for entry in entries:
                if entry.name == count_file or entry.name.endswith(self._fs_transaction_suffix):
                    continue
                try:
                    dated.append((entry.stat().st_mtime_ns, entry.path))
                except FileNotFoundError:  # another worker removed it
                    continue
        dated.sort()
        over = len(dated) > self._threshold
        excess = len(dated) - int(self._threshold * self.LOW_WATER) if over else 0
        for _, path in dated[:excess]:
            with contextlib.suppress(FileNotFoundError):  # another worker removed it
                os.remove(path)
        self._update_count(value=len(dated) - excess)


class RunRedisCache(RedisCache):
    """flask-caching's Redis cache, holding at most ``threshold`` runs, the newest.

    flask-caching's ``RedisCache`` keeps every run (~260 kB pickled) until its timeout, however
    many come: 50 users moving a slider every 2 s would store ~6 MB a second, ~20 GB within the
    hour, until the host ran out of memory (3,000 runs took 788 MB). No eviction policy of
    Redis's own can bound it: the same server is Celery's broker and holds the jobs' slots and
    heartbeats, which must never be evicted.

    So each store also records the run's key in a sorted set by store time (``INDEX``, under
    the key prefix), drops from it the runs already expired, and when it holds more than
    ``threshold``, pops the oldest (``ZPOPMIN``: atomic, so two workers never pop the same
    ones) and unlinks them, down to ``LOW_WATER`` of the threshold. The store and the index
    are one round trip to Redis; a prune is one more.
    """

    LOW_WATER = RunFileCache.LOW_WATER
    INDEX = "runs-by-time"

    def __init__(self, *args, threshold: int = _THRESHOLD, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._threshold = threshold

    @classmethod
    def factory(cls, app, config, args, kwargs) -> RunRedisCache:
        kwargs["threshold"] = config["CACHE_THRESHOLD"]
        return super().factory(app, config, args, kwargs)

    def set(self, key: str, value: object, timeout: int | None = None) -> bool:
        seconds = self._normalize_timeout(timeout)
        prefix = self._get_prefix()
        index, now = f"{prefix}{self.INDEX}", time.time()
        steps = self._write_client.pipeline(transaction=False)
        steps.set(
            f"{prefix}{key}", self.serializer.dumps(value), ex=seconds if seconds > 0 else None
        )
        steps.zadd(index, {key: now})
        if seconds > 0:
            steps.zremrangebyscore(index, "-inf", now - seconds)  # expired already
            steps.expire(index, seconds)  # an idle index goes with its runs
        steps.zcard(index)
        stored, *_, count = steps.execute()
        if count > self._threshold:
            oldest = self._write_client.zpopmin(
                index, count - int(self._threshold * self.LOW_WATER)
            )
            if oldest:  # UNLINK: Redis frees the ~100 MB in a thread of its own, not in its loop
                self._write_client.unlink(*(prefix + name.decode() for name, _ in oldest))
        return bool(stored)


def redis_url(env: dict[str, str] | os._Environ = os.environ) -> str | None:
    """``REDIS_URL`` if set (validated), else None: then nothing needs a Redis server."""
    url = env.get("REDIS_URL", "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise InvalidInput(f"REDIS_URL={url!r} must start with redis://, rediss://")
    return url


def cache_config(env: dict[str, str] | os._Environ = os.environ) -> dict:
    """Cache settings from the environment, validated (a bad value stops start-up loudly)."""
    url = redis_url(env)
    if url:
        return {
            "CACHE_TYPE": f"{__name__}.RunRedisCache",
            "CACHE_THRESHOLD": _THRESHOLD,
            "CACHE_REDIS_URL": url,
            "CACHE_DEFAULT_TIMEOUT": _TIMEOUT_S,
            "CACHE_KEY_PREFIX": "seed-soil:",
        }
    folder = env.get("SEED_SOIL_CACHE_DIR") or str(Path(tempfile.gettempdir()) / "seed-soil-cache")
    return {
        "CACHE_TYPE": f"{__name__}.RunFileCache",
        "CACHE_DIR": folder,
        "CACHE_THRESHOLD": _THRESHOLD,
        "CACHE_DEFAULT_TIMEOUT": _TIMEOUT_S,
    }


class RecentRuns:
    """The last ``SIZE`` runs this worker computed or read, in memory, the least recently used
    dropped first (a run's frame is at most ~630 kB: ``model.solve.day_grid``'s 600 points).

    What the page asks for again soon is found here without unpickling: the pinned reference
    (drawn with every slider move), the run the Schematic tab and the CSV export read, a slider
    moved back. Shared by the worker's threads (a lock). Results are returned as stored: their
    users only read them."""

    SIZE = 16

    def __init__(self) -> None:
        self._runs: OrderedDict[str, SimulationResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> SimulationResult | None:
        with self._lock:
            found = self._runs.get(key)
            if found is not None:
                self._runs.move_to_end(key)
            return found

    def put(self, key: str, result: SimulationResult) -> None:
        with self._lock:
            self._runs[key] = result
            self._runs.move_to_end(key)
            while len(self._runs) > self.SIZE:
                self._runs.popitem(last=False)

    def __len__(self) -> int:
        return len(self._runs)


def init_cache(server: Flask) -> None:
    cache.init_app(server, config=cache_config())
    server.extensions[_RECENT_KEY] = RecentRuns()
    _OUTAGE.forget()  # a new app (a new worker) has seen no outage yet


# --- Health -----------------------------------------------------------------------------------


class _Outage:
    """One log line per back-end outage, not one per request: while Redis is down every run
    fails to read and store (and runs uncached); the first failure is logged, without a
    traceback, the rest are not until ``/health`` finds the back-end again."""

    def __init__(self) -> None:
        self._down = threading.Event()

    def start(self, message: str) -> None:
        if not self._down.is_set():
            self._down.set()
            log.error("%s; logged once until /health finds the back-end again", message)

    def forget(self) -> None:
        self._down.clear()

    def end(self) -> None:
        if self._down.is_set():
            self._down.clear()
            log.warning("cache back-end reachable again")


_OUTAGE = _Outage()
#: Seconds /health waits for Redis: a Docker HEALTHCHECK allows a few seconds per probe.
PING_TIMEOUT_S = 1.0


def backend_status(env: dict[str, str] | os._Environ = os.environ) -> tuple[int, str]:
    """(HTTP status, text) for ``/health``: 200 "ok", or 503 "degraded: ..." when the cache
    back-end (Redis, also the Celery broker; else the cache folder) cannot be used."""
    url = redis_url(env)
    if url:
        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=PING_TIMEOUT_S, socket_timeout=PING_TIMEOUT_S
            )
            with client:
                client.ping()
        except (redis.RedisError, OSError) as exc:
            _OUTAGE.start(f"Redis unreachable ({type(exc).__name__}: {exc})")
            return 503, "degraded: redis unreachable"
    else:
        folder = Path(cache_config(env)["CACHE_DIR"])
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            _OUTAGE.start(f"cache folder {folder} is not writable")
            return 503, "degraded: cache folder not writable"
    _OUTAGE.end()
    return 200, "ok"


def register_health(server: Flask, path: str = "/health") -> None:
    """``GET /health``: what a load balancer or Docker's HEALTHCHECK asks (plain text)."""

    def health() -> Response:
        status, text = backend_status()
        return Response(text, status=status, mimetype="text/plain")

    server.add_url_rule(path, "health", health)


def run_key(state: PageState) -> str:
    """The cache key of ``state``'s run: the model's version (with Redis, runs outlive a
    deployment: a new model must not be answered with an old one's runs), the parameters that
    differ from the defaults and the days (the scenario's name does not change the run)."""
    text = json.dumps(
        {"model": MODEL_VERSION, "changed": state.params.changed(), "days": state.days},
        sort_keys=True,
    )
    return "run:" + hashlib.sha256(text.encode()).hexdigest()


def _run(state: PageState) -> SimulationResult:
    return simulate(state.params, state.days)


def _backend_failed(exc: Exception) -> None:
    _OUTAGE.start(
        f"cache back-end failing ({type(exc).__name__}: {exc}): running the model uncached"
    )


def _store(backend: BaseCache, key: str, result: SimulationResult) -> None:
    try:
        backend.set(key, result, timeout=_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 (any back-end failure: the run was answered already)
        _backend_failed(exc)


def simulate_state(state: PageState) -> SimulationResult:
    """The run for ``state``; inside the app, from this worker's recent runs (``RecentRuns``),
    else from the cache shared by every worker, else run.

    A new run that took ``SHARE_AFTER_S`` or longer is also stored in the shared cache, once
    its response has been sent (pickling 100-300 kB and writing a file or a Redis key took ~3
    ms of a slider move's answer); outside a request, at once. If the back-end fails, the model
    runs unshared and the outage is logged once (``_Outage``).
    """
    if not has_app_context():
        return _run(state)
    key = run_key(state)
    recent: RecentRuns = current_app.extensions[_RECENT_KEY]
    found = recent.get(key)
    if found is not None:
        return found
    try:
        backend = cache.cache
        found = backend.get(key)
    except Exception as exc:  # noqa: BLE001 (Redis down, folder unreadable: run it anyway)
        _backend_failed(exc)
        backend = None
    if isinstance(found, SimulationResult):
        recent.put(key, found)
        return found
    start = time.perf_counter()
    result = _run(state)
    recent.put(key, result)
    if backend is None or time.perf_counter() - start < SHARE_AFTER_S:
        return result
    if has_request_context():

        @after_this_request
        def store_when_sent(response: Response) -> Response:
            response.call_on_close(lambda: _store(backend, key, result))
            return response

    else:
        _store(backend, key, result)
    return result
