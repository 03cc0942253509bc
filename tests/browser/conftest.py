"""dash_duo in Debian's Chromium: /usr/bin/chromium driven by /usr/bin/chromedriver.

Never a downloaded browser. Without root to install the apt packages, the browser tests are
skipped locally; under CI (CI=true) a missing browser is an error, not a skip.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.chrome.options import Options

from tests.chromium import CHROME_ARGUMENTS, CHROMIUM


def pytest_setup_options() -> Options:
    """Hook of dash's pytest plugin: the options every dash_duo browser starts with."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in CHROME_ARGUMENTS:
        options.add_argument(argument)
    return options


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [name for name in (CHROMIUM, "chromedriver") if shutil.which(name) is None]
    if not missing or os.environ.get("CI"):
        return
    reason = f"not installed: {', '.join(missing)} (run scripts/test as root)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A fresh app with its own model cache and background-job store: browser tests run in
    parallel (pytest -n), and a job store shared between them would share job slots too."""
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SEED_SOIL_JOBS_DIR", str(tmp_path / "jobs"))
    from dashboard import create_app

    return create_app()


@pytest.fixture
def click(dash_duo):
    """Scroll an element to the middle and click it, waiting out a transient overlay (the
    loading spinner over figures being redrawn) as a user would."""

    def click_element(element) -> None:
        def clicked() -> bool:
            # Scrolled each time: a smooth scroll still running (the lesson bar's "Show me")
            # can carry the element away again after one scroll.
            dash_duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
            )
            try:
                element.click()
            except ElementClickInterceptedException:
                return False
            return True

        until(clicked, timeout=20)

    return click_element


@pytest.fixture
def downloaded_csv(dash_duo):
    """Wait for a CSV file the page downloads (into dash_duo's download folder); its path."""

    def wait_for_file() -> Path:
        folder = Path(dash_duo.download_path)
        deadline = time.monotonic() + 40  # generous: CI machines are shared and slow
        files: list[Path] = []
        while time.monotonic() < deadline and not files:
            files = [f for f in folder.glob("*.csv") if f.stat().st_size > 0]
            time.sleep(0.2)
        assert files, "no CSV downloaded"
        return files[0]

    return wait_for_file
