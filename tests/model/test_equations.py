"""Unit tests of the right-hand side ``rhs(t, y, c)`` at hand-built states.

Each test builds a state vector itself from the documented layout (systemic states, then per-organ
blocks of ``N_ORGANS``) so that a slip in the layout constants shows up here.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import ORGANS, PARAMETER_SPECS, Parameters
from model.equations import (
    CTC_CLEAR,
    D_FIB,
    K_FIB,
    K_T,
    R_T,
    SHED,
    TROPISM,
    _rhs_into_python,
    initial_state,
    jacobian_columns,
    pack,
    resect,
    rhs,
    rhs_interpreted,
    set_therapy,
    survival_in_niche,
)
from model.organs import BLOOD_FLOW_ARREST
from model.solve import ATOL
from model.states import N_ORGANS, N_STATES, ORGAN_STATES, SYSTEMIC_STATES, block_start, slot

LUNG = ORGANS.index("lung")
CELL_BLOCKS = ("solitary", "proliferating", "quiescent")


def idx(name: str, organ: str | None = None) -> int:
    """Position of a systemic state, or of ``block`` for ``organ``."""
    return slot(name, organ)


def block(y: np.ndarray, name: str) -> np.ndarray:
    start = block_start(name)
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
    for name in CELL_BLOCKS:
        block(y, name)[:] *= 1e4
        block(y, f"{name}_seed_only")[:] *= 1e4
    block(y, "clones")[:] *= 50
    block(y, "clones_seed_only")[:] *= 50
    return y


def copy_into_seed_only(y: np.ndarray) -> None:
    for name in (*CELL_BLOCKS, "clones"):
        block(y, f"{name}_seed_only")[:] = block(y, name)


def test_layout_is_the_state_description() -> None:
    assert [s.name for s in SYSTEMIC_STATES] == [
        "tumor", "factor", "marrow_hpc", "circulating_hpc", "ctc"
    ]  # fmt: skip
    assert N_STATES == len(SYSTEMIC_STATES) + len(ORGAN_STATES) * len(ORGANS)
    slots = sorted(
        [slot(s.name) for s in SYSTEMIC_STATES]
        + [slot(b.name, o) for b in ORGAN_STATES for o in ORGANS]
    )
    assert slots == list(range(N_STATES))


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
    """With no niche clusters (phi = 0) the organ blocks and their seed-only twins coincide."""
    rng = np.random.default_rng(1)
    y = busy_state(rng)
    block(y, "niche")[:] = 0.0
    copy_into_seed_only(y)
    dy = rhs(0.0, y, pack(Parameters()))
    for name in (*CELL_BLOCKS, "clones"):
        np.testing.assert_allclose(
            block(dy, f"{name}_seed_only"), block(dy, name), rtol=1e-12, err_msg=name
        )


def test_niches_raise_seeding_above_the_seed_only_replay() -> None:
    rng = np.random.default_rng(2)
    y = busy_state(rng)
    block(y, "niche")[:] = 3.0
    copy_into_seed_only(y)
    dy = rhs(0.0, y, pack(Parameters()))
    assert np.all(block(dy, "proliferating") > block(dy, "proliferating_seed_only"))
    assert np.all(block(dy, "clones") > block(dy, "clones_seed_only"))


def _phi(params: Parameters, y: np.ndarray, organ: str) -> float:
    n = y[idx("niche", organ)] ** params["niche_hill"]
    return n / (1 + n)


def test_clones_are_founded_by_blood_borne_cells_only() -> None:
    """d(clones)/dt = p_est * (arrivals starting to proliferate + solitary cells waking);
    quiescent clone cells that wake rejoin their clone and found nothing new."""
    params = Parameters()
    y = busy_state(np.random.default_rng(3))
    dy = rhs(0.0, y, pack(params))
    arrest = np.asarray(params.organ_values("arrest_share"))
    arrest = arrest / max(1.0, arrest.sum())
    s0 = params["dtc_survival_bare"]
    s_niche = survival_in_niche(s0, params["niche_survival_gain"])
    for i, organ in enumerate(ORGANS):
        phi = _phi(params, y, organ)
        arrivals = arrest[i] * params["ctc_clearance_rate"] * y[idx("ctc")]
        survival = s0 + phi * (s_niche - s0)
        to_prolif = arrivals * survival * params["niche_proliferation_share"] * phi
        wake_rate = params["dormancy_exit_rate"] * (1 + params["niche_wake_factor"] * phi)
        founded = params["clone_establishment"] * (
            to_prolif + wake_rate * y[idx("solitary", organ)]
        )
        assert dy[idx("clones", organ)] == pytest.approx(founded, rel=1e-12), organ
    more_quiescent = y.copy()
    block(more_quiescent, "quiescent")[:] *= 100.0
    dy_q = rhs(0.0, more_quiescent, pack(params))
    np.testing.assert_array_equal(block(dy_q, "clones"), block(dy, "clones"))
    assert np.all(block(dy_q, "proliferating") > block(dy, "proliferating"))


def test_clone_growth_stops_at_capacity_times_chance_of_a_clone() -> None:
    """Expected cells never exceed organ capacity x P(at least one clone): an organ with 0.1
    expected clones fills to ~10 % of its capacity on average, not to all of it."""
    params = Parameters(dormancy_entry_rate=1e-5)
    y = healthy()
    clones = 0.1
    capacity = params["organ_capacity"] * -np.expm1(-clones)
    block(y, "clones")[:] = clones
    block(y, "quiescent")[:] = 0.0
    for fill, sign in ((0.5, 1.0), (1.0, 0.0), (1.5, -1.0)):
        block(y, "proliferating")[:] = fill * capacity
        dy = rhs(0.0, y, pack(params))
        loss = params["dormancy_entry_rate"] * fill * capacity
        growth = block(dy, "proliferating") + loss
        if sign == 0.0:
            np.testing.assert_allclose(growth, 0.0, atol=1e-6 * capacity)
        else:
            assert np.all(np.sign(growth) == sign), fill


def test_niche_survival_lies_between_bare_survival_and_one() -> None:
    for bare in (1e-9, 1e-4, 1e-2):
        for gain in (1.0, 33.0, 1e5):
            s = survival_in_niche(bare, gain)
            assert bare <= s <= 1.0
        assert survival_in_niche(bare, 1.0) == pytest.approx(bare, rel=1e-12)
    # Small survival: the gain multiplies it.
    assert survival_in_niche(1e-7, 100.0) == pytest.approx(1e-5, rel=1e-4)


def test_dawson_niche_ignores_the_vegfr1_antibody() -> None:
    """With VEGFR1 dependence 0 niche clusters grow the same with or without anti-VEGFR1."""
    params = Parameters(vegfr1_dependence=0.0)
    y = busy_state(np.random.default_rng(11))
    free = rhs(0.0, y, pack(params))
    blocked = rhs(0.0, y, set_therapy(pack(params), anti_vegfr1=1.0, vla4=0.0))
    np.testing.assert_allclose(block(blocked, "niche"), block(free, "niche"), rtol=1e-12)
    assert blocked[idx("circulating_hpc")] < free[idx("circulating_hpc")]  # fewer mobilised
    kaplan = rhs(0.0, y, set_therapy(pack(Parameters()), anti_vegfr1=1.0, vla4=0.0))
    assert np.all(block(kaplan, "niche") < 0)  # Kaplan-Lyden: the antibody stops homing


def test_paget_soil_is_the_tropism_weight_from_the_start() -> None:
    """Without niches and with a fixed organ soil, permissiveness is the tropism weight: a
    fresh arrival in the lung (weight 1) proliferates at once, none does in bare soil."""
    params = Parameters(niche_formation=0.0, organ_soil=1.0)
    y = healthy()
    y[idx("ctc")] = 1e4
    dy = rhs(0.0, y, pack(params))
    weights = np.asarray(params.organ_values("tropism"))
    ratio = block(dy, "clones") / block(dy, "solitary")
    # founding / new solitary cells = p_est q phi / (1 - q phi), increasing in phi = weight.
    q, p_est = params["niche_proliferation_share"], params["clone_establishment"]
    np.testing.assert_allclose(ratio, p_est * q * weights / (1 - q * weights), rtol=1e-12)


def test_ewing_arrest_follows_blood_flow() -> None:
    params = Parameters(niche_formation=0.0, blood_flow_arrest=1.0)
    y = healthy()
    y[idx("ctc")] = 1e4
    dy = rhs(0.0, y, pack(params))
    flow = np.array([BLOOD_FLOW_ARREST[o] for o in ORGANS])
    arrivals = block(dy, "solitary") / params["dtc_survival_bare"]
    np.testing.assert_allclose(arrivals, flow * params["ctc_clearance_rate"] * 1e4, rtol=1e-12)


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
    for k in (
        idx("tumor"),
        idx("niche", "lung"),
        idx("proliferating", "liver"),
        idx("clones", "bone"),
    ):
        y_neg[k] = -1e-14
        y_zero[k] = 0.0
    dy = rhs(0.0, y_neg, c)
    assert np.all(np.isfinite(dy))
    np.testing.assert_array_equal(dy, rhs(0.0, y_zero, c))


def test_python_reference_runs_no_compiled_code() -> None:
    """The benchmark's reference must be plain Python all the way down."""
    reference = _rhs_into_python()
    assert not hasattr(reference.__globals__["_organ"], "py_func")


