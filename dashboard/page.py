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

The page also leaves out dash_table's bundle (33 kB compressed, parsed on every load): nothing
on the page is a table.

Plotly's bundle and the scripts that wrap it (``assets/plotly-*.js``) load deferred, first in
the page and the bundle at high priority (``plotly_deferred``). As a blocking script Plotly
held up every script after it, and so the renderer, while V8 compiled it (~0.4 s of a cold
load, the main thread idle); deferred, the renderer renders the layout meanwhile, and the
graphs wait for Plotly (``assets/await-plotly.js``: dcc.Graph would otherwise fetch its own
copy from a CDN). A browser test checks that the page fetches Plotly once and draws with it.

The files in ``assets/`` are named on the page with their modification time (``?m=...``), so
a new version has a new URL: such a URL may be kept a year without asking again
(``register_asset_caching``). Flask sent them ``no-cache``, and every visit asked again for each
of the 12 scripts and 2 stylesheets before it could run them (a round trip each on a network;
on this machine a second visit's first figure came ~0.1 s sooner without them).
This trusts what Dash's ``?m=`` already trusted: that a changed file has a new modification
time (an image build that sets every file's time to one value would defeat both).

The layout is the same for every visitor (the URL callback then sets the controls), so its
JSON is made once (``SeedSoilDash.serve_layout``): building and serialising it (~210 kB) took
~50 ms of server time per page load, and its compressed bytes are kept with the static
bundles' (``dashboard.compression``).
"""

from __future__ import annotations

import re

from dash import Dash
from dash._utils import to_json
from flask import Response, request

from dashboard.compression import PLOTLY_BUNDLE

__all__ = [
    "POLYFILL",
    "PRELOADED",
    "PLOTLY_SCRIPTS",
    "UNUSED_BUNDLES",
    "SeedSoilDash",
    "plotly_deferred",
    "preload_links",
    "register_asset_caching",
    "without_polyfill",
]

#: The polyfill's script tag, as Dash writes it (``/deps/polyfill@7.<fingerprint>.12.1.min.js``).
POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\n?')
#: Bundles Dash lists that the page never uses: dash_table's (no DataTable anywhere).
UNUSED_BUNDLES = re.compile(r'<script src="[^"]*/dash/dash_table/bundle[^"]*"></script>\n?')
#: Plotly's bundle and the scripts wrapping it, as Dash writes their tags (their URL the group).
PLOTLY_SCRIPTS = re.compile(r'<script src="([^"]*/assets/plotly-[^"]*)"></script>\n?')

#: How long a browser may keep a file of ``assets/`` named with its version (a year, in s).
ASSET_MAX_AGE = 365 * 24 * 3600

#: What the renderer fetches first, by GET, before it can render anything.
PRELOADED = ("_dash-layout", "_dash-dependencies")


def without_polyfill(scripts: str) -> str:
    """The page's script tags without Babel's polyfill and the bundles it never uses."""
    return UNUSED_BUNDLES.sub("", POLYFILL.sub("", scripts))


def plotly_deferred(scripts: str) -> str:
    """The page's script tags with Plotly's bundle and the scripts wrapping it
    (``assets/plotly-*.js``) first and deferred, the bundle before its wrappers and fetched at
    high priority (see the module's note)."""
    sources = PLOTLY_SCRIPTS.findall(scripts)
    sources.sort(key=lambda src: PLOTLY_BUNDLE not in src)  # stable: the wrappers keep their order
    high = ' fetchpriority="high"'
    tags = "".join(
        f'<script defer{high if PLOTLY_BUNDLE in src else ""} src="{src}"></script>\n'
        for src in sources
    )
    return tags + PLOTLY_SCRIPTS.sub("", scripts)


def preload_links(prefix: str) -> str:
    """``<link rel="preload">`` tags for ``PRELOADED`` under the app's ``prefix`` (``/``). They
    match the renderer's ``fetch`` (same origin, CORS mode, same-origin credentials), so the
    browser hands it the preloaded answer."""
    return "".join(
        f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">\n'
        for path in PRELOADED
    )


class SeedSoilDash(Dash):
    """Dash, serving its page without Babel's polyfill and unused bundles, with its first
    requests preloaded, and its layout made once (see the module's note)."""

    #: The layout served and its JSON; made anew if the layout is replaced.
    _layout_memo: tuple[object, str] | None = None
    _layout_made = 0

    def layout_json(self) -> str:
        """The layout's JSON, as served (made once)."""
        memo = self._layout_memo
        if memo is None or memo[0] is not self.layout:
            memo = self._layout_memo = (self.layout, to_json(self.get_layout()))
            self._layout_made += 1
        return memo[1]

    def layout_version(self) -> str:
        """Names the layout JSON served now: a cache of its compressed bytes keys on it."""
        self.layout_json()
        return str(self._layout_made)

    def serve_layout(self):
        return self.backend.make_response(self.layout_json(), mimetype="application/json")

    def interpolate_index(self, **kwargs) -> str:
        kwargs["scripts"] = plotly_deferred(without_polyfill(kwargs["scripts"]))
        kwargs["css"] = preload_links(self.config.requests_pathname_prefix) + kwargs["css"]
        return super().interpolate_index(**kwargs)


def register_asset_caching(app: Dash) -> None:
    """Let browsers keep a year, without asking again, every file of ``assets/`` requested with
    its version (``?m=``, as the page names them); any other answer is left as it is."""
    assets = f"{app.config.routes_pathname_prefix}{app.config.assets_url_path.strip('/')}/"

    @app.server.after_request
    def cache_versioned_assets(response: Response) -> Response:
        if (
            request.path.startswith(assets)
            and request.args.get("m")
            and response.status_code in (200, 304)
        ):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ASSET_MAX_AGE
            response.cache_control.immutable = True
        return response
