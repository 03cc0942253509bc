"""The solver: output grid, piecewise integration between events, and accuracy.

Accuracy is checked against an independent reference: the same equations integrated segment by
segment with ``scipy.integrate.solve_ivp(method="Radau", rtol=1e-10, atol=1e-12)``, events
(therapy window edges, resection jump) placed by this file, not by ``model.solve``.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import ODEintWarning, solve_ivp

from model import (
    ORGANS,
    InvalidInput,
    Parameters,
    SimulationError,
    simulate,
    simulate_batch,
    solve,
)
from model.equations import T_, initial_state, pack, rhs, set_therapy
from model.parameters import MAX_DAY
from model.result import COLUMNS, DERIVED
from model.scenarios import SCENARIOS
from model.solve import (
    ATOL,
    EXPLICIT_MAX_DAYS,
    METHODS,
    RTOL,
    day_grid,
    integrate,
    scipy_segment_solver,
    validate_days,
)
from model.states import N_STATES, ORGAN_STATES, STATE_COLUMNS

#: Relative agreement demanded of the production solver against the Radau reference, on every
#: state above its floor (1e-3 of the state's largest value over the run, and at least 1e-6).
#: Below the floor a state is numerically irrelevant (e.g. 1e-9 cells) and only ``atol`` applies.
REFERENCE_RTOL = 1e-4
RELATIVE_FLOOR = 1e-3
ABSOLUTE_FLOOR = 1e-6


# --- the output grid ---------------------------------------------------------------------


@pytest.mark.parametrize("days", [0.05, 0.5, 1.0, 7.3, 30.0, 30.05, 59.99, 365.0, 8400.0, MAX_DAY])
def test_day_grid_is_regular_from_zero_to_days(days: float) -> None:
    grid = day_grid(days)
    assert grid[0] == 0.0
    assert grid[-1] == pytest.approx(days, abs=1e-9)
    assert 2 <= grid.size <= 601
    steps = np.diff(grid)
    assert np.all(steps > 0)
    # Regular step; only the last interval may be shorter, to land on ``days`` exactly.
    np.testing.assert_allclose(steps[:-1], steps[0], rtol=1e-9)
    assert steps[-1] <= steps[0] * (1 + 1e-9)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.floats(min_value=1e-3, max_value=MAX_DAY, allow_nan=False))
def test_day_grid_property(days: float) -> None:
    grid = day_grid(days)
    assert grid[0] == 0.0 and abs(grid[-1] - days) <= 1e-9 * max(1.0, days)
    assert grid.size <= 601
    assert np.all(np.diff(grid) > 0)


def test_default_run_has_a_fine_grid() -> None:
    grid = day_grid(30.0)
    assert grid.size == 301  # 0.1-day step: onset days are read to a tenth of a day
    assert 10.0 in grid


@pytest.mark.parametrize("days", [1, 30.0, "30", " 8400 ", MAX_DAY, 1e-3])
def test_validate_days_accepts_positive_spans_up_to_a_century(days) -> None:
    assert validate_days(days) == float(days)


@pytest.mark.parametrize("days", [0, -1, 1e9, MAX_DAY + 1, "abc", "", None, math.nan, "inf"])
def test_validate_days_refuses_and_names_the_value(days) -> None:
    with pytest.raises(InvalidInput, match="days=") as info:
        validate_days(days)
    assert repr(days) in str(info.value)


# --- states and the result frame ---------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_states_are_finite_and_never_negative(name: str, run_scenario) -> None:
    frame = run_scenario(name).frame
    values = frame.to_numpy()
    assert np.all(np.isfinite(values))
    assert np.all(values >= 0.0)
    np.testing.assert_array_equal(frame["day"].to_numpy(), day_grid(SCENARIOS[name].days))


def test_simulate_defaults_to_30_days_of_default_parameters() -> None:
    result = simulate()
    assert result.days == 30.0
    assert result.params == Parameters()
    assert result.frame["day"].iloc[-1] == 30.0


def test_frame_has_every_state_and_derived_columns(run) -> None:
    frame = run(Parameters(), 30.0).frame
    expected = {"day", *STATE_COLUMNS}
    for organ in ORGANS:
        for block in ORGAN_STATES:
            assert f"{organ}.{block.name}" in expected
        for quantity in DERIVED:
            expected.add(f"{organ}.{quantity}")
    assert list(frame.columns) == list(COLUMNS)
    assert set(frame.columns) == expected
    assert frame.shape[1] == N_STATES + 1 + len(DERIVED) * len(ORGANS)
    dormant = frame["lung.solitary"] + frame["lung.quiescent"]
    np.testing.assert_allclose(frame["lung.dormant"], dormant, rtol=1e-15)
    lung = dormant + frame["lung.proliferating"]
    np.testing.assert_allclose(frame["lung.burden"], lung, rtol=1e-15)
    assert frame["lung.niche_permissiveness"].between(0.0, 1.0).all()


def test_long_frame_holds_the_same_numbers(run) -> None:
    result = run(Parameters(), 30.0)
    long = result.long_frame()
    assert list(long.columns) == ["day", "organ", "quantity", "value"]
    row = long[(long["organ"] == "lung") & (long["quantity"] == "niche") & (long["day"] == 30.0)]
    assert row["value"].item() == result.frame["lung.niche"].iloc[-1]
    tumor = long[(long["organ"] == "") & (long["quantity"] == "tumor")]
    np.testing.assert_array_equal(tumor["value"].to_numpy(), result.frame["tumor"].to_numpy())


# --- accuracy against an independent reference ---------------------------------------------


def radau_reference(params: Parameters, days: float) -> tuple[np.ndarray, np.ndarray]:
    """The model's equations on ``day_grid(days)``, integrated tightly between events.

    Right-continuous at events, like the production solver: a grid day that is an event day
    shows the state just after the event.
    """
    grid = day_grid(days)
    efficacy = params["anti_vegfr1_efficacy"]
    t_on, t_off = params["anti_vegfr1_start_day"], params["anti_vegfr1_end_day"]
    t_res = params["resection_day"]
    edges = sorted(
        {0.0, days}
        | {t for t in (t_on, t_off) if efficacy > 0 and 0 < t < days}
        | ({t_res} if t_res is not None and t_res < days else set())
    )
    c = pack(params)
    y = initial_state(params)
    out = np.full((grid.size, N_STATES), np.nan)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if a == t_res:
            y = y.copy()
            y[T_] *= 1.0 - params["resection_fraction"]
        treated = t_on <= 0.5 * (a + b) <= t_off
        coeffs = set_therapy(
            c, anti_vegfr1=efficacy if treated else 0.0, vla4=params["vla4_block_efficacy"]
        )
        on_segment = (grid >= a) & (grid < b)
        sol = solve_ivp(
            rhs,
            (a, b),
            y,
            method="Radau",
            t_eval=np.append(grid[on_segment], b),
            args=(coeffs,),
            rtol=1e-10,
            atol=1e-12,
        )
        assert sol.success, sol.message
        out[on_segment] = sol.y.T[:-1]
        y = sol.y[:, -1]
    out[-1] = y
    return grid, out


def assert_matches_reference(params: Parameters, days: float, method: str = "auto") -> None:
    t_ref, y_ref = radau_reference(params, days)
    t, y = integrate(params, days, method=method)
    np.testing.assert_array_equal(t, t_ref)
    floor = np.maximum(RELATIVE_FLOOR * np.abs(y_ref).max(axis=0), ABSOLUTE_FLOOR)
    significant = np.abs(y_ref) > floor
    rel = np.abs(y - y_ref)[significant] / np.abs(y_ref)[significant]
    worst = np.argwhere(significant)[np.argmax(rel)]
    assert rel.max() < REFERENCE_RTOL, (
        f"relative error {rel.max():.3g} at day {t[worst[0]]:g}, state {worst[1]}"
    )
    # Below the floor the two may differ relatively, but never by more than the floor.
    assert np.all(
        np.abs(y - y_ref)[~significant] <= 2 * np.broadcast_to(floor, y.shape)[~significant]
    )


@pytest.mark.parametrize("method", METHODS)
def test_default_run_matches_radau_reference(method: str) -> None:
    """Measured, worst relative error: LSODA about 3e-6 (lung proliferating cells, day 30),
    the explicit method (and "auto", which takes it here) about 4e-7."""
    assert_matches_reference(Parameters(), 30.0, method)


@pytest.mark.parametrize("method", METHODS)
def test_run_with_therapy_window_and_partial_resection_matches_radau_reference(method) -> None:
    params = Parameters(
        anti_vegfr1_efficacy=0.8,
        anti_vegfr1_start_day=4.0,
        anti_vegfr1_end_day=11.5,
        resection_day=17.0,
        resection_fraction=0.9,
    )
    assert_matches_reference(params, 30.0, method)


@pytest.mark.slow
def test_explicit_method_matches_radau_reference_on_a_long_run() -> None:
    """Asked for by name, the explicit method finishes a run "auto" would give to LSODA (here
    ~2,400 stability-bound steps), at its accuracy."""
    params = Parameters(resection_day=200.0, resection_fraction=0.99)
    assert_matches_reference(params, 365.0, "dopri5")


@pytest.mark.parametrize("days", [1.0, 30.0, EXPLICIT_MAX_DAYS])
def test_auto_takes_the_explicit_method_for_short_runs(days: float) -> None:
    auto = integrate(Parameters(), days)[1]
    assert np.array_equal(auto, integrate(Parameters(), days, method="dopri5")[1])
    assert not np.array_equal(auto, integrate(Parameters(), days, method="lsoda")[1])


def test_auto_takes_lsoda_for_long_runs() -> None:
    days = 2 * EXPLICIT_MAX_DAYS
    auto = integrate(Parameters(), days)[1]
    assert np.array_equal(auto, integrate(Parameters(), days, method="lsoda")[1])


def test_auto_hands_a_run_past_its_step_budget_to_lsoda(monkeypatch) -> None:
    """A stiff parameter set needs more explicit steps than ``EXPLICIT_MAX_STEPS`` (the fastest
    clearance allowed: ~1,900 steps in 30 days): the run is LSODA's, whole, not a mix."""
    stiff = Parameters(ctc_clearance_rate=200.0)
    assert np.array_equal(integrate(stiff, 30.0)[1], integrate(stiff, 30.0, method="lsoda")[1])
    monkeypatch.setattr(solve, "EXPLICIT_MAX_STEPS", 100)  # the defaults take ~320
    auto = integrate(Parameters(), 30.0)[1]
    assert np.array_equal(auto, integrate(Parameters(), 30.0, method="lsoda")[1])


