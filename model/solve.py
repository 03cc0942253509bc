"""Integrate the model: piecewise between events, on a regular day grid.

Events (therapy window edges, resection) split the time span into segments on which every
coefficient is constant. Resection is applied between segments as a jump in the tumor state,
never smoothed over. Two methods integrate the segments:

* the explicit one (``method="dopri5"``): adaptive Dormand–Prince 5(4), the whole run inside
  compiled code (``model.dopri``), at ``EXPLICIT_RTOL``. At the mouse time scale the model is
  only mildly stiff, so a few hundred cheap steps do a 30-day run ~6x faster than LSODA, about
  as accurately (it is the dashboard's hot path: one run per slider move);
* LSODA (``method="lsoda"``, ``scipy.integrate.odeint``, whose stepping loop runs in Fortran)
  with the numba-compiled right-hand side and a finite-difference Jacobian built in compiled
  code (``model.equations.jacobian_columns``), at ``RTOL``. It switches to BDF where the run is
  stiff: long human-time-scale runs, where an explicit method is bound by stability.

``method="auto"`` (the default, and what ``simulate`` uses) takes the explicit method for runs
of up to ``EXPLICIT_MAX_DAYS`` and hands a run to LSODA when it is longer or needs more than
``EXPLICIT_MAX_STEPS`` steps (a stiff parameter set): each method where it is the faster.

Tolerances: relative as above; ``ATOL`` absolute per state (cell and clone counts: 1e-9;
fractions and fold changes: 1e-12). The absolute tolerance on counts must be far below one:
expected clone numbers of 1e-3 are what a patient's relapse probability is made of.
``tests/model/test_solve.py`` checks both methods against a Radau reference at rtol 1e-10.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import odeint, solve_ivp

from model.dopri import integrate_member
from model.equations import (
    EPS_VLA4,
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
    "EXPLICIT_MAX_DAYS",
    "EXPLICIT_MAX_STEPS",
    "EXPLICIT_RTOL",
    "METHODS",
    "RTOL",
    "day_grid",
    "integrate",
    "kernel_inputs",
    "scipy_segment_solver",
    "simulate",
    "validate_days",
    "warm_up",
]

DEFAULT_DAYS = 30.0
#: LSODA's relative tolerance.
RTOL = 1e-7
ATOL = absolute_tolerances(cells=1e-9, other=1e-12)
#: The explicit method's relative tolerance. Measured against the Radau reference on the
#: 30-day scenarios: worst relative error 7e-7 to 1.6e-6 (LSODA at ``RTOL``: 7e-7 to 2.7e-6).
#: At 1e-8 (until 2026-12-03) it was 2e-7 to 6e-7, with 1.4x the steps on a 30-day run (324
#: against 235): the dashboard's answer to a slider move took 1.10x as long in the server.
EXPLICIT_RTOL = 1e-7
#: ``method="auto"`` runs the explicit method on runs up to this many days...
EXPLICIT_MAX_DAYS = 200.0
#: ...and hands a run that needs more steps than this to LSODA. Measured with the default
#: parameters (~3.5 µs a step, 2026-12-03): 30 days take ~235 steps (0.8 ms against LSODA's
#: 4.9 ms), 90 days ~600 (2.4 against 6.7 ms), 200 days ~1,270 (5.1 against 9.3 ms), 365 days
#: ~2,300 (6.4 against 8.1 ms): the explicit method is then bound by stability (fastest rate
#: ~20/day) and no longer gains.
EXPLICIT_MAX_STEPS = 1_500
#: The single-run methods (see the module's docstring).
METHODS = ("auto", "dopri5", "lsoda")
#: ``method="dopri5"`` asked for explicitly is never handed on; this only stops a runaway run.
_DOPRI5_MAX_STEPS = 10_000_000
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
    method: str = "auto",
    rtol: float | None = None,
    atol: np.ndarray | float | None = None,
    segment_solver: SegmentSolver | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """States on ``day_grid(days)``: returns ``(t, y)`` with ``y`` of shape (len(t), N_STATES).

    At an event day the grid shows the state just after the event (right-continuous).
    ``method``: one of ``METHODS`` (module docstring). ``rtol`` and ``atol`` replace the
    method's own tolerances (``EXPLICIT_RTOL`` or ``RTOL``, and ``ATOL``).
    ``"auto"`` hands a run on to LSODA if the explicit method needs more steps than it allows
    or leaves a non-finite state. ``segment_solver`` replaces both methods on every segment
    (e.g. ``scipy_segment_solver`` for a reference run); ``rtol``/``atol`` then belong to it.
    """
    if method not in METHODS:
        raise InvalidInput(f"method={shown(method)} is not one of {', '.join(METHODS)}")
    atol = ATOL if atol is None else atol
    t_grid = day_grid(days)
    explicit = method == "dopri5" or (method == "auto" and days <= EXPLICIT_MAX_DAYS)
    if segment_solver is None and explicit:
        max_steps = _DOPRI5_MAX_STEPS if method == "dopri5" else EXPLICIT_MAX_STEPS
        out = np.empty((t_grid.size, N_STATES))
        steps = _integrate_explicit(params, days, t_grid, EXPLICIT_RTOL if rtol is None else rtol,
                                    atol, max_steps, out)  # fmt: skip
        if steps >= 0 and np.all(np.isfinite(out)):
            return t_grid, out
        if method == "dopri5":
            problem = f"needed more than {max_steps} steps" if steps < 0 else "non-finite state"
            raise SimulationError(f"dopri5: {problem} for {params!r}")
        # "auto": LSODA gets the run, whole (stiff, or the explicit steps went astray).
    if segment_solver is None:
        lsoda_rtol = RTOL if rtol is None else rtol

        def segment_solver(y0: np.ndarray, times: np.ndarray, c: np.ndarray) -> np.ndarray:
            return _solve_segment(y0, times, c, lsoda_rtol, atol)

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
    return t_grid, _checked(out, params)


def _checked(out: np.ndarray, params: Parameters) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise SimulationError(f"non-finite state for {params!r}")
    return out


def kernel_inputs(
    params: Parameters, days: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """One run as the compiled explicit kernel takes it (``model.dopri.integrate_member``):
    ``(y0, c, edges, anti_vegfr1, resect, resect_keep)``, with one therapy efficacy and one
    resection flag per segment between consecutive ``edges``."""
    segments = _segments(params, days)
    c = pack(params)
    c[EPS_VLA4] = params["vla4_block_efficacy"]
    edges = np.array([seg.start for seg in segments] + [segments[-1].end])
    anti_vegfr1 = np.array([seg.anti_vegfr1 for seg in segments])
    resect_flags = np.array([seg.resect_at_start for seg in segments], dtype=np.bool_)
    keep = 1.0 - float(params["resection_fraction"])
    return initial_state(params), c, edges, anti_vegfr1, resect_flags, keep


def _integrate_explicit(
    params: Parameters,
    days: float,
    grid: np.ndarray,
    rtol: float,
    atol: np.ndarray | float,
    max_steps: int,
    out: np.ndarray,
) -> int:
    """The explicit method over the whole run into ``out``; steps taken, or -1 past
    ``max_steps``."""
    y0, c, edges, anti_vegfr1, resect_flags, keep = kernel_inputs(params, days)
    atol_vector = np.broadcast_to(np.asarray(atol, dtype=float), (N_STATES,)).copy()
    return integrate_member(y0, c, edges, edges.size, anti_vegfr1, resect_flags, keep, grid,
                            atol_vector, rtol, max_steps, _EVENT_EPS, out)  # fmt: skip


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
    """Run one parameter set over ``days`` (default 30) and compute its readouts
    (``integrate``'s ``method="auto"``).

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
    first user does not wait for it: a short run by each method, and the Jacobian, which LSODA
    asks for only on stiff stretches (a one-day run has none)."""
    params = Parameters()
    simulate(params, days=1.0)
    integrate(params, 1.0, method="lsoda")
    y0 = initial_state(params)
    jacobian_columns(y0, pack(params), np.broadcast_to(ATOL, y0.shape).astype(float))
