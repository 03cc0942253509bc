"""Debian's Chromium as the browser suite and bench/bench_browser.py start it (never a
downloaded browser): headless, no sandbox (root in CI), no calls home (no network here)."""

import sys
import threading
import traceback

from selenium.common.exceptions import TimeoutException

CHROMIUM = "/usr/bin/chromium"
#: Seconds a browser test waits for a page's first render. A cold Chromium on a loaded 2-core
#: CI machine (the Docker check's containers start beside the tests) once took over 40 s; a
#: later failure at 90 s had stopped being served its scripts (``_unfinished`` says more).
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
    render (its readout table)."""
    dash_duo.start_server(app, port=port)
    if path != "/":
        dash_duo.driver.get(dash_duo.server_url + path)
    try:
        dash_duo.wait_for_element("#readout-table-inner", timeout=FIRST_RENDER_SECONDS)
    except TimeoutException as exc:
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
    """The page's state (``_PAGE_STATE_JS``) and the browser's console, or why they could not
    be read."""
    try:
        driver.set_script_timeout(10)
        state = driver.execute_async_script(_PAGE_STATE_JS)
    except Exception as exc:  # noqa: BLE001 (a diagnosis must not hide the failure)
        state = f"(the page did not say: {exc})"
    try:
        console = "\n".join(
            f"{entry['level']} {entry['message']}" for entry in driver.get_log("browser")
        )
    except Exception as exc:  # noqa: BLE001
        console = f"(the browser's console could not be read: {exc})"
    return f"page: {state}\nconsole:\n{console or '(empty)'}"


def _unfinished(driver) -> str:
    """What a page that never rendered was waiting for, for the failure's message: the
    requests it had answered, its own state and console (``_browser_side``), and every thread
    of this process (the test server's included). CI saw a page (test_a11y) stop: the next
    CI's diagnosis showed every request answered and the server idle, never a callback
    request; this says what the browser was doing."""
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
