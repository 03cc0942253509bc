"""The Seed & Soil Explorer dashboard: layout, callbacks and figures over ``model``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import diskcache
from celery import Celery
from dash import Dash

from dashboard.cache import init_cache, redis_url, register_health
from dashboard.callbacks import opens_first_state, register
from dashboard.compression import register_compression
from dashboard.explore import register_explore
from dashboard.guard import register_guard
from dashboard.jobs import WatchedCeleryManager, WatchedDiskcacheManager, job_threads
from dashboard.layout import build_layout
from dashboard.lessons import register_lessons
from dashboard.limits import register_limits
from dashboard.links import register_links
from dashboard.page import SeedSoilDash, register_asset_caching
from dashboard.schematic import register_schematic
from dashboard.security import register_security
from dashboard.sensitivity import analysis_budget, register_sensitivity
from dashboard.sweeps import register_sweeps, sweep_budget
from model.solve import warm_up

__all__ = ["TITLE", "create_app"]

TITLE = "Seed & Soil Explorer"
# Dash(__name__) inside dashboard/ would serve dashboard/assets: point it at the top level.
ASSETS_FOLDER = Path(__file__).resolve().parent.parent / "assets"


def background_manager() -> tuple[WatchedDiskcacheManager | WatchedCeleryManager, Celery | None]:
    """Where sweeps and sensitivity analyses run.

    By default in local processes with a diskcache store (no extra server); when ``REDIS_URL``
    is set, on Celery workers through Redis, so a lab can add machines
    (``celery -A app:celery_app worker``). Either way a job whose process dies is reported
    as failed, not silently taken for a cancellation (``dashboard.jobs``).
    """
    url = redis_url()
    if url:
        celery_app = Celery("seed_soil", broker=url, backend=url)
        return WatchedCeleryManager(celery_app), celery_app
    jobs = os.environ.get("SEED_SOIL_JOBS_DIR") or str(
        Path(tempfile.gettempdir()) / "seed-soil-jobs"
    )
    return WatchedDiskcacheManager(diskcache.Cache(jobs)), None


def create_app(*, debug: bool = False) -> Dash:
    """Build the Dash app; its Flask ``server`` also answers GET /health: 200 "ok", or 503
    "degraded: ..." when the cache back-end (Redis with ``REDIS_URL``) is unreachable.

    Debug mode stays off here; ``app.py`` turns it on only when SEED_SOIL_DEBUG=1, and says so
    (``debug``): Dash then sets its tools up as it starts to serve, which Flask refuses once
    the app has answered a request, so the setup request below is left out.
    """
    # A bad SEED_SOIL_* budget or thread count stops start-up with its message.
    sweep_budget()
    analysis_budget()
    job_threads()
    manager, celery_app = background_manager()
    app = SeedSoilDash(
        __name__,
        title=TITLE,
        assets_folder=str(ASSETS_FOLDER),
        serve_locally=True,
        background_callback_manager=manager,
        # Otherwise Dash copies the whole layout (~260 kB of JSON, ~850 components) into every
        # page for the browser to check callback ids against: the page crawls it on start.
        # tests/dashboard/test_dash_layout.py checks every callback's ids against the layout.
        suppress_callback_exceptions=True,
    )
    app.celery_app = celery_app  # for `celery -A app:celery_app worker`; None without Redis
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # for readers
    # Every gunicorn worker must share one secret (Dash signs background-callback tokens);
    # gunicorn.conf.py refuses to start more than one worker without it.
    secret = os.environ.get("DASH_SECRET_KEY")
    if secret:
        app.server.secret_key = secret
    init_cache(app.server)
    register_health(app.server, f"{app.config.routes_pathname_prefix}health")
    # Load the compiled model now (numba cache), not on a user's first request.
    warm_up()
    app.layout = build_layout
    app.shows_first_state = opens_first_state  # its layout comes drawn (dashboard/page.py)
    register(app)
    register_explore(app)
    register_sweeps(app)
    register_sensitivity(app)
    register_schematic(app)
    register_lessons(app)  # reads every lesson file: a bad one stops start-up
    register_links(app)
    register_limits(app)  # before the guard: a refused request is not even parsed
    register_guard(app)
    register_compression(app)  # brotli or gzip; static bundles and the layout compressed once
    register_asset_caching(app)  # versioned assets kept a year by browsers
    register_security(app)  # last: its CSP hashes every inline script registered above
    # Dash finishes setting up (it registers the script bundles it may serve) on the first
    # request, and marks itself set up before it is: under gunicorn's threads, concurrent
    # first requests for bundles were answered 500 while the index was still being set up.
    # One request now, before any client's, sets it up whole.
    if not debug:
        app.server.test_client().get(app.config.requests_pathname_prefix)
    return app
