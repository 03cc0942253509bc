"""Patient-level readings of the expected (population-average) clone counts.

The model counts ``clones``: the expected number of independent clones founded in an organ by
blood-borne cells. Founding events are rare and independent, so their number is Poisson and the
chance of at least one is ``1 - exp(-clones)``.

A clone is a *detected* metastasis once it has grown from one cell to
``metastasis_detection_cells``. Its log-size grows at the net rate of its organ's soil on each
day, ``r_P (g0 + (1 - g0) phi(t)) - k_in`` (growth minus the cells falling back into
dormancy; a clone does not shrink where that is negative, it waits), times the clone's own
log-normal growth factor (``clone_growth_spread``). So a clone founded on day s is detected on
the first day u(s) with ``factor * integral_s^u net = ln(cells)``. Beyond the run the last
day's rate is extended. Everything here works on arrays whose last axis is time, so a single
run and a batch share one definition.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "GROWTH_NODES",
    "YEAR_DAYS",
    "annual_hazard",
    "clones_grown_to_detection",
    "detected_clones",
    "detection_days",
    "net_growth_rate",
    "probability",
]

YEAR_DAYS = 365.25

#: Clones grow at different rates. A clone's net growth rate is the soil's rate times a
#: log-normal factor of log-sd ``clone_growth_spread`` and mean 1, integrated with a 21-point
#: Gauss-Hermite rule: (standard-normal node, weight). Each node is a detection front of its
#: own: 5 nodes left wiggles in the yearly hazard, and equally likely quantiles cut off the
#: fast-growing tail, which is what keeps small probabilities from moving tenfold with a 10 %
#: change of the growth rate (bench/knife_edges.py).
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(21)
GROWTH_NODES: tuple[tuple[float, float], ...] = tuple(
    zip(_NODES.tolist(), (_WEIGHTS / _WEIGHTS.sum()).tolist(), strict=True)
)


def net_growth_rate(phi, *, growth_rate, bare_share, entry_rate) -> np.ndarray:
    """Net growth rate of a small clone (1/day) in soil of permissiveness ``phi``, never below
    zero. Arguments broadcast against ``phi``."""
    return np.maximum(growth_rate * (bare_share + (1.0 - bare_share) * phi) - entry_rate, 0.0)


def detection_days(t: np.ndarray, net: np.ndarray, detection_cells) -> np.ndarray:
    """Day on which a clone founded on each grid day reaches ``detection_cells`` (inf if never):
    ``net`` (1/day) has time on its last axis; ``detection_cells`` broadcasts per row."""
    net = np.asarray(net, dtype=float)
    log_size = np.broadcast_to(np.log(np.asarray(detection_cells, dtype=float)), net.shape[:-1])
    # Cumulative log-growth G(t) (trapezoids); non-decreasing because net >= 0.
    grown = np.concatenate(
        [
            np.zeros((*net.shape[:-1], 1)),
            np.cumsum(0.5 * (net[..., 1:] + net[..., :-1]) * np.diff(t), axis=-1),
        ],
        axis=-1,
    )
    target = grown + log_size[..., None]
    out = np.empty_like(grown)
    for row in np.ndindex(net.shape[:-1]):
        g, goal, last_rate = grown[row], target[row], net[row][-1]
        inside = goal <= g[-1]
        out[row][inside] = np.interp(goal[inside], g, t)
        beyond = t[-1] + (goal[~inside] - g[-1]) / last_rate if last_rate > 0 else np.inf
        out[row][~inside] = beyond
    return out


def detected_clones(
    t: np.ndarray, clones: np.ndarray, detect_days: np.ndarray, at: np.ndarray | None = None
) -> np.ndarray:
    """Expected clones grown to detection size by each day of ``at`` (default: the grid ``t``).

    ``clones`` (cumulative) and ``detect_days`` (from ``detection_days``) have time on their
    last axis; ``at`` is 1-D (the same days for every row) or one row of days per row. Detection
    days never decrease with the founding day, so the clones detected by day d are the clones
    founded by the day whose detection day is d.
    """
    clones = np.asarray(clones, dtype=float)
    at = t if at is None else np.asarray(at, dtype=float)
    shape = clones.shape[:-1]
    days = np.broadcast_to(at, (*shape, at.shape[-1]))
    out = np.zeros((*shape, at.shape[-1]))
    for row in np.ndindex(shape):
        u = detect_days[row]
        finite = np.isfinite(u)
        if finite.any():
            out[row] = np.interp(days[row], u[finite], clones[row][finite], left=0.0)
    return out


def clones_grown_to_detection(
    t: np.ndarray,
    clones: np.ndarray,
    net: np.ndarray,
    detection_cells,
    spread,
    at: np.ndarray | None = None,
) -> np.ndarray:
    """Expected clones grown to ``detection_cells`` by each day of ``at`` (default: ``t``), for
    clones whose growth rates spread log-normally (log-sd ``spread``, mean the soil's ``net``).

    ``clones``, ``net`` have time on the last axis; ``detection_cells`` and ``spread`` give one
    value per row (or one for all). A spread of 0 is one fixed growth rate."""
    spread = np.asarray(spread, dtype=float)
    rows = np.shape(clones)[:-1]
    sigma = np.broadcast_to(spread, rows)[..., None]
    out = 0.0
    for node, weight in GROWTH_NODES:
        factor = np.exp(sigma * node - 0.5 * sigma**2)
        days = detection_days(t, factor * net, detection_cells)
        out = out + weight * detected_clones(t, clones, days, at)
    return out


def probability(expected: np.ndarray | float) -> np.ndarray:
    """Chance of at least one event when their number is Poisson with mean ``expected``."""
    return -np.expm1(-np.maximum(expected, 0.0))


def annual_hazard(t: np.ndarray, detected: np.ndarray, origin: float) -> np.ndarray:
    """Yearly hazard of a first detected metastasis after day ``origin`` (e.g. the resection):
    entry k is the chance of one in year k + 1, for a patient free of it when that year starts.
    ``detected`` (any organ, 1-D on the grid ``t``); only full years count."""
    years = int(np.floor((t[-1] - origin) / YEAR_DAYS + 1e-9))
    if years < 1:
        return np.zeros(0)
    at = np.interp(origin + YEAR_DAYS * np.arange(years + 1), t, detected)
    return -np.expm1(-np.diff(at))
