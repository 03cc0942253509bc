"""The right-hand side of the seed-and-soil model: a pure function ``rhs(t, y, c)``.

``y`` is the state vector (layout in ``model.states``), ``c`` a flat coefficient vector built by
``pack`` from validated ``Parameters``. Therapies enter ``c`` as constants: the solver integrates
piecewise between events (therapy window edges, resection), so the right-hand side stays smooth.

The same function is compiled with numba for speed; ``rhs_interpreted`` runs it in the Python
interpreter (the benchmark's plain-Python reference). The full equations are in docs/model.md.
"""

from __future__ import annotations

import functools
import math
import types

import numpy as np
from numba import njit

from model.organs import BLOOD_FLOW_ARREST, ORGANS
from model.parameters import Parameters
from model.states import N_ORGANS, N_STATES, block_start, slot

__all__ = [
    "COEFFICIENTS",
    "N_COEFFS",
    "initial_state",
    "jacobian_columns",
    "pack",
    "permissiveness",
    "resect",
    "rhs",
    "rhs_interpreted",
    "rhs_into",
    "set_therapy",
    "survival_in_niche",
]

# State slots. Module-level ints are compile-time constants for numba.
T_, S_, M_, H_, C_ = (slot(n) for n in ("tumor", "factor", "marrow_hpc", "circulating_hpc", "ctc"))
_F, _N, _D, _P, _Q, _A, _D0, _P0, _Q0, _A0 = (
    block_start(b)
    for b in (
        "fibronectin", "niche", "solitary", "proliferating", "quiescent", "clones",
        "solitary_seed_only", "proliferating_seed_only", "quiescent_seed_only",
        "clones_seed_only",
    )
)  # fmt: skip

#: Scalar coefficients in ``c`` order: the parameter each slot holds. Therapy efficacies follow
#: (set per segment by ``set_therapy``), then the per-organ tropism and arrest vectors.
COEFFICIENTS: tuple[str, ...] = (
    "tumor_growth_rate", "tumor_capacity", "shedding_rate", "ctc_clearance_rate",
    "factor_clearance_rate", "factor_reference_tumor", "vegfr1_signalling", "mobilisation_rate",
    "marrow_replenishment_rate", "hpc_clearance_rate", "hpc_homing_loss",
    "fibronectin_induction_rate", "fibronectin_decay_rate", "homing_rate", "niche_decay_rate",
    "niche_hill", "dtc_survival_bare", "niche_survival_gain", "niche_proliferation_share",
    "dormancy_entry_rate", "dormancy_exit_rate", "niche_wake_factor", "dormant_death_rate",
    "met_growth_rate", "bare_growth_share", "organ_capacity", "clone_establishment",
    "vegfr1_dependence", "myeloid_recruitment", "niche_formation", "organ_soil",
)  # fmt: skip
(
    R_T, K_T, SHED, CTC_CLEAR, S_CLEAR, T_REF, VEGFR1, K_MOB, R_MARROW, H_CLEAR, HOME_LOSS,
    K_FIB, D_FIB, K_HOME, D_NICHE, HILL, SURV0, SURV_GAIN, Q_PROLIF, K_IN, K_OUT, WAKE, D_DORM,
    R_MET, G_BARE, K_ORGAN, P_EST, CHI, MYELOID, W_NICHE, W_SOIL,
) = range(len(COEFFICIENTS))  # fmt: skip
EPS_V1 = len(COEFFICIENTS)
EPS_VLA4 = EPS_V1 + 1
TROPISM = EPS_VLA4 + 1
ARREST = TROPISM + N_ORGANS
N_COEFFS = ARREST + N_ORGANS

_FLOW_ARREST = np.array([BLOOD_FLOW_ARREST[o] for o in ORGANS])


def survival_in_niche(bare: float, gain: float) -> float:
    """Survival in a full niche: the niche multiplies the *odds* of survival by ``gain``, so it
    is never below bare survival (gain >= 1) and never above 1."""
    return gain * bare / (1.0 - bare + gain * bare)


def permissiveness(niche, hill, niche_weight, soil_weight, tropism) -> np.ndarray:
    """Organ permissiveness phi (0..1) from niche clusters, as ``rhs`` computes it, vectorised:
    every argument broadcasts (e.g. one tropism weight per organ column, one hill per member)."""
    nh = np.maximum(niche, 0.0) ** hill
    return 1.0 - (1.0 - niche_weight * nh / (1.0 + nh)) * (1.0 - soil_weight * tropism)


