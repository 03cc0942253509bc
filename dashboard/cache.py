"""Memoised simulations (flask-caching), keyed on the validated parameter set and time span.

Default: a file-system cache shared by every worker on the host (no extra server). When
``REDIS_URL`` is set, a Redis cache shared across hosts. Outside a Flask app context (unit tests,
scripts) the model simply runs.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import redis
from flask import Flask, Response, has_app_context
from flask_caching import Cache

from dashboard.state import PageState
from model import SimulationResult, simulate
from model.errors import InvalidInput

__all__ = [
    "backend_status",
    "cache",
    "cache_config",
    "init_cache",
    "redis_url",
    "register_health",
    "simulate_state",
]

log = logging.getLogger(__name__)

cache = Cache()
_TIMEOUT_S = 3600
_THRESHOLD = 2000  # cached runs kept on disk (each ~100-300 kB)


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
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_DEFAULT_TIMEOUT": _TIMEOUT_S,
            "CACHE_KEY_PREFIX": "seed-soil:",
        }
    folder = env.get("SEED_SOIL_CACHE_DIR") or str(Path(tempfile.gettempdir()) / "seed-soil-cache")
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": folder,
        "CACHE_THRESHOLD": _THRESHOLD,
        "CACHE_DEFAULT_TIMEOUT": _TIMEOUT_S,
    }


def init_cache(server: Flask) -> None:
    cache.init_app(server, config=cache_config())
    logging.getLogger("flask_caching").addFilter(_OUTAGE)
    _OUTAGE.forget()  # a new app (a new worker) has seen no outage yet


# --- Health -----------------------------------------------------------------------------------


class _Outage(logging.Filter):
    """One log line per back-end outage, not one traceback per request.

    While Redis is down every memoised call logs "Exception possibly due to cache backend" with
    a traceback (flask-caching then runs the model uncached). The first one of an outage is
    kept, without its traceback; the rest are dropped until ``/health`` finds Redis back.
    """

    def __init__(self) -> None:
        super().__init__()
        self._down = threading.Event()

    def filter(self, record: logging.LogRecord) -> bool:
        if "cache backend" not in record.getMessage():
            return True
        if self._down.is_set():
            return False
        self.start(f"cache back-end failing ({_one_line(record)}): running the model uncached")
        return False

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


def _one_line(record: logging.LogRecord) -> str:
    exc = record.exc_info[1] if record.exc_info else None
    return f"{type(exc).__name__}: {exc}" if exc else record.getMessage()


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


@cache.memoize()
def _simulate_key(key: str) -> SimulationResult:
    data = json.loads(key)
    return _run(PageState.from_store(data))


def _run(state: PageState) -> SimulationResult:
    return simulate(state.params, state.days)


def simulate_state(state: PageState) -> SimulationResult:
    """The run for ``state``; memoised when called inside the app."""
    if not has_app_context():
        return _run(state)
    key = json.dumps({"changed": state.params.changed(), "days": state.days}, sort_keys=True)
    return _simulate_key(key)
