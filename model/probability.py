"""Patient-level readings of the expected (population-average) clone counts.

The model counts ``clones``: the expected number of independent clones founded in an organ by
blood-borne cells. Founding events are rare and independent, so their number is Poisson and the
chance of at least one is ``1 - exp(-clones)``.

A clone is a *detected* metastasis once it has grown from one cell to
``metastasis_detection_cells``. Its log-size grows at the net rate of its organ's soil on each
day, ``r_P (g0 + (1 - g0) phi(t)) - k_in`` (growth minus the cells falling back into
dormancy; a clone does not shrink where that is negative, it waits), times the clone's own
log-normal growth factor (``clone_growth_spread``). So a clone founded on day s is detected on
the first day u(s) with ``factor * integral_s^u net = ln(cells)``; as that integral never
decreases, the clones detected by day d are those founded by the day s* with
``factor * integral_s*^d net = ln(cells)``. Everything here works on arrays whose last axis
is time, so a single run and a batch share one definition.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "GROWTH_NODES",
    "YEAR_DAYS",
    "annual_hazard",
    "clones_grown_to_detection",
    "founded_by",
    "grown_log_size",
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


def grown_log_size(t: np.ndarray, net: np.ndarray) -> np.ndarray:
    """G(t): log-size a clone of median growth gains from day 0 to each grid day (trapezoids of
    ``net``, time on the last axis). Non-decreasing, since net >= 0."""
    net = np.asarray(net, dtype=float)
    steps = 0.5 * (net[..., 1:] + net[..., :-1]) * np.diff(t)
    return np.concatenate([np.zeros((*net.shape[:-1], 1)), np.cumsum(steps, axis=-1)], axis=-1)


@njit(cache=True)
def _founded_by(t, grown, clones, thresholds, weights, at, out):
    """Rows of ``founded_by``, summed over thresholds with weights.

    ``grown`` never decreases, so for query days in increasing order (the usual case: the grid
    itself) the founding day sought for a threshold moves only forward: one walk along the grid
    per threshold. Otherwise a binary search per query day."""
    n = t.size
    g_day = np.empty(at.shape[1])
    for r in range(grown.shape[0]):
        g, a, days = grown[r], clones[r], at[r]
        ascending = True
        for q in range(days.size):
            # G at the query day (linear between grid days).
            day = days[q]
            k = min(max(np.searchsorted(t, day, side="right") - 1, 0), n - 2)
            frac = min(max((day - t[k]) / (t[k + 1] - t[k]), 0.0), 1.0)
            g_day[q] = g[k] + frac * (g[k + 1] - g[k])
            out[r, q] = 0.0
            if q and days[q] < days[q - 1]:
                ascending = False
        for j in range(weights.size):
            i = -1
            for q in range(days.size):
                # The latest founding day s with G(s) <= G(day) - threshold: clones founded by
                # then have grown by ``threshold`` by the query day.
                target = g_day[q] - thresholds[r, j]
                if target < 0.0:
                    continue
                if ascending:
                    while i + 1 < n and g[i + 1] <= target:
                        i += 1
                else:
                    i = np.searchsorted(g, target, side="right") - 1
                if i >= n - 1:
                    value = a[n - 1]
                elif g[i + 1] > g[i]:
                    value = a[i] + (target - g[i]) / (g[i + 1] - g[i]) * (a[i + 1] - a[i])
                else:
                    value = a[i]
                out[r, q] += weights[j] * value


def _weighted_founded_by(t, grown, clones, thresholds, weights, at) -> np.ndarray:
    """``sum_j weights[j] * founded_by(..., thresholds[..., j], at)`` in one compiled pass."""
    clones = np.asarray(clones, dtype=float)
    rows = clones.shape[:-1]
    at = t if at is None else np.asarray(at, dtype=float)
    queries = np.ascontiguousarray(np.broadcast_to(at, (*rows, at.shape[-1])), dtype=float)
    out = np.empty((int(np.prod(rows, dtype=int)), at.shape[-1]))
    _founded_by(
        np.ascontiguousarray(t, dtype=float),
        np.ascontiguousarray(np.broadcast_to(grown, clones.shape)).reshape(-1, t.size),
        np.ascontiguousarray(clones).reshape(-1, t.size),
        np.ascontiguousarray(
            np.broadcast_to(thresholds, (*rows, len(weights))), dtype=float
        ).reshape(-1, len(weights)),
        np.asarray(weights, dtype=float),
        queries.reshape(-1, at.shape[-1]),
        out,
    )
    return out.reshape(*rows, at.shape[-1])


def founded_by(
    t: np.ndarray,
    grown: np.ndarray,
    clones: np.ndarray,
    threshold: np.ndarray | float,
    at: np.ndarray | None = None,
) -> np.ndarray:
    """Clones founded early enough to have grown by ``threshold`` (log-size) by each day of
    ``at`` (default: the grid ``t``): ``clones(s*)`` with ``G(s*) = G(day) - threshold``.

    ``grown`` (from ``grown_log_size``) and ``clones`` (cumulative) have time on their last
    axis; ``threshold`` has one value per row (or one for all); ``at`` is 1-D (the same days for
    every row) or has one row of days per row. Because G never decreases, a clone founded later
    is never further grown, so these are exactly the clones grown that much by the day."""
    rows = np.shape(clones)[:-1]
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=float), rows)[..., None]
    return _weighted_founded_by(t, grown, clones, thresholds, np.ones(1), at)


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
    value per row (or one for all). A spread of 0 is one fixed growth rate. A clone growing
    ``factor`` times the median rate reaches ``ln(cells)`` once the median has grown
    ``ln(cells) / factor``."""
    rows = np.shape(clones)[:-1]
    log_size = np.broadcast_to(np.log(np.asarray(detection_cells, dtype=float)), rows)[..., None]
    sigma = np.broadcast_to(np.asarray(spread, dtype=float), rows)[..., None]
    nodes = np.array([node for node, _ in GROWTH_NODES])
    weights = np.array([weight for _, weight in GROWTH_NODES])
    factors = np.exp(sigma * nodes - 0.5 * sigma**2)
    return _weighted_founded_by(t, grown_log_size(t, net), clones, log_size / factors, weights, at)


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
