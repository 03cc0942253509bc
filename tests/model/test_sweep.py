"""Outcomes on batch states, and 1-D/2-D sweeps built on them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import ORGANS, InvalidInput, Parameters, simulate
from model.batch import integrate_batch
from model.outcomes import FAMILIES, OUTCOMES, evaluate, expand_outcome, first_crossings
from model.readouts import first_crossing
from model.scenarios import SCENARIOS
from model.sweep import MAX_POINTS, axis_values, sweep_1d, sweep_2d

LLC = SCENARIOS["kaplan2005-llc"].parameters()


def _close(batch_value: float, single_value: float | None, rel: float = 1e-4) -> bool:
    if single_value is None:
        return math.isnan(batch_value)
    return batch_value == pytest.approx(single_value, rel=rel, abs=1e-2 if rel else 0)


@pytest.mark.parametrize("name", ["kaplan2005-llc", "kaplan2005-anti-vegfr1", "vla4-blockade"])
def test_outcomes_agree_with_the_readouts_of_a_single_run(name: str) -> None:
    scenario = SCENARIOS[name]
    params = scenario.parameters()
    t, states, _ = integrate_batch([params], scenario.days)
    values = {k: v[0] for k, v in evaluate(list(OUTCOMES), t, states, [params]).items()}
    readouts = simulate(params, scenario.days).readouts
    for organ, o in readouts.organs.items():
        assert _close(values[f"burden.{organ}"], o.burden_final)
        assert _close(values[f"niche_onset_day.{organ}"], o.niche_onset_day)
        assert _close(values[f"dtc_detect_day.{organ}"], o.dtc_detect_day)
        assert _close(values[f"macrometastasis_day.{organ}"], o.macrometastasis_day)
    assert _close(values["biomarker_peak"], readouts.biomarker_peak_fold_change)
    assert _close(values["biomarker_lead_days"], readouts.biomarker_lead_days)
    assert _close(values["first_detection_day"], readouts.first_detection_day)
    assert _close(values["relapse_probability"], readouts.relapse_probability)
    total = sum(o.burden_final for o in readouts.organs.values())
    assert values["burden.total"] == pytest.approx(total, rel=1e-4)


def test_first_crossings_match_the_single_series_definition() -> None:
    rng = np.random.default_rng(3)
    t = np.linspace(0, 10, 41)
    x = np.cumsum(rng.uniform(-0.2, 1.0, (20, t.size)), axis=1)
    levels = rng.uniform(-1, 30, 20)
    got = first_crossings(t, x, levels)
    for row, level, day in zip(x, levels, got, strict=True):
        expected = first_crossing(t, row, level)
        assert math.isnan(day) if expected is None else day == pytest.approx(expected)


def test_axis_values_span_the_declared_range_on_the_declared_scale() -> None:
    log = axis_values("dormancy_exit_rate", 8)
    assert log[0] == 1e-7 and log[-1] == 1.0
    np.testing.assert_allclose(np.diff(np.log10(log)), 1.0, rtol=1e-9)
    linear = axis_values("vegfr1_signalling", 5, 2.0, 10.0)
    np.testing.assert_array_equal(linear, [2.0, 4.0, 6.0, 8.0, 10.0])


@pytest.mark.parametrize(
    "args, message",
    [
        (("vegfr1_signalling", 5, 0.0, 25.0), "leaves its allowed range"),
        (("vegfr1_signalling", 5, 8.0, 2.0), "must be below"),
        (("vegfr1_signalling", 1), "from 2 to 50"),
        (("vegfr1_signalling", MAX_POINTS + 1), "from 2 to 50"),
        (("resection_day", 5), "cannot be swept"),
        (("no_such_parameter", 5), "unknown parameter"),
    ],
)
def test_axis_values_refuse_bad_requests(args, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        axis_values(*args)


def test_sweep_1d_more_vegfr1_signalling_means_more_lung_burden_and_earlier_niche() -> None:
    values = axis_values("vegfr1_signalling", 6, 1.0, 16.0)
    table = sweep_1d(LLC, "vegfr1_signalling", values, ["burden.lung", "niche_onset_day.lung"])
    assert list(table.columns) == ["vegfr1_signalling", "burden.lung", "niche_onset_day.lung"]
    assert np.all(np.diff(table["burden.lung"]) > 0)
    onset = table["niche_onset_day.lung"].dropna()
    assert len(onset) >= 4 and np.all(np.diff(onset) < 0)


def test_sweep_refuses_unknown_outcomes_and_oversized_grids() -> None:
    with pytest.raises(InvalidInput, match="unknown outcome 'burden.moon'"):
        sweep_1d(LLC, "vegfr1_signalling", [1.0, 2.0], ["burden.moon"])
    with pytest.raises(InvalidInput, match="50 x 50"):
        sweep_2d(LLC, "vegfr1_signalling", [1.0] * 51, "homing_rate", [0.3], "burden.lung")
    with pytest.raises(InvalidInput, match="two different"):
        sweep_2d(LLC, "homing_rate", [0.3], "homing_rate", [0.3], "burden.lung")
    with pytest.raises(InvalidInput, match="vegfr1_signalling=99"):
        sweep_1d(LLC, "vegfr1_signalling", [1.0, 99.0], ["burden.lung"])


def test_sweep_2d_cells_are_the_runs_they_claim_to_be() -> None:
    xs = axis_values("vegfr1_signalling", 4, 2.0, 8.0)
    ys = axis_values("dormancy_exit_rate", 3, 1e-3, 1e-1)
    result = sweep_2d(LLC, "vegfr1_signalling", xs, "dormancy_exit_rate", ys, "burden.lung")
    assert result.z.shape == (3, 4)
    for j, i in [(0, 0), (2, 3), (1, 2)]:
        single = simulate(LLC.replace(vegfr1_signalling=xs[i], dormancy_exit_rate=ys[j]), 30)
        assert result.z[j, i] == pytest.approx(
            single.readouts.organs["lung"].burden_final, rel=1e-4
        )


def test_replace_validates_only_what_changes_but_still_refuses_bad_values() -> None:
    p = Parameters(vegfr1_signalling=2)
    assert p.replace(homing_rate=0.5)["vegfr1_signalling"] == 2.0
    with pytest.raises(InvalidInput, match="homing_rate=50"):
        p.replace(homing_rate=50)
    with pytest.raises(InvalidInput, match="anti_vegfr1_end_day"):
        p.replace(anti_vegfr1_start_day=10, anti_vegfr1_end_day=5)


def test_an_outcome_family_stands_for_that_outcome_in_every_organ() -> None:
    assert expand_outcome("burden.each_organ") == tuple(f"burden.{o}" for o in ORGANS)
    assert expand_outcome("niche_onset_day.lung") == ("niche_onset_day.lung",)
    for family in FAMILIES.values():
        assert {OUTCOMES[m].unit for m in family.members} == {family.unit}
    with pytest.raises(InvalidInput, match="unknown outcome 'burden.each_planet'"):
        expand_outcome("burden.each_planet")
