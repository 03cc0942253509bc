"""Unit tests of the right-hand side ``rhs(t, y, c)`` at hand-built states.

Each test builds a state vector itself from the documented layout (systemic states, then per-organ
blocks of ``N_ORGANS``) so that a slip in the layout constants shows up here.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import ORGANS, PARAMETER_SPECS, Parameters
from model.equations import (
    N_ORGANS,
    N_STATES,
    ORGAN_BLOCKS,
    SYSTEMIC_STATES,
    initial_state,
    pack,
    rhs,
    rhs_interpreted,
    set_therapy,
)

LUNG = ORGANS.index("lung")


def idx(name: str, organ: str | None = None) -> int:
    """Position of a systemic state, or of ``block`` for ``organ``."""
    if organ is None:
        return SYSTEMIC_STATES.index(name)
    return len(SYSTEMIC_STATES) + ORGAN_BLOCKS.index(name) * N_ORGANS + ORGANS.index(organ)


def block(y: np.ndarray, name: str) -> np.ndarray:
    start = idx(name, ORGANS[0])
    return y[start : start + N_ORGANS]


def healthy() -> np.ndarray:
    """No tumor at all: marrow and blood HPCs at their healthy set point (1)."""
    y = np.zeros(N_STATES)
    y[idx("marrow_hpc")] = 1.0
    y[idx("circulating_hpc")] = 1.0
    return y


def busy_state(rng: np.random.Generator) -> np.ndarray:
    """A generic non-negative state with every compartment occupied."""
    y = np.empty(N_STATES)
    y[idx("tumor")] = 3e8
    y[idx("factor")] = 1.2
    y[idx("marrow_hpc")] = 0.7
    y[idx("circulating_hpc")] = 2.1
    y[idx("ctc")] = 4e4
    organ = slice(len(SYSTEMIC_STATES), None)
    y[organ] = rng.uniform(0.0, 1.0, N_STATES - len(SYSTEMIC_STATES))
    for name in ("dormant", "proliferating", "dormant_seed_only", "proliferating_seed_only"):
        start = idx(name, ORGANS[0])
        y[start : start + N_ORGANS] *= 1e4
    return y


def test_layout_has_five_systemic_states_and_seven_blocks_per_organ() -> None:
    assert SYSTEMIC_STATES == ("tumor", "factor", "marrow_hpc", "circulating_hpc", "ctc")
    assert N_STATES == 5 + 7 * len(ORGANS)


def test_initial_state_is_healthy_host_with_fresh_tumor() -> None:
    params = Parameters(initial_tumor_cells=5e6)
    y0 = initial_state(params)
    expected = healthy()
    expected[idx("tumor")] = 5e6
    np.testing.assert_array_equal(y0, expected)


@pytest.mark.parametrize("scenario_like", [{}, {"vegfr1_signalling": 20, "hpc_homing_loss": 5}])
def test_healthy_host_without_tumor_is_a_fixed_point(scenario_like) -> None:
    c = pack(Parameters(scenario_like))
    np.testing.assert_array_equal(rhs(0.0, healthy(), c), np.zeros(N_STATES))


def test_tumor_grows_below_capacity_and_shrinks_above() -> None:
    params = Parameters()
    c = pack(params)
    y = healthy()
    capacity = params["tumor_capacity"]
    for size, sign in ((capacity / 100, 1), (capacity, 0), (capacity * 2, -1)):
        y[idx("tumor")] = size
        assert np.sign(rhs(0.0, y, c)[idx("tumor")]) == sign, size


def test_tumor_follows_gompertz_law() -> None:
    params = Parameters()
    y = healthy()
    y[idx("tumor")] = 1e7
    expected = params["tumor_growth_rate"] * 1e7 * np.log(params["tumor_capacity"] / 1e7)
    assert rhs(0.0, y, pack(params))[idx("tumor")] == pytest.approx(expected, rel=1e-12)


def test_tumor_feeds_factor_and_circulating_tumor_cells() -> None:
    params = Parameters()
    y = healthy()
    y[idx("tumor")] = params["factor_reference_tumor"]
    dy = rhs(0.0, y, pack(params))
    # At the half-effect tumor size the factor rises toward 1 at its clearance rate.
    assert dy[idx("factor")] == pytest.approx(params["factor_clearance_rate"], rel=1e-12)
    assert dy[idx("ctc")] == pytest.approx(
        params["shedding_rate"] * params["factor_reference_tumor"], rel=1e-12
    )


def test_niche_free_organs_seed_exactly_like_the_seed_only_replay() -> None:
    """With no niche clusters (phi = 0) the niche blocks and their seed-only twins coincide."""
    rng = np.random.default_rng(1)
    y = busy_state(rng)
    y[idx("niche", ORGANS[0]) : idx("niche", ORGANS[0]) + N_ORGANS] = 0.0
    block(y, "dormant_seed_only")[:] = block(y, "dormant")
    block(y, "proliferating_seed_only")[:] = block(y, "proliferating")
    dy = rhs(0.0, y, pack(Parameters()))
    np.testing.assert_allclose(block(dy, "dormant_seed_only"), block(dy, "dormant"), rtol=1e-12)
    np.testing.assert_allclose(
        block(dy, "proliferating_seed_only"), block(dy, "proliferating"), rtol=1e-12
    )


def test_niches_raise_seeding_above_the_seed_only_replay() -> None:
    rng = np.random.default_rng(2)
    y = busy_state(rng)
    block(y, "niche")[:] = 3.0
    block(y, "dormant_seed_only")[:] = block(y, "dormant")
    block(y, "proliferating_seed_only")[:] = block(y, "proliferating")
    dy = rhs(0.0, y, pack(Parameters()))
    assert np.all(block(dy, "proliferating") > block(dy, "proliferating_seed_only"))


def test_clones_grow_with_the_flow_of_founded_cells() -> None:
    """d(clones)/dt = p_est * (arrivals starting to proliferate + dormant cells waking)."""
    params = Parameters()
    rng = np.random.default_rng(3)
    y = busy_state(rng)
    dy = rhs(0.0, y, pack(params))
    hill = params["niche_hill"]
    arrest = np.asarray(params.organ_values("arrest_share"))
    arrest = arrest / max(1.0, arrest.sum())
    for i, organ in enumerate(ORGANS):
        n = y[idx("niche", organ)] ** hill
        phi = n / (1 + n)
        arrivals = arrest[i] * params["ctc_clearance_rate"] * y[idx("ctc")]
        survival = params["dtc_survival_bare"] + phi * (
            params["dtc_survival_niche"] - params["dtc_survival_bare"]
        )
        to_prolif = arrivals * survival * params["niche_proliferation_share"] * phi
        wake = (
            params["dormancy_exit_rate"]
            * (1 + params["niche_wake_factor"] * phi)
            * y[idx("dormant", organ)]
        )
        founded = params["clone_establishment"] * (to_prolif + wake)
        assert dy[idx("clones", organ)] == pytest.approx(founded, rel=1e-12), organ


def test_arrest_shares_above_one_are_scaled_to_one() -> None:
    c = pack(Parameters({f"arrest_share.{organ}": 1.0 for organ in ORGANS}))
    y = healthy()
    y[idx("ctc")] = 1e4
    c_all = pack(Parameters({f"arrest_share.{organ}": 1.0 / len(ORGANS) for organ in ORGANS}))
    np.testing.assert_allclose(rhs(0.0, y, c), rhs(0.0, y, c_all), rtol=1e-12)


def test_full_anti_vegfr1_brings_mobilisation_back_to_basal() -> None:
    """Efficacy 1 removes the VEGFR1 term: the same derivatives as without any tumor factor."""
    params = Parameters(vegfr1_signalling=20)
    rng = np.random.default_rng(4)
    y = busy_state(rng)
    blocked = set_therapy(pack(params), anti_vegfr1=1.0, vla4=0.0)
    no_signal = set_therapy(pack(params.replace(vegfr1_signalling=0)), anti_vegfr1=1.0, vla4=0.0)
    dy = rhs(0.0, y, blocked)
    np.testing.assert_allclose(dy, rhs(0.0, y, no_signal), rtol=1e-12)
    # Marrow output at basal rate only: r (1 - M) + k_mob (1 - M).
    m = y[idx("marrow_hpc")]
    basal = (params["marrow_replenishment_rate"] + params["mobilisation_rate"]) * (1 - m)
    assert dy[idx("marrow_hpc")] == pytest.approx(basal, rel=1e-12)
    # ...and no homing at all: niches only decay.
    np.testing.assert_allclose(
        block(dy, "niche"), -params["niche_decay_rate"] * block(y, "niche"), rtol=1e-12
    )


def test_vegfr1_signalling_raises_mobilisation_when_factor_is_present() -> None:
    rng = np.random.default_rng(5)
    y = busy_state(rng)
    low = rhs(0.0, y, pack(Parameters(vegfr1_signalling=1)))
    high = rhs(0.0, y, pack(Parameters(vegfr1_signalling=10)))
    assert high[idx("circulating_hpc")] > low[idx("circulating_hpc")]
    assert high[idx("marrow_hpc")] < low[idx("marrow_hpc")]


def test_full_vla4_blockade_stops_homing_but_not_mobilisation() -> None:
    params = Parameters()
    rng = np.random.default_rng(6)
    y = busy_state(rng)
    free = rhs(0.0, y, pack(params))
    blocked = rhs(0.0, y, set_therapy(pack(params), anti_vegfr1=0.0, vla4=1.0))
    np.testing.assert_allclose(
        block(blocked, "niche"), -params["niche_decay_rate"] * block(y, "niche"), rtol=1e-12
    )
    assert blocked[idx("marrow_hpc")] == free[idx("marrow_hpc")]
    # Fewer HPCs leave the blood by homing, so circulating HPCs rise faster.
    assert blocked[idx("circulating_hpc")] > free[idx("circulating_hpc")]


def test_pack_switches_therapy_off_and_set_therapy_copies() -> None:
    params = Parameters(anti_vegfr1_efficacy=0.9, vla4_block_efficacy=0.9)
    c = pack(params)
    c_before = c.copy()
    treated = set_therapy(c, anti_vegfr1=0.9, vla4=0.9)
    np.testing.assert_array_equal(c, c_before)  # the original is untouched
    y = busy_state(np.random.default_rng(7))
    assert not np.array_equal(rhs(0.0, y, treated), rhs(0.0, y, c))
    # The therapy parameters themselves do not leak into pack(): the solver sets them per segment.
    np.testing.assert_array_equal(c, pack(Parameters()))


def _random_states(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Non-negative states spanning many orders of magnitude, zeros included."""
    states = []
    for _ in range(n):
        y = 10.0 ** rng.uniform(-12, 12, N_STATES)
        y[rng.random(N_STATES) < 0.2] = 0.0
        y[idx("niche", ORGANS[0]) : idx("niche", ORGANS[0]) + N_ORGANS] %= 50.0
        y[idx("fibronectin", ORGANS[0]) : idx("fibronectin", ORGANS[0]) + N_ORGANS] %= 1.0
        states.append(y)
    return states


