"""The dashboard as a user sees it, in Debian's headless Chromium (dash_duo).

Each test starts the real app (its own file cache) and acts through the page: keyboard on a
slider, the scenario menu, a shared link, an upload, a download.
"""

from __future__ import annotations

import json
import math
import re
import time

import psutil
import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until
from plotly.offline import get_plotlyjs_version
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.compression import PLOTLY_BUNDLE, PLOTLY_TRACES
from dashboard.ids import AXIS_SCALE, INPUT, SLIDER, control_id
from dashboard.later import PLACEHOLDER_CLASS
from dashboard.layout import GRAPH_IDS
from dashboard.page import DCC_CHUNKS
from tests.chromium import FIRST_RENDER_SECONDS, open_page

pytestmark = pytest.mark.browser


def _number_box(dash_duo, name: str):
    escaped = name.replace(".", "\\.")  # CSS needs the dot in tropism.lung escaped
    return dash_duo.find_element(f"#control-{escaped} input.param-number")


def _wait_value(dash_duo, name: str, expected: str, timeout: float = 10.0) -> None:
    until(
        lambda: _number_box(dash_duo, name).get_attribute("value") == expected,
        timeout=timeout,
    )


def _summary(dash_duo) -> str:
    """The readout summary's text, read in one go (the readouts are replaced on re-render)."""
    return dash_duo.driver.execute_script(
        "const s = document.querySelector('#readout-summary'); return s ? s.innerText : '';"
    )


def _lung_row(dash_duo) -> list[str]:
    """The lung row of the readout table, read in one go (the table is replaced on re-render)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll("
        "'#readout-table-inner tbody tr:nth-child(2) > *')].map(c => c.innerText.trim());"
    )


HEATMAP_JS = (
    "var g = document.querySelector('#sweep-graph .js-plotly-plot');"
    "return g && g.data && g.data.length && g.data[0].type === 'heatmap'"
    " && g._fullLayout && g._fullLayout.xaxis._length > 0 ? g.data[0] : null;"
)


def test_page_loads_with_story_figures_and_clean_console(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port)
    assert "Biomarker: peak" in _summary(dash_duo)
    # The default scenario is Kaplan's LLC experiment: the lung niche comes before lung DTCs.
    cells = _lung_row(dash_duo)
    assert cells[0] == "Lung"
    assert float(cells[1]) < float(cells[2])
    assert dash_duo.find_element("#organ-graph .main-svg")  # plotly drew the organ panels
    # plotly.js took the figures' template (it ignores template names): no tick label of the
    # 18 organ axes is measured for overflow on each redraw.
    overflow = dash_duo.driver.execute_script(
        "var L = document.querySelector('#organ-graph .js-plotly-plot')._fullLayout;"
        "return Object.keys(L).filter(k => /^[xy]axis\\d*$/.test(k))"
        ".map(k => L[k].ticklabeloverflow);"
    )
    assert len(overflow) == 18 and set(overflow) == {"allow"}
    assert dash_duo.get_logs() == []


# Whether a function is the browser's own, asked of a fresh realm: core-js (in Dash's polyfill,
# and bundled by some component library) makes this page's Function.prototype.toString call its
# replacements native.
NATIVE_JS = """
const frame = document.createElement('iframe');
document.body.appendChild(frame);
const source = frame.contentWindow.Function.prototype.toString;
frame.remove();
const own = (f) => /\\{ \\[native code\\] \\}$/.test(source.call(f));
return {
    trim: own(String.prototype.trim), trimStart: own(String.prototype.trimStart),
    trimEnd: own(String.prototype.trimEnd), parseFloat: own(parseFloat),
    parseInt: own(parseInt), numberParseFloat: own(Number.parseFloat),
    setImmediate: typeof window.setImmediate,
    regenerator: typeof window.regeneratorRuntime,
    scripts: Array.from(document.scripts, (s) => s.src).filter((src) => /polyfill/.test(src)),
    works: [' a '.trim(), parseFloat(' 2.5e1 '), parseInt('12px'), '\\u00a0b'.trimStart()],
};
"""


def test_the_page_runs_without_dashs_polyfill(dash_duo, app, free_port) -> None:
    """dashboard/page.py leaves Babel's polyfill (core-js 2) out of the page: the built-ins
    Plotly and React call throughout a redraw are the browser's own (core-js replaced trim,
    parseFloat and setImmediate with slower versions; issue 10), the global regeneratorRuntime
    the bundles' lazy loaders call is there (assets/regenerator-runtime-*.js), and the lazy
    components render: dropdowns, sliders, graphs, the readouts' Markdown."""
    open_page(dash_duo, app, free_port)
    native = dash_duo.driver.execute_script(NATIVE_JS)
    assert native.pop("scripts") == []
    assert native.pop("setImmediate") == "undefined"  # core-js defined one; browsers do not
    assert native.pop("regenerator") == "object"
    assert native.pop("works") == ["a", 25, 12, "b"]
    assert native == dict.fromkeys(native, True) and len(native) == 6
    for lazy in (".dash-dropdown", "#control-vegfr1_signalling [role='slider']",
                 "#cascade-graph .trace", "#readouts table"):  # fmt: skip
        dash_duo.wait_for_element(lazy, timeout=10)
    assert dash_duo.get_logs() == []


PLOTLY_JS = """
const fetched = performance.getEntriesByType('resource').map((r) => r.name);
return {
  bundles: fetched.filter((n) => /plotly/i.test(n.split('/').pop()) && /\\.js(\\?|$)/.test(n))
    .map((n) => n.split('/').pop().split('?')[0]),
  elsewhere: fetched.filter((n) => !n.startsWith(location.origin) && !n.startsWith('data:')),
  version: window.Plotly.version,
  thenable: typeof window.Plotly.then,
  traces: Object.keys(window.Plotly.PlotSchema.get().traces).sort(),
};
"""


def test_the_page_draws_with_plotlys_own_bundle_fetched_once(dash_duo, app, free_port) -> None:
    """dashboard/page.py defers Plotly's bundle and assets/await-plotly.js makes the graphs wait
    for it: the page fetches it once (its wrappers too), nothing from elsewhere (dcc.Graph
    fetches its own copy from a CDN if it finds no Plotly), and the graphs draw with the real
    one: plotly.py's version, with the trace types the figures use (scripts/build-plotly)."""
    open_page(dash_duo, app, free_port)
    dash_duo.wait_for_element("#cascade-graph .trace", timeout=10)
    found = dash_duo.driver.execute_script(PLOTLY_JS)
    assert sorted(found.pop("bundles")) == sorted(
        [
            PLOTLY_BUNDLE,
            "await-plotly.js",
            "plotly-fast.js",
            "plotly-offscreen.js",
            "plotly-resize.js",
        ]
    )
    assert found == {
        "elsewhere": [],
        "version": get_plotlyjs_version(),
        "thenable": "undefined",
        "traces": sorted(PLOTLY_TRACES),
    }
    assert dash_duo.get_logs() == []


def test_a_page_whose_plotly_fails_to_load_keeps_its_controls(dash_duo, app, free_port) -> None:
    """assets/await-plotly.js: if Plotly's bundle does not load (blocked here), the graphs
    fail (the console and a notice on the page say why) but fetch no other copy, and the
    controls and readouts still render and answer."""
    dash_duo.driver.execute_cdp_cmd("Network.enable", {})
    dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [f"*{PLOTLY_BUNDLE}*"]})
    try:
        open_page(dash_duo, app, free_port)
        before = _summary(dash_duo)
        box = _number_box(dash_duo, "vegfr1_signalling")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("8", Keys.ENTER)
        until(lambda: _summary(dash_duo) != before, timeout=15)
        found = dash_duo.driver.execute_script(
            "return [document.querySelectorAll('.js-plotly-plot .trace').length,"
            " performance.getEntriesByType('resource').map((r) => r.name)"
            "   .filter((n) => !n.startsWith(location.origin) && !n.startsWith('data:'))];"
        )
        assert found == [0, []]
        logs = " ".join(entry["message"] for entry in dash_duo.get_logs())
        assert "plotly.js did not load" in logs, logs
        notice = dash_duo.find_element(".plotly-missing[role='alert']")
        assert "charts could not be loaded" in notice.text
    finally:
        dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


