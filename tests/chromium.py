"""Debian's Chromium as the browser suite and bench/bench_browser.py start it (never a
downloaded browser): headless, no sandbox (root in CI), no calls home (no network here)."""

import sys
import threading
import traceback

from dash.testing.errors import TestingTimeoutError
from selenium.common.exceptions import TimeoutException

from dashboard.later import PLACEHOLDER_CLASS

CHROMIUM = "/usr/bin/chromium"
#: Seconds a browser test waits for a page's first render. A cold Chromium on a loaded 2-core
#: CI machine (the Docker check's containers start beside the tests) once took over 40 s.
FIRST_RENDER_SECONDS = 90
CHROME_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine has no network: without these Chromium keeps calling home and logging failures.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def open_page(dash_duo, app, port: int, path: str = "/") -> None:
    """Serve ``app`` with dash_duo on ``port``, open ``path`` and wait for the page's first
    render (its readout table) and for what it renders later (the controls, the hidden tabs:
    ``dashboard.later``); a page that does not render fails the test with a diagnosis
    (``_unfinished``: its requests, state and console).

    A change of the host's network makes Chromium abort the loads under way
    (``net::ERR_NETWORK_CHANGED`` in the console): CI's stalled pages were the Docker check
    starting dockerd beside the first browser tests. scripts/test therefore runs pytest, as
    root (where the Docker check runs), in a network namespace of its own."""
    dash_duo.start_server(app, port=port)
    if path != "/":
        dash_duo.driver.get(dash_duo.server_url + path)
    try:
        dash_duo.wait_for_element("#readout-table-inner", timeout=FIRST_RENDER_SECONDS)
        # The controls and the hidden tabs, rendered after the first figure (dashboard/later.py)
        dash_duo.wait_for_no_elements(f".{PLACEHOLDER_CLASS}", timeout=FIRST_RENDER_SECONDS)
    except (TimeoutException, TestingTimeoutError) as exc:
        raise AssertionError(
            f"no first render in {FIRST_RENDER_SECONDS} s\n{_unfinished(dash_duo.driver)}"
        ) from exc


#: The requests the page has had answered (ms since navigation: sent, answered); one still
#: waiting for its answer is not listed yet.
_REQUESTS_JS = """
return performance.getEntriesByType('resource').map(e => [
  e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseEnd)]);
"""


#: The page's own state: loaded or not, visible or not, what React rendered, whether the
#: renderer made its store, and whether a frame comes (a page the browser treats as hidden
#: gets no animation frames); answered within 2 s.
_PAGE_STATE_JS = """
const done = arguments[arguments.length - 1];
const root = document.getElementById('react-entry-point');
const state = {
  readyState: document.readyState, visibility: document.visibilityState,
  hasFocus: document.hasFocus(), size: [innerWidth, innerHeight],
  rendered: root ? root.querySelectorAll('*').length : null,
  store: typeof window.store, frame: false,
};
const timer = setTimeout(() => done(state), 2000);
requestAnimationFrame(() => { clearTimeout(timer); state.frame = true; done(state); });
"""


def _browser_side(driver) -> str:
    """The page's state (``_PAGE_STATE_JS``, or why it could not be read) and its console."""
    try:
        console = driver.get_log("browser")
    except Exception as exc:  # noqa: BLE001 (a diagnosis must not hide the failure)
        console = [{"level": "", "message": f"(the console could not be read: {exc})"}]
    try:
        driver.set_script_timeout(10)
        state = driver.execute_async_script(_PAGE_STATE_JS)
    except Exception as exc:  # noqa: BLE001 (a diagnosis must not hide the failure)
        state = f"(the page did not say: {exc})"
    lines = "\n".join(f"{entry['level']} {entry['message']}" for entry in console)
    return f"page: {state}\nconsole:\n{lines or '(empty)'}"


def _unfinished(driver) -> str:
    """What a page that never rendered was waiting for, for the failure's message: the
    requests it had answered, its own state and console (``_browser_side``), and every
    thread of this process (the test server's included)."""
    try:
        requests = "\n".join(map(str, driver.execute_script(_REQUESTS_JS)))
    except Exception as exc:  # noqa: BLE001 (a diagnosis must not hide the failure)
        requests = f"(the browser did not say: {exc})"
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    stacks = "\n".join(
        f"--- thread {names.get(ident, ident)}\n{''.join(traceback.format_stack(frame))}"
        for ident, frame in sys._current_frames().items()
    )
    return f"answered:\n{requests}\n{_browser_side(driver)}\nthis process's threads:\n{stacks}"