def test_auto_hands_a_non_finite_explicit_run_to_lsoda(monkeypatch) -> None:
    """An explicit run that leaves a NaN (here: written by a stand-in for the kernel) is
    LSODA's; asked for by name, the explicit method says what went wrong."""

    def astray(params, days, grid, rtol, atol, max_steps, out):
        out[:] = np.nan
        return 10

    monkeypatch.setattr(solve, "_integrate_explicit", astray)
    auto = integrate(Parameters(), 30.0)[1]
    assert np.array_equal(auto, integrate(Parameters(), 30.0, method="lsoda")[1])
    with pytest.raises(SimulationError, match="dopri5: non-finite state"):
        integrate(Parameters(), 30.0, method="dopri5")


def test_explicit_method_with_too_few_steps_fails_clearly(monkeypatch) -> None:
    monkeypatch.setattr(solve, "_DOPRI5_MAX_STEPS", 10)
    with pytest.raises(SimulationError, match="dopri5: needed more than 10 steps"):
        integrate(Parameters(), 30.0, method="dopri5")


@pytest.mark.parametrize("method", ["LSODA", "", None, 3])
def test_integrate_refuses_an_unknown_method_and_names_it(method) -> None:
    with pytest.raises(InvalidInput, match="method=.* is not one of auto, dopri5, lsoda"):
        integrate(Parameters(), 30.0, method=method)


