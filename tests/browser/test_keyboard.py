"""Typing numbers and moving by keyboard, in Debian's headless Chromium (dash_duo).

Issue 10: typing 40 in "Days simulated" showed "0" (the field scrolled inside Dash 4's number
box), tabbing landed on its -/+ steppers, the tabs had tabindex=-1 and a keyboard user pressed
Tab 168 times to reach a figure.
"""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from model import spec_for
from tests.chromium import FIRST_RENDER_SECONDS, open_page

pytestmark = pytest.mark.browser

ACTIVE_ID = "return document.activeElement && document.activeElement.id;"
#: Whether a text field shows all of its text (nothing scrolled out of sight).
SHOWS_ALL = "var e = arguments[0]; return e.scrollLeft === 0 && e.scrollWidth <= e.clientWidth;"


def _press(dash_duo, *keys: str) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def _active_tab(dash_duo) -> str:
    return dash_duo.find_element("#tabs [role='tab'].active").text


def test_typed_numbers_are_shown_and_run_as_typed(dash_duo, app, free_port) -> None:
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_contains_text("#readout-summary", "by day 30", timeout=FIRST_RENDER_SECONDS)
    days = dash_duo.find_element("#days")
    days.send_keys(Keys.CONTROL, "a")
    days.send_keys("40")
    assert days.get_attribute("value") == "40"
    assert dash_duo.driver.execute_script(SHOWS_ALL, days)
    _press(dash_duo, Keys.TAB)  # leaving the box applies it, and focus skips no stepper
    dash_duo.wait_for_contains_text("#readout-summary", "by day 40", timeout=20)
    assert days.get_attribute("value") == "40"
    focused = dash_duo.driver.switch_to.active_element
    assert focused.get_attribute("aria-label") not in ("Decrease value", "Increase value")
    steppers = "return document.querySelectorAll('aside .dash-input-stepper').length;"
    assert dash_duo.driver.execute_script(steppers) == 0

    box = dash_duo.find_element("#control-vegfr1_signalling input.param-number")
    # Named with its unit (assets/a11y.js): the unit on screen is CSS, which a reader skips.
    until(lambda: box.get_attribute("aria-label") == "VEGFR1 signalling value (fold of basal)",
          timeout=10)  # fmt: skip
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("7.25", Keys.ENTER)
    until(lambda: "vegfr1_signalling=7.25" in dash_duo.find_element("#share-link")
          .get_attribute("value"), timeout=20)  # fmt: skip
    assert box.get_attribute("value") == "7.25"
    assert dash_duo.get_logs() == []


def test_skip_link_first_then_tabs_switch_by_keyboard(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port)
    dash_duo.driver.execute_script("document.activeElement.blur();")
    _press(dash_duo, Keys.TAB)
    assert dash_duo.driver.execute_script(ACTIVE_ID) == "skip-to-figures"
    link = dash_duo.find_element("#skip-to-figures")
    assert link.is_displayed() and link.size["width"] > 20  # seen when focused
    assert link.text == "Skip to figures"
    _press(dash_duo, Keys.ENTER)
    until(lambda: dash_duo.driver.execute_script(ACTIVE_ID) == "figures", timeout=5)
    assert "#" not in dash_duo.driver.current_url  # the fragment holds shared settings

    tabs = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#tabs [role=tab]')]"
        ".map(t => [t.innerText, t.getAttribute('tabindex')]);"
    )
    assert tabs == [["Explore", "0"], ["Sweep", "0"], ["Sensitivity", "0"], ["Schematic", "0"]]
    _press(dash_duo, Keys.TAB)  # the next stop after the region is the first tab
    assert dash_duo.driver.switch_to.active_element.text == "Explore"
    _press(dash_duo, Keys.ARROW_RIGHT)
    until(lambda: _active_tab(dash_duo) == "Sweep", timeout=5)
    assert dash_duo.find_element("#sweep-run").is_displayed()
    _press(dash_duo, Keys.TAB, Keys.ENTER)  # Tab to the next tab, Enter opens it
    until(lambda: _active_tab(dash_duo) == "Sensitivity", timeout=5)
    _press(dash_duo, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    until(lambda: _active_tab(dash_duo) == "Explore", timeout=5)
    assert dash_duo.get_logs() == []


TIP_JS = (
    "var t = document.getElementById('param-info-tip');"
    "return t && !t.hidden ? [t.innerText, t.getBoundingClientRect().width] : null;"
)


def test_an_info_icon_tells_its_parameters_meaning_on_focus(dash_duo, app, free_port) -> None:
    open_page(dash_duo, app, free_port)
    icon = dash_duo.find_element("#control-vegfr1_signalling .param-info")
    dash_duo.driver.execute_script("arguments[0].focus();", icon)
    until(lambda: dash_duo.driver.execute_script(TIP_JS), timeout=5)
    text, width = dash_duo.driver.execute_script(TIP_JS)
    spec = spec_for("vegfr1_signalling")
    assert spec.meaning in text and spec.source in text and width > 50
    assert icon.get_attribute("aria-describedby") == "param-info-tip"
    _press(dash_duo, Keys.ESCAPE)
    until(lambda: dash_duo.driver.execute_script(TIP_JS) is None, timeout=5)
    assert icon.get_attribute("aria-describedby") is None
    assert dash_duo.get_logs() == []