def _random_coefficients(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    out = []
    for _ in range(n):
        values = {}
        for spec in PARAMETER_SPECS:
            if spec.optional:
                continue
            if spec.scale == "log":
                values[spec.name] = float(
                    10 ** rng.uniform(np.log10(spec.low), np.log10(spec.high))
                )
            else:
                values[spec.name] = float(rng.uniform(spec.low, spec.high))
        values["anti_vegfr1_end_day"] = max(
            values["anti_vegfr1_end_day"], values["anti_vegfr1_start_day"]
        )
        therapy = rng.uniform(0, 1, 2)
        out.append(set_therapy(pack(Parameters(values)), anti_vegfr1=therapy[0], vla4=therapy[1]))
    return out


def test_rhs_is_finite_on_non_negative_states() -> None:
    rng = np.random.default_rng(8)
    for c in _random_coefficients(rng, 30):
        for y in _random_states(rng, 10):
            dy = rhs(0.0, y, c)
            assert np.all(np.isfinite(dy)), (y, c)


def test_rhs_reads_negative_round_off_as_zero() -> None:
    """Tiny negative values from the integrator must not produce NaN (log, power) or sign flips."""
    c = pack(Parameters())
    y = busy_state(np.random.default_rng(9))
    y_neg = y.copy()
    y_zero = y.copy()
    for k in (idx("tumor"), idx("niche", "lung"), idx("proliferating", "liver")):
        y_neg[k] = -1e-14
        y_zero[k] = 0.0
    dy = rhs(0.0, y_neg, c)
    assert np.all(np.isfinite(dy))
    np.testing.assert_array_equal(dy, rhs(0.0, y_zero, c))


def test_compiled_rhs_matches_python_reference() -> None:
    rng = np.random.default_rng(10)
    for c in _random_coefficients(rng, 10):
        for y in _random_states(rng, 5) + [busy_state(rng), healthy()]:
            np.testing.assert_allclose(
                rhs(0.0, y, c), rhs_interpreted(0.0, y, c), rtol=1e-12, atol=0
            )