@pytest.mark.slow
def test_breast_scenario_matches_radau_reference() -> None:
    """20 years with sub-cell proliferating pools that grow out through the Allee gate.

    Measured: worst relative error 8.1e-4 with the first ATOL (1e-6 cells), which this test
    caught; with 1e-9 cells it is about 4e-5.
    """
    scenario = SCENARIOS["breast-resection-dormancy"]
    assert_matches_reference(scenario.parameters(), scenario.days)


# --- events ------------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [1.0, 0.9, 0.5, 0.0])
def test_resection_removes_its_fraction_at_once(fraction: float) -> None:
    """On the resection day the grid shows the state just after the cut."""
    params = Parameters(resection_day=10.0, resection_fraction=fraction)
    _, before = integrate(params, 10.0)  # resection on the last day: not applied inside the run
    t, after = integrate(params, 30.0)
    i = int(np.flatnonzero(t == 10.0)[0])
    assert after[i, T_] == pytest.approx((1.0 - fraction) * before[-1, T_], rel=1e-12, abs=0)
    assert after[i - 1, T_] > 0.99 * before[-1, T_] * np.exp(-0.1)  # no early dip
    # Everything else is continuous across the cut.
    np.testing.assert_allclose(np.delete(after[i], T_), np.delete(before[-1], T_), rtol=1e-12)


