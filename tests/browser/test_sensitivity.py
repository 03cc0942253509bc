"""The Sensitivity tab as a user sees it, in Debian's headless Chromium (dash_duo).

The issue's acceptance criterion: from the dashboard a user finds which three parameters most
control lung metastatic burden in the ``kaplan2005-llc`` scenario. The expected answer is not
written down here: the test computes it with ``model.sensitivity.sobol_indices`` (seed 0, as
the page runs it) and checks that the tornado chart shows the same three on top.
"""

from __future__ import annotations

import pandas as pd
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from dashboard.sensitivity import DEFAULT_PARAMETERS, analysis_note
from dashboard.state import PageState
from model import spec_for
from model.outcomes import OUTCOMES
from model.scenarios import SCENARIOS
from model.sensitivity import sobol_indices
from tests.browser.test_layouts import UNDER_THE_LEGEND
from tests.chromium import open_page

pytestmark = pytest.mark.browser

SCENARIO = "kaplan2005-llc"
OUTCOME = "burden.lung"
N_BASE = 64  # the smallest the page offers: 640 runs, a few seconds even on a busy CI machine
ANALYSIS_TIMEOUT = 60  # generous: CI is a shared 2-core machine

# The tornado chart once Plotly has drawn it: the ST trace, with each bar's label, value and
# vertical pixel position (0 = top of the plot area), or null while it is not drawn yet.
_ST_BARS_JS = """
var g = document.querySelector('#sens-graph .js-plotly-plot');
if (!g || !g.data || g.data.length !== 2 || !g._fullLayout || !g._fullLayout.yaxis
    || !(g._fullLayout.yaxis._length > 0)) { return null; }
var st = g.data.find(function (t) { return t.name === 'Total effect (ST)'; });
if (!st) { return null; }
var ax = g._fullLayout.yaxis;
return {
    title: g._fullLayout.title.text, subtitle: g._fullLayout.title.subtitle.text,
    bars: st.y.map(function (label, i) {
        return {label: label, st: st.x[i], pixel: ax.d2p(label)};
    }),
};
"""
_TRACE_COUNT_JS = """
var g = document.querySelector('#sens-graph .js-plotly-plot');
return g && g.data ? g.data.length : 0;
"""


def _shown(dash_duo, dropdown: str) -> str:
    """The text a single-choice dropdown shows as its value."""
    return dash_duo.find_element(f"#{dropdown}-value").text


def _choose(dash_duo, dropdown: str, label: str) -> None:
    """Open a dropdown and click the option with that label, as a user would."""
    dash_duo.select_dcc_dropdown(f"#{dropdown}", label)
    until(lambda: _shown(dash_duo, dropdown) == label, timeout=10)


def _chosen_parameters(dash_duo) -> list[str]:
    """The titles the parameter multi-select shows (textContent: the field is narrower than
    eight names, so some are scrolled out of view and have no visible text)."""
    items = dash_duo.find_elements("#sens-params .dash-dropdown-value-item")
    return [item.get_attribute("textContent") for item in items]


def _message(dash_duo) -> str | None:
    """The tab's alert text; None while it is closed (a closed dbc.Alert is not rendered)."""
    alerts = dash_duo.find_elements("#sens-message")
    return alerts[0].text if alerts and alerts[0].is_displayed() else None


def _open_sensitivity_tab(dash_duo, click) -> None:
    click(dash_duo.driver.find_element(By.XPATH, "//a[normalize-space()='Sensitivity']"))
    until(lambda: dash_duo.find_element("#sens-run").is_displayed(), timeout=10)


def _wait_idle(dash_duo) -> None:
    """The job is over: Run is enabled again, Cancel disabled."""
    until(lambda: dash_duo.find_element("#sens-run").is_enabled(), timeout=ANALYSIS_TIMEOUT)
    until(lambda: not dash_duo.find_element("#sens-cancel").is_enabled(), timeout=10)


