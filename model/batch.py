"""Many parameter sets at once: an adaptive Dormand–Prince 5(4) solver compiled with numba,
one batch member per thread (``prange``), with the same events as the single-run solver.

Why this design (measured, see bench/bench_batch.py): at the mouse time scale the model is only
mildly stiff (fastest rate: CTC clearance, 20/day by default), so an explicit 5th-order method
with error control takes a few hundred cheap steps, all inside compiled code, and members run in
parallel. LSODA cannot be called from compiled code, and its Python callback costs more than
the arithmetic. For long human-time-scale runs the explicit method is stability-bound (tens of
thousands of steps): a member that exceeds ``max_steps`` is solved again by the single-run LSODA
path, so every member gets an answer of the documented accuracy.

Events: each member's segments come from ``model.solve._segments`` (the same cuts, the same
snapping onto the grid); the step size is clipped so every grid day and every event is hit
exactly, and a resection is applied as a jump between segments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numba
import numpy as np
from numba import njit, prange

from model.equations import EPS_V1, EPS_VLA4, N_COEFFS, initial_state, pack, rhs_into
from model.equations import resect as resect_primary
from model.errors import InvalidInput
from model.parameters import Parameters
from model.result import SimulationResult
from model.solve import (
    _EVENT_EPS,
    ATOL,
    DEFAULT_DAYS,
    _segments,
    day_grid,
    integrate,
    validate_days,
)
from model.states import N_STATES

# numba's own thread pool for the batch ("workqueue"), unless NUMBA_THREADING_LAYER says
# otherwise. numba picks GNU OpenMP where libgomp is installed, and a process that has used
# it must not fork: a sweep's job process, forked from a web worker or a test that had run a
# batch, died at once ("fork() called from a process already using GNU OpenMP"). The workqueue
# survives a fork, is as fast here (a 50-point sweep: 0.07 s with either), and is not meant for
# two threads at once: a batch runs in one job process, Celery task or command at a time.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

__all__ = ["BATCH_RTOL", "integrate_batch", "simulate_batch"]

#: Relative tolerance of the explicit solver; with ``ATOL`` it keeps every state within 1e-3
#: relative of the tight reference on the day grid (tests/model/test_batch.py).
BATCH_RTOL = 1e-6
_MAX_SEGMENTS = 4  # cuts: therapy start and end, resection
_DEFAULT_MAX_STEPS = 20_000

# Dormand & Prince (1980) 5(4) tableau; B is the 5th-order solution, E = B - B_hat.
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.array(
    [
        [0, 0, 0, 0, 0, 0],
        [1 / 5, 0, 0, 0, 0, 0],
        [3 / 40, 9 / 40, 0, 0, 0, 0],
        [44 / 45, -56 / 15, 32 / 9, 0, 0, 0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0],
        [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
    ]
)
_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
_E = np.array([71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])


@njit(cache=True)
def _dp5_step(y, f0, h, c, atol, rtol, k, y_new):
    """One trial step from (y, f0 = rhs(y)) into ``y_new``; ``k[6]`` ends as f(y_new) (FSAL).

    Returns the error norm (RMS of the local error over atol + rtol * |y|; accept if <= 1)."""
    n = y.size
    k[0] = f0
    for s in range(1, 7):
        for i in range(n):
            acc = 0.0
            for j in range(s):
                acc += _A[s, j] * k[j, i]
            y_new[i] = y[i] + h * acc
        rhs_into(y_new, c, k[s])
    # The 7th stage is evaluated at the 5th-order solution, so y_new already holds it.
    err = 0.0
    for i in range(n):
        e = 0.0
        for j in range(7):
            e += _E[j] * k[j, i]
        scale = atol[i] + rtol * max(abs(y[i]), abs(y_new[i]))
        err += (h * e / scale) ** 2
    return np.sqrt(err / n)


@njit(cache=True)
def _hermite(y0, f0, y1, f1, h, theta, out):
    """Cubic Hermite interpolation inside an accepted step (dense output onto grid days)."""
    t2 = theta * theta
    t3 = t2 * theta
    h00, h10 = 2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + theta
    h01, h11 = -2 * t3 + 3 * t2, t3 - t2
    for i in range(y0.size):
        out[i] = max(h00 * y0[i] + h10 * h * f0[i] + h01 * y1[i] + h11 * h * f1[i], 0.0)


@njit(cache=True)
def _integrate_member(y0, c, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, atol, rtol,
                      max_steps, eps, out):  # fmt: skip
    """Integrate one member over its segments onto ``grid``; returns steps taken, or -1.

    Steps land exactly on segment edges (events); grid days inside a step are interpolated.
    ``eps``: times closer than this (days) coincide, as in ``model.solve``."""
    n = y0.size
    y = y0.copy()
    cseg = c.copy()
    k = np.empty((7, n))
    y_new = np.empty(n)
    f = np.empty(n)
    g = 0
    steps = 0
    h = 1e-2
    for s in range(n_edges - 1):
        a, b = edges[s], edges[s + 1]
        if resect[s]:
            resect_primary(y, cseg, resect_keep)
        cseg[EPS_V1] = anti_vegfr1[s]
        while g < grid.size and abs(grid[g] - a) <= eps:
            out[g] = y
            g += 1
        t = a
        rhs_into(y, cseg, f)
        while b - t > eps:
            step = min(h, b - t)
            err = _dp5_step(y, f, step, cseg, atol, rtol, k, y_new)
            steps += 1
            if steps > max_steps:
                return -1
            if err <= 1.0:
                t_new = b if b - (t + step) <= eps else t + step
                while g < grid.size and grid[g] < t_new - eps:
                    _hermite(y, f, y_new, k[6], step, (grid[g] - t) / step, out[g])
                    g += 1
                clipped = False
                for i in range(n):
                    if y_new[i] < 0.0:  # negative round-off, as in the single-run solver
                        y_new[i] = 0.0
                        clipped = True
                y[:] = y_new
                if clipped:
                    rhs_into(y, cseg, f)
                else:
                    f[:] = k[6]
                t = t_new
                if g < grid.size and abs(grid[g] - t) <= eps and b - t > eps:
                    out[g] = y
                    g += 1
            factor = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err**-0.2))
            h = step * (min(factor, 1.0) if err > 1.0 else factor)
    while g < grid.size:
        out[g] = y
        g += 1
    return steps


@njit(cache=True, parallel=True, nogil=True)  # other threads (a job heartbeat) run meanwhile
def _integrate_all(y0s, cs, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, atol, rtol,
                   max_steps, eps, out, steps):  # fmt: skip
    for m in prange(y0s.shape[0]):
        steps[m] = _integrate_member(
            y0s[m], cs[m], edges[m], n_edges[m], anti_vegfr1[m], resect[m], resect_keep[m],
            grid, atol, rtol, max_steps, eps, out[m],
        )  # fmt: skip


def _validated(param_sets: Sequence[Parameters | Mapping[str, object]]) -> list[Parameters]:
    checked = []
    for index, item in enumerate(param_sets):
        try:
            checked.append(item if isinstance(item, Parameters) else Parameters(item))
        except InvalidInput as exc:
            raise InvalidInput(f"parameter set {index}: {exc}") from None
    return checked


def integrate_batch(
    param_sets: Sequence[Parameters | Mapping[str, object]],
    days: float | None = None,
    *,
    rtol: float = BATCH_RTOL,
    max_steps: int = _DEFAULT_MAX_STEPS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """States of every member on ``day_grid(days)``.

    Returns ``(t, y, steps)``: ``y`` has shape (members, len(t), N_STATES); ``steps`` is the
    number of explicit steps each member took, or -1 where the member was stiff enough to be
    handed to the LSODA single-run solver instead.
    """
    span = DEFAULT_DAYS if days is None else validate_days(days)
    members = _validated(param_sets)
    grid = day_grid(span)
    n = len(members)
    y0s = np.empty((n, N_STATES))
    cs = np.empty((n, N_COEFFS))
    edges = np.zeros((n, _MAX_SEGMENTS + 1))
    n_edges = np.zeros(n, dtype=np.int64)
    anti_vegfr1 = np.zeros((n, _MAX_SEGMENTS))
    resect = np.zeros((n, _MAX_SEGMENTS), dtype=np.bool_)
    resect_keep = np.ones(n)
    for m, params in enumerate(members):
        y0s[m] = initial_state(params)
        cs[m] = pack(params)
        cs[m, EPS_VLA4] = params["vla4_block_efficacy"]
        segments = _segments(params, span)
        n_edges[m] = len(segments) + 1
        edges[m, : len(segments)] = [seg.start for seg in segments]
        edges[m, len(segments)] = segments[-1].end
        anti_vegfr1[m, : len(segments)] = [seg.anti_vegfr1 for seg in segments]
        resect[m, : len(segments)] = [seg.resect_at_start for seg in segments]
        resect_keep[m] = 1.0 - float(params["resection_fraction"])
    out = np.zeros((n, grid.size, N_STATES))
    steps = np.zeros(n, dtype=np.int64)
    _integrate_all(y0s, cs, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, ATOL, rtol,
                   max_steps, _EVENT_EPS, out, steps)  # fmt: skip
    for m in np.flatnonzero(steps < 0):
        out[m] = integrate(members[int(m)], span)[1]
    return grid, out, steps


def simulate_batch(
    param_sets: Sequence[Parameters | Mapping[str, object]], days: float | None = None
) -> list[SimulationResult]:
    """Run many parameter sets over the same ``days`` (default 30); one result per set.

    Mappings are validated as ``Parameters``; every set is checked before any run starts, so a
    bad set fails fast with its index. States agree with ``simulate`` to about 1e-5 relative.
    """
    members = _validated(param_sets)
    t, states, _ = integrate_batch(members, days)
    return [SimulationResult.from_states(p, t, y) for p, y in zip(members, states, strict=True)]
