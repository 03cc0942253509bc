"""Integrate the model: piecewise between events, on a regular day grid.

Events (therapy window edges, resection) split the time span into segments on which every
coefficient is constant; each segment is integrated by LSODA (``scipy.integrate.odeint``, whose
stepping loop runs in Fortran) with the numba-compiled right-hand side and a finite-difference
Jacobian built in compiled code (``model.equations.jacobian_columns``). Resection is applied
between segments as a jump in the tumor state, never smoothed over.

Tolerances: ``RTOL`` relative, ``ATOL`` absolute per state (cell and clone counts: 1e-9;
fractions and fold changes: 1e-12). The absolute tolerance on counts must be far below one:
expected clone numbers of 1e-3 are what a patient's relapse probability is made of.
``tests/model/test_solve.py`` checks agreement with a Radau reference at rtol 1e-10.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import odeint, solve_ivp

from model.equations import (
    initial_state,
    jacobian_columns,
    pack,
    resect,
    rhs,
    rhs_into,
    set_therapy,
)
from model.errors import InvalidInput, SimulationError, shown
from model.parameters import MAX_DAY, Parameters
from model.result import SimulationResult
from model.states import N_STATES, absolute_tolerances

__all__ = [
    "ATOL",
    "DEFAULT_DAYS",
    "RTOL",
    "day_grid",
    "integrate",
    "scipy_segment_solver",
    "simulate",
    "validate_days",
    "warm_up",
]

DEFAULT_DAYS = 30.0
RTOL = 1e-7
ATOL = absolute_tolerances(cells=1e-9, other=1e-12)
#: Output steps to choose from (days): the finest one that gives at most ``_MAX_POINTS``.
_STEPS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 7.0, 14.0, 30.0, 61.0, 122.0)
_MAX_POINTS = 600


def validate_days(days: object) -> float:
    """Check a simulated time span from any source: a positive number of days up to a century."""
    if isinstance(days, bool):
        raise InvalidInput(f"days={shown(days)} is not a number")
    try:
        value = float(days)  # type: ignore[arg-type]
    except OverflowError:  # an integer beyond any float
        value = math.inf
    except (TypeError, ValueError):
        raise InvalidInput(f"days={shown(days)} is not a number") from None
    if not math.isfinite(value) or not 0.0 < value <= MAX_DAY:
        raise InvalidInput(f"days={shown(days)} is outside the allowed range (0, {MAX_DAY:g}]")
    return value


def day_grid(days: float) -> np.ndarray:
    """Regular output grid from 0 to ``days`` (inclusive) with a round step."""
    step = next((s for s in _STEPS if days / s <= _MAX_POINTS), _STEPS[-1])
    n = int(math.floor(days / step + 1e-9))
    grid = np.arange(n + 1) * step
    if days - grid[-1] > 1e-9:
        grid = np.append(grid, days)
    return grid


@dataclass(frozen=True)
class _Segment:
    start: float
    end: float
    anti_vegfr1: float
    resect_at_start: bool


#: Events closer than this (days, ~0.1 s) to each other or to a grid day are taken to coincide:
#: LSODA refuses segments of 1e-17 days, and such precision means nothing biologically.
_EVENT_EPS = 1e-6


def _event_edges(cuts: set[float], grid: np.ndarray) -> list[float]:
    """Sorted segment edges, each snapped onto a grid day it (nearly) hits, near-duplicates
    merged; the first edge is 0 and the last is the end of the run."""
    edges: list[float] = []
    for t in sorted(cuts):
        nearest = grid[np.abs(grid - t).argmin()]
        t = float(nearest) if abs(nearest - t) <= _EVENT_EPS else t
        if not edges or t - edges[-1] > _EVENT_EPS:
            edges.append(t)
    edges[-1] = float(grid[-1])
    return edges


def _segments(params: Parameters, days: float) -> list[_Segment]:
    """Split [0, days] at every event; each piece carries the therapy that holds on it."""
    efficacy = float(params["anti_vegfr1_efficacy"])
    t_on, t_off = float(params["anti_vegfr1_start_day"]), float(params["anti_vegfr1_end_day"])
    t_res = params["resection_day"]
    cuts = {0.0, days}
    if efficacy > 0.0:
        cuts |= {t for t in (t_on, t_off) if 0.0 < t < days}
    if t_res is not None and t_res < days:
        cuts.add(float(t_res))
    edges = _event_edges(cuts, day_grid(days))
    return [
        _Segment(
            start=a,
            end=b,
            anti_vegfr1=efficacy if t_on <= 0.5 * (a + b) <= t_off else 0.0,
            resect_at_start=t_res is not None and abs(a - t_res) <= _EVENT_EPS,
        )
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]


#: Integrates one event-free segment: (y0, times, coefficients) -> states at ``times``.
SegmentSolver = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def integrate(
    params: Parameters,
    days: float,
    *,
    rtol: float = RTOL,
    atol: np.ndarray | float = ATOL,
    segment_solver: SegmentSolver | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """States on ``day_grid(days)``: returns ``(t, y)`` with ``y`` of shape (len(t), N_STATES).

    At an event day the grid shows the state just after the event (right-continuous).
    ``segment_solver`` replaces LSODA (e.g. ``scipy_segment_solver`` for a reference run);
    ``rtol``/``atol`` then belong to it.
    """
    if segment_solver is None:

        def segment_solver(y0: np.ndarray, times: np.ndarray, c: np.ndarray) -> np.ndarray:
            return _solve_segment(y0, times, c, rtol, atol)

    t_grid = day_grid(days)
    c = pack(params)
    vla4 = float(params["vla4_block_efficacy"])
    out = np.empty((t_grid.size, N_STATES))
    y = initial_state(params)
    for seg in _segments(params, days):
        if seg.resect_at_start:
            c = c.copy()
            resect(y, c, 1.0 - float(params["resection_fraction"]))
        inside = (t_grid > seg.start + _EVENT_EPS) & (t_grid < seg.end - _EVENT_EPS)
        times = np.concatenate(([seg.start], t_grid[inside], [seg.end]))
        coeffs = set_therapy(c, anti_vegfr1=seg.anti_vegfr1, vla4=vla4)
        ys = segment_solver(y, times, coeffs)
        np.maximum(ys, 0.0, out=ys)
        out[inside] = ys[1:-1]
        out[np.abs(t_grid - seg.start) <= _EVENT_EPS] = ys[0]
        y = ys[-1].copy()
    out[-1] = y
    if not np.all(np.isfinite(out)):
        raise SimulationError(f"non-finite state for {params!r}")
    return t_grid, out


def scipy_segment_solver(
    method: str, *, rtol: float, atol: np.ndarray | float, f: Callable = rhs
) -> SegmentSolver:
    """A ``solve_ivp`` segment solver: the tight reference and the benchmark's yardstick."""

    def solve(y0: np.ndarray, times: np.ndarray, c: np.ndarray) -> np.ndarray:
        sol = solve_ivp(
            f, (times[0], times[-1]), y0, method=method, t_eval=times, args=(c,),
            rtol=rtol, atol=atol,
        )  # fmt: skip
        if not sol.success:
            raise SimulationError(f"{method} failed on [{times[0]}, {times[-1]}]: {sol.message}")
        return sol.y.T

    return solve


