"""Sobol indices on the batch solver: the right parameter wins, irrelevant ones score ~0."""

from __future__ import annotations

import pytest

from model import InvalidInput
from model.scenarios import SCENARIOS
from model.sensitivity import sobol_indices, sobol_runs

LLC = SCENARIOS["kaplan2005-llc"].parameters()


def test_growth_rate_dominates_lung_burden_and_brain_tropism_does_not_matter() -> None:
    table = sobol_indices(LLC, ["tropism.brain", "met_growth_rate"], "burden.lung", n_base=64)
    assert list(table["parameter"]) == ["met_growth_rate", "tropism.brain"]  # sorted by ST
    growth, brain = table.iloc[0], table.iloc[1]
    assert growth["ST"] > 0.8
    assert abs(brain["ST"]) < 0.02 and abs(brain["S1"]) < 0.02
    assert table.attrs["runs"] == sobol_runs(2, 64) == 256
    assert set(table.columns) == {"parameter", "S1", "S1_conf", "ST", "ST_conf"}


def test_days_that_never_happen_are_counted_as_the_last_day() -> None:
    table = sobol_indices(
        LLC, ["vegfr1_signalling", "homing_rate"], "niche_onset_day.lung", n_base=32
    )
    assert table.attrs["censored"] > 0  # weak signalling or homing: no lung niche in 30 days
    assert table["ST"].notna().all()


@pytest.mark.parametrize(
    "names, outcome, n_base, message",
    [
        (["homing_rate"], "burden.lung", 64, "at least two"),
        (["homing_rate", "homing_rate"], "burden.lung", 64, "only once"),
        (["homing_rate", "resection_day"], "burden.lung", 64, "cannot be varied"),
        (["homing_rate", "vegfr1_signalling"], "burden.moon", 64, "unknown outcome"),
        (["homing_rate", "vegfr1_signalling"], "burden.lung", 100, "power of two"),
        (["homing_rate", "vegfr1_signalling"], "burden.lung", 4, "at least 8"),
        (["homing_rate", "vegfr1_signalling"], "burden.lung", 8192, "the limit is"),
    ],
)
def test_bad_requests_are_refused(names, outcome, n_base, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        sobol_indices(LLC, names, outcome, n_base=n_base)
