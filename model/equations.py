"""The right-hand side of the seed-and-soil model: a pure function ``rhs(t, y, c)``.

``y`` is the state vector (layout below), ``c`` a flat coefficient vector built by ``pack``
from validated ``Parameters``. Therapies enter ``c`` as constants: the solver integrates piecewise
between events (therapy window edges, resection), so the right-hand side stays smooth.

The same function is compiled with numba for speed; ``rhs_interpreted`` runs it in the Python
interpreter (the benchmark's plain-Python reference). The full equations are in docs/model.md.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from model.organs import ORGANS
from model.parameters import Parameters

__all__ = [
    "N_ORGANS",
    "N_STATES",
    "ORGAN_BLOCKS",
    "SYSTEMIC_STATES",
    "initial_state",
    "pack",
    "rhs",
    "rhs_interpreted",
    "rhs_into",
    "set_therapy",
]

N_ORGANS = len(ORGANS)

#: Systemic states, in order: primary tumor (cells), tumor factor (units of half-effect),
#: marrow VEGFR1+ HPC pool (fold of healthy), circulating VEGFR1+ HPCs (fold of healthy baseline,
#: i.e. the biomarker), circulating tumor cells (cells).
SYSTEMIC_STATES = ("tumor", "factor", "marrow_hpc", "circulating_hpc", "ctc")
T_, S_, M_, H_, C_ = range(5)

#: Per-organ blocks, each ``N_ORGANS`` long, in order. ``*_seed_only`` replay the same seeding
#: with niches switched off (the seed-vs-soil split) inside the same integration: niches never
#: feed back on the systemic states, so the counterfactual is exact.
ORGAN_BLOCKS = (
    "fibronectin",
    "niche",
    "dormant",
    "proliferating",
    "clones",
    "dormant_seed_only",
    "proliferating_seed_only",
)
_F, _N, _D, _P, _A, _D0, _P0 = (len(SYSTEMIC_STATES) + k * N_ORGANS for k in range(7))
N_STATES = len(SYSTEMIC_STATES) + len(ORGAN_BLOCKS) * N_ORGANS

# Coefficient slots in ``c``. Module-level ints are compile-time constants for numba.
(
    R_T, K_T, SHED, CTC_CLEAR, S_CLEAR, T_REF, VEGFR1, K_MOB, R_MARROW, H_CLEAR, HOME_LOSS,
    K_FIB, D_FIB, K_HOME, D_NICHE, HILL, SURV0, SURV_MAX, Q_PROLIF, K_IN, K_OUT, WAKE, D_DORM,
    R_MET, G_BARE, K_ORGAN, ALLEE, P_EST, EPS_V1, EPS_VLA4,
) = range(30)  # fmt: skip
_N_SCALAR = 30
TROPISM = _N_SCALAR
ARREST = _N_SCALAR + N_ORGANS
N_COEFFS = _N_SCALAR + 2 * N_ORGANS

_SCALAR_NAMES = {
    R_T: "tumor_growth_rate",
    K_T: "tumor_capacity",
    SHED: "shedding_rate",
    CTC_CLEAR: "ctc_clearance_rate",
    S_CLEAR: "factor_clearance_rate",
    T_REF: "factor_reference_tumor",
    VEGFR1: "vegfr1_signalling",
    K_MOB: "mobilisation_rate",
    R_MARROW: "marrow_replenishment_rate",
    H_CLEAR: "hpc_clearance_rate",
    HOME_LOSS: "hpc_homing_loss",
    K_FIB: "fibronectin_induction_rate",
    D_FIB: "fibronectin_decay_rate",
    K_HOME: "homing_rate",
    D_NICHE: "niche_decay_rate",
    HILL: "niche_hill",
    SURV0: "dtc_survival_bare",
    SURV_MAX: "dtc_survival_niche",
    Q_PROLIF: "niche_proliferation_share",
    K_IN: "dormancy_entry_rate",
    K_OUT: "dormancy_exit_rate",
    WAKE: "niche_wake_factor",
    D_DORM: "dormant_death_rate",
    R_MET: "met_growth_rate",
    G_BARE: "bare_growth_share",
    K_ORGAN: "organ_capacity",
    ALLEE: "allee_cells",
    P_EST: "clone_establishment",
}


def pack(params: Parameters) -> np.ndarray:
    """Flat coefficient vector for ``rhs``, with every therapy switched off.

    Arrest shares that add up to more than 1 are scaled to sum to 1 (a cell arrests only once).
    """
    c = np.zeros(N_COEFFS)
    for slot, name in _SCALAR_NAMES.items():
        c[slot] = params[name]
    c[TROPISM : TROPISM + N_ORGANS] = params.organ_values("tropism")
    arrest = np.asarray(params.organ_values("arrest_share"))
    c[ARREST : ARREST + N_ORGANS] = arrest / max(1.0, float(arrest.sum()))
    return c


def set_therapy(c: np.ndarray, *, anti_vegfr1: float, vla4: float) -> np.ndarray:
    """A copy of ``c`` with the therapy efficacies that hold on one integration segment."""
    out = c.copy()
    out[EPS_V1] = anti_vegfr1
    out[EPS_VLA4] = vla4
    return out


def initial_state(params: Parameters) -> np.ndarray:
    """Healthy host with a fresh primary tumor: marrow and blood HPCs at baseline (1)."""
    y0 = np.zeros(N_STATES)
    y0[T_] = params["initial_tumor_cells"]
    y0[M_] = 1.0
    y0[H_] = 1.0
    return y0


@njit(cache=True)
def rhs(t: float, y: np.ndarray, c: np.ndarray) -> np.ndarray:  # noqa: ARG001 (autonomous)
    """dy/dt. Pure; negative round-off in ``y`` is read as zero so no rate turns unphysical."""
    dy = np.empty_like(y)
    rhs_into(y, c, dy)
    return dy


def rhs_interpreted(t: float, y: np.ndarray, c: np.ndarray) -> np.ndarray:  # noqa: ARG001
    """``rhs`` run by the Python interpreter (numba's ``py_func``): the plain-Python reference."""
    dy = np.empty_like(y)
    rhs_into.py_func(y, c, dy)
    return dy


@njit(cache=True)
def rhs_into(y: np.ndarray, c: np.ndarray, dy: np.ndarray) -> None:
    """``rhs`` writing into a given array: the batch solver's inner loop allocates nothing."""
    T = max(y[T_], 0.0)
    S = max(y[S_], 0.0)
    M = max(y[M_], 0.0)
    H = max(y[H_], 0.0)
    C = max(y[C_], 0.0)

    # Primary tumor: Gompertz growth.
    dy[T_] = c[R_T] * T * math.log(c[K_T] / T) if T > 0.0 else 0.0
    # Tumor factor in units of its half-effect level; saturating effect f(S).
    dy[S_] = c[S_CLEAR] * (T / c[T_REF] - S)
    f = S / (1.0 + S)
    # VEGFR1 signalling multiplies basal mobilisation; the antibody blocks a share of it.
    vegfr1_open = 1.0 - c[EPS_V1]
    mobilisation = 1.0 + c[VEGFR1] * vegfr1_open * f
    # Marrow: basal output balanced at M = 1, extra mobilisation drains it, replenishment refills.
    dy[M_] = c[R_MARROW] * (1.0 - M) + c[K_MOB] * (1.0 - mobilisation * M)
    # Homing needs VLA-4 and VEGFR1+ cells: both blockades cut it.
    homing_open = (1.0 - c[EPS_VLA4]) * vegfr1_open

    arrest_flux = c[CTC_CLEAR] * C
    hill = c[HILL]
    primed_total = 0.0
    for i in range(N_ORGANS):
        F = max(y[_F + i], 0.0)
        N = max(y[_N + i], 0.0)
        D = max(y[_D + i], 0.0)
        P = max(y[_P + i], 0.0)
        D0 = max(y[_D0 + i], 0.0)
        P0 = max(y[_P0 + i], 0.0)
        primed_total += F

        # Soil priming (fibronectin) and niche clusters (VEGFR1+/VLA-4+ cells).
        dy[_F + i] = c[K_FIB] * c[TROPISM + i] * f * (1.0 - F) - c[D_FIB] * F
        dy[_N + i] = c[K_HOME] * homing_open * F * H - c[D_NICHE] * N
        Nh = N**hill
        phi = Nh / (1.0 + Nh)  # niche permissiveness, half-maximal at N = 1

        # Arriving tumor cells survive better in a niche; a niche-dependent share tries to
        # proliferate at once, the rest sit dormant. Dormant cells wake faster in a niche.
        # A cell that starts proliferating founds a lasting clone with probability P_EST.
        arrivals = c[ARREST + i] * arrest_flux
        survivors = arrivals * (c[SURV0] + (c[SURV_MAX] - c[SURV0]) * phi)
        to_prolif = survivors * c[Q_PROLIF] * phi
        wake = c[K_OUT] * (1.0 + c[WAKE] * phi) * D
        founded = c[P_EST] * (to_prolif + wake)
        growth = _growth(P, c[R_MET] * (c[G_BARE] + (1.0 - c[G_BARE]) * phi), c[K_ORGAN], c[ALLEE])
        dy[_D + i] = survivors - to_prolif + c[K_IN] * P - wake - c[D_DORM] * D
        dy[_P + i] = founded - c[K_IN] * P + growth
        dy[_A + i] = founded

        # Seed alone: the same arrivals with phi = 0.
        wake0 = c[K_OUT] * D0
        growth0 = _growth(P0, c[R_MET] * c[G_BARE], c[K_ORGAN], c[ALLEE])
        dy[_D0 + i] = arrivals * c[SURV0] + c[K_IN] * P0 - wake0 - c[D_DORM] * D0
        dy[_P0 + i] = c[P_EST] * wake0 - c[K_IN] * P0 + growth0

    dy[H_] = c[H_CLEAR] * (mobilisation * M - H) - c[HOME_LOSS] * homing_open * primed_total * H
    dy[C_] = c[SHED] * T - arrest_flux


@njit(cache=True, inline="always")
def _growth(P: float, rate: float, capacity: float, allee: float) -> float:
    """Logistic growth gated by an Allee term, so expected numbers below a cell do not grow."""
    if P <= 0.0:
        return 0.0
    return rate * P * (P / (P + allee)) * (1.0 - P / capacity)
