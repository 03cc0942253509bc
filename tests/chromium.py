"""Debian's Chromium as the browser suite and bench/bench_browser.py start it (never a
downloaded browser): headless, no sandbox (root in CI), no calls home (no network here)."""

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
    render (its readout table)."""
    dash_duo.start_server(app, port=port)
    if path != "/":
        dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#readout-table-inner", timeout=FIRST_RENDER_SECONDS)