#: The names of dcc's lazily loaded parts the page fetched, without their fingerprints.
#: Runs before the page's scripts: what the page holds as it first renders (its root appears),
#: as its readouts first appear and as its controls first appear; when the cascade's first
#: trace and the controls appeared.
FIRST_RENDER_JS = """
window.__first = {};
function held() {
  return {
    answered: performance.getEntriesByType('resource')
      .filter((r) => r.name.includes('_dash-update-component')).length,
    readouts: !!document.querySelector('#readout-table-inner'),
    graph: !!document.getElementById('cascade-graph'),  // dcc.Graph's lazy part
    sliders: document.querySelectorAll('[id^="control-"] [role=slider]').length,
    placeholders: document.querySelectorAll('.PLACEHOLDER[aria-busy=true]').length,
    scenario: (document.getElementById('scenario-text') || {}).textContent || '',
    days: (document.getElementById('days') || {}).value,
    summary: (document.querySelector('#readout-summary') || {}).textContent,
  };
}
new MutationObserver(() => {
  const first = window.__first;
  if (!first.page && document.getElementById('app-root')) {
    first.page = held();
  }
  if (!first.readouts && document.querySelector('#readout-table-inner')) {
    first.readouts = held();
  }
  if (!first.traceAt && document.querySelector('#cascade-graph .trace')) {
    first.traceAt = performance.now();
  }
  if (!first.controls && document.querySelector('#controls-column [role=slider]')) {
    first.controls = held();
    first.controlsAt = performance.now();
  }
}).observe(document, {childList: true, subtree: true});
""".replace("PLACEHOLDER", PLACEHOLDER_CLASS)


def _first_render(dash_duo, app, port: int, path: str = "/") -> dict:
    """What the page held as it first rendered and as its readouts first appeared
    (``FIRST_RENDER_JS``)."""
    dash_duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_RENDER_JS}
    )
    open_page(dash_duo, app, port, path)
    dash_duo.wait_for_element("#cascade-graph .trace", timeout=FIRST_RENDER_SECONDS)
    return dash_duo.driver.execute_script("return window.__first")


def test_the_first_render_draws_the_explore_tab_whole(dash_duo, app, free_port) -> None:
    """dashboard/page.py (a page opened without a query gets its Explore tab drawn in the
    layout), assets/lazy-ready.js (dcc's lazy parts ready before the first render) and
    dashboard/later.py: the readouts appear in the first render, before any callback has been
    answered, with the graphs (none of them waiting for its code); the controls are rendered
    just after the first figure has been drawn, whole (every slider and the scenario card);
    each of dcc's parts was fetched once, as a script of the page."""
    found = _first_render(dash_duo, app, free_port)
    first = found["page"]
    assert first["answered"] == 0, first
    assert first["readouts"] and first["graph"] and first["sliders"] == 0, first
    assert first["placeholders"] == 4, first  # the controls column, the 3 other tabs
    controls = found["controls"]
    assert controls["sliders"] > 40 and "Kaplan" in controls["scenario"], controls
    assert found["traceAt"] < found["controlsAt"], found
    chunks = dash_duo.driver.execute_script(CHUNKS_JS)
    assert sorted(chunks) == sorted(f"{name}.js" for name in DCC_CHUNKS), chunks
    assert dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').filter(r => r.name.includes('async-'))"
        ".every(r => r.initiatorType === 'script' && /\\.v[0-9a-z_]+\\.js$/.test(r.name))"
    )
    assert dash_duo.get_logs() == []


def test_a_link_never_shows_the_default_state_first(dash_duo, app, free_port) -> None:
    """A page opened with a query (a shared link) gets its layout without the drawing: its
    readouts first appear with the link's own state, from the answer."""
    first = _first_render(dash_duo, app, free_port, "/?scenario=kaplan2005-llc&days=45")
    assert not first["page"]["readouts"], first
    first = first["readouts"]
    assert first["answered"] >= 1, first
    assert first["days"] == "45", first
    shown = dash_duo.driver.execute_script(
        "return document.querySelector('#readout-summary').textContent"
    )
    assert first["summary"] and first["summary"] == shown, first
    assert dash_duo.get_logs() == []


CHUNKS_JS = (
    "return performance.getEntriesByType('resource')"
    ".map(r => r.name.split('/').pop().split('?')[0].replace(/\\.v[0-9a-z_]+\\.js$/, '.js'))"
    ".filter(n => n.startsWith('async-'));"
)


def test_the_readouts_markdown_renders_without_fetching_highlight_js(
    dash_duo, app, free_port
) -> None:
    """assets/no-highlight.js: dcc.Markdown finds ``window.hljs`` and never fetches
    highlight.js (141 kB) for code this page does not show; its Markdown still renders (the
    readouts' table, a lesson's text)."""
    open_page(dash_duo, app, free_port)
    dash_duo.wait_for_element("#readouts table", timeout=10)
    dash_duo.driver.get(dash_duo.server_url + "/#lesson=niche-before-seed&step=1")
    dash_duo.wait_for_element(".lesson-text p", timeout=FIRST_RENDER_SECONDS)
    dash_duo.wait_for_element("#readouts table", timeout=10)
    chunks = dash_duo.driver.execute_script(CHUNKS_JS)
    assert "async-markdown.js" in chunks and "async-highlight.js" not in chunks, chunks
    assert dash_duo.driver.execute_script("return typeof window.hljs.highlightElement") == (
        "function"
    )
    assert dash_duo.get_logs() == []


FIRST_FETCHES_JS = (
    "return performance.getEntriesByType('resource')"
    ".filter(r => /\\/_dash-(layout|dependencies)$/.test(r.name) || r.name.includes('dash_table'))"
    ".map(r => [r.name.split('/').pop(), r.initiatorType]);"
)


def test_the_layout_and_callback_list_are_preloaded_and_fetched_once(
    dash_duo, app, free_port
) -> None:
    """dashboard/page.py preloads what the renderer fetches first: the renderer's requests
    take the preloaded answers (a preload the renderer's fetch does not match would be
    fetched a second time, by "fetch"). dash_table's bundle is not fetched at all."""
    open_page(dash_duo, app, free_port)
    fetched = sorted(map(tuple, dash_duo.driver.execute_script(FIRST_FETCHES_JS)))
    assert fetched == [("_dash-dependencies", "link"), ("_dash-layout", "link")]
    assert dash_duo.get_logs() == []


ASSETS_ASKED_JS = (
    "return performance.getEntriesByType('resource')"
    ".filter(r => r.name.includes('/assets/'))"
    ".map(r => [r.name.split('/').pop().split('?')[0], r.transferSize]);"
)


