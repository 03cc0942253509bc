"""The page's HTML shell: which of Dash's own scripts it loads.

Dash puts Babel's polyfill (``polyfill@7.12.1``: core-js 2 and regenerator-runtime, 99 kB)
first on every page, for browsers older than any that can draw the dashboard. Chromium spent
~240 ms of a cold page load evaluating it, before anything else could run (issue 10), and
core-js then replaced built-ins it judged wrong (``trim``, ``parseFloat``, ``setImmediate``)
with slower versions that Plotly and React call throughout a redraw.

``SeedSoilDash`` leaves the polyfill out of the page. The one thing of it the bundles need is
the global ``regeneratorRuntime``, which Dash's, dcc's and dbc's lazy-component loaders call:
``assets/regenerator-runtime-0.13.11.js`` defines it (assets load before the renderer, which
calls it only when it renders). The browser suite checks that the page loads no polyfill, that
``trim`` and ``parseFloat`` are the browser's own and that lazy components (dropdowns, sliders,
graphs, Markdown) render with a clean console.

The page also asks for its layout and callback list at once (``<link rel="preload">``): the
renderer asked for them only once every script had run (~1.7 s into a cold page load), then
waited for the server. Preloaded, they arrive while the scripts are parsed, and the
renderer's own requests take the preloaded answers (a browser test checks that each is
fetched once).
"""

from __future__ import annotations

import re

from dash import Dash

__all__ = ["POLYFILL", "PRELOADED", "SeedSoilDash", "preload_links", "without_polyfill"]

#: The polyfill's script tag, as Dash writes it (``/deps/polyfill@7.<fingerprint>.12.1.min.js``).
POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\n?')


#: What the renderer fetches first, by GET, before it can render anything.
PRELOADED = ("_dash-layout", "_dash-dependencies")


def without_polyfill(scripts: str) -> str:
    """The page's script tags without Babel's polyfill."""
    return POLYFILL.sub("", scripts)


def preload_links(prefix: str) -> str:
    """``<link rel="preload">`` tags for ``PRELOADED`` under the app's ``prefix`` (``/``). They
    match the renderer's ``fetch`` (same origin, CORS mode, same-origin credentials), so the
    browser hands it the preloaded answer."""
    return "".join(
        f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">\n'
        for path in PRELOADED
    )


class SeedSoilDash(Dash):
    """Dash, serving its page without Babel's polyfill and with its first requests preloaded
    (see the module's note)."""

    def interpolate_index(self, **kwargs) -> str:
        kwargs["scripts"] = without_polyfill(kwargs["scripts"])
        kwargs["css"] = preload_links(self.config.requests_pathname_prefix) + kwargs["css"]
        return super().interpolate_index(**kwargs)
