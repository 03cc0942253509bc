"""Security headers on every response, and the rule that several workers share one secret.

The Content-Security-Policy lets the page run only scripts it serves itself plus Dash's own
inline scripts, named by hash (``Dash.csp_hashes()``: the renderer start-up line and any
clientside callback). Plotly needs no ``'unsafe-eval'`` here: its ``new Function`` code
generation serves only the WebGL traces (``scattergl``, ``splom``, ``parcoords``) and its
blob: workers only the map traces, none of which the dashboard draws. Plotly and Dash's
components do set inline styles, hence ``style-src 'unsafe-inline'``; a PNG or SVG export
draws the figure through data: and blob: images, hence ``img-src data: blob:``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dash import Dash
from flask import Response
from werkzeug.serving import WSGIRequestHandler

__all__ = [
    "SECRET_ENV",
    "VersionlessRequestHandler",
    "content_security_policy",
    "register_security",
    "secret_key_problem",
]

SECRET_ENV = "DASH_SECRET_KEY"

#: Sent on every response; the CSP is added per app (it holds the app's script hashes).
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # The CSP's frame-ancestors says the same to browsers that read it; this to older ones.
    "X-Frame-Options": "DENY",
}


def content_security_policy(script_hashes: list[str]) -> str:
    """The page's CSP: ``script_hashes`` are ``'sha256-...'`` sources from ``csp_hashes()``."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def secret_key_problem(workers: int, env: Mapping[str, str] | None = None) -> str | None:
    """Why these ``workers`` may not start, or None.

    Dash signs background-job handles with the Flask secret key; each worker would otherwise
    draw its own, and a job started on one worker could not be followed on another.
    """
    env = os.environ if env is None else env
    if workers > 1 and not env.get(SECRET_ENV):
        return (
            f"{SECRET_ENV} must be set when {workers} workers serve (one shared secret, e.g. "
            "python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return None


def register_security(app: Dash) -> None:
    """Add the security headers to every response (a Flask ``after_request``).

    Call it after every callback is registered: the CSP is computed on the first response,
    from the inline scripts the app has by then.
    """
    policy: list[str] = []

    @app.server.after_request
    def add_security_headers(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(list(app.csp_hashes())))
        response.headers["Content-Security-Policy"] = policy[0]
        response.headers.update(FIXED_HEADERS)
        return response


class VersionlessRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler (``python app.py``), whose Server header names no version.

    The server writes that header itself, whatever the app sets. gunicorn's is already its
    bare name.
    """

    def version_string(self) -> str:
        return "Werkzeug"