def test_a_second_visit_runs_the_assets_without_asking_the_server(dash_duo, app, free_port) -> None:
    """dashboard/page.py: the page names its assets with their version (``?m=``) and the server
    lets browsers keep them: on the next visit none is asked for again (transfer size 0: from
    the browser's cache, not even a 304), and the page renders with a clean console."""
    open_page(dash_duo, app, free_port)
    first = dash_duo.driver.execute_script(ASSETS_ASKED_JS)
    assert len(first) >= 10 and all(size > 0 for _, size in first), first
    dash_duo.driver.get(dash_duo.server_url + "/?days=31")
    dash_duo.wait_for_element("#cascade-graph .trace", timeout=FIRST_RENDER_SECONDS)
    again = dash_duo.driver.execute_script(ASSETS_ASKED_JS)
    assert sorted(name for name, _ in again) == sorted(name for name, _ in first)
    assert [name for name, size in again if size > 0] == []
    assert dash_duo.get_logs() == []


def test_keyboard_on_a_slider_changes_value_and_figures(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port)
    before = _summary(dash_duo)
    thumb = dash_duo.find_element("#control-vegfr1_signalling [role='slider']")
    # Keyboard only, as a user tabbing to the slider would: focus it, then press the arrow keys.
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", thumb)
    dash_duo.driver.execute_script("arguments[0].focus();", thumb)
    for _ in range(10):
        thumb.send_keys(Keys.ARROW_RIGHT)
    until(lambda: _number_box(dash_duo, "vegfr1_signalling").get_attribute("value")
                      not in ("4", ""), timeout=10)  # fmt: skip
    until(lambda: _summary(dash_duo) != before, timeout=15)
    assert "vegfr1_signalling=" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


CALLBACK_REQUESTS_JS = (
    "return performance.getEntriesByType('resource')"
    ".filter(r => r.name.includes('/_dash-update-component')).length;"
)


def _callback_requests_when_quiet(driver) -> int:
    """The number of callback requests so far, once no new one has started for 0.5 s."""
    count = driver.execute_script(CALLBACK_REQUESTS_JS)
    while True:
        time.sleep(0.5)
        now = driver.execute_script(CALLBACK_REQUESTS_JS)
        if now == count:
            return count
        count = now


def _move_slider(dash_duo, presses: int = 1, *, scroll: bool = True) -> None:
    """Focus the VEGFR1 slider's handle and press the right arrow key, as a keyboard user does;
    returns once the readouts show the new state. ``scroll``: bring the handle into view first
    (else the page stays where it is: the controls panel scrolls on its own)."""
    driver = dash_duo.driver
    summary = _summary(dash_duo)
    thumb = dash_duo.find_element("#control-vegfr1_signalling [role='slider']")
    if scroll:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", thumb)
    driver.execute_script("arguments[0].focus();", thumb)
    for _ in range(presses):
        thumb.send_keys(Keys.ARROW_RIGHT)
    until(lambda: _summary(dash_duo) != summary, timeout=15)


@pytest.fixture
def limited_app(monkeypatch, request):
    """The ``app`` fixture's app, allowing one callback request a second per client, the
    browser's included (a declared proxy: loopback is then counted like any client)."""
    monkeypatch.setenv("SEED_SOIL_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("SEED_SOIL_CALLBACKS_PER_SECOND", "1")
    monkeypatch.setenv("SEED_SOIL_CALLBACKS_PER_MINUTE", "0")
    return request.getfixturevalue("app")  # made now, with these settings


#: A callback request the guard refuses (400) but the rate limit counts; its status.
_USE_UP_THE_LIMIT_JS = """
const done = arguments[arguments.length - 1];
fetch('/_dash-update-component', {method: 'POST', body: '{}',
                                  headers: {'Content-Type': 'application/json'}})
  .then((response) => done(response.status), () => done(-1));
"""

#: The page's callback requests by status: {"200": n, "429": m}.
_CALLBACK_STATUSES_JS = """
const counts = {};
for (const e of performance.getEntriesByType('resource')) {
  if (e.name.includes('/_dash-update-component')) {
    counts[e.responseStatus] = (counts[e.responseStatus] || 0) + 1;
  }
}
return counts;
"""


def test_requests_over_the_rate_limit_are_sent_again_and_the_page_catches_up(
    dash_duo, limited_app, free_port
) -> None:
    """assets/retry-limited.js: at one request a second, quick slider moves are refused (429)
    and sent again after Retry-After. The page ends showing the last move everywhere: the
    link, the number box and the readouts. (Dropped, the last refused move left the slider
    ahead of everything else, with no word.)

    The moves are refused whatever the machine's speed: the page first sends a request of its
    own (answered 400 by the guard, counted by the limit before it), which opens a one-second
    window of the limit and uses it up; the first move follows at once, into that window."""
    open_page(dash_duo, limited_app, free_port)
    driver = dash_duo.driver
    _callback_requests_when_quiet(driver)
    time.sleep(1.1)  # the page load's window of the limit has closed
    summary = _summary(dash_duo)
    thumb = dash_duo.find_element("#control-vegfr1_signalling [role='slider']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", thumb)
    driver.execute_script("arguments[0].focus();", thumb)
    status = driver.execute_async_script(_USE_UP_THE_LIMIT_JS)
    assert status == 400, status
    for _ in range(3):
        thumb.send_keys(Keys.ARROW_RIGHT)
    last = thumb.get_attribute("aria-valuenow")  # where the slider is now: 4 + 3 x 0.1
    assert abs(float(last) - 4.3) < 1e-9, last
    until(lambda: "vegfr1_signalling=4.3" in driver.current_url, timeout=20)
    _wait_value(dash_duo, "vegfr1_signalling", "4.3", timeout=5)
    until(lambda: _summary(dash_duo) != summary, timeout=15)
    statuses = driver.execute_script(_CALLBACK_STATUSES_JS)
    assert statuses.get("429", 0) >= 1 and statuses.get("200", 0) >= 3, statuses


def test_a_page_load_asks_the_server_twice(dash_duo, app, free_port) -> None:
    """On load, only the page callback (the state, controls and figures) and the fragment's
    (tab and settings from the #link) go to the server: the lesson bar starts hidden without
    asking, and the sweep's second-axis box follows its mode in the browser."""
    open_page(dash_duo, app, free_port)  # ~40 resources: the browser keeps 250 timing entries
    assert _callback_requests_when_quiet(dash_duo.driver) == 2
    assert dash_duo.find_element("#lesson-bar").get_attribute("hidden") is not None
    assert dash_duo.get_logs() == []


def test_a_slider_move_is_one_round_trip(dash_duo, app, free_port) -> None:
    """The state and the Explore tab come back in one answer, and no other tab's callback is
    asked (the schematic's waits for its tab): one request per move (issue 10). Both the
    load's and the move's are what the page callback's direct answer takes (as the renderer
    sends them, not only as the tests build them: ``dashboard.direct``)."""
    direct = app.server.view_functions["/_dash-update-component"].direct
    answered = []
    respond = direct.respond
    direct.respond = lambda body: answered.append(body["changedPropIds"]) or respond(body)
    open_page(dash_duo, app, free_port)
    driver = dash_duo.driver
    driver.execute_script("performance.setResourceTimingBufferSize(10000);")
    before = _callback_requests_when_quiet(driver)
    _move_slider(dash_duo)
    assert _callback_requests_when_quiet(driver) - before == 1
    assert len(answered) == 2 and answered[1] == ["param-slider-vegfr1_signalling.value"]
    # The link box follows the address without a callback (assets/share-link.js).
    link = dash_duo.find_element("#share-link").get_attribute("value")
    assert link == driver.current_url and "vegfr1_signalling=" in link
    assert dash_duo.get_logs() == []


LOADING_MARKS_JS = """
window.__marked = new Set();
new MutationObserver((records) => records.forEach((r) => {
  if (r.target.getAttribute('data-dash-is-loading') === 'true') window.__marked.add(r.target.id);
})).observe(document.body, {subtree: true, attributes: true,
                            attributeFilter: ['data-dash-is-loading']});
"""


def test_parameter_controls_are_not_marked_loading_while_figures_are(
    dash_duo, app, free_port
) -> None:
    """assets/quiet-controls.js: a slider move re-rendered all ~95 controls twice to mark them
    loading (issue 10). The figures are still marked, so the spinner works as before."""
    open_page(dash_duo, app, free_port)
    driver = dash_duo.driver
    driver.execute_script(LOADING_MARKS_JS)
    _move_slider(dash_duo)
    marked = set(driver.execute_script("return [...window.__marked];"))
    assert "cascade-graph" in marked and "organ-graph" in marked
    controls = (control_id(SLIDER, ""), control_id(INPUT, ""))  # the prefixes the script drops
    assert [m for m in marked if m.startswith(controls)] == []
    assert _number_box(dash_duo, "vegfr1_signalling").get_attribute("value") != "4"
    assert dash_duo.get_logs() == []


#: Subscribes to the page's store as react-redux does, then makes a burst of three changes
#: and one change of a component's own (setProps): how often the subscriber heard, and when.
NOTIFY_JS = """
const done = arguments[arguments.length - 1];
const store = window.store;
let heard = 0;
const unsubscribe = store.subscribe(() => { heard += 1; });
for (const type of ['PROBE_A', 'PROBE_B', 'PROBE_C']) store.dispatch({type});
const burstAtOnce = heard;
Promise.resolve().then(() => {
  const burstLater = heard;
  const itempath = store.getState().paths.strs['readouts'];
  store.dispatch({type: 'ON_PROP_CHANGE',
                  payload: {itempath, props: {title: 'probe'}, renderType: 'internal'}});
  const ownAtOnce = heard - burstLater;
  store.dispatch({type: 'PROBE_D'});
  unsubscribe();  // before the burst of one is told: it never is
  setTimeout(() => done([burstAtOnce, burstLater, ownAtOnce, heard - burstLater - ownAtOnce,
                         document.getElementById('readouts').title]), 50);
});
"""


def test_store_changes_reach_the_page_once_a_burst_and_the_users_at_once(
    dash_duo, app, free_port
) -> None:
    """assets/quiet-controls.js: every component checked the store after each of a slider
    move's ~29 dispatches. A burst is told once, a microtask later; a component's own change
    at once (a control follows the hand in the same event), and it reaches the page. A
    subscriber that left is not told of a burst still waiting."""
    open_page(dash_duo, app, free_port)
    burst_at_once, burst_later, own_at_once, after_unsubscribing, title = (
        dash_duo.driver.execute_async_script(NOTIFY_JS)
    )
    assert (burst_at_once, burst_later) == (0, 1)
    assert own_at_once >= 1
    assert after_unsubscribing == 0
    assert title == "probe"
    assert dash_duo.get_logs() == []


#: Runs before the page's scripts (CDP): for each figure, the animation frames counted when
#: each of its drawings ended, and its drawn width then.
LOAD_DRAWS_JS = """
window.__loadDraws = {};
window.__frames = 0;
const tick = () => { window.__frames += 1; requestAnimationFrame(tick); };
requestAnimationFrame(tick);
const hooked = new WeakSet();
new MutationObserver(() => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (!gd.on || hooked.has(gd)) continue;
    hooked.add(gd);
    const id = gd.closest('[id]').id;
    window.__loadDraws[id] = [];
    gd.on('plotly_afterplot',
          () => window.__loadDraws[id].push([window.__frames, gd._fullLayout.width]));
  }
}).observe(document, {childList: true, subtree: true});
"""
EXPLORE_FIGURES = ("cascade-graph", "organ-graph", "burden-graph")


def _load_draws(dash_duo, app, free_port) -> dict[str, list[list[float]]]:
    """Each figure's drawings while the page loads (``LOAD_DRAWS_JS``), once it is quiet."""
    dash_duo.start_server(app, port=free_port)
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LOAD_DRAWS_JS})
    driver.get(dash_duo.server_url)
    dash_duo.wait_for_element("#readout-table-inner", timeout=FIRST_RENDER_SECONDS)
    until(  # the Explore tab's figures drawn
        lambda: all(
            driver.execute_script("return window.__loadDraws").get(figure)
            for figure in EXPLORE_FIGURES
        ),
        timeout=30,
    )
    draws = None
    while draws != (draws := driver.execute_script("return window.__loadDraws")):
        time.sleep(1.5)  # a resize redraws after ~100 ms
    return draws