def test_the_three_parameters_controlling_lung_burden_are_on_top(
    dash_duo, app, free_port, click, downloaded_csv
) -> None:
    """The acceptance story: choose the LLC scenario, run the default analysis of lung burden,
    read the three largest bars of the tornado chart; then download the indices as CSV."""
    scenario = SCENARIOS[SCENARIO]
    # Start from custom settings (60 days) so that choosing the scenario changes the state.
    open_page(dash_duo, app, free_port, "/?days=60")
    _choose(dash_duo, "scenario", scenario.title)
    days_box = dash_duo.find_element("#days")
    until(lambda: days_box.get_attribute("value") == f"{scenario.days:g}", timeout=15)

    _open_sensitivity_tab(dash_duo, click)
    assert _chosen_parameters(dash_duo) == [spec_for(n).title for n in DEFAULT_PARAMETERS]
    assert _shown(dash_duo, "sens-outcome") == OUTCOMES[OUTCOME].label
    assert "burden in lung" in _shown(dash_duo, "sens-outcome")
    _choose(dash_duo, "sens-n", str(N_BASE))
    click(dash_duo.find_element("#sens-run"))

    # Meanwhile, the same analysis in this process: what the chart must show.
    state = PageState.for_scenario(SCENARIO)
    expected = sobol_indices(
        state.params, DEFAULT_PARAMETERS, OUTCOME, n_base=N_BASE, days=state.days, seed=0
    )
    expected_top3 = [spec_for(n).title for n in expected["parameter"][:3]]
    expected_st = {spec_for(row.parameter).title: row.ST for row in expected.itertuples()}

    until(lambda: dash_duo.driver.execute_script(_ST_BARS_JS), timeout=ANALYSIS_TIMEOUT)
    chart = dash_duo.driver.execute_script(_ST_BARS_JS)
    top_down = sorted(chart["bars"], key=lambda bar: bar["pixel"])  # as the user reads it
    assert [bar["label"] for bar in top_down[:3]] == expected_top3
    # Every chosen parameter has its bar, with the index computed here (the table is rounded
    # to 4 digits). Below the top three, near-ties may swap places: not compared.
    shown_st = {bar["label"]: bar["st"] for bar in top_down}
    assert shown_st == pytest.approx(expected_st, abs=2e-4)
    assert [bar["st"] for bar in top_down] == sorted(shown_st.values(), reverse=True)
    assert OUTCOMES[OUTCOME].label in chart["title"]
    assert chart["subtitle"] == f"{expected.attrs['runs']} runs"
    # Its legend covers neither the axis title nor the tick labels (it covered both).
    assert dash_duo.driver.execute_script(UNDER_THE_LEGEND) == []

    _wait_idle(dash_duo)
    assert dash_duo.find_element("#sens-run").is_enabled()
    assert not dash_duo.find_element("#sens-cancel").is_enabled()
    # At this small sample the page warns which ranks are not resolved (if any): the same
    # note as for the analysis computed here.
    note = analysis_note(
        {"table": expected.to_dict(orient="list"), "scale": "linear", "censored": 0}
    )
    until(lambda: _message(dash_duo) == note, timeout=10)

    # The indices as CSV: one row per chosen parameter, largest ST first.
    click(dash_duo.find_element("#download-sens-btn"))
    csv_file = downloaded_csv()
    assert csv_file.name == f"seed-soil-sobol-{OUTCOME}.csv"
    table = pd.read_csv(csv_file, comment="#")
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert sorted(table["parameter"]) == sorted(DEFAULT_PARAMETERS)  # one row each
    assert table["parameter"].tolist()[:3] == expected["parameter"].tolist()[:3]
    assert table["ST"].is_monotonic_decreasing
    indexed = expected.set_index("parameter")
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        downloaded = dict(zip(table["parameter"], table[column], strict=True))
        assert downloaded == pytest.approx(indexed[column].to_dict(), abs=2e-4)
    assert dash_duo.get_logs() == []


def test_an_analysis_without_parameters_is_refused_with_a_message(
    dash_duo, app, free_port, click
) -> None:
    """Clearing the parameter choice and pressing Run says why nothing ran; no chart."""
    open_page(dash_duo, app, free_port)
    _open_sensitivity_tab(dash_duo, click)
    click(dash_duo.find_element("#sens-params .dash-dropdown-clear"))
    until(lambda: _chosen_parameters(dash_duo) == [], timeout=10)
    click(dash_duo.find_element("#sens-run"))
    until(lambda: _message(dash_duo), timeout=20)
    message = _message(dash_duo)
    assert "Analysis not started" in message
    assert "parameters" in message
    _wait_idle(dash_duo)
    assert dash_duo.find_element("#sens-run").is_enabled()
    assert not dash_duo.find_element("#sens-cancel").is_enabled()
    assert dash_duo.driver.execute_script(_TRACE_COUNT_JS) == 0  # no chart was drawn
    assert dash_duo.get_logs() == []
