"""Compressed responses: brotli or gzip as the browser asks, the same bytes once decoded, static
bundles compressed once per worker, and a first page load that fits in 1.5 MB."""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import brotli
import pytest
from brotli import compress as compress_br  # not counted by ``compressions``
from dash import html
from plotly.offline import get_plotlyjs_version

from bench.serving import state_body
from dashboard.compression import (
    ANSWER_BROTLI_QUALITY,
    BROTLI_QUALITY,
    COMPILE_HINT,
    MIN_SIZE,
    PLOTLY_BUNDLE,
    PLOTLY_TRACES,
    warm_bundles,
)
from dashboard.figures import TEMPLATE, burden_figure, cascade_figure, organ_figure
from dashboard.results import placeholder
from dashboard.risk import organ_probability_figure, risk_figure
from dashboard.schematic import figure_at, schematic_data
from dashboard.sensitivity import sensitivity_figure, start_analysis
from dashboard.state import PageState
from dashboard.sweeps import parse_request, run_request, sweep_figure
from model import Parameters

ENCODINGS = {"br": brotli.decompress, "gzip": gzip.decompress}
FIRST_PAGE_BUDGET = 1_500_000  # bytes on the wire for a first visit (issue 9)
BUNDLE = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"
ASSETS = Path(__file__).resolve().parents[2] / "assets"
# dcc components whose code the renderer fetches only when the page holds one.
ASYNC_CHUNKS = {
    "Graph": ["graph"],
    "Slider": ["slider"],
    "RangeSlider": ["slider"],
    "Dropdown": ["dropdown"],
    "Upload": ["upload"],
    "Markdown": ["markdown"],  # not "highlight": assets/no-highlight.js
    "DatePickerSingle": ["datepicker"],
    "DatePickerRange": ["datepicker"],
}


class _References(HTMLParser):
    """Every script and stylesheet (and icon) the index page makes a browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs).get({"script": "src", "link": "href"}.get(tag, ""))
        if found:
            self.urls.append(found)


def _referenced(index_html: str) -> list[str]:
    parser = _References()
    parser.feed(index_html)
    return parser.urls


def _component_types(node: object) -> set[tuple[str, str]]:
    if isinstance(node, list):
        return set().union(*map(_component_types, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = (
        {(node["namespace"], node["type"])}
        if {"type", "namespace", "props"} <= node.keys()
        else set()
    )
    return found.union(*map(_component_types, (node.get("props", node)).values()))


def _get(client, url: str, encoding: str | None = None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response


def _initial_callbacks(page) -> list[dict]:
    """The page callback's first call (the state and the Explore tab drawn), as posted."""
    return [state_body(page.requests, PageState(Parameters()))]


def _same_page(body: bytes) -> bytes:
    """``body`` less the index's one-time token (Dash draws a new ``end_id`` per request)."""
    return re.sub(rb'"end_id":"[^"]*"', b'"end_id":""', body)


def _assert_secure(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_bundles_layout_and_callbacks_come_back_compressed_and_decode_to_the_same_bytes(
    page, encoding: str
) -> None:
    decode = ENCODINGS[encoding]
    index = _get(page.client, "/", None).get_data(as_text=True)
    bundle = next(u for u in _referenced(index) if "dash_renderer" in u)
    plotly = next(u for u in _referenced(index) if PLOTLY_BUNDLE in u)
    for url in ["/", bundle, plotly, "/_dash-layout", "/_dash-dependencies"]:
        plain = _get(page.client, url)
        packed = _get(page.client, url, encoding)
        assert packed.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert (
            int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data())
        )
        assert _same_page(decode(packed.get_data())) == _same_page(plain.get_data()), url
        _assert_secure(packed)
    for body in _initial_callbacks(page):
        plain = page.client.post("/_dash-update-component", json=body)
        packed = page.client.post(
            "/_dash-update-component", json=body, headers={"Accept-Encoding": encoding}
        )
        assert packed.status_code == plain.status_code == 200
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert decode(packed.get_data()) == plain.get_data()
        _assert_secure(packed)


def test_a_browser_preferring_brotli_gets_it_and_one_asking_nothing_gets_plain_bytes(page) -> None:
    chrome = _get(page.client, BUNDLE, "gzip, deflate, br, zstd")
    assert chrome.headers["Content-Encoding"] == "br"
    for asked in (None, "identity", "compress"):
        response = _get(page.client, BUNDLE, asked)
        assert "Content-Encoding" not in response.headers, asked
        assert response.headers["Vary"] == "Accept-Encoding"  # a cache must still tell them apart
        assert response.get_data() == pkgutil.get_data("dash", BUNDLE.split("/dash/", 1)[1])


