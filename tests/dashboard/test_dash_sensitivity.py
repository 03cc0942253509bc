"""The Sensitivity tab's pure parts: input validation, result, tornado chart."""

from __future__ import annotations

import json

import pytest

from dashboard.sensitivity import (
    analysis_budget,
    analysis_note,
    indices_csv,
    sensitivity_figure,
    start_analysis,
    unresolved_ranks,
)
from dashboard.state import PageState
from model import InvalidInput

LLC = PageState.for_scenario("kaplan2005-llc").to_store()


def test_an_analysis_result_is_json_and_draws_a_tornado_largest_on_top() -> None:
    result = start_analysis(["tropism.brain", "met_growth_rate"], "burden.lung", 64, "linear", LLC)
    json.dumps(result, allow_nan=False)
    fig = sensitivity_figure(result)
    total, first = fig["data"]
    assert total["name"].startswith("Total") and first["name"].startswith("First")
    assert total["y"][-1] == "Metastatic growth rate"  # plotly draws the last category on top
    assert len(total["error_x"]["array"]) == 2
    title = fig["layout"]["title"]
    assert title["text"] == "Sobol indices of: DTC burden in lung, final (cells)"
    assert title["subtitle"]["text"] == "256 runs"


def test_a_log10_analysis_says_so_in_its_title_and_file_name() -> None:
    names = ["homing_rate", "met_growth_rate"]
    result = start_analysis(names, "burden.lung", 64, "log10", LLC)
    assert result["scale"] == "log10"
    title = sensitivity_figure(result)["layout"]["title"]["text"]
    assert title.startswith("Sobol indices of: log10(1 + DTC burden in lung, final, cells)")
    text, filename = indices_csv(result)
    assert filename == "seed-soil-sobol-burden.lung-log10.csv"
    columns = next(line for line in text.splitlines() if not line.startswith("#"))
    assert columns == "parameter,S1,S1_conf,ST,ST_conf"
    assert indices_csv({**result, "scale": "linear"})[1] == "seed-soil-sobol-burden.lung.csv"


def _table(st: list[float], conf: list[float]) -> dict:
    return {"parameter": [f"p{i}" for i in range(len(st))], "ST": st, "ST_conf": conf}


@pytest.mark.parametrize(
    "st, conf, overlapping",
    [
        ([0.9, 0.5, 0.2, 0.05, 0.0], [0.1, 0.1, 0.05, 0.01, 0.01], []),
        ([0.9, 0.5, 0.2, 0.05, 0.0], [0.3, 0.2, 0.05, 0.01, 0.01], [1]),
        ([0.9, 0.5, 0.45, 0.05], [0.1, 0.1, 0.1, 0.01], [2]),
        ([0.9, 0.5, 0.2, 0.19, 0.18], [0.1, 0.1, 0.05, 0.05, 0.05], [3]),  # 4 vs 5: not read
        ([0.5, 0.4], [0.2, 0.2], [1]),
    ],
)
def test_ranks_whose_intervals_overlap_are_named(st, conf, overlapping) -> None:
    assert unresolved_ranks(_table(st, conf)) == overlapping


def test_the_note_warns_of_unresolved_ranks_and_censored_runs() -> None:
    resolved = {"table": _table([0.9, 0.6, 0.3, 0.0], [0.1] * 4), "scale": "linear"}
    assert analysis_note({**resolved, "censored": 0}) is None
    note = analysis_note({**resolved, "censored": 7})
    assert note == "7 runs never reached that day; they count as the last day of the run."
    unresolved = {"table": _table([0.9, 0.5, 0.45, 0.0], [0.35, 0.1, 0.1, 0.0]), "censored": 0}
    note = analysis_note({**unresolved, "scale": "linear"})
    assert note.startswith("The 95% intervals of ranks 1 and 2, 2 and 3 overlap")
    assert note.endswith("(so does the log10 scale for a burden).")
    assert analysis_note({**unresolved, "scale": "log10"}).endswith("narrow the intervals.")


@pytest.mark.parametrize(
    "names, outcome, n_base, scale, stored, message",
    [
        ("homing_rate", "burden.lung", 64, "linear", LLC, "choose the parameters"),
        (["homing_rate", 3], "burden.lung", 64, "linear", LLC, "choose the parameters"),
        (["homing_rate", "shedding_rate"], None, 64, "linear", LLC, "unknown outcome"),
        (["homing_rate", "shedding_rate"], "burden.lung", 100, "linear", LLC, "base samples"),
        (["homing_rate", "shedding_rate"], "burden.lung", 64, "log", LLC, "scale must be"),
        (["homing_rate", "shedding_rate"], "biomarker_peak", 64, "log10", LLC, "cell counts"),
        (["homing_rate", "shedding_rate"], "burden.lung", 64, "linear", {"changed": 3}, "object"),
    ],
)
def test_bad_inputs_are_refused(names, outcome, n_base, scale, stored, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        start_analysis(names, outcome, n_base, scale, stored)


def test_the_analysis_budget_comes_from_the_environment_and_is_validated() -> None:
    assert analysis_budget({}) == 20_480
    assert analysis_budget({"SEED_SOIL_ANALYSIS_BUDGET": "1000"}) == 1000
    for bad in ("0", "1", "20481", "many", "1e4", ""):
        with pytest.raises(InvalidInput, match="SEED_SOIL_ANALYSIS_BUDGET"):
            analysis_budget({"SEED_SOIL_ANALYSIS_BUDGET": bad})


def test_an_analysis_over_the_configured_budget_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("SEED_SOIL_ANALYSIS_BUDGET", "500")
    names = ["homing_rate", "shedding_rate", "met_growth_rate"]
    with pytest.raises(InvalidInput, match="640 runs requested; the limit is 500"):
        start_analysis(names, "burden.lung", 128, "linear", LLC)
