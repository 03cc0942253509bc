"""Compressed responses: brotli or gzip, whichever the browser prefers (flask-compress).

Uncompressed, a first visit moves megabytes of JavaScript (Plotly alone is 4.8 MB) and every
callback answer is JSON that shrinks three- to tenfold. flask-compress encodes each response
the browser accepts in ``Accept-Encoding`` (brotli first, then gzip), adds
``Vary: Accept-Encoding`` for caches in between, and leaves alone what is too small to gain.

The static bundles (Dash's and Plotly's scripts from ``/_dash-component-suites/``, the files in
``assets/``, the favicon) are the same bytes on every visit, so each worker compresses each of
them once per encoding and keeps the result (:class:`BundleCache`), the layout too (it is made
once: ``dashboard.page``); a page load then costs only the compression of the index, the
callback list and the callback answers. Callback answers are never cached.

A worker's first visitor used to pay for that compression (~0.4 s for Plotly, Dash's bundles
and the layout, with each of the two workers compressing its own share). gunicorn now compresses
everything a first visit fetches in brotli before any worker starts (``warm_bundles``, called by
``gunicorn.conf.py``; with ``--preload`` the workers inherit it), as does ``python app.py``.

Brotli's quality differs by kind: files kept are compressed once at ``BROTLI_QUALITY`` (5),
what is compressed for each request (callback answers, the index) at ``ANSWER_BROTLI_QUALITY``
(2). A slider move's answer (30 kB of JSON) took 0.61 ms at quality 5 to 6.8 kB, and takes
0.18 ms at 2 to 7.4 kB: the server's time mattered more than 0.6 kB.

``Dash(compress=True)`` is not used: it sets flask-compress to gzip only.

Compression alone leaves Plotly's full bundle at 1.3 MB (brotli), most of a 1.5 MB first-page
budget. ``assets/`` therefore holds a Plotly bundle of the dashboard's own (``PLOTLY_BUNDLE``,
1.26 MB, 0.34 MB in brotli; npm's cartesian bundle, used before, was 1.50 and 0.41 MB):
plotly.js with the trace types in ``PLOTLY_TRACES`` only, the ones the figures use
(tests/dashboard/test_dash_compression.py checks every figure), built by
``scripts/build-plotly`` from npm's plotly.js sources at the version plotly.py writes figures
for (``plotly.offline.get_plotlyjs_version()``, also tested). Every page loads it, deferred
(``dashboard.page``); it sets ``window.Plotly``, so ``dcc.Graph`` never fetches the full
``plotly.min.js``. In Chromium here npm's cartesian bundle held the main thread 0.3-0.5 s
while it ran; this one, or the cartesian set built the same way, ~50 ms.

The file's first line is V8's explicit compile hint (``COMPILE_HINT``, Chrome 136 and later;
other browsers read a comment): compile every function of the script eagerly, on a background
thread while the page's other scripts run, instead of lazily on the main thread at each
function's first call. A cold Chromium here spent ~0.6-1.1 s of main thread compiling and
running Plotly's bundle before anything was drawn (~70 ms with its code cached). With the hint,
the main thread's long tasks before the first figure fell from 1.89 to 1.42 s (see README);
the first figure itself came no sooner beyond the noise on these 2 shared cores. The
same hint on React DOM and Dash's renderer, or on every Dash bundle, made no difference or was
slower (the 2 cores also compile what the page never calls), so Plotly's file alone carries it.
It costs 2.1 MB more JavaScript heap: bytecode for the functions the page never calls.
"""

from __future__ import annotations

import os
import re

import brotli
from dash import Dash
from dash.fingerprint import check_fingerprint
from flask import Flask, Request, Response, g, request
from flask_compress import Compress
from werkzeug.security import safe_join

__all__ = [
    "ALGORITHMS",
    "ANSWER_BROTLI_QUALITY",
    "BROTLI_QUALITY",
    "COMPILE_HINT",
    "MIN_SIZE",
    "PLOTLY_BUNDLE",
    "PLOTLY_TRACES",
    "BundleCache",
    "register_compression",
    "warm_bundles",
]

#: Where ``_Compress`` leaves the response being compressed for ``BundleCache.get`` (``flask.g``).
_PENDING = "seed_soil_compressing"
#: In the server's order of preference when the browser accepts several equally.
ALGORITHMS = ["br", "gzip"]
#: Bytes; a smaller response goes out as it is (the encoding would save next to nothing).
MIN_SIZE = 500
#: Brotli quality 5 for the files kept: Plotly's bundle in 0.05 s to 30 % of its size
#: (quality 11: 2.9 s, 27 %; quality 2: 0.02 s, 34 %; measured 2026-12-02) ...
BROTLI_QUALITY = 5
#: ... and 2 for what is compressed anew for every request (see the module's text).
ANSWER_BROTLI_QUALITY = 2
GZIP_LEVEL = 6

#: plotly.js with the trace types in ``PLOTLY_TRACES`` only, built by ``scripts/build-plotly``
#: from npm's plotly.js sources (``scripts/plotly/``), ``COMPILE_HINT`` as its first line.
PLOTLY_BUNDLE = "plotly-seedsoil-4.1.1.min.js"
#: V8's explicit compile hint for a whole script: it must be the file's very first line.
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"
#: The trace types that bundle draws (scripts/plotly/entry.js registers them; its first
#: comment names them); any other type would draw nothing.
PLOTLY_TRACES = ("scatter", "bar", "heatmap")