def test_complete_resection_removes_the_primary_for_good(run) -> None:
    frame = run(Parameters(resection_day=10.0), 30.0).frame
    after = frame[frame["day"] >= 10.0]
    assert (after["tumor"] == 0.0).all()
    assert (frame.loc[frame["day"] < 10.0, "tumor"] > 0).all()
    # Circulating tumor cells clear within hours once the source is gone.
    assert frame.loc[frame["day"] >= 12.0, "ctc"].max() < 1e-3


def test_resection_on_day_zero_means_no_tumor(run) -> None:
    frame = run(Parameters(resection_day=0.0), 30.0).frame
    assert (frame["tumor"] == 0.0).all()
    assert frame[[f"{organ}.burden" for organ in ORGANS]].to_numpy().max() == 0.0


def test_resection_after_the_run_changes_nothing(run) -> None:
    untouched = run(Parameters(), 30.0).frame
    pd.testing.assert_frame_equal(run(Parameters(resection_day=30.0), 30.0).frame, untouched)
    pd.testing.assert_frame_equal(run(Parameters(resection_day=400.0), 30.0).frame, untouched)


def test_therapy_window_after_the_run_equals_no_therapy(run) -> None:
    untreated = run(Parameters(), 30.0)
    late = run(
        Parameters(anti_vegfr1_efficacy=1.0, anti_vegfr1_start_day=31, anti_vegfr1_end_day=60),
        30.0,
    )
    pd.testing.assert_frame_equal(late.frame, untreated.frame)
    assert late.readouts == untreated.readouts


def test_therapy_window_only_acts_inside_it(run) -> None:
    untreated = run(Parameters(), 30.0).frame
    window = run(
        Parameters(anti_vegfr1_efficacy=1.0, anti_vegfr1_start_day=8, anti_vegfr1_end_day=20),
        30.0,
    ).frame
    before = window["day"] <= 8.0
    np.testing.assert_allclose(
        window.loc[before].drop(columns="day"),
        untreated.loc[before].drop(columns="day"),
        rtol=1e-6,
        atol=1e-15,  # detected clones of 1e-19 interpolate toward detection days after day 8
    )
    # Inside the window the marrow is no longer drained: more HPCs stay in the marrow.
    day15 = window["day"] == 15.0
    assert window.loc[day15, "marrow_hpc"].item() > untreated.loc[day15, "marrow_hpc"].item()
    assert window["lung.niche"].max() < untreated["lung.niche"].max()


def test_window_covering_the_run_equals_treatment_from_day_zero(run) -> None:
    full = run(Parameters(anti_vegfr1_efficacy=0.9), 30.0).frame
    bounded = run(
        Parameters(anti_vegfr1_efficacy=0.9, anti_vegfr1_start_day=0, anti_vegfr1_end_day=30),
        30.0,
    ).frame
    pd.testing.assert_frame_equal(full, bounded)


def test_without_niches_the_run_equals_its_seed_only_replay(run) -> None:
    """Full VLA-4 blockade: no cluster ever forms, so the counterfactual is the run itself."""
    frame = run(Parameters(vla4_block_efficacy=1.0), 30.0).frame
    for organ in ORGANS:
        assert frame[f"{organ}.niche"].max() == 0.0
        np.testing.assert_allclose(
            frame[f"{organ}.burden"], frame[f"{organ}.seed_only_burden"], rtol=1e-6, atol=1e-6
        )


