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

A page that starts in the layout's first state (opened without a query, or with the page's
own link to that state: the model state is in the query) gets its layout with the Explore
tab, the scenario card and the hypothesis note already drawn (``build_layout(drawn=True)``),
and the page callback's answer on load draws nothing again
(``dashboard.callbacks.page_answer``, ``ids.FIRST_DRAWN``). The cold page's first figure
waited for that answer: the renderer's bookkeeping of its first callback, the round trip,
the update (~0.5 s of a ~2.2 s load in a trace; what the first figure gained, measured, was
smaller: README, Performance). Which page asks is told by the request's
``Referer`` (the page's URL, sent to its own origin under ``Referrer-Policy: same-origin``):
a link to another state, or a page that sends none, gets the layout undrawn, as before, so a
link never shows the first state's figures first. Both layouts are made once; the answer
says ``Vary: Referer``.

dcc loads the code of its sliders, dropdowns, uploads, Markdown and graphs apart from its
bundle (``async-*.js``), as React first renders one; React 18 then reveals what was waiting
at most once every 500 ms, so the readouts and figures came ~0.5 s after the rest. The page
now loads those parts as scripts of its own, before dcc's bundle (``dcc_chunks_first``;
``DCC_CHUNKS``: all but MathJax's and highlight.js's, which the Markdown part loads itself
when a text needs them; the date pickers' 16 kB come along unused), and
``assets/lazy-ready.js`` starts dcc's lazy components loading as dcc makes them, so they are
ready before the first render.

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

import inspect
import re
from urllib.parse import urlsplit

from dash import Dash
from dash._utils import to_json
from flask import Response, request

from dashboard.compression import PLOTLY_BUNDLE

__all__ = [
    "DCC_CHUNKS",
    "POLYFILL",
    "PRELOADED",
    "PLOTLY_SCRIPTS",
    "UNUSED_BUNDLES",
    "SeedSoilDash",
    "dcc_chunks_first",
    "referring_query",
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

#: dcc's own bundle (its directory, then its fingerprint, as Dash writes the tag) and the chunk
#: that its lazily loaded parts share.
DCC_BUNDLE = re.compile(
    r'<script src="([^"]*/dash/dcc/)dash_core_components(\.v[^"]*\.js)"></script>\n?'
)
DCC_SHARED = re.compile(
    r'<script src="[^"]*/dash/dcc/dash_core_components-shared[^"]*"></script>\n?'
)
#: The parts dcc loads as a component of theirs first renders (their file names), every one but
#: MathJax's and highlight.js's, which the Markdown part itself loads for math (the About panel)
#: and for code (none).
DCC_CHUNKS = (
    "async-dropdown",
    "async-slider",
    "async-upload",
    "async-markdown",
    "async-graph",
    "async-datepicker",
)

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


def dcc_chunks_first(scripts: str) -> str:
    """The page's script tags with dcc's shared chunk and lazily loaded parts (``DCC_CHUNKS``)
    as scripts of the page, before dcc's bundle (see the module's note). Unchanged if Dash
    no longer writes dcc's tags as expected."""
    bundle, shared = DCC_BUNDLE.search(scripts), DCC_SHARED.search(scripts)
    if bundle is None or shared is None:
        return scripts
    folder, fingerprint = bundle.groups()
    chunks = "".join(
        f'<script src="{folder}{name}{fingerprint}"></script>\n' for name in DCC_CHUNKS
    )
    scripts = DCC_SHARED.sub("", scripts, count=1)
    return scripts.replace(bundle.group(0), shared.group(0) + chunks + bundle.group(0), 1)


def referring_query(referrer: str | None) -> str | None:
    """The query string (without "?"; "" for none) of the page that asked: its ``Referer``,
    the page's URL without its #fragment, sent to its own origin under the page's
    ``Referrer-Policy: same-origin``. None if not known (no ``Referer``, or none that parses:
    the client writes it)."""
    try:
        return urlsplit(referrer).query if referrer else None
    except ValueError:  # "http://[::1": an unclosed IPv6 host
        return None


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
    requests preloaded and dcc's lazy parts as scripts, and its layout made once, drawn for
    a page that starts in its first state (see the module's note)."""

    #: The layout served and its JSON of each kind (drawn or not); made anew if the layout is
    #: replaced.
    _layout_memo: tuple[object, dict[bool, str]] | None = None
    _layout_made = 0

    def draws_first(self) -> bool:
        """Whether the layout is a function that can come drawn (it takes ``drawn``)."""
        return callable(self.layout) and "drawn" in inspect.signature(self.layout).parameters

    def layout_json(self, drawn: bool = False) -> str:
        """The layout's JSON, as served (made once); ``drawn``: with its first state drawn,
        if the layout can draw it (``draws_first``)."""
        drawn = drawn and self.draws_first()
        memo = self._layout_memo
        if memo is None or memo[0] is not self.layout:
            memo = self._layout_memo = (self.layout, {})
            self._layout_made += 1
        if drawn not in memo[1]:
            memo[1][drawn] = to_json(self.layout(drawn=True) if drawn else self.get_layout())
        return memo[1][drawn]

    @staticmethod
    def shows_first_state(query: str) -> bool:
        """Whether a page opened with ``query`` (``referring_query``) starts in the layout's
        first state, so that its layout may come drawn: here, a page without a query;
        ``create_app`` sets the page's own rule (``dashboard.callbacks.opens_first_state``)."""
        return not query

    def serves_drawn(self) -> bool:
        """Whether this request for the layout gets it drawn: the layout can be drawn and the
        page asking starts in its first state (``shows_first_state``; not known: no)."""
        query = referring_query(request.referrer)
        return query is not None and self.draws_first() and self.shows_first_state(query)

    def layout_version(self) -> str:
        """Names the layout JSON this request is served: a cache of its compressed bytes keys
        on it."""
        drawn = self.serves_drawn()
        self.layout_json(drawn)
        return f"{self._layout_made}{'-drawn' if drawn else ''}"

    def serve_layout(self):
        response = self.backend.make_response(
            self.layout_json(self.serves_drawn()), mimetype="application/json"
        )
        response.vary.add("Referer")  # drawn or not, by the page asking
        return response

    def interpolate_index(self, **kwargs) -> str:
        kwargs["scripts"] = dcc_chunks_first(plotly_deferred(without_polyfill(kwargs["scripts"])))
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
