"""The Seed & Soil Explorer dashboard: layout, callbacks and figures over ``model``."""

from __future__ import annotations

import os
from pathlib import Path

from dash import Dash

from dashboard.cache import init_cache
from dashboard.callbacks import register
from dashboard.layout import build_layout
from model import Parameters, simulate

__all__ = ["TITLE", "create_app"]

TITLE = "Seed & Soil Explorer"
# Dash(__name__) inside dashboard/ would serve dashboard/assets: point it at the top level.
ASSETS_FOLDER = Path(__file__).resolve().parent.parent / "assets"


def create_app() -> Dash:
    """Build the Dash app; its Flask ``server`` also answers GET /health with 200.

    Debug mode stays off here; ``app.py`` turns it on only when SEED_SOIL_DEBUG=1.
    """
    app = Dash(
        __name__,
        title=TITLE,
        assets_folder=str(ASSETS_FOLDER),
        health_endpoint="health",
        serve_locally=True,
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
    return app