def pack(params: Parameters) -> np.ndarray:
    """Flat coefficient vector for ``rhs``, with every therapy switched off.

    Arrest shares mix the declared shares with blood-flow shares (``blood_flow_arrest``); shares
    that add up to more than 1 are scaled to sum to 1 (a cell arrests only once).
    """
    c = np.zeros(N_COEFFS)
    for i, name in enumerate(COEFFICIENTS):
        c[i] = params[name]
    c[TROPISM : TROPISM + N_ORGANS] = params.organ_values("tropism")
    flow = float(params["blood_flow_arrest"])
    arrest = (1.0 - flow) * np.asarray(params.organ_values("arrest_share")) + flow * _FLOW_ARREST
    c[ARREST : ARREST + N_ORGANS] = arrest / max(1.0, float(arrest.sum()))
    return c


def set_therapy(c: np.ndarray, *, anti_vegfr1: float, vla4: float) -> np.ndarray:
    """A copy of ``c`` with the therapy efficacies that hold on one integration segment."""
    out = c.copy()
    out[EPS_V1] = anti_vegfr1
    out[EPS_VLA4] = vla4
    return out


@njit(cache=True)
def resect(y: np.ndarray, c: np.ndarray, keep: float) -> None:
    """Resection, in place: the primary keeps the share ``keep`` of its cells, and its capacity
    becomes the chance that any cell is left times the full capacity.

    ``y[T]`` is an expected (population-average) number. A residue of 1e-6 cells means that one
    patient in a million keeps a cell, and only those regrow a tumor: the average regrows toward
    ``K_T (1 - exp(-residue))``, not toward ``K_T``, so a sub-cell residue cannot grow into a
    full tumor (with it, 1e-15 of the primary once meant certain relapse)."""
    y[T_] *= keep
    c[K_T] *= -math.expm1(-y[T_])


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


#: Relative forward-difference step of ``jacobian_columns``: sqrt(machine epsilon).
_JAC_STEP = math.sqrt(np.finfo(np.float64).eps)