#: The figures (``arguments[0]``: their ids) whose margins plotly.js changed from those given
#: (automargin), as {id: [given, drawn]} (left, right, top, bottom): grown by more than a
#: pixel, a figure is drawn all over again as it is first drawn; by less, a slider step's
#: moved lines are drawn a fraction off the rest.
MARGINS_CHANGED_JS = """
const changed = {};
for (const id of arguments[0]) {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  const given = gd.layout.margin, size = gd._fullLayout._size;
  const sides = ['l', 'r', 't', 'b'];
  if (sides.some(side => size[side] !== given[side])) {
    changed[id] = [sides.map(side => given[side]), sides.map(side => size[side])];
  }
}
return changed;
"""


def _drawn_at_its_width(driver, graph_id: str) -> bool:
    return driver.execute_script(
        "const g = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return Boolean(g && g._fullLayout)"
        " && Math.abs(g._fullLayout.width - g.getBoundingClientRect().width) <= 1;",
        graph_id,
    )


def test_a_page_load_draws_each_figure_once(dash_duo, app, free_port) -> None:
    """Every figure was drawn twice as the page loaded: dcc.Graph resizes each after its first
    drawing, and Plotly redraws even at the same size (assets/plotly-resize.js now skips such
    a resize), and the page's scrollbar appeared during the first drawing, narrowing the first
    figure (style.css reserves its place). The first figure is painted before the others are
    drawn, and the graphs not shown (other tabs, the long-run section) are first drawn when
    they are shown (assets/plotly-offscreen.js). A resize still redraws, at the new width."""
    dash_duo.driver.set_window_size(1400, 900)
    draws = _load_draws(dash_duo, app, free_port)
    # Hooked when Plotly first draws a graph: the hidden ones were not drawn.
    assert sorted(draws) == sorted(EXPLORE_FIGURES), draws
    assert len(GRAPH_IDS) > len(EXPLORE_FIGURES)  # there are hidden graphs
    assert all(len(d) == 1 for d in draws.values()), draws
    cascade, organ, burden = (draws[i][0] for i in EXPLORE_FIGURES)
    assert cascade[0] < organ[0] and cascade[0] < burden[0], draws  # frames came between
    driver = dash_duo.driver
    # Their margins held them (dashboard/figures.py: ROOM): each was drawn in one pass.
    assert driver.execute_script(MARGINS_CHANGED_JS, list(EXPLORE_FIGURES)) == {}
    driver.set_window_size(1100, 900)
    until(lambda: len(driver.execute_script("return window.__loadDraws")["cascade-graph"]) > 1,
          timeout=10)  # fmt: skip
    narrower = driver.execute_script("return window.__loadDraws")["cascade-graph"][-1][1]
    assert narrower < cascade[1] - 200
    # A graph on a hidden tab is drawn, once and at its width, when the tab opens.
    dash_duo.find_element("#tabs .nav-link:not(.active)").click()  # Sweep
    until(lambda: _drawn_at_its_width(driver, "sweep-graph"), timeout=10)
    time.sleep(0.5)
    draws = driver.execute_script("return window.__loadDraws")
    assert len(draws["sweep-graph"]) == 1, draws
    assert "sens-graph" not in draws and "schematic-graph" not in draws, draws
    assert dash_duo.get_logs() == []


BURDEN_Y_JS = (
    "const gd = document.querySelector('#burden-graph .js-plotly-plot');"
    "return JSON.stringify(gd.data.map(t => Array.from(t.y)));"
)


