"""The page loads in a real browser and shows its title, with a clean console."""

import pytest

from dashboard import create_app

pytestmark = pytest.mark.browser


def test_page_shows_title_without_console_errors(dash_duo, free_port: int) -> None:
    dash_duo.start_server(create_app(), port=free_port)
    dash_duo.wait_for_text_to_equal("h1", "Seed & Soil Explorer", timeout=30)  # busy CI
    assert dash_duo.driver.title == "Seed & Soil Explorer"
    assert dash_duo.get_logs() == [], "browser console has SEVERE entries"