class BundleCache:
    """flask-compress's cache back-end, holding compressed static files only.

    flask-compress asks it for every response it compresses, keyed ``"<encoding>;<name>"``
    with the name from :meth:`key`; an empty name means "not a static file" (a callback answer,
    the layout) and is neither stored nor found. flask-compress compresses what is not found
    at the answers' quality; a file to keep is compressed here instead, at ``BROTLI_QUALITY``
    (``_Compress`` hands over the response first).
    """

    def __init__(self, app: Dash) -> None:
        prefix = app.config.routes_pathname_prefix
        self.routes, self.requests = prefix, app.config.requests_pathname_prefix
        self._suites = f"{prefix}_dash-component-suites/"
        self._favicon = f"{prefix}_favicon.ico"
        self._assets_url = f"{prefix}{app.config.assets_url_path.strip('/')}/"
        self._assets_folder = app.config.assets_folder
        self.layout_url = f"{prefix}_dash-layout"
        # The layout is the same bytes for every visitor only where it is made once.
        self._layout_version = getattr(app, "layout_version", None)
        self._data: dict[str, bytes] = {}

    def key(self, req: Request) -> str:
        """The cache name of a request's answer, or "" for anything but a whole static file.

        A package file is named by its path without Dash's fingerprint (any fingerprint serves
        the same file, so a client inventing fingerprints cannot grow the cache), a file in
        ``assets/`` by its real path on disk (``/assets/./x.js`` and ``/assets//x.js`` are the
        same file: one entry, not one per spelling) and modification time. A range request is
        never cached: its answer holds part of the file only. The layout is named by its
        version (``dashboard.page.SeedSoilDash.layout_version``).
        """
        if req.method != "GET" or "Range" in req.headers:
            return ""
        if req.path == self.layout_url and self._layout_version is not None:
            return f"layout@{self._layout_version()}"
        if req.path.startswith(self._suites) or req.path == self._favicon:
            return check_fingerprint(req.path)[0]
        if req.path.startswith(self._assets_url):
            path = safe_join(self._assets_folder, req.path.removeprefix(self._assets_url))
            try:
                if not path:
                    return ""
                real = os.path.realpath(path)
                return f"{real}@{os.stat(real).st_mtime_ns}"
            except OSError:
                return ""
        return ""

    def get(self, key: str) -> bytes | None:
        found = self._data.get(key)
        encoding, _, name = key.partition(";")
        if found is None and name and encoding == "br":
            # flask-compress would compress it at the answers' quality: a file to keep gets
            # the files' (it stores what this returns).
            response = g.pop(_PENDING, None)
            if response is not None:
                found = brotli.compress(response.get_data(), quality=BROTLI_QUALITY)
        return found

    def set(self, key: str, value: bytes) -> None:
        if key.partition(";")[2]:
            self._data[key] = value

    def is_asset(self, req: Request) -> bool:
        return req.path.startswith(self._assets_url)


class _Compress(Compress):
    """flask-compress with two rules for files.

    A file from ``assets/`` is read into memory first: Flask streams it from disk, and
    flask-compress would re-encode a stream on every request instead of once. An answer to a
    range request (206) goes out as it is: its ``Content-Range`` counts uncompressed bytes.
    """

    def __init__(self, app: Flask, cache: BundleCache) -> None:
        self._bundles = cache
        super().__init__(app)

    def after_request(self, response: Response | None) -> Response:
        if response is not None and response.status_code == 206:
            return response
        if response is not None and response.is_streamed and self._bundles.is_asset(request):
            source = response.response
            response.direct_passthrough = False
            response.make_sequence()
            getattr(source, "close", lambda: None)()  # the file, now read
        setattr(g, _PENDING, response)  # for BundleCache.get, should it compress a file
        return super().after_request(response)


def register_compression(app: Dash) -> Compress:
    """Compress the answers of ``app``'s server (call it once, in ``create_app``)."""
    cache = BundleCache(app)
    app.server.extensions["seed_soil_bundles"] = cache
    app.server.config.update(
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_ALGORITHM_STREAMING=ALGORITHMS,
        COMPRESS_MIN_SIZE=MIN_SIZE,
        COMPRESS_BR_LEVEL=ANSWER_BROTLI_QUALITY,  # files kept: BundleCache.get
        COMPRESS_LEVEL=GZIP_LEVEL,
        COMPRESS_CACHE_BACKEND=lambda: cache,
        COMPRESS_CACHE_KEY=cache.key,
    )
    return _Compress(app.server, cache)


#: Every file the index page names: scripts, stylesheets, preloads, the icon.
_NAMED = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"')


def warm_bundles(server: Flask, encoding: str = "br") -> list[str]:
    """Compress now, in ``encoding``, every file the index page of ``server`` (an app set up
    by ``register_compression``) makes a first visit fetch; returns their URLs."""
    cache: BundleCache = server.extensions["seed_soil_bundles"]
    client = server.test_client()
    index = client.get(cache.routes).get_data(as_text=True)
    urls = [
        cache.routes + url.removeprefix(cache.requests) if url.startswith(cache.requests) else url
        for url in _NAMED.findall(index)
    ]
    # A visit sends its page's URL as Referer: the layout comes drawn for a page opened without
    # a query, undrawn for a link (dashboard.page): both kinds.
    page = {"Referer": f"http://localhost{cache.routes}"}
    for url in urls:
        client.get(url, headers={"Accept-Encoding": encoding} | page).close()
        if url == cache.layout_url:
            client.get(url, headers={"Accept-Encoding": encoding}).close()
    return urls