def test_tiny_responses_go_out_as_they_are(page) -> None:
    health = _get(page.client, "/health", "br")
    assert health.get_data() == b"ok" and "Content-Encoding" not in health.headers
    refused = page.client.post(
        "/_dash-update-component",
        data=b'{"output": "about.is_open", "inputs": "x"}',
        headers={"Content-Type": "application/json", "Accept-Encoding": "br"},
    )
    assert refused.status_code == 400 and len(refused.get_data()) < MIN_SIZE
    assert "Content-Encoding" not in refused.headers
    _assert_secure(refused)


@pytest.fixture
def compressions(monkeypatch) -> list[tuple[str, int, int]]:
    """What was compressed (not served from a cache), in order: encoding, bytes in, and brotli's
    quality or gzip's level (flask-compress and ``BundleCache`` both call these modules)."""
    done: list[tuple[str, int, int]] = []
    br, gz = brotli.compress, gzip.compress

    def counted_br(data: bytes, *args, quality: int = 11, **kwargs) -> bytes:
        done.append(("br", len(data), quality))
        return br(data, *args, quality=quality, **kwargs)

    def counted_gz(data: bytes, level: int = 9, **kwargs) -> bytes:
        done.append(("gzip", len(data), level))
        return gz(data, level, **kwargs)

    monkeypatch.setattr(brotli, "compress", counted_br)
    monkeypatch.setattr(gzip, "compress", counted_gz)
    return done


def test_static_bundles_and_the_layout_are_compressed_once_per_encoding(
    page, compressions: list[tuple[str, int, int]]
) -> None:
    index = _get(page.client, "/", None).get_data(as_text=True)
    plotly = next(u for u in _referenced(index) if PLOTLY_BUNDLE in u)
    first = [_get(page.client, url, "br").get_data() for url in (BUNDLE, plotly)]
    assert len(compressions) == 2
    again = [_get(page.client, url, "br").get_data() for url in (BUNDLE, plotly)]
    assert again == first and len(compressions) == 2
    _get(page.client, BUNDLE, "gzip")
    assert len(compressions) == 3  # its own entry per encoding
    layouts = [_get(page.client, "/_dash-layout", "br").get_data() for _ in range(2)]
    assert layouts[0] == layouts[1] and len(compressions) == 4
    plain = _get(page.client, "/_dash-layout").get_json()
    assert json.loads(brotli.decompress(layouts[0])) == plain
    for _ in range(2):  # the callback list is not kept
        _get(page.client, "/_dash-dependencies", "br")
    assert len(compressions) == 6


def test_files_kept_are_compressed_at_quality_5_and_each_answer_at_2(page, compressions) -> None:
    """A file kept is compressed once, so at the quality that sends fewer bytes; an answer is
    compressed anew for every request, so at the one that costs the server less time."""
    index = _get(page.client, "/", None).get_data(as_text=True)
    plotly = next(u for u in _referenced(index) if PLOTLY_BUNDLE in u)
    packed = _get(page.client, plotly, "br").get_data()
    raw = (ASSETS / PLOTLY_BUNDLE).read_bytes()
    assert compressions == [("br", len(raw), BROTLI_QUALITY)]
    assert packed == compress_br(raw, quality=BROTLI_QUALITY)
    assert len(packed) < 0.95 * len(compress_br(raw, quality=ANSWER_BROTLI_QUALITY))
    _get(page.client, "/_dash-layout", "br")
    assert compressions[-1][2] == BROTLI_QUALITY

    [body] = _initial_callbacks(page)
    answer = page.client.post(
        "/_dash-update-component", json=body, headers={"Accept-Encoding": "br"}
    )
    plain = brotli.decompress(answer.get_data())
    assert compressions[-1] == ("br", len(plain), ANSWER_BROTLI_QUALITY)
    assert answer.get_data() == compress_br(plain, quality=ANSWER_BROTLI_QUALITY)
    _get(page.client, "/_dash-dependencies", "br")
    assert compressions[-1][2] == ANSWER_BROTLI_QUALITY
    assert len(compressions) == 4
    assert ANSWER_BROTLI_QUALITY < BROTLI_QUALITY


def test_a_replaced_layout_is_served_and_compressed_anew(
    page, compressions: list[tuple[str, int, int]]
) -> None:
    before = brotli.decompress(_get(page.client, "/_dash-layout", "br").get_data())
    text = "replaced " * 100  # over MIN_SIZE: compressed
    page.app.layout = html.Div(text, id="replaced")
    after = json.loads(brotli.decompress(_get(page.client, "/_dash-layout", "br").get_data()))
    assert after["props"] == {"children": text, "id": "replaced"}
    assert json.loads(before) != after and len(compressions) == 2


