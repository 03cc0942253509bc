"""Debian's Chromium as the browser suite and bench/bench_browser.py start it (never a
downloaded browser): headless, no sandbox (root in CI), no calls home (no network here)."""

import sys
import threading
import traceback

from selenium.common.exceptions import TimeoutException

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


#: What Chromium logs for each load it aborts when the host's network changes. The Docker check
#: beside the tests starts dockerd (a new bridge) as the first browser tests load their pages:
#: CI's stalled pages (test_a11y, the first browser tests) had every script load aborted so.
#: scripts/test now runs pytest, as root, in a network namespace of its own that the host's
#: changes do not reach; elsewhere (no namespace) a page so aborted is opened once more.
NETWORK_CHANGED = "net::ERR_NETWORK_CHANGED"


def open_page(dash_duo, app, port: int, path: str = "/") -> None:
    """Serve ``app`` with dash_duo on ``port``, open ``path`` and wait for the page's first
    render (its readout table). A page whose loads the browser aborted for a change of the
    host's network (``NETWORK_CHANGED``: nothing the app did) is opened once more; any other
    page that does not render fails the test with a diagnosis (``_unfinished``)."""
    dash_duo.start_server(app, port=port)
    url = dash_duo.server_url + path
    if path != "/":
        dash_duo.driver.get(url)
    for attempt in (1, 2):
        try:
            dash_duo.wait_for_element("#readout-table-inner", timeout=FIRST_RENDER_SECONDS)
            return
        except TimeoutException as exc:
            console = dash_duo.driver.get_log("browser")
            if attempt == 1 and any(NETWORK_CHANGED in e["message"] for e in console):
                dash_duo.driver.get(url)
                continue
            raise AssertionError(
                f"no first render in {FIRST_RENDER_SECONDS} s\n"
                f"{_unfinished(dash_duo.driver, console)}"
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


def _browser_side(driver, console: list[dict]) -> str:
    """The page's state (``_PAGE_STATE_JS``, or why it could not be read) and its ``console``
    entries."""
    try:
        driver.set_script_timeout(10)
        state = driver.execute_async_script(_PAGE_STATE_JS)
    except Exception as exc:  # noqa: BLE001 (a diagnosis must not hide the failure)
        state = f"(the page did not say: {exc})"
    lines = "\n".join(f"{entry['level']} {entry['message']}" for entry in console)
    return f"page: {state}\nconsole:\n{lines or '(empty)'}"


def _unfinished(driver, console: list[dict]) -> str:
    """What a page that never rendered was waiting for, for the failure's message: the
    requests it had answered, its own state and ``console`` (``_browser_side``), and every
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
    return (
        f"answered:\n{requests}\n{_browser_side(driver, console)}\n"
        f"this process's threads:\n{stacks}"
    )