def test_figures_off_the_screen_are_redrawn_after_those_on_it(dash_duo, app, free_port) -> None:
    """assets/plotly-offscreen.js: the burden chart, below the fold, is redrawn with the new
    state's values after the cascade on the screen, a frame later (without it, all figures
    are redrawn in one task before the page can paint)."""
    dash_duo.driver.set_window_size(1400, 900)
    _load_draws(dash_duo, app, free_port)  # counts every drawing's frame (LOAD_DRAWS_JS)
    driver = dash_duo.driver
    driver.execute_script("window.scrollTo(0, 0);")
    below = driver.execute_script(
        "return document.getElementById('burden-graph').getBoundingClientRect().top"
        " > innerHeight + 200;"
    )
    assert below, "the burden chart is expected below the fold at 1400x900"
    burden = driver.execute_script(BURDEN_Y_JS)
    _move_slider(dash_duo, 5, scroll=False)
    until(lambda: driver.execute_script(BURDEN_Y_JS) != burden, timeout=15)
    time.sleep(0.5)
    draws = driver.execute_script("return window.__loadDraws;")
    # Animation frames before each figure's last redraw.
    frame = {figure: draws[figure][-1][0] for figure in ("cascade-graph", "burden-graph")}
    assert frame["cascade-graph"] < frame["burden-graph"], draws  # a frame came between
    assert driver.execute_script("return window.scrollY;") == 0
    assert dash_duo.get_logs() == []


#: Run once the page is drawn: counts each graph's drawings, and those by Plotly.animate (the
#: moves of assets/plotly-fast.js), and keeps a copy of the last figure each graph was given.
WATCH_DRAWS_JS = """
window.__moves = {}; window.__given = {}; window.__drawn = {};
const graphId = gd =>
  (typeof gd === 'string' ? document.getElementById(gd) : gd).closest('[id]').id;
document.querySelectorAll('.js-plotly-plot').forEach(gd => gd.on('plotly_afterplot', () => {
  window.__drawn[graphId(gd)] = (window.__drawn[graphId(gd)] || 0) + 1;
}));
const animate = Plotly.animate, react = Plotly.react;
Plotly.animate = function (gd, ...rest) {
  const id = graphId(gd);
  window.__moves[id] = (window.__moves[id] || 0) + 1;
  return animate.call(this, gd, ...rest);
};
Plotly.react = function (gd, figure, ...rest) {
  window.__given[graphId(gd)] = JSON.parse(JSON.stringify(figure));
  return react.call(this, gd, figure, ...rest);
};
"""
#: What a graph shows (``arguments[0]``: its id): annotations' texts and boxes on the page,
#: shapes, lines and fills (their SVG paths), tick labels and where they are; then the same of
#: a fresh full drawing (Plotly.newPlot at the same size) of the figure it was last given.
DRAWN_AND_FRESH_JS = """
const done = arguments[arguments.length - 1];
const gd = document.getElementById(arguments[0]).querySelector('.js-plotly-plot');
const shows = g => {
  const all = s => [...g.querySelectorAll(s)];
  const at = (e, box = e.getBoundingClientRect(), of = g.getBoundingClientRect()) =>
    [box.left - of.left, box.top - of.top, box.width, box.height];
  return {
    annotations: all('.annotation').map(a => [a.textContent, ...at(a)]),
    shapes: all('.shapelayer path').map(p => p.getAttribute('d')),
    traces: all('.scatterlayer .trace path').map(p => p.getAttribute('d')),
    ticks: all('[class$="tick"] text').map(t => [t.textContent, t.getAttribute('transform')]),
  };
};
const given = window.__given[arguments[0]];
const fresh = document.createElement('div');
fresh.style.width = gd._fullLayout.width + 'px';
document.body.appendChild(fresh);
const layout = Object.assign({}, given.layout,
                             {width: gd._fullLayout.width, height: gd._fullLayout.height});
Plotly.newPlot(fresh, given.data, layout, given.config).then(() => {
  const both = [shows(gd), shows(fresh)];
  Plotly.purge(fresh);
  fresh.remove();
  done(both);
});
"""
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(text)]


def _polyline_distance(points: list[tuple[float, float]], line: list[tuple[float, float]]) -> float:
    """The farthest any of ``points`` lies from the polyline ``line``, in px."""

    def to_segment(p, a, b) -> float:
        (px, py), (ax, ay), (bx, by) = p, a, b
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
        t = min(max(t, 0.0), 1.0)
        return math.hypot(px - ax - t * dx, py - ay - t * dy)

    segments = list(zip(line, line[1:], strict=False)) or [(line[0], line[0])]
    return max((min(to_segment(p, a, b) for a, b in segments) for p in points), default=0.0)


PATH_TOKEN = re.compile(r"[MLHVZmlhvz]|" + NUMBER.pattern)