def test_warm_bundles_compresses_every_file_a_first_visit_fetches(
    page, compressions: list[tuple[str, int, int]]
) -> None:
    urls = warm_bundles(page.app.server)
    index = _get(page.client, "/", None).get_data(as_text=True)
    assert set(urls) == set(_referenced(index)) and len(urls) > 20
    assert "/_dash-layout" in urls and any(PLOTLY_BUNDLE in url for url in urls)
    warmed = len(compressions)
    for url in [u for u in urls if u != "/_dash-dependencies"]:
        answer = _get(page.client, url, "br")
        assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "br", url
    # The layout drawn, for a page opened without a query (dashboard.page), is warm too.
    drawn = page.client.get(
        "/_dash-layout", headers={"Accept-Encoding": "br", "Referer": "http://localhost/"}
    )
    assert brotli.decompress(drawn.get_data()) == page.app.layout_json(drawn=True).encode()
    assert len(compressions) == warmed  # every answer came from the cache


def test_invented_fingerprints_and_range_requests_neither_grow_nor_spoil_the_cache(
    page, compressions: list[tuple[str, int, int]]
) -> None:
    """Any fingerprint names the same file: one cache entry, whatever a client sends. A range
    request gets part of a file, which must never be served later as the whole."""
    fingerprinted = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v{}m1.min.js"
    whole = brotli.decompress(_get(page.client, BUNDLE, "br").get_data())
    for version in ("1_0_0", "2_0_0", "9_9_9"):
        assert (
            brotli.decompress(_get(page.client, fingerprinted.format(version), "br").get_data())
            == whole
        )
    assert len(compressions) == 1

    # Other spellings of an asset's path are the same file: still one compression of it.
    asset = f"/assets/{PLOTLY_BUNDLE}"
    for spelling in (asset, f"/assets/./{PLOTLY_BUNDLE}", f"/assets/.//./{PLOTLY_BUNDLE}"):
        answer = _get(page.client, spelling, "br")
        assert answer.status_code == 200
        assert brotli.decompress(answer.get_data()) == (ASSETS / PLOTLY_BUNDLE).read_bytes()
    assert len(compressions) == 2

    part = page.client.get(asset, headers={"Accept-Encoding": "br", "Range": "bytes=0-99999"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.get_data() == (ASSETS / PLOTLY_BUNDLE).read_bytes()[:100_000]
    part.close()
    full = _get(page.client, asset, "br")
    assert brotli.decompress(full.get_data()) == (ASSETS / PLOTLY_BUNDLE).read_bytes()


def _first_page_bytes(page, encoding: str | None) -> dict[str, int]:
    """Bytes on the wire, per URL, for a first visit: the index, every script and stylesheet
    it names, the dcc chunks the layout's components load, Plotly (unless the index already
    loads a bundle), the layout, the callback list and the two initial callbacks."""
    client = page.client
    index = _get(client, "/", encoding)
    sizes = {"/": len(index.get_data())}
    urls = _referenced(_get(client, "/").get_data(as_text=True))
    layout = _get(client, "/_dash-layout").get_json()
    chunks = {
        chunk
        for namespace, kind in _component_types(layout)
        if namespace == "dash_core_components"
        for chunk in ASYNC_CHUNKS.get(kind, [])
    }
    urls += [f"/_dash-component-suites/dash/dcc/async-{chunk}.js" for chunk in sorted(chunks)]
    if not any(PLOTLY_BUNDLE in url for url in urls):
        urls.append("/_dash-component-suites/plotly/package_data/plotly.min.js")
    for url in [*urls, "/_dash-layout", "/_dash-dependencies"]:
        sizes[url] = len(_get(client, url, encoding).get_data())
    headers = {"Accept-Encoding": encoding} if encoding else {}
    for k, body in enumerate(_initial_callbacks(page)):
        response = client.post("/_dash-update-component", json=body, headers=headers)
        sizes[f"callback {k}"] = len(response.get_data())
    return sizes


def test_a_first_page_load_transfers_at_most_1_5_mb_with_brotli(page) -> None:
    totals = {}
    for encoding in (None, "gzip", "br"):
        sizes = _first_page_bytes(page, encoding)
        totals[encoding or "uncompressed"] = sum(sizes.values())
    assert {"/", "/_dash-layout"} <= sizes.keys()
    assert any("async-graph" in url for url in sizes) and any(PLOTLY_BUNDLE in url for url in sizes)
    print(
        "first page: " + ", ".join(f"{name} {total / 1e6:.2f} MB" for name, total in totals.items())
    )
    assert totals["br"] <= FIRST_PAGE_BUDGET, totals
    assert totals["br"] < totals["gzip"] < totals["uncompressed"]


def test_the_plotly_bundle_is_plotly_pys_version_and_loaded_by_the_page(page) -> None:
    head = (ASSETS / PLOTLY_BUNDLE).read_bytes()[:200].decode()
    traces, version = re.search(r"plotly\.js \(([a-z, ]+) - minified\) v(\S+)", head).groups()
    assert version == get_plotlyjs_version()
    assert tuple(traces.split(", ")) == PLOTLY_TRACES
    assert PLOTLY_BUNDLE.endswith(f"-{get_plotlyjs_version()}.min.js")
    index = _get(page.client, "/").get_data(as_text=True)
    assert any(PLOTLY_BUNDLE in url for url in _referenced(index))


def test_the_plotly_bundle_is_built_from_the_pinned_sources_with_the_traces_we_draw() -> None:
    """scripts/build-plotly makes the bundle from scripts/plotly/: the plotly.js it pins is the
    version plotly.py writes figures for, and its entry registers exactly PLOTLY_TRACES."""
    plotly = ASSETS.parent / "scripts" / "plotly"
    pinned = json.loads((plotly / "package.json").read_text())["dependencies"]["plotly.js"]
    assert pinned == get_plotlyjs_version()
    lock = json.loads((plotly / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == pinned
    entry = (plotly / "entry.js").read_text()
    registered = re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)
    assert registered[0] == "core"  # the core draws scatter
    assert ("scatter", *registered[1:]) == PLOTLY_TRACES
    build = (plotly / "build.mjs").read_text()
    assert f"const TRACES = {json.dumps(list(PLOTLY_TRACES))}".replace('"', "'") in build


@pytest.mark.parametrize("encoding", [None, *sorted(ENCODINGS)])
def test_the_plotly_bundle_reaches_the_browser_with_v8s_compile_hint_first(
    page, encoding: str | None
) -> None:
    """V8 reads the hint only as a script's very first line; the licence comment follows it."""
    hint = COMPILE_HINT.encode()
    assert hint == b"//# allFunctionsCalledOnLoad\n"
    on_disk = (ASSETS / PLOTLY_BUNDLE).read_bytes()
    assert on_disk.startswith(hint + b"/**\n* plotly.js (scatter, bar, heatmap - minified) v")
    assert on_disk.count(b"allFunctionsCalledOnLoad") == 1
    index = _get(page.client, "/").get_data(as_text=True)
    url = next(u for u in _referenced(index) if PLOTLY_BUNDLE in u)
    answer = _get(page.client, url, encoding)
    assert answer.status_code == 200
    body = ENCODINGS[encoding](answer.get_data()) if encoding else answer.get_data()
    assert body == on_disk


def test_every_figure_draws_only_traces_the_plotly_bundle_has(
    default_result, reference_result, breast_result
) -> None:
    llc = PageState.for_scenario("kaplan2005-llc")
    x = ("vegfr1_signalling", 2.0, 8.0, 3)
    y = ("dormancy_exit_rate", None, None, 2)
    figures = [
        cascade_figure(default_result, reference_result),
        organ_figure(default_result, reference_result),
        burden_figure(default_result, 20.0, reference_result),
        risk_figure(breast_result, breast_result),
        figure_at(schematic_data(default_result), 0),
        organ_probability_figure(breast_result, breast_result),
        sweep_figure(run_request(parse_request("1d", x, y, "burden.lung", 2500), llc)),
        sweep_figure(run_request(parse_request("2d", x, y, "burden.lung", 2500), llc)),
        sweep_figure(
            run_request(parse_request("1d", x, y, "niche_onset_day.each_organ", 2500), llc)
        ),
        sensitivity_figure(
            start_analysis(
                ["tropism.brain", "met_growth_rate"], "burden.lung", 64, "linear", llc.to_store()
            )
        ),
    ]
    types = {trace.get("type", "scatter") for figure in figures for trace in figure["data"]}
    assert {"scatter", "bar", "heatmap"} <= types  # the check sees every kind we draw
    assert types <= set(PLOTLY_TRACES)
    # A template plotly.js takes (an object: it ignores names such as "plotly_white").
    assert all(figure["layout"]["template"] is TEMPLATE for figure in [*figures, placeholder("")])


@pytest.mark.slow
def test_real_gunicorn_sends_brotli_with_the_security_headers(
    free_port: int, tmp_path: Path
) -> None:
    from tests.test_serving import server_env, serving

    env = server_env(DASH_SECRET_KEY="test-secret", SEED_SOIL_CACHE_DIR=str(tmp_path))
    with serving(free_port, env, tmp_path / "gunicorn.log") as base:
        request = urllib.request.Request(
            f"{base}/assets/{PLOTLY_BUNDLE}", headers={"Accept-Encoding": "gzip, deflate, br"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            headers = response.headers
        assert headers["Content-Encoding"] == "br" and "Accept-Encoding" in headers["Vary"]
        assert brotli.decompress(body) == (ASSETS / PLOTLY_BUNDLE).read_bytes()
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
