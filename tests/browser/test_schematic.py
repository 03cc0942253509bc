"""The Schematic tab in Debian's headless Chromium (dash_duo): open it, see the compartments
and flows, press Play and watch the day advance, all drawn in the browser under the page's
strict CSP (the clientside callbacks are hashed into it)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.schematic import ARROWS, BOXES, FRAMES
from tests.chromium import FIRST_RENDER_SECONDS, open_page

pytestmark = pytest.mark.browser

# The drawn schematic: its title, the number of traces, the lung's dormant-arrival arrow width.
_FIGURE_JS = """
var g = document.querySelector('#schematic-graph .js-plotly-plot');
if (!g || !g.data || g.data.length < 2 || !g._fullLayout || !g._fullLayout.title) { return null; }
var settle = g.data.find(function (t) { return t.meta === 'settle.lung'; });
return {title: g._fullLayout.title.text, traces: g.data.length, boxes: g.data[0].text.length,
        width: settle ? settle.line.width : null};
"""


def _figure(dash_duo) -> dict | None:
    return dash_duo.driver.execute_script(_FIGURE_JS)


def _day(dash_duo) -> float:
    """The day the figure's title names ("Day 12.5 of 30: ...")."""
    figure = _figure(dash_duo)
    return float(figure["title"].split()[1]) if figure else -1.0


def test_play_steps_through_the_days_in_the_browser(dash_duo, free_port, app, click) -> None:
    open_page(dash_duo, app, free_port)
    tab = dash_duo.driver.find_element(By.LINK_TEXT, "Schematic")
    click(tab)
    until(lambda: _figure(dash_duo) is not None, timeout=30)
    figure = _figure(dash_duo)
    assert figure["traces"] >= 1 + len(ARROWS)
    assert figure["boxes"] == len(BOXES)
    assert figure["title"].startswith("Day 30 of 30")
    assert "#tab=schematic" in dash_duo.driver.current_url
    last_width = figure["width"]

    # Play from the last day starts again at day 0 and advances without the server.
    click(dash_duo.find_element("#schematic-play"))
    until(lambda: "Pause" in dash_duo.find_element("#schematic-play").text, timeout=10)
    until(lambda: 1.0 <= _day(dash_duo) < 30.0, timeout=30)
    first = _day(dash_duo)
    until(lambda: _day(dash_duo) > first, timeout=30)
    click(dash_duo.find_element("#schematic-play"))
    until(lambda: "Play" in dash_duo.find_element("#schematic-play").text, timeout=10)
    paused = _day(dash_duo)
    assert paused < 30.0
    assert _figure(dash_duo)["width"] != last_width

    # The scrubber is a keyboard slider: End goes to the last day.
    thumb = dash_duo.find_element("#schematic-day [role='slider']")
    dash_duo.driver.execute_script("arguments[0].focus();", thumb)
    thumb.send_keys(Keys.END)
    until(lambda: _day(dash_duo) == 30.0, timeout=10)
    assert FRAMES > 2
    assert dash_duo.get_logs() == []


def test_a_link_opens_the_schematic_of_the_linked_run(dash_duo, free_port, app) -> None:
    dash_duo.start_server(app, port=free_port)
    dash_duo.driver.get(dash_duo.server_url + "/?days=40#tab=schematic")
    until(lambda: _figure(dash_duo) is not None, timeout=FIRST_RENDER_SECONDS)
    until(lambda: _figure(dash_duo)["title"].startswith("Day 40 of 40"), timeout=20)
    assert dash_duo.get_logs() == []


def test_a_change_made_while_the_tab_is_open_redraws_it(dash_duo, free_port, app, click) -> None:
    open_page(dash_duo, app, free_port)
    click(dash_duo.driver.find_element(By.LINK_TEXT, "Schematic"))
    until(lambda: _figure(dash_duo) is not None, timeout=30)
    days = dash_duo.find_element("#days")
    days.send_keys(Keys.CONTROL, "a")
    days.send_keys("45", Keys.TAB)  # leaving the box applies it
    # The scrubber keeps the day it showed: day 30, now of 45.
    until(lambda: _figure(dash_duo)["title"].startswith("Day 30 of 45"), timeout=20)
    assert dash_duo.get_logs() == []
