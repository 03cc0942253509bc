"""The explicit solver's compiled kernel: adaptive Dormand–Prince 5(4) over one run's segments.

Shared by the single-run solver (``model.solve.integrate`` for short runs) and the batch
solver (``model.batch``, one member per thread). Everything here is compiled with numba and
called with plain arrays, so a whole run happens in compiled code: no Python call per step.

Events: the caller gives the segment edges (therapy window edges, resection; from
``model.solve.kernel_inputs``). Steps are clipped so every edge is hit exactly; a resection is
applied as a jump at the start of its segment; grid days inside a step are filled by cubic
Hermite interpolation from the step's end values and slopes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.equations import EPS_V1, rhs_into
from model.equations import resect as resect_primary

__all__ = ["integrate_member"]

# Dormand & Prince (1980) 5(4) tableau. The model is autonomous, so the nodes c are not needed;
# the last row of A is the 5th-order weights b (first same as last: the 7th stage is f at the
# new state), and E = b - b_hat weighs the stages into the local error.
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
def integrate_member(y0, c, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, atol, rtol,
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