def test_compiled_rhs_matches_python_reference() -> None:
    rng = np.random.default_rng(10)
    for c in _random_coefficients(rng, 10):
        for y in _random_states(rng, 5) + [busy_state(rng), healthy()]:
            np.testing.assert_allclose(
                rhs(0.0, y, c), rhs_interpreted(0.0, y, c), rtol=1e-12, atol=0
            )


def test_resection_scales_the_primary_capacity_by_the_chance_a_cell_is_left() -> None:
    c = pack(Parameters())
    capacity = c[1]  # tumor_capacity, first scalars: growth rate, capacity
    assert capacity == Parameters()["tumor_capacity"]
    for keep, residue in ((0.0, 0.0), (1e-15, 1e-6), (1e-3, 1e6)):
        y = healthy()
        y[idx("tumor")] = 1e9
        c_after = c.copy()
        resect(y, c_after, keep)
        assert y[idx("tumor")] == pytest.approx(residue, rel=1e-12)
        assert c_after[1] == pytest.approx(capacity * -np.expm1(-residue), rel=1e-12)
    # Nothing left, no capacity: round-off above zero must not make the rate infinite.
    y = healthy()
    y[idx("tumor")] = 1e-300
    c_after = c.copy()
    c_after[1] = 0.0
    assert rhs(0.0, y, c_after)[idx("tumor")] == 0.0
    assert rhs_interpreted(0.0, y, c_after)[idx("tumor")] == 0.0


