"""Every calibration claim holds: each target of ``model.calibration`` lies inside its accepted
band, and every parameter whose declared source says "calibrated" is listed by some target.

Runs come from the session's cached ``run`` fixture (tests/model/conftest.py), so the six
distinct simulations behind all targets are integrated once per worker.
"""

from __future__ import annotations

import math

import pytest

from model.calibration import (
    BREAST,
    BREAST_T1N0,
    BREAST_T1N4_9,
    GAPS,
    TARGETS,
    CalibrationTarget,
    calibration_markdown,
    calibration_table,
    gap_table,
    late_recurrence,
)
from model.parameters import PARAMETER_SPECS, spec_for
from model.scenarios import SCENARIOS


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_calibration_target_is_met(run, target: CalibrationTarget) -> None:
    value = target.model_value(run)
    assert target.accepts(value), (
        f"{target.name}: model {value:.4g} {target.unit} is outside the accepted band "
        f"[{target.low:.4g}, {target.high:.4g}] around {target.target:.4g} "
        f"({target.description}; {target.source}). Parameters it calibrates: "
        f"{', '.join(target.parameters)}. Recalibrate them or correct the documented claim "
        "(docs/model.md#calibration)."
    )


def test_every_calibrated_parameter_is_checked_by_a_target() -> None:
    covered = {name for target in TARGETS for name in target.parameters}
    claimed = {spec.name for spec in PARAMETER_SPECS if "calibrat" in spec.source.lower()}
    missing = sorted(claimed - covered)
    assert not missing, (
        f"the source of {missing} claims a calibration that no target in "
        "model/calibration.py checks: add a CalibrationTarget listing it"
    )


def test_targets_are_well_formed() -> None:
    names = [t.name for t in TARGETS] + [g.name for g in GAPS]
    assert len(names) == len(set(names)), "duplicate calibration names"
    for t in TARGETS:
        assert t.parameters, t.name
        for name in t.parameters:
            spec_for(name)  # raises for an unknown parameter
        assert t.low <= t.target <= t.high, t.name
        assert t.description.strip() and t.source.strip() and t.unit.strip(), t.name


@pytest.mark.parametrize("gap", GAPS, ids=[g.name for g in GAPS])
def test_documented_gap_is_still_open(run, gap) -> None:
    value = gap.model_value(run)
    assert math.isfinite(value)
    assert gap.is_open(value), (
        f"{gap.name}: model {value:.4g} now matches the published {gap.published:g} "
        f"{gap.unit}; move it from GAPS to TARGETS and update docs/model.md#calibration"
    )


def test_calibration_table_reports_every_target(run) -> None:
    rows = calibration_table(run)
    assert [r["name"] for r in rows] == [t.name for t in TARGETS]
    assert all(r["within"] for r in rows), [r["name"] for r in rows if not r["within"]]
    assert [r["name"] for r in gap_table(run)] == [g.name for g in GAPS]
    text = calibration_markdown(run)
    assert text.count("\n|") >= len(TARGETS) + len(GAPS)


def test_breast_stage_variants_change_only_the_shedding() -> None:
    base = SCENARIOS[BREAST].parameters()
    shedding = {}
    for name in (BREAST_T1N0, BREAST_T1N4_9):
        variant = SCENARIOS[name].parameters()
        changed = {k for k in base if variant[k] != base[k]}
        assert changed == {"shedding_rate"}, name
        shedding[name] = variant["shedding_rate"] / base["shedding_rate"]
    # fewer involved nodes, less shedding
    assert shedding[BREAST_T1N0] < 1.0 < shedding[BREAST_T1N4_9]


def test_late_recurrence_needs_a_resection_and_the_follow_up(run) -> None:
    scenario = SCENARIOS[BREAST]
    with pytest.raises(ValueError, match="resection"):
        late_recurrence(run(scenario.parameters().replace(resection_day=None), 1100.0))
    with pytest.raises(ValueError, match="before year 20"):
        late_recurrence(run(scenario.parameters(), 1100.0))
