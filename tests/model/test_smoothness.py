"""No knife edges: a 10 % change of any one parameter moves no organ's burden and no probability
tenfold or more (the issue: "clone founding and outgrowth smooth in every parameter").

Definitions (steps, floors, the tenfold limit) come from ``bench/knife_edges.py``, which prints
the same check as a report. Compared: the final burden of every organ (unless both sides are
below 1 cell), the metastasis probability of every organ and of any organ, and the relapse
probability where the run resects (unless both sides are below 1e-3).

1. Exhaustive: every scenario x every parameter, +10 % and -10 % of the scenario's value (only
   the direction that stays in range; a value of 0 steps up by 10 % of the range width, capped
   at the run's span for days); one small batch per parameter, so workers share the runs.
2. Property tests (hypothesis, derandomized): a scenario, a parameter and a factor in
   [0.9, 1.1] with single ``simulate`` runs, at the scenario's values and around random base
   points within a factor 1.5 of them (``bench.knife_edges.jittered``).

Knife edges of the current model are strict xfails with their numbers: fix the model and the
xfail turns into a failure that asks to drop the entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bench.knife_edges import (
    KNIFE_EDGE_RATIO,
    OUTCOME_NAMES,
    Change,
    compare,
    jittered,
    outcomes,
    stepped_specs,
    stepped_value,
    steps,
)
from model import ORGANS, InvalidInput, Parameters, SimulationResult, spec_for
from model.scenarios import SCENARIOS

#: (scenario, parameter) -> what moves at the scenario's own values (bench/knife_edges.py).
#: Empty since model v2 capped a sub-cell residue of the primary (``model.equations.resect``)
#: and spread clone growth rates (``clone_growth_spread``); a new entry is a strict xfail.
KNOWN_KNIFE_EDGES: dict[tuple[str, str], str] = {}

#: Knife edges around random base points: (scenario, base point, parameter, factor).
#: ``python bench/knife_edges.py --jitter 10`` finds 3 such steps in 7,940 (seeds 0..9), all
#: one mechanism: under anti-VEGFR1 the antibody-proof share of niche building (1 - VEGFR1
#: dependence) decides whether a niche forms at all, and the niche's Hill threshold makes that
#: steep. A mechanism's threshold, not a numerical artefact; kept visible here.
NEARBY_KNIFE_EDGES = (
    # metastasis_probability.lung 1.0e-3 -> 3.1e-2 (x30): dependence 0.81 -> 0.73.
    ("kaplan2005-anti-vegfr1", 0, "vegfr1_dependence", 0.9),
    # burden.lung 1.1e3 -> 1.3e4 (x12): dependence 1 -> 0.9.
    ("kaplan2005-anti-vegfr1", 5, "vegfr1_dependence", 0.9),
)

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _case(scenario: str, parameter: str):
    reason = KNOWN_KNIFE_EDGES.get((scenario, parameter))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(scenario, parameter, marks=marks, id=f"{scenario}:{parameter}")


CASES = [_case(name, s.name) for name, sc in SCENARIOS.items() for s in stepped_specs(sc)]


@cache
def _scenario_outcomes(scenario: str) -> dict[str, float]:
    """The scenario's own outcomes, once per worker."""
    sc = SCENARIOS[scenario]
    return outcomes([sc.parameters()], sc.days)[0]


def _assert_no_knife_edge(changes: list[Change]) -> None:
    edges = [c.describe() for c in changes if c.is_knife_edge]
    limit = f"x{KNIFE_EDGE_RATIO:g}"
    assert not edges, f"a 10 % step moved outcomes {limit} or more:\n" + "\n".join(edges)


def test_known_knife_edges_name_real_cases():
    assert set(KNOWN_KNIFE_EDGES) <= {tuple(c.values) for c in CASES}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_parameter_gets_a_step(scenario):
    """Guards the exhaustive test against silently checking nothing (every step out of range,
    or invalid)."""
    sc = SCENARIOS[scenario]
    assert {p for p, _, _ in steps(sc)} == {s.name for s in stepped_specs(sc)}