def test_jacobian_columns_is_the_forward_difference_of_rhs() -> None:
    """Row j is (rhs(y + h e_j) - rhs(y)) / h with h = sqrt(eps) max(|y_j|, floor_j), the
    difference a plain Python loop over ``rhs`` gives."""
    rng = np.random.default_rng(11)
    step = np.sqrt(np.finfo(float).eps)
    for c in _random_coefficients(rng, 4):
        for y in _random_states(rng, 3) + [busy_state(rng), healthy()]:
            f0 = rhs(0.0, y, c)
            expected = np.empty((N_STATES, N_STATES))
            for j in range(N_STATES):
                yp = y.copy()
                yp[j] = y[j] + step * max(abs(y[j]), ATOL[j])
                expected[j] = (rhs(0.0, yp, c) - f0) / (yp[j] - y[j])
            np.testing.assert_array_equal(jacobian_columns(y, c, ATOL), expected)


def test_jacobian_columns_holds_the_jacobian_transposed() -> None:
    """Entries known in closed form, each on the side of the diagonal it belongs to."""
    c = pack(Parameters())
    y = busy_state(np.random.default_rng(12))
    jac = jacobian_columns(y, c, ATOL).T  # jac[i, j] = d(dy_i) / d(y_j)
    tumor, ctc, factor = idx("tumor"), idx("ctc"), idx("factor")
    # Gompertz: d/dT [r T ln(K/T)] = r (ln(K/T) - 1).
    gompertz = c[R_T] * (np.log(c[K_T] / y[tumor]) - 1.0)
    assert jac[tumor, tumor] == pytest.approx(gompertz, rel=1e-6)
    # CTCs are shed by the tumor and cleared; the tumor never depends on them.
    assert jac[ctc, tumor] == pytest.approx(c[SHED], rel=1e-6)
    assert jac[ctc, ctc] == pytest.approx(-c[CTC_CLEAR], rel=1e-6)
    assert jac[tumor, ctc] == 0.0
    # Fibronectin: k trop f (1 - F) - d F, so d/dF = -(k trop f + d).
    f = y[factor] / (1.0 + y[factor])
    fib = idx("fibronectin", "lung")
    expected = -(c[K_FIB] * c[TROPISM + LUNG] * f + c[D_FIB])
    assert jac[fib, fib] == pytest.approx(expected, rel=1e-6)