def _solve_segment(
    y0: np.ndarray, times: np.ndarray, c: np.ndarray, rtol: float, atol: np.ndarray | float
) -> np.ndarray:
    """LSODA on one segment, with the Jacobian built in compiled code (``jacobian_columns``).

    The right-hand side writes into one buffer through ``rhs_into``: numba boxes a returned
    array by unpickling its type in Python on every call (half of a ~2 µs call of ``rhs``),
    and odeint copies the result out at once, so one buffer serves every call.
    """
    dy = np.empty_like(y0)
    floor = np.broadcast_to(np.asarray(atol, dtype=float), y0.shape).copy()

    def f(t: float, y: np.ndarray) -> np.ndarray:  # noqa: ARG001 (autonomous)
        rhs_into(y, c, dy)
        return dy

    def jacobian(t: float, y: np.ndarray) -> np.ndarray:  # noqa: ARG001 (autonomous)
        return jacobian_columns(y, c, floor)

    ys, info = odeint(
        f, y0, times, Dfun=jacobian, col_deriv=True, tfirst=True, rtol=rtol, atol=atol,
        mxstep=50_000, full_output=True,
    )  # fmt: skip
    if info["message"] == "Integration successful.":
        return ys
    # LSODA gave up (it says so on stderr): fall back to an implicit method before failing.
    return scipy_segment_solver("Radau", rtol=rtol, atol=atol)(y0, times, c)


def simulate(params: Parameters | None = None, days: float | None = None) -> SimulationResult:
    """Run one parameter set over ``days`` (default 30) and compute its readouts.

    >>> lung = simulate(Parameters(), days=30).readouts.organs["lung"]
    >>> lung.niche_onset_day < lung.dtc_detect_day
    True
    """
    params = Parameters() if params is None else params
    span = DEFAULT_DAYS if days is None else validate_days(days)
    t, y = integrate(params, span)
    return SimulationResult.from_states(params, t, y)


def warm_up() -> None:
    """Compile, or load from numba's cache, everything one run calls, so that a web worker's
    first user does not wait for it: a short run, and the Jacobian, which LSODA asks for only
    on stiff stretches (a one-day run has none)."""
    params = Parameters()
    simulate(params, days=1.0)
    y0 = initial_state(params)
    jacobian_columns(y0, pack(params), np.broadcast_to(ATOL, y0.shape).astype(float))
