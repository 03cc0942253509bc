"""The flows between compartments (``model.flows``) are the right-hand side, split into arrows.

For every compartment, inflows minus the drains of its outflows must equal ``rhs`` on the same
state: then a schematic drawn from these flows never shows something the model does not do.
The coefficients handed to ``rhs`` here are built independently of ``model.flows`` (from the
therapy window and the resection as the parameters declare them).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import ORGANS, InvalidInput, Parameters
from model.equations import pack, rhs, set_therapy
from model.flows import (
    COMPARTMENTS,
    FLOW_KINDS,
    FLOW_TEMPLATES,
    balance,
    flow_specs,
    flows_at,
    flows_markdown,
)
from model.hypotheses import HYPOTHESES
from model.scenarios import SCENARIOS
from model.states import STATE_COLUMNS

#: (scenario, overrides, days to check). Days avoid therapy edges (where the grid shows the
#: state after the event and the coefficients of either side could be meant).
CASES = [
    ("kaplan2005-llc", {}, [0.0, 3.0, 12.5, 20.0, 30.0]),
    ("kaplan2005-anti-vegfr1", {}, [0.5, 10.0, 29.9]),
    ("vla4-blockade", {}, [1.0, 15.0, 30.0]),
    ("dawson2009", {}, [2.0, 14.0, 28.0]),
    ("conditioned-medium-redirect", {}, [7.0, 25.0]),
    (
        "kaplan2005-llc",
        {"anti_vegfr1_efficacy": 0.8, "anti_vegfr1_start_day": 10.0, "anti_vegfr1_end_day": 20.0},
        [5.0, 15.0, 25.0],
    ),
    ("kaplan2005-llc", {"blood_flow_arrest": 0.5, "organ_soil": 0.7}, [10.0, 22.0]),
    ("breast-resection-dormancy", {}, [0.0, 700.0, 1022.0]),
]


def _coefficients(params: Parameters, day: float) -> np.ndarray:
    """What ``rhs`` uses on ``day`` before any resection: the therapy of that day."""
    efficacy = float(params["anti_vegfr1_efficacy"])
    start, end = float(params["anti_vegfr1_start_day"]), float(params["anti_vegfr1_end_day"])
    return set_therapy(
        pack(params),
        anti_vegfr1=efficacy if start <= day <= end else 0.0,
        vla4=float(params["vla4_block_efficacy"]),
    )


@pytest.mark.parametrize(("scenario", "overrides", "days"), CASES)
def test_inflows_minus_outflows_equal_the_right_hand_side(
    run_scenario, scenario, overrides, days
) -> None:
    result = run_scenario(scenario, **overrides)
    flows = flows_at(result, days)
    net = balance(flows)
    for k, day in enumerate(flows.days):
        dy = rhs(0.0, flows.states[k], _coefficients(result.params, day))
        for comp in COMPARTMENTS:
            expected = dy[STATE_COLUMNS.index(comp.name)]
            touching = sum(
                abs(flows.value[s.name][k]) + abs(flows.drain[s.name][k])
                for s in flows.specs
                if comp.name in (s.source, s.target)
            )
            assert net[comp.name][k] == pytest.approx(expected, rel=1e-9, abs=1e-9 * touching), (
                f"{comp.name} on day {day} of {scenario} {overrides}"
            )


def test_after_a_resection_the_tumor_flows_follow_the_frame(run_scenario) -> None:
    """After the jump the primary's capacity has changed: its net flow must still be the slope
    of the simulated tumor (a centred difference on the grid). The resection leaves 0.01
    expected cells, so the capacity they regrow toward is about 1 % of the full one."""
    params = SCENARIOS["breast-resection-dormancy"].parameters()
    before = _primary(params, float(params["resection_day"]))
    result = run_scenario("breast-resection-dormancy", resection_fraction=1.0 - 0.01 / before)
    frame = result.frame
    k = int(np.searchsorted(frame["day"], 3000.0))
    days = frame["day"].to_numpy()[k - 1 : k + 2]
    tumor = frame["tumor"].to_numpy()[k - 1 : k + 2]
    slope = (tumor[2] - tumor[0]) / (days[2] - days[0])
    net = balance(flows_at(result, days[1]))["tumor"][0]
    assert tumor[1] > 0.0
    assert net == pytest.approx(slope, rel=1e-2)


def test_a_resection_on_the_last_day_is_not_inside_the_run(run_scenario) -> None:
    """Such a resection would leave 0.01 cells: were it applied, the capacity would drop."""
    fraction = 1.0 - 0.01 / _primary(SCENARIOS["kaplan2005-llc"].parameters(), 30.0)
    result = run_scenario("kaplan2005-llc", resection_day=30.0, resection_fraction=fraction)
    flows = flows_at(result, 30.0)
    dy = rhs(0.0, flows.states[0], _coefficients(result.params, 30.0))
    assert balance(flows)["tumor"][0] == pytest.approx(dy[STATE_COLUMNS.index("tumor")], rel=1e-9)


def _primary(params: Parameters, day: float) -> float:
    """The primary tumor on ``day`` before any resection (Gompertz in closed form)."""
    r, k, t0 = (float(params[n]) for n in ("tumor_growth_rate", "tumor_capacity",
                                           "initial_tumor_cells"))  # fmt: skip
    return k * math.exp(math.log(t0 / k) * math.exp(-r * day))


@pytest.mark.parametrize(("scenario", "overrides", "days"), CASES)
def test_flows_are_never_negative(run_scenario, scenario, overrides, days) -> None:
    result = run_scenario(scenario, **overrides)
    flows = flows_at(result, result.frame["day"].to_numpy())
    for spec in flows.specs:
        assert np.all(flows.value[spec.name] >= 0.0), spec.name
        assert np.all(flows.drain[spec.name] >= 0.0), spec.name


def test_every_flow_joins_known_compartments_and_every_compartment_has_flows() -> None:
    names = {c.name for c in COMPARTMENTS}
    specs = flow_specs()
    assert len({s.name for s in specs}) == len(specs)
    touched = set()
    for spec in specs:
        assert spec.kind in FLOW_KINDS
        assert spec.source is not None or spec.target is not None
        for end in (spec.source, spec.target):
            assert end is None or end in names, spec.name
            touched.add(end)
        if spec.drain == "own":
            assert spec.drain_unit and spec.drain_unit.endswith("/day")
    assert names <= touched
    per_organ = [t for t in FLOW_TEMPLATES if "<organ>" in t[0]]
    for organ in ORGANS:
        assert sum(1 for s in specs if s.organ == organ) == len(per_organ)


def test_seed_only_replay_is_not_a_compartment() -> None:
    assert not any("seed_only" in c.name for c in COMPARTMENTS)


def test_anti_vegfr1_cuts_hpc_homing_and_signalled_mobilisation(run_scenario) -> None:
    untreated = flows_at(run_scenario("kaplan2005-llc"), 20.0)
    treated = flows_at(run_scenario("kaplan2005-anti-vegfr1"), 20.0)
    for organ in ORGANS:
        name = f"hpc.homing.{organ}"
        assert treated.value[name][0] < 0.05 * untreated.value[name][0], organ
    full = flows_at(run_scenario("kaplan2005-anti-vegfr1", anti_vegfr1_efficacy=1.0), 20.0)
    assert full.value["marrow.mobilisation_vegfr1"][0] == 0.0
    assert all(full.value[f"hpc.homing.{o}"][0] == 0.0 for o in ORGANS)
    assert untreated.value["marrow.mobilisation_vegfr1"][0] > 0.0


def test_a_closed_window_lets_vegfr1_flows_return(run_scenario) -> None:
    window = {
        "anti_vegfr1_efficacy": 1.0,
        "anti_vegfr1_start_day": 5.0,
        "anti_vegfr1_end_day": 15.0,
    }
    flows = flows_at(run_scenario("kaplan2005-llc", **window), [10.0, 25.0])
    assert flows.value["marrow.mobilisation_vegfr1"][0] == 0.0
    assert flows.value["marrow.mobilisation_vegfr1"][1] > 0.0
    assert flows.value["hpc.homing.lung"][1] > 0.0


def test_vla4_blockade_of_one_stops_every_homing(run_scenario) -> None:
    flows = flows_at(run_scenario("kaplan2005-llc", vla4_block_efficacy=1.0), 20.0)
    for organ in ORGANS:
        assert flows.value[f"hpc.homing.{organ}"][0] == 0.0
        assert flows.value[f"myeloid.homing.{organ}"][0] == 0.0
        assert flows.drain[f"hpc.homing.{organ}"][0] == 0.0


def test_hypotheses_switch_who_builds_the_niche(run) -> None:
    kaplan = flows_at(run(HYPOTHESES["kaplan-lyden"].apply(Parameters()), 30.0), 20.0)
    dawson = flows_at(run(HYPOTHESES["dawson"].apply(Parameters()), 30.0), 20.0)
    assert kaplan.value["myeloid.homing.lung"][0] == 0.0
    assert kaplan.value["hpc.homing.lung"][0] > 0.0
    assert dawson.value["hpc.homing.lung"][0] == 0.0
    assert dawson.value["myeloid.homing.lung"][0] > 0.0


def test_without_a_niche_no_arrested_cell_proliferates_at_once(run) -> None:
    params = Parameters().replace({"niche_formation": 0.0, "organ_soil": 0.0})
    flows = flows_at(run(params, 30.0), [10.0, 30.0])
    for organ in ORGANS:
        assert np.all(flows.value[f"ctc.found.{organ}"] == 0.0)
        assert np.all(flows.value[f"ctc.settle.{organ}"][1] > 0.0)


def test_days_snap_to_the_grid_and_bad_days_are_refused(run_scenario) -> None:
    result = run_scenario("kaplan2005-llc")
    assert flows_at(result, 12.34).days[0] == pytest.approx(12.3)
    for bad in (-1.0, 30.5, math.nan, math.inf, "soon", None, [[1.0]]):
        with pytest.raises(InvalidInput):
            flows_at(result, bad)


def test_the_table_names_every_compartment_and_flow() -> None:
    table = flows_markdown()
    for name, *_ in FLOW_TEMPLATES:
        assert f"`{name}`" in table
    for comp in COMPARTMENTS:
        assert f"`{comp.name.replace(ORGANS[0], '<organ>')}`" in table or comp.organ not in (
            None,
            ORGANS[0],
        )