@pytest.mark.parametrize(
    "overrides",
    [
        {"resection_day": 1e-300},
        {"anti_vegfr1_efficacy": 1.0, "anti_vegfr1_end_day": 5e-324},
    ],
    ids=["resection", "therapy-window-end"],
)
def test_event_a_hair_after_day_zero(overrides) -> None:
    result = simulate(Parameters(overrides), 30.0)
    assert np.all(np.isfinite(result.frame.to_numpy()))


@pytest.mark.parametrize(
    "overrides",
    [
        {"resection_day": 0.3},
        {"resection_day": 3.3},
        {"anti_vegfr1_efficacy": 1.0, "anti_vegfr1_end_day": 0.3},
    ],
    ids=["resection-0.3", "resection-3.3", "therapy-window-end-0.3"],
)
def test_event_between_grid_points(overrides) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = simulate(Parameters(overrides), 30.0)
    assert np.all(np.isfinite(result.frame.to_numpy()))


# --- batches -----------------------------------------------------------------------------


def test_simulate_batch_agrees_with_one_run_per_set(run) -> None:
    """A different solver (batch Dormand-Prince), the same answer to well within 1e-4."""
    sets = [Parameters(), {"vegfr1_signalling": "8"}, Parameters(vla4_block_efficacy=0.5)]
    results = simulate_batch(sets, 20.0)
    assert len(results) == 3
    for item, result in zip(sets, results, strict=True):
        params = item if isinstance(item, Parameters) else Parameters(item)
        single = run(params, 20.0).frame
        assert result.params == params
        assert list(result.frame.columns) == list(single.columns)
        mine, theirs = result.frame.to_numpy(), single.to_numpy()
        floor = np.maximum(1e-3 * np.abs(theirs).max(axis=0), 1e-9)
        significant = np.abs(theirs) > floor
        assert np.all(np.abs(mine - theirs)[significant] <= 1e-4 * np.abs(theirs)[significant])


def test_simulate_batch_refuses_a_bad_set_before_running_and_names_its_index() -> None:
    with pytest.raises(InvalidInput, match="parameter set 1: .*vegfr1_signalling"):
        simulate_batch([{}, {"vegfr1_signalling": -1}], 30.0)
    with pytest.raises(InvalidInput, match="days="):
        simulate_batch([{}], 0)


def test_lsoda_giving_up_falls_back_to_radau(monkeypatch) -> None:
    """A segment LSODA cannot finish (here: starved of steps) is solved again by Radau."""
    lsoda = solve.odeint

    def starved(*args, **kwargs):
        return lsoda(*args, **{**kwargs, "mxstep": 1})

    monkeypatch.setattr(solve, "odeint", starved)
    with pytest.warns(ODEintWarning, match="Excess work"):
        _, y = integrate(Parameters(), 3.0, method="lsoda")
    radau = scipy_segment_solver("Radau", rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(y, integrate(Parameters(), 3.0, segment_solver=radau)[1])


@pytest.mark.slow
def test_warm_up_readies_every_compiled_function_a_run_calls() -> None:
    """In a fresh process (this one has compiled them already): after ``warm_up`` the first
    real run compiles nothing more. A one-day run alone never asks for the Jacobian."""
    code = (
        "from model import Parameters\n"
        "from model.dopri import integrate_member\n"
        "from model.equations import jacobian_columns, rhs_into\n"
        "from model.solve import integrate, simulate, warm_up\n"
        "simulate(days=1.0)\n"
        "before = bool(jacobian_columns.signatures)\n"
        "compiled = (jacobian_columns, rhs_into, integrate_member)\n"
        "warm_up()\n"
        "ready = {f.__name__: len(f.signatures) for f in compiled}\n"
        "simulate()\n"
        "integrate(Parameters(), 1000.0)  # LSODA's\n"
        "after = {f.__name__: len(f.signatures) for f in compiled}\n"
        "print(before, ready == after, min(after.values()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.split() == ["False", "True", "1"]