@pytest.mark.parametrize(("scenario", "parameter"), CASES)
def test_ten_percent_step_moves_nothing_tenfold(scenario, parameter):
    """Both steps of one parameter in one small batch: every run is made once across workers."""
    sc = SCENARIOS[scenario]
    stepped = [(p, before, after) for p, before, after in steps(sc) if p == parameter]
    rows = outcomes([sc.parameters().replace({parameter: a}) for _, _, a in stepped], sc.days)
    base = _scenario_outcomes(scenario)
    _assert_no_knife_edge(
        [
            change
            for (_, before, after), row in zip(stepped, rows, strict=True)
            for change in compare(scenario, parameter, before, after, base, row)
        ]
    )


# --- property tests: single runs --------------------------------------------------------------


def _outcomes(result: SimulationResult) -> dict[str, float]:
    """``bench.knife_edges.OUTCOME_NAMES`` read off one run's readouts."""
    ro = result.readouts
    values = {"metastasis_probability": ro.metastasis_probability}
    values["relapse_probability"] = (
        math.nan if ro.relapse_probability is None else ro.relapse_probability
    )
    for organ in ORGANS:
        values[f"burden.{organ}"] = ro.organs[organ].burden_final
        values[f"metastasis_probability.{organ}"] = ro.organs[organ].metastasis_probability
    assert set(values) == set(OUTCOME_NAMES)
    return values


@st.composite
def single_steps(draw, *, near: bool):
    """(scenario, base point or None, parameter, factor); pairs already known to be knife edges
    at the scenario's values are left out (the exhaustive test holds them)."""
    scenario = draw(st.sampled_from(list(SCENARIOS)))
    base = draw(st.integers(0, 2**32 - 1)) if near else None
    names = [
        s.name
        for s in stepped_specs(SCENARIOS[scenario])
        if (scenario, s.name) not in KNOWN_KNIFE_EDGES
    ]
    parameter = draw(st.sampled_from(names))
    factor = draw(st.floats(0.9, 1.1))
    return scenario, base, parameter, factor


def _check_step(run: Callable[..., SimulationResult], case) -> None:
    scenario, seed, parameter, factor = case
    sc = SCENARIOS[scenario]
    base: Parameters = sc.parameters() if seed is None else jittered(sc, seed)
    spec, value = spec_for(parameter), float(base[parameter])
    new = stepped_value(spec, value, factor, sc.days)
    if new is None:  # out of range: the mirror step, e.g. 0.95 instead of 1.05 at the top
        new = stepped_value(spec, value, 2.0 - factor, sc.days)
    try:
        stepped = base.replace({parameter: new})
    except InvalidInput:  # e.g. a therapy end before its start: not a step a user can make
        return
    before, after = _outcomes(run(base, sc.days)), _outcomes(run(stepped, sc.days))
    _assert_no_knife_edge(compare(scenario, parameter, value, new, before, after, seed))


@HYPOTHESIS
@given(case=single_steps(near=False))
def test_step_at_scenario_values_moves_nothing_tenfold(run, case):
    _check_step(run, case)


@pytest.mark.xfail(
    strict=True,
    reason="a mechanism threshold near the scenarios' values: under anti-VEGFR1, "
    "vegfr1_dependence 0.81 -> 0.73 moves metastasis_probability.lung 1.0e-3 -> 3.1e-2 (x30); "
    "see NEARBY_KNIFE_EDGES",
)
@settings(HYPOTHESIS, phases=[Phase.explicit, Phase.generate])  # no shrinking while it fails
@given(case=single_steps(near=True))
@example(case=NEARBY_KNIFE_EDGES[0])
@example(case=NEARBY_KNIFE_EDGES[1])
def test_step_near_scenario_values_moves_nothing_tenfold(run, case):
    _check_step(run, case)
