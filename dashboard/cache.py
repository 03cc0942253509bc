"""Memoised simulations (flask-caching), keyed on the validated parameter set and time span.

Default: a file-system cache shared by every worker on the host (no extra server). When
``REDIS_URL`` is set, a Redis cache shared across hosts. Outside a Flask app context (unit tests,
scripts) the model simply runs.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from flask import Flask, has_app_context
from flask_caching import Cache

from dashboard.state import PageState
from model import SimulationResult, simulate
from model.errors import InvalidInput

__all__ = ["cache", "cache_config", "init_cache", "redis_url", "simulate_state"]

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
