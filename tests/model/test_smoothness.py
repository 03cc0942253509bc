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

#: A residue of the primary regrows whatever its size: Gompertz growth from even 1e-15 of the
#: primary at resection (1e-6 cells) reaches ~8e11 cells within the 20-year follow-up, so every
#: outcome jumps between resection_fraction = 1 and anything below it.
_RESIDUE = (
    "resection_fraction 1 -> 0.9 sends every organ's burden to ~9.4e10 cells and every "
    "metastasis probability to 1 (any residue, even 1e-6 cells, regrows); worst: "
)

#: (scenario, parameter) -> what moves at the scenario's own values (bench/knife_edges.py).
KNOWN_KNIFE_EDGES: dict[tuple[str, str], str] = {
    ("breast-resection-dormancy", "resection_fraction"): _RESIDUE
    + "metastasis_probability.brain 0.0165 -> 1 (x61), burden.brain 1.76e9 -> 9.34e10 (x53)",
    ("breast-t1n0", "resection_fraction"): _RESIDUE
    + "metastasis_probability.brain 0.0110 -> 1 (x91), burden.brain 1.18e9 -> 9.34e10 (x79)",
    ("breast-t1n4-9", "resection_fraction"): _RESIDUE
    + "metastasis_probability.brain 0.0327 -> 1 (x31), burden.brain 3.49e9 -> 9.34e10 (x27)",
    ("conditioned-medium-redirect", "met_growth_rate"): (
        "0.7 -> 0.77: metastasis_probability.bone 4.85e-4 -> 8.81e-3 (x18). Smooth but steep "
        "(d ln p / d ln r ~ 30): only clones founded by day 6.8 are detected by day 30 (11.2 at "
        "0.77), and founding still grows ~0.6/day then."
    ),
    ("conditioned-medium-redirect", "organ_soil"): (
        "0 -> 0.1: metastasis_probability.bone 4.85e-4 -> 5.55e-3 (x11), the same steep tail."
    ),
}

#: Knife edges around random base points: (scenario, base point, parameter, factor).
#: ``python bench/knife_edges.py --jitter 10`` finds 58 such steps in 7,721 (seeds 0..9).
NEARBY_KNIFE_EDGES = (
    # metastasis_probability.lung 6.5e-3 -> 1.0e-4 (x63): the early tail of detected clones.
    ("kaplan2005-llc", 2, "met_growth_rate", 0.9),
    # metastasis_probability.lymph_node 0.060 -> 1.1e-3 (x56).
    ("conditioned-medium-redirect", 1, "homing_rate", 0.9),
    # metastasis_probability.lung 1.9e-4 -> 0.37 (x1.9e3): 10 % of the niche stops needing VEGFR1.
    ("kaplan2005-anti-vegfr1", 4, "vegfr1_dependence", 0.9),
    # burden.lung 39 -> 2.0e3 (x53): a fixed organ soil of 0.1 under VLA-4 blockade.
    ("vla4-blockade", 9, "organ_soil", 1.1),
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
    reason="knife edges around the scenarios' values, e.g. kaplan2005-llc base point 2: "
    "met_growth_rate 0.658 -> 0.592 moves metastasis_probability.lung 6.5e-3 -> 1.0e-4 (x63); "
    "see NEARBY_KNIFE_EDGES",
)
@settings(HYPOTHESIS, phases=[Phase.explicit, Phase.generate])  # no shrinking while it fails
@given(case=single_steps(near=True))
@example(case=NEARBY_KNIFE_EDGES[0])
@example(case=NEARBY_KNIFE_EDGES[1])
@example(case=NEARBY_KNIFE_EDGES[2])
@example(case=NEARBY_KNIFE_EDGES[3])
def test_step_near_scenario_values_moves_nothing_tenfold(run, case):
    _check_step(run, case)
