"""The Sensitivity tab's pure parts: input validation, result, tornado chart."""

from __future__ import annotations

import json

import pytest

from dashboard.sensitivity import sensitivity_figure, start_analysis
from dashboard.state import PageState
from model import InvalidInput

LLC = PageState.for_scenario("kaplan2005-llc").to_store()


def test_an_analysis_result_is_json_and_draws_a_tornado_largest_on_top() -> None:
    result = start_analysis(["tropism.brain", "met_growth_rate"], "burden.lung", 64, LLC)
    json.dumps(result, allow_nan=False)
    fig = sensitivity_figure(result)
    total, first = fig["data"]
    assert total["name"].startswith("Total") and first["name"].startswith("First")
    assert total["y"][-1] == "Metastatic growth rate"  # plotly draws the last category on top
    assert len(total["error_x"]["array"]) == 2


@pytest.mark.parametrize(
    "names, outcome, n_base, stored, message",
    [
        ("homing_rate", "burden.lung", 64, LLC, "choose the parameters"),
        (["homing_rate", 3], "burden.lung", 64, LLC, "choose the parameters"),
        (["homing_rate", "shedding_rate"], None, 64, LLC, "unknown outcome"),
        (["homing_rate", "shedding_rate"], "burden.lung", 100, LLC, "base samples"),
        (["homing_rate", "shedding_rate"], "burden.lung", 64, {"changed": 3}, "object"),
    ],
)
def test_bad_inputs_are_refused(names, outcome, n_base, stored, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        start_analysis(names, outcome, n_base, stored)