def _path_points(d: str) -> list[tuple[float, float]]:
    """The vertices of an SVG path of straight lines (M, L, H, V, Z, and their relative
    forms: what Plotly draws lines, fills, markers and error bars with)."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    command = "M"
    tokens = PATH_TOKEN.findall(d)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.isalpha():
            command, index = token, index + 1
            continue
        relative = command.islower()
        kind = command.upper()
        if kind in "ML":
            dx, dy = float(tokens[index]), float(tokens[index + 1])
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            index += 2
        elif kind == "H":
            x = x + float(token) if relative else float(token)
            index += 1
        elif kind == "V":
            y = y + float(token) if relative else float(token)
            index += 1
        else:
            index += 1
        points.append((x, y))
    return points


def _drawing_differences(drawn: dict, fresh: dict, tolerance: float = 1.0) -> list[str]:
    """Where two drawings (``DRAWN_AND_FRESH_JS``) differ by more than ``tolerance`` px: the
    same texts at the same places and the same shapes; each line or fill no farther than that
    from the other's (a redraw and a fresh drawing may compute a coordinate a float's last bit
    apart, and then simplify a line through a different few of its points)."""

    def close(a: list[float], b: list[float]) -> bool:
        return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))

    def texts_at(side: dict) -> list[tuple[str, list[float]]]:
        annotations = sorted((a[0], a[1:]) for a in side["annotations"])
        return annotations + [(text, _numbers(place)) for text, place in side["ticks"]]

    problems = []
    one, other = texts_at(drawn), texts_at(fresh)
    if len(one) != len(other):
        problems.append(f"{len(one)} texts against {len(other)}")
    problems += [
        f"text {a} against {b}"
        for a, b in zip(one, other, strict=False)
        if a[0] != b[0] or not close(a[1], b[1])
    ]
    shapes = [sorted(map(_numbers, side["shapes"])) for side in (drawn, fresh)]
    if len(shapes[0]) != len(shapes[1]) or not all(map(close, *shapes)):
        problems.append(f"shapes {drawn['shapes']} against {fresh['shapes']}")
    if len(drawn["traces"]) != len(fresh["traces"]):
        problems.append(f"{len(drawn['traces'])} paths against {len(fresh['traces'])}")
    for one_path, other_path in zip(drawn["traces"], fresh["traces"], strict=False):
        a, b = _path_points(one_path), _path_points(other_path)
        apart = max(_polyline_distance(a, b), _polyline_distance(b, a)) if a and b else 0.0
        if bool(a) != bool(b) or apart > tolerance:
            problems.append(f"path {one_path[:200]} against {other_path[:200]}")
    return problems


HIDE_FIRST_LINE_JS = (  # what a click on its legend entry does
    "Plotly.restyle(document.querySelector('#' + arguments[0] + ' .js-plotly-plot'),"
    " {visible: 'legendonly'}, [0]);"
)
FIRST_LINE_SHOWN_JS = (
    "return document.querySelector('#' + arguments[0] + ' .js-plotly-plot')._fullData[0].visible;"
)
AXIS_TYPE_JS = (
    "return document.querySelector('#' + arguments[0] + ' .js-plotly-plot')._fullLayout.yaxis.type;"
)


def _all_redrawn(driver, draws: dict[str, int], figures: tuple[str, ...]) -> bool:
    """Every one of ``figures`` drawn since its count was ``draws`` (``WATCH_DRAWS_JS``)."""
    now = driver.execute_script("return window.__drawn;")
    return all(now.get(f, 0) > draws.get(f, 0) for f in figures)


def test_a_slider_move_moves_the_lines_and_draws_what_a_full_redraw_draws(
    dash_duo, app, free_port
) -> None:
    """assets/plotly-fast.js: a slider step leaves every axis as it was (rounded ranges), so
    the cascade and the organ panels are redrawn by moving their lines and day markers, not
    by a full redraw; what the page then shows is what a full drawing of the new figure
    shows. With autoranged axes (the linear scale) a move is a full redraw, and right too."""
    open_page(dash_duo, app, free_port)
    driver = dash_duo.driver
    driver.execute_script(WATCH_DRAWS_JS)
    figures = ("cascade-graph", "organ-graph")
    for scale, moved in (("log", True), ("linear", False)):
        if scale == "linear":
            summary = _summary(dash_duo)
            driver.find_element(
                By.XPATH, f"//*[@id='{AXIS_SCALE}']//label[normalize-space()='linear']"
            ).click()
            until(lambda: all(driver.execute_script(AXIS_TYPE_JS, f) == "linear"
                              for f in figures), timeout=15)  # fmt: skip
            assert _summary(dash_duo) == summary
        before, draws = driver.execute_script(
            "window.__given = {};"
            "return [Object.assign({}, window.__moves), Object.assign({}, window.__drawn)];"
        )
        # A line hidden from the legend shows again on a change, as after a full redraw.
        driver.execute_script(HIDE_FIRST_LINE_JS, "organ-graph")
        _move_slider(dash_duo)  # 4.0 -> 4.1 (and 4.2 in linear)
        until(lambda draws=draws: _all_redrawn(driver, draws, figures), timeout=15)
        after = driver.execute_script("return window.__moves;")
        for figure in figures:
            count = after.get(figure, 0) - before.get(figure, 0)
            assert count == (1 if moved else 0), (scale, figure, before, after)
            drawn, fresh = driver.execute_async_script(DRAWN_AND_FRESH_JS, figure)
            assert _drawing_differences(drawn, fresh) == [], (scale, figure)
        assert driver.execute_script(FIRST_LINE_SHOWN_JS, "organ-graph") is True
    assert dash_duo.get_logs() == []


def test_choosing_a_scenario_sets_controls_and_text(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port)
    dash_duo.select_dcc_dropdown("#scenario", "LLC with anti-VEGFR1 from day 0")
    _wait_value(dash_duo, "anti_vegfr1_efficacy", "0.95")
    dash_duo.wait_for_contains_text("#scenario-text", "anti-VEGFR1 antibody", timeout=10)
    # No niche forms: the lung row shows no onset day.
    until(
        lambda: dash_duo.find_element("#readout-table-inner tbody tr:nth-child(2) td").text == "—",
        timeout=15,
    )


def test_a_shared_link_restores_the_same_state(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port, "/?scenario=kaplan2005-llc&days=40&vegfr1_signalling=8")
    _wait_value(dash_duo, "vegfr1_signalling", "8")
    assert dash_duo.find_element("#days").get_attribute("value") == "40"
    until(
        lambda: (
            "vegfr1_signalling=8" in dash_duo.find_element("#share-link").get_attribute("value")
        ),
        timeout=10,
    )
    link = dash_duo.find_element("#share-link").get_attribute("value")
    summary = _summary(dash_duo)
    dash_duo.driver.get(link)  # a fresh page load from the copied link
    _wait_value(dash_duo, "vegfr1_signalling", "8")
    until(lambda: _summary(dash_duo) == summary, timeout=15)


def test_a_bad_link_value_is_refused_with_a_message(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port, "/?vegfr1_signalling=999")
    dash_duo.wait_for_contains_text("#message", "vegfr1_signalling", timeout=10)
    assert "allowed range" in dash_duo.find_element("#message").text
    assert "Biomarker: peak" in _summary(dash_duo)


def test_a_bad_upload_shows_the_error_and_keeps_the_figures(
    dash_duo, app, free_port, tmp_path
) -> None:
    open_page(dash_duo, app, free_port)
    summary = _summary(dash_duo)
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    dash_duo.find_element("#upload input[type='file']").send_keys(str(bad))
    dash_duo.wait_for_contains_text("#message", "not a JSON file", timeout=10)
    assert _summary(dash_duo) == summary
    out_of_range = tmp_path / "range.json"
    out_of_range.write_text(json.dumps({"tropism.lung": 3}))
    dash_duo.find_element("#upload input[type='file']").send_keys(str(out_of_range))
    dash_duo.wait_for_contains_text("#message", "tropism.lung=3", timeout=10)
    assert _summary(dash_duo) == summary


def test_csv_download_holds_the_time_series(
    dash_duo, app, free_port, click, downloaded_csv
) -> None:
    open_page(dash_duo, app, free_port)
    click(dash_duo.find_element("#download-csv-btn"))
    lines = downloaded_csv().read_text().splitlines()
    provenance = [line for line in lines if line.startswith("#")]
    assert any("model version" in line for line in provenance)
    header = lines[len(provenance)].split(",")  # the comment lines come first
    assert header[:5] == ["day", "tumor", "factor", "marrow_hpc", "circulating_hpc"]
    assert {"lung.niche_permissiveness", "lung.dormant", "lung.proliferating"} <= set(header)


def test_anti_vegfr1_makes_the_lung_niche_and_metastases_vanish(
    dash_duo, app, free_port, click
) -> None:
    """The issue's story: LLC's lung niche comes before lung DTCs; pin that run, switch on
    anti-VEGFR1 by typing its efficacy, and watch niche and burden vanish against the pin."""
    open_page(dash_duo, app, free_port)
    organ, onset, detected, _, burden, *_ = _lung_row(dash_duo)
    assert organ == "Lung" and float(onset) < float(detected)
    click(dash_duo.find_element("#pin"))
    dash_duo.wait_for_contains_text("#reference-label", "Reference pinned", timeout=10)

    therapy = dash_duo.driver.find_element(
        By.XPATH, "//button[contains(@class, 'accordion-button')][normalize-space()='Therapy']"
    )
    click(therapy)  # the Therapy section starts folded
    box = _number_box(dash_duo, "anti_vegfr1_efficacy")
    until(box.is_displayed, timeout=5)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0.95", Keys.ENTER)
    until(lambda: _lung_row(dash_duo)[1] == "—", timeout=15)
    treated = _lung_row(dash_duo)
    assert treated[2] == "—"  # lung DTCs never reach the detection threshold
    assert float(treated[4].split(" (ref")[0]) < 0.05 * float(burden)
    assert f"(ref {burden})" in treated[4]
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#cascade-graph .js-plotly-plot').data.map(t => t.name);"
    )
    assert "VEGFR1+ HPCs, fold (biomarker) (reference)" in names
    assert dash_duo.get_logs() == []


def test_a_sweep_map_runs_in_the_background_and_a_clicked_cell_loads(
    dash_duo, app, free_port, click
) -> None:
    open_page(dash_duo, app, free_port)
    click(dash_duo.driver.find_element(By.XPATH, "//a[normalize-space()='Sweep']"))
    for box_id, value in (("#sweep-x-from", "2"), ("#sweep-x-to", "8"), ("#sweep-x-n", "4"),
                          ("#sweep-y-n", "3")):  # fmt: skip
        box = dash_duo.find_element(box_id)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(value)
    click(dash_duo.find_element("#sweep-run"))
    until(lambda: dash_duo.driver.execute_script(HEATMAP_JS), timeout=60)
    heatmap = dash_duo.driver.execute_script(HEATMAP_JS)
    assert heatmap["x"] == [2, 4, 6, 8] and len(heatmap["y"]) == 3

    # Click the cell (x = 6, y = the middle row) where a user would.
    graph = dash_duo.find_element("#sweep-graph .js-plotly-plot")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", graph)
    offset = dash_duo.driver.execute_script(
        "var g = arguments[0], L = g._fullLayout, r = g.getBoundingClientRect();"
        "return [L._size.l + L.xaxis.l2p(6) - r.width / 2,"
        "        L._size.t + L.yaxis.l2p(Math.log10(arguments[1])) - r.height / 2];",
        graph,
        heatmap["y"][1],
    )

    def click_cell() -> bool:
        # Plotly reports a click on the point under the mouse: hover first, give it a moment.
        chain = ActionChains(dash_duo.driver).move_to_element(graph).move_by_offset(*offset)
        chain.pause(0.5).click().perform()
        try:
            _wait_value(dash_duo, "vegfr1_signalling", "6", timeout=5)
        except dash_errors.TestingTimeoutError:
            return False
        return True

    until(click_cell, timeout=60)  # slow on a busy CI machine
    assert dash_duo.find_element("#tabs .nav-link.active").text == "Explore"
    # The Explore tab shows the loaded run: its URL carries both swept values.
    until(lambda: "vegfr1_signalling=6" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_element("#readout-table-inner", timeout=20)
    assert dash_duo.get_logs() == []


def _start_long_sweep(dash_duo, app, free_port, click) -> None:
    open_page(dash_duo, app, free_port, "/?days=3650")  # long runs: a 50 x 50 map takes a while
    click(dash_duo.driver.find_element(By.XPATH, "//a[normalize-space()='Sweep']"))
    for box_id in ("#sweep-x-n", "#sweep-y-n"):
        box = dash_duo.find_element(box_id)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("50")
    click(dash_duo.find_element("#sweep-run"))
    until(lambda: dash_duo.find_element("#sweep-cancel").is_enabled(), timeout=20)
    assert not dash_duo.find_element("#sweep-run").is_enabled()


def _ended_without_result(dash_duo) -> str:
    """Buttons back to idle, progress bar empty, no heatmap; the message shown."""
    until(lambda: dash_duo.find_element("#sweep-run").is_enabled(), timeout=30)
    assert not dash_duo.find_element("#sweep-cancel").is_enabled()
    assert not dash_duo.driver.execute_script(HEATMAP_JS)
    until(lambda: dash_duo.find_element("#sweep-progress .progress-bar").get_attribute(
        "aria-valuenow") == "0", timeout=10)  # fmt: skip
    until(lambda: dash_duo.find_element("#sweep-message").text, timeout=10)
    return dash_duo.find_element("#sweep-message").text


def test_a_long_sweep_can_be_cancelled(dash_duo, app, free_port, click) -> None:
    _start_long_sweep(dash_duo, app, free_port, click)
    click(dash_duo.find_element("#sweep-cancel"))
    message = _ended_without_result(dash_duo)
    assert message.startswith("Sweep cancelled; the last result is kept.")
    assert dash_duo.get_logs() == []


def _job_processes() -> list[psutil.Process]:
    """Background jobs run in processes forked from this one (dash_duo serves in a thread)."""
    me = psutil.Process()
    return [p for p in me.children(recursive=True) if p.exe() == me.exe()]


def test_a_sweep_whose_process_dies_says_so(dash_duo, app, free_port, click) -> None:
    before = {p.pid for p in _job_processes()}
    _start_long_sweep(dash_duo, app, free_port, click)
    jobs = [p for p in _job_processes() if p.pid not in before]
    assert len(jobs) == 1
    jobs[0].kill()  # as the kernel's out-of-memory killer would
    message = _ended_without_result(dash_duo)
    assert message.startswith("Sweep stopped: its process ended without a result")
    # Nothing else is disturbed: a small sweep runs after the lost one and clears the message.
    for box_id in ("#sweep-x-n", "#sweep-y-n"):
        box = dash_duo.find_element(box_id)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("2")
    click(dash_duo.find_element("#sweep-run"))
    until(lambda: dash_duo.driver.execute_script(HEATMAP_JS), timeout=60)
    until(lambda: not dash_duo.find_elements("#sweep-message"), timeout=10)
    assert dash_duo.get_logs() == []


def test_a_link_restores_the_open_tab_and_the_sweep_settings(
    dash_duo, app, free_port, click
) -> None:
    open_page(dash_duo, app, free_port, "/?days=40#tab=sweep&sweep-mode=1d&sweep-x=homing_rate"
           "&sweep-x-from=0.5&sweep-x-n=7&sweep-outcome=niche_onset_day.lung")  # fmt: skip
    until(lambda: dash_duo.find_element("#tabs .nav-link.active").text == "Sweep", timeout=20)
    until(lambda: dash_duo.find_element("#sweep-x-n").get_attribute("value") == "7", timeout=10)
    assert dash_duo.find_element("#sweep-x-from").get_attribute("value") == "0.5"
    assert "Homing" in dash_duo.find_element("#sweep-x").text
    assert not dash_duo.find_element("#sweep-y-box").is_displayed()  # a 1-D sweep
    # Both halves of the link survive: the model state (query) and the settings (fragment).
    assert "days=40" in dash_duo.driver.current_url
    assert "sweep-x-n=7" in dash_duo.driver.current_url

    # A change of setting is written back into the link a user copies.
    box = dash_duo.find_element("#sweep-x-n")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("9")
    until(lambda: "sweep-x-n=9" in dash_duo.driver.current_url, timeout=10)
    share = dash_duo.find_element("#share-link").get_attribute("value")
    assert "days=40" in share and "sweep-x-n=9" in share and "tab=sweep" in share
    click(dash_duo.driver.find_element(By.XPATH, "//a[normalize-space()='Sensitivity']"))
    until(lambda: "tab=sensitivity" in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []


def test_a_bad_link_fragment_is_refused_and_the_defaults_stay(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port, "/#tab=sweep&sweep-x=homing_rate&sweep-x-from=-3")
    until(lambda: dash_duo.find_element("#link-message").text, timeout=20)
    message = dash_duo.find_element("#link-message").text
    assert message.startswith("Not applied: sweep of homing_rate from -3 to 5 leaves its allowed")
    assert message.endswith("Keeping the current settings.")
    assert dash_duo.find_element("#tabs .nav-link.active").text == "Explore"
    assert "#" not in dash_duo.driver.current_url  # the link now shows what the page shows
    assert dash_duo.get_logs() == []


def test_a_1d_sweep_of_liver_tropism_shows_which_organ_wins(
    dash_duo, app, free_port, click
) -> None:
    """Set up from a shared link, run by a click: one curve per organ, in the organ colours."""
    open_page(dash_duo, app, free_port, "/#tab=sweep&sweep-mode=1d&sweep-x=tropism.liver"
           "&sweep-x-n=4&sweep-outcome=burden.each_organ")  # fmt: skip
    until(lambda: dash_duo.find_element("#sweep-x-n").get_attribute("value") == "4", timeout=20)
    click(dash_duo.find_element("#sweep-run"))
    curves_js = (
        "var g = document.querySelector('#sweep-graph .js-plotly-plot');"
        "return g && g.data && g.data.length > 1 && g._fullLayout && g._fullLayout.xaxis"
        " && g._fullLayout.xaxis._length > 0 ? g.data.map(t => [t.name, t.y]) : null;"
    )
    until(lambda: dash_duo.driver.execute_script(curves_js), timeout=60)
    curves = dict(dash_duo.driver.execute_script(curves_js))
    assert list(curves) == ["Lymph node", "Lung", "Liver", "Bone", "Brain", "Other"]
    liver = curves["Liver"]
    assert len(liver) == 4 and liver == sorted(liver)  # more liver tropism, more liver burden
    assert dash_duo.get_logs() == []


def test_presentation_mode_enlarges_the_type_and_fits_a_projector(
    dash_duo, app, free_port, click
) -> None:
    """A lecture-hall projector at 1280 x 800: larger type, organ panels in two columns, and
    nothing wider than the screen (the readout table scrolls inside its own box)."""
    dash_duo.driver.set_window_size(1280, 800)
    open_page(dash_duo, app, free_port)
    click(dash_duo.find_element("#presentation"))
    organ_js = (
        "var g = document.querySelector('#organ-graph .js-plotly-plot');"
        "return g && g.layout ? [g.layout.font.size, g.layout.xaxis2.domain[0]] : null;"
    )
    until(lambda: (dash_duo.driver.execute_script(organ_js) or [0])[0] == 18, timeout=20)
    font, second_column = dash_duo.driver.execute_script(organ_js)
    assert second_column > 0.5  # the lung panel starts right of the middle: two columns
    assert "presentation" in dash_duo.find_element("#app-root").get_attribute("class")
    overflow = dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0
    assert dash_duo.get_logs() == []


def test_the_about_panel_contents_links_scroll_to_their_section(
    dash_duo, app, free_port, click
) -> None:
    """A table-of-contents link scrolls the panel to its heading and leaves the page's link
    (whose fragment holds the Sweep settings) untouched: no 'not a setting' message."""
    open_page(dash_duo, app, free_port)
    url = dash_duo.driver.current_url
    click(dash_duo.find_element("#about-btn"))
    link = dash_duo.driver.find_element(By.CSS_SELECTOR, ".about-markdown a[href='#known-limits']")
    click(link)
    heading = dash_duo.driver.find_element(By.XPATH, "//h2[normalize-space()='Known limits']")
    until(
        lambda: dash_duo.driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < 200;",
            heading,
        ),
        timeout=10,
    )
    assert dash_duo.driver.current_url == url
    assert not dash_duo.find_elements("#link-message")  # closed alerts are not rendered
    assert dash_duo.get_logs() == []


def _lung_burden(dash_duo, word: str) -> tuple[float, float] | None:
    """(this run's, the bracketed run's) lung burden, once the table shows ``(word ...)``."""
    cell = _lung_row(dash_duo)[4]
    if f" ({word} " not in cell:
        return None
    ours, theirs = cell.removesuffix(")").split(f" ({word} ")
    return float(ours), float(theirs)


def test_the_same_experiment_under_two_hypotheses_side_by_side(dash_duo, app, free_port) -> None:
    """The issue's story: anti-VEGFR1 from day 0 abolishes lung metastases if the niche needs
    VEGFR1 (Kaplan-Lyden), not if it does not (Dawson). Compare both on one page, then share
    the comparison as a link."""
    open_page(dash_duo, app, free_port)
    dash_duo.select_dcc_dropdown("#scenario", "LLC with anti-VEGFR1 from day 0")
    _wait_value(dash_duo, "anti_vegfr1_efficacy", "0.95")
    dash_duo.wait_for_contains_text("#hypothesis", "Kaplan-Lyden", timeout=10)
    dash_duo.wait_for_contains_text("#hypothesis-text", "VEGFR1+ marrow cells", timeout=10)

    dash_duo.select_dcc_dropdown("#compare-hypothesis", "Dawson: niche without VEGFR1")
    until(lambda: _lung_burden(dash_duo, "Dawson"), timeout=20)
    ours, theirs = _lung_burden(dash_duo, "Dawson")
    assert theirs > 1000 * ours  # orders of magnitude apart
    caption = dash_duo.find_element("#readout-caption").text
    assert caption.startswith("Kaplan-Lyden; in brackets: the same experiment under Dawson")
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#cascade-graph .js-plotly-plot').data.map(t => t.name);"
    )
    assert "Primary tumor (Kaplan-Lyden)" in names and "Primary tumor (Dawson)" in names
    dash_duo.wait_for_contains_text("#reference-label", "Dawson", timeout=10)

    # The comparison is part of the link: a fresh load from it shows the same table.
    until(lambda: "compare-hypothesis=dawson" in
          dash_duo.find_element("#share-link").get_attribute("value"), timeout=10)  # fmt: skip
    link = dash_duo.find_element("#share-link").get_attribute("value")
    assert "anti_vegfr1_efficacy=0.95" in link
    dash_duo.driver.get(link)
    until(lambda: _lung_burden(dash_duo, "Dawson") == (ours, theirs), timeout=30)
    assert dash_duo.get_logs() == []


def test_a_hypothesis_is_chosen_then_mixed_by_hand(dash_duo, app, free_port, click) -> None:
    """The menu sets the four switches; a switch typed by hand makes a custom mix."""
    open_page(dash_duo, app, free_port)
    dash_duo.select_dcc_dropdown("#hypothesis", "Paget: seed and soil, no niche")
    _wait_value(dash_duo, "organ_soil", "1")
    _wait_value(dash_duo, "niche_formation", "0")
    until(lambda: "organ_soil=1" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_contains_text("#hypothesis-text", "lasting compatibility", timeout=10)

    mechanisms = dash_duo.driver.find_element(
        By.XPATH,
        "//button[contains(@class, 'accordion-button')]"
        "[normalize-space()='Mechanisms (hypothesis)']",
    )
    click(mechanisms)  # the section starts folded
    box = _number_box(dash_duo, "organ_soil")
    until(box.is_displayed, timeout=5)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0.5", Keys.ENTER)
    dash_duo.wait_for_contains_text("#hypothesis", "Custom mix", timeout=10)
    dash_duo.wait_for_contains_text("#hypothesis-text", "Custom mix", timeout=10)
    assert dash_duo.get_logs() == []


def test_a_long_run_shows_risk_next_to_patient_data(dash_duo, app, free_port) -> None:
    """A mouse run has no risk section; the breast scenario's 23 years do, with Pan 2017,
    Demicheli 2008 and autopsy data marked as published."""
    open_page(dash_duo, app, free_port)
    assert not dash_duo.find_element("#risk-section").is_displayed()
    dash_duo.select_dcc_dropdown("#scenario", "Breast cancer: resection, dormancy, late relapse")
    until(lambda: dash_duo.find_element("#risk-section").is_displayed(), timeout=30)
    risk_js = (
        "var g = document.querySelector('#%s .js-plotly-plot');"
        "return g && g.data ? g.data.map(t => t.name) : null;"
    )
    until(lambda: dash_duo.driver.execute_script(risk_js % "risk-graph"), timeout=20)
    names = dash_duo.driver.execute_script(risk_js % "risk-graph")
    assert "Relapse since resection" in names
    assert any(n.startswith("Published: Pan 2017") for n in names)
    assert any(n.startswith("Published: Demicheli 2008") for n in names)
    organs = dash_duo.driver.execute_script(risk_js % "organ-risk-graph")
    assert any(n.startswith("Published: breast cancer autopsies") for n in organs)
    assert dash_duo.get_logs() == []
