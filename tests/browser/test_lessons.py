"""Guided lessons in Debian's headless Chromium (dash_duo): the menu opens a lesson, Next and
Back change the state and the URL, Show answer reveals the answer, Page Down/Up walk the steps,
a step's link opens that step, and the console stays clean (the page's CSP forbids eval)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.lessons import lessons
from tests.chromium import FIRST_RENDER_SECONDS

pytestmark = pytest.mark.browser

LESSON = "niche-before-seed"
IN_VIEW = """var r = document.getElementById(arguments[0]).getBoundingClientRect();
return r.top >= 0 && r.top < window.innerHeight;"""


def _url(dash_duo) -> tuple[dict, dict]:
    """The page's query and fragment, parsed."""
    parts = urlsplit(dash_duo.driver.current_url)
    return dict(parse_qsl(parts.query)), dict(parse_qsl(parts.fragment))


def _wait_step(dash_duo, number: int, count: int) -> None:
    dash_duo.wait_for_text_to_equal("#lesson-progress", f"Step {number}/{count}", timeout=30)
    until(lambda: _url(dash_duo)[1].get("step") == str(number), timeout=20)


def _outlined(dash_duo) -> list[str]:
    script = "return [...document.querySelectorAll('.lesson-target')].map(e => e.id);"
    return dash_duo.driver.execute_script(script)


def _vegfr1_box(dash_duo):
    return dash_duo.find_element("#control-vegfr1_signalling input.param-number")


def test_a_lesson_from_the_menu_to_its_last_step_and_back(dash_duo, app, free_port, click):
    lesson = lessons()[LESSON]
    count = len(lesson.steps)
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_element("#cascade-graph .main-svg", timeout=FIRST_RENDER_SECONDS)
    assert dash_duo.find_element("#lesson-bar").get_attribute("hidden")

    click(dash_duo.find_element("#lessons-menu button"))
    click(dash_duo.wait_for_element(f"#lessons-menu a[href='{lesson.url(1)}']"))
    _wait_step(dash_duo, 1, count)
    assert dash_duo.find_element("#lesson-title").text == lesson.steps[0].title
    until(lambda: _outlined(dash_duo) == ["scenario-text"], timeout=10)

    # The answer stays folded until asked for.
    answer = dash_duo.find_element("#lesson-answer-text")
    assert not answer.is_displayed()
    click(dash_duo.find_element("#lesson-answer-btn"))
    until(answer.is_displayed, timeout=10)
    assert answer.text == lesson.steps[0].answer
    assert dash_duo.find_element("#lesson-answer-btn").text == "Hide answer"

    # Next walks to step 2 (the cascade outlined, the answer folded again) ...
    click(dash_duo.find_element("#lesson-next"))
    _wait_step(dash_duo, 2, count)
    until(lambda: _outlined(dash_duo) == ["cascade-graph"], timeout=10)
    until(lambda: not answer.is_displayed(), timeout=10)
    for number in range(3, count + 1):
        click(dash_duo.find_element("#lesson-next"))
        _wait_step(dash_duo, number, count)

    # ... and the last step sets its state: VEGFR1 signalling 8, in the URL and the controls.
    until(lambda: _url(dash_duo)[0].get("vegfr1_signalling") == "8", timeout=20)
    until(lambda: _vegfr1_box(dash_duo).get_attribute("value") == "8", timeout=20)
    until(lambda: not dash_duo.find_element("#lesson-next").is_enabled(), timeout=10)

    # Back returns to the step before, with its state.
    click(dash_duo.find_element("#lesson-back"))
    _wait_step(dash_duo, count - 1, count)
    until(lambda: "vegfr1_signalling" not in _url(dash_duo)[0], timeout=20)
    until(lambda: _vegfr1_box(dash_duo).get_attribute("value") == "4", timeout=20)

    # The browser's back button walks the lesson too.
    dash_duo.driver.back()
    _wait_step(dash_duo, count, count)
    until(lambda: _vegfr1_box(dash_duo).get_attribute("value") == "8", timeout=20)

    # Leaving closes the bar, keeps the state and drops the lesson from the link.
    click(dash_duo.find_element("#lesson-leave"))
    until(lambda: dash_duo.find_element("#lesson-bar").get_attribute("hidden"), timeout=20)
    until(lambda: "lesson" not in _url(dash_duo)[1], timeout=20)
    assert _url(dash_duo)[0].get("vegfr1_signalling") == "8"
    until(lambda: _outlined(dash_duo) == [], timeout=10)
    assert dash_duo.get_logs() == []


def test_a_step_link_opens_that_step_and_the_keyboard_walks_on(dash_duo, app, free_port, click):
    lesson = lessons()["blocking-vegfr1"]
    count = len(lesson.steps)
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_element("#cascade-graph .main-svg", timeout=FIRST_RENDER_SECONDS)
    dash_duo.driver.get(dash_duo.server_url + "/" + lesson.url(4))
    _wait_step(dash_duo, 4, count)
    assert dash_duo.find_element("#lesson-title").text == lesson.steps[3].title
    # Step 4's own state: the antibody from day 20.
    box = "#control-anti_vegfr1_start_day input.param-number"
    until(lambda: dash_duo.find_element(box).get_attribute("value") == "20", timeout=30)
    until(lambda: _outlined(dash_duo) == ["readouts"], timeout=10)
    # "Show me" scrolls the outlined table into view.
    dash_duo.find_element("#lesson-show").click()
    until(lambda: dash_duo.driver.execute_script(IN_VIEW, "readouts"), timeout=10)

    # Page Down: the next step, with its hypothesis to compare with (dashed).
    click(dash_duo.find_element("#lesson-title"))  # the focus on the page, not in a field
    ActionChains(dash_duo.driver).send_keys(Keys.PAGE_DOWN).perform()
    _wait_step(dash_duo, 5, count)
    assert _url(dash_duo)[1].get("compare-hypothesis") == "dawson"
    until(lambda: "Dawson" in dash_duo.find_element("#reference-label").text, timeout=20)
    until(lambda: dash_duo.find_element(box).get_attribute("value") == "0", timeout=30)

    # Page Up: back to step 4; the comparison ends.
    ActionChains(dash_duo.driver).send_keys(Keys.PAGE_UP).perform()
    _wait_step(dash_duo, 4, count)
    until(lambda: "compare-hypothesis" not in _url(dash_duo)[1], timeout=20)

    # Tab reaches the step buttons; Enter follows Next.
    click(dash_duo.find_element("#lesson-answer-btn"))
    ActionChains(dash_duo.driver).send_keys(Keys.TAB).perform()
    focused = dash_duo.driver.switch_to.active_element
    assert focused.get_attribute("id") == "lesson-back"
    ActionChains(dash_duo.driver).send_keys(Keys.TAB, Keys.ENTER).perform()
    _wait_step(dash_duo, 5, count)
    assert dash_duo.get_logs() == []


def test_a_bad_step_link_is_refused_with_the_link_message(dash_duo, app, free_port):
    dash_duo.start_server(app, port=free_port)
    dash_duo.wait_for_element("#cascade-graph .main-svg", timeout=FIRST_RENDER_SECONDS)
    dash_duo.driver.get(dash_duo.server_url + f"/?days=30#lesson={LESSON}&step=99")
    dash_duo.wait_for_contains_text(
        "#link-message", f"#step=99 is not a step of lesson '{LESSON}'", timeout=30
    )
    assert dash_duo.find_element("#lesson-bar").get_attribute("hidden")
