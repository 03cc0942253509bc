"""The Seed & Soil Explorer dashboard: layout, callbacks and figures over ``model``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import diskcache
from dash import Dash, DiskcacheManager

from dashboard.cache import init_cache
from dashboard.callbacks import register
from dashboard.layout import build_layout
from dashboard.sensitivity import register_sensitivity
from dashboard.sweeps import register_sweeps, sweep_budget
from model import Parameters, simulate

__all__ = ["TITLE", "create_app"]

TITLE = "Seed & Soil Explorer"
# Dash(__name__) inside dashboard/ would serve dashboard/assets: point it at the top level.
ASSETS_FOLDER = Path(__file__).resolve().parent.parent / "assets"


def create_app() -> Dash:
    """Build the Dash app; its Flask ``server`` also answers GET /health with 200.

    Debug mode stays off here; ``app.py`` turns it on only when SEED_SOIL_DEBUG=1.
    """
    sweep_budget()  # a bad SEED_SOIL_SWEEP_BUDGET stops start-up with its message
    jobs = os.environ.get("SEED_SOIL_JOBS_DIR") or str(
        Path(tempfile.gettempdir()) / "seed-soil-jobs"
    )
    app = Dash(
        __name__,
        title=TITLE,
        assets_folder=str(ASSETS_FOLDER),
        health_endpoint="health",
        serve_locally=True,
        # Sweeps run as background jobs in their own processes; no extra server needed.
        background_callback_manager=DiskcacheManager(diskcache.Cache(jobs)),
    )
    # Every gunicorn worker must share one secret (Dash signs background-callback tokens).
    secret = os.environ.get("DASH_SECRET_KEY")
    if secret:
        app.server.secret_key = secret
    init_cache(app.server)
    # Load the compiled right-hand side now (numba cache), not on a user's first request.
    simulate(Parameters(), days=1.0)
    app.layout = build_layout
    register(app)
    register_sweeps(app)
    register_sensitivity(app)
    return app