@njit(cache=True)
def jacobian_columns(y: np.ndarray, c: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Forward-difference Jacobian of ``rhs`` at ``y``, transposed: row ``j`` holds
    d(dy)/d(y_j), i.e. column ``j`` of the Jacobian, the layout ``odeint`` copies straight into
    LSODA with ``col_deriv=True``.

    Why: left to itself, LSODA estimates the Jacobian with one Python call of ``rhs`` per state
    (65 per Jacobian, ~40 % of all calls on a default run); here the same differences run in
    compiled code, one Python call per Jacobian. The step for state ``j`` is
    sqrt(eps) * max(|y_j|, floor_j). Pass the absolute tolerances as ``floor`` (LSODA's own
    step has the same floor, proportional to them): states sitting at zero change the rates
    sharply on that scale (negative round-off is read as zero), and with a floor of one cell
    LSODA re-evaluated the Jacobian at nearly every step of the 8400-day breast runs
    (breast-t1n0: 1169 Jacobians and 2.6 times the steps; with this floor 81, as its own 79).
    """
    n = y.size
    f0 = np.empty(n)
    rhs_into(y, c, f0)
    yp = y.copy()
    fp = np.empty(n)
    out = np.empty((n, n))
    for j in range(n):
        yp[j] = y[j] + _JAC_STEP * max(abs(y[j]), floor[j])
        # The step actually taken: round-off in y + h must not bias the slope.
        h = yp[j] - y[j]
        rhs_into(yp, c, fp)
        for i in range(n):
            out[j, i] = (fp[i] - f0[i]) / h
        yp[j] = y[j]
    return out


def rhs_interpreted(t: float, y: np.ndarray, c: np.ndarray) -> np.ndarray:  # noqa: ARG001
    """``rhs`` run by the Python interpreter (numba's ``py_func``, with the per-organ helper's
    ``py_func`` too): the plain-Python reference of the benchmark."""
    dy = np.empty_like(y)
    _rhs_into_python()(y, c, dy)
    return dy


@functools.cache
def _rhs_into_python():
    """``rhs_into`` as plain Python: its code with ``_organ`` resolved to the Python original."""
    code = rhs_into.py_func.__code__
    return types.FunctionType(code, {**globals(), "_organ": _organ.py_func}, "rhs_into_python")


@njit(cache=True)
def rhs_into(y: np.ndarray, c: np.ndarray, dy: np.ndarray) -> None:
    """``rhs`` writing into a given array: the batch solver's inner loop allocates nothing."""
    T = max(y[T_], 0.0)
    S = max(y[S_], 0.0)
    M = max(y[M_], 0.0)
    H = max(y[H_], 0.0)
    C = max(y[C_], 0.0)

    # Primary tumor: Gompertz growth (none left after a complete resection: capacity 0).
    dy[T_] = c[R_T] * T * math.log(c[K_T] / T) if T > 0.0 and c[K_T] > 0.0 else 0.0
    # Tumor factor in units of its half-effect level; saturating effect f(S).
    dy[S_] = c[S_CLEAR] * (T / c[T_REF] - S)
    f = S / (1.0 + S)
    # VEGFR1 signalling multiplies basal mobilisation; the antibody blocks a share of it.
    vegfr1_open = 1.0 - c[EPS_V1]
    mobilisation = 1.0 + c[VEGFR1] * vegfr1_open * f
    # Marrow: basal output balanced at M = 1, extra mobilisation drains it, replenishment refills.
    dy[M_] = c[R_MARROW] * (1.0 - M) + c[K_MOB] * (1.0 - mobilisation * M)
    # Niche-building cells home through VLA-4. A share CHI of them are VEGFR1+ HPCs (blocked by
    # the antibody, Kaplan-Lyden); the rest are myeloid cells recruited by the tumor factor
    # without VEGFR1 (S100A8/A9, LOX: Dawson's VEGFR1-independent route).
    vla4_open = 1.0 - c[EPS_VLA4]
    hpc_homing = c[CHI] * vegfr1_open * H
    myeloid_homing = (1.0 - c[CHI]) * (1.0 + c[MYELOID] * f)
    recruits = vla4_open * (hpc_homing + myeloid_homing)

    arrest_flux = c[CTC_CLEAR] * C
    hill = c[HILL]
    s0 = c[SURV0]
    s_niche = c[SURV_GAIN] * s0 / (1.0 - s0 + c[SURV_GAIN] * s0)
    primed_total = 0.0
    for i in range(N_ORGANS):
        F = max(y[_F + i], 0.0)
        N = max(y[_N + i], 0.0)
        primed_total += F

        # Soil priming (fibronectin) and niche clusters.
        dy[_F + i] = c[K_FIB] * c[TROPISM + i] * f * (1.0 - F) - c[D_FIB] * F
        dy[_N + i] = c[K_HOME] * recruits * F - c[D_NICHE] * N
        Nh = N**hill
        # Organ permissiveness: the dynamic niche (half-maximal at N = 1) and a fixed organ soil
        # (the tropism weight, Paget), each weighted by its mechanism switch.
        phi = 1.0 - (1.0 - c[W_NICHE] * Nh / (1.0 + Nh)) * (1.0 - c[W_SOIL] * c[TROPISM + i])

        arrivals = c[ARREST + i] * arrest_flux
        _organ(y, dy, c, i, _D, _P, _Q, _A, arrivals, phi, s0 + (s_niche - s0) * phi)
        # Seed alone: the same arrivals on bare soil.
        _organ(y, dy, c, i, _D0, _P0, _Q0, _A0, arrivals, 0.0, s0)

    # Circulating HPCs relax to the marrow output and are lost by homing into primed soil.
    dy[H_] = (
        c[H_CLEAR] * (mobilisation * M - H)
        - c[HOME_LOSS] * vla4_open * c[CHI] * vegfr1_open * primed_total * H
    )
    dy[C_] = c[SHED] * T - arrest_flux


@njit(cache=True, inline="always")
def _organ(y, dy, c, i, d_, p_, q_, a_, arrivals, phi, survival):
    """Seed dynamics of organ ``i`` on soil of permissiveness ``phi`` (0..1).

    Arriving cells survive with probability ``survival``; in permissive soil a share starts
    proliferating at once, the rest sit dormant as solitary cells and wake slowly (faster in a
    niche). Each cell that starts to proliferate founds a lasting clone with probability P_EST:
    the founding rate of *independent* clones. Clone cells may fall back into dormancy
    (quiescent) and wake again without founding anything new. Clone growth is logistic towards
    the organ capacity times the chance that the organ holds a clone at all, 1 - exp(-clones):
    an expected burden (an average over patients) then never exceeds what the patients who
    have a metastasis hold, however few they are.
    """
    D = max(y[d_ + i], 0.0)
    P = max(y[p_ + i], 0.0)
    Q = max(y[q_ + i], 0.0)
    A = max(y[a_ + i], 0.0)
    survivors = arrivals * survival
    to_prolif = survivors * c[Q_PROLIF] * phi
    wake_rate = c[K_OUT] * (1.0 + c[WAKE] * phi)
    founding = c[P_EST] * (to_prolif + wake_rate * D)
    capacity = -c[K_ORGAN] * math.expm1(-A)
    growth = 0.0
    if P > 0.0 and capacity > 0.0:
        rate = c[R_MET] * (c[G_BARE] + (1.0 - c[G_BARE]) * phi)
        growth = rate * P * (1.0 - (P + Q) / capacity)
    dy[d_ + i] = survivors - to_prolif - wake_rate * D - c[D_DORM] * D
    dy[p_ + i] = founding - c[K_IN] * P + wake_rate * Q + growth
    dy[q_ + i] = c[K_IN] * P - wake_rate * Q - c[D_DORM] * Q
    dy[a_ + i] = founding
