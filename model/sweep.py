"""Parameter sweeps on the batch solver: one parameter over its range, or a grid of two.

Sweep values are validated like any parameter value (inside the declared range, never clamped);
a grid is at most ``MAX_POINTS`` per axis and ``MAX_RUNS`` runs in all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.batch import integrate_batch
from model.errors import InvalidInput
from model.outcomes import evaluate, get_outcome
from model.parameters import Parameters, spec_for

__all__ = [
    "MAX_POINTS",
    "MAX_RUNS",
    "Sweep2D",
    "axis_values",
    "run_outcomes",
    "sweep_1d",
    "sweep_2d",
]

#: Called as ``progress(runs_done, runs_total)`` after each chunk of a sweep.
Progress = Callable[[int, int], None]
_CHUNK = 250

MAX_POINTS = 50
MAX_RUNS = MAX_POINTS * MAX_POINTS


def axis_values(
    name: str, n: int, low: float | None = None, high: float | None = None
) -> np.ndarray:
    """``n`` values of parameter ``name`` from ``low`` to ``high`` (default: its whole declared
    range), log-spaced for log-scale parameters. Refuses bounds outside the declared range."""
    spec = spec_for(name)
    if spec.optional:
        raise InvalidInput(f"{name} cannot be swept (it may be 'none')")
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_POINTS:
        raise InvalidInput(f"points={n!r} must be a whole number from 2 to {MAX_POINTS}")
    lo = spec.low if low is None else float(low)
    hi = spec.high if high is None else float(high)
    for bound in (lo, hi):
        if not spec.low <= bound <= spec.high:
            raise InvalidInput(
                f"sweep of {name} from {lo:g} to {hi:g} leaves its allowed range {spec.range_text}"
            )
    if not lo < hi:
        raise InvalidInput(f"sweep of {name}: the start {lo:g} must be below the end {hi:g}")
    values = np.geomspace(lo, hi, n) if spec.scale == "log" else np.linspace(lo, hi, n)
    values[0], values[-1] = lo, hi  # exactly the bounds asked for (no float drift past them)
    return values


def sweep_1d(
    base: Parameters,
    name: str,
    values: Sequence[float],
    outcomes: Sequence[str],
    days: float | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """One row per value of ``name`` (others from ``base``), one column per outcome."""
    for outcome in outcomes:
        get_outcome(outcome)
    if len(values) > MAX_RUNS:
        raise InvalidInput(f"{len(values)} runs requested; the limit is {MAX_RUNS}")
    members = [base.replace({name: float(v)}) for v in values]
    table = run_outcomes(members, outcomes, days, progress)
    return pd.DataFrame({name: np.asarray(values, dtype=float), **table})


def run_outcomes(
    members: list[Parameters],
    outcomes: Sequence[str],
    days: float | None,
    progress: Progress | None,
) -> dict[str, np.ndarray]:
    """Outcomes of every member, integrated in chunks so a caller can show progress."""
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, len(members), _CHUNK):
        chunk = members[start : start + _CHUNK]
        t, states, _ = integrate_batch(chunk, days)
        parts.append(evaluate(outcomes, t, states, chunk))
        if progress is not None:
            progress(start + len(chunk), len(members))
    return {name: np.concatenate([p[name] for p in parts]) for name in outcomes}


@dataclass(frozen=True)
class Sweep2D:
    x_name: str
    y_name: str
    outcome: str
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray  # shape (len(y), len(x)): rows follow y, as a heatmap draws them


def sweep_2d(
    base: Parameters,
    x_name: str,
    x_values: Sequence[float],
    y_name: str,
    y_values: Sequence[float],
    outcome: str,
    days: float | None = None,
    progress: Progress | None = None,
) -> Sweep2D:
    """``outcome`` on the grid of two parameters (others from ``base``)."""
    get_outcome(outcome)
    if x_name == y_name:
        raise InvalidInput("a 2-D sweep needs two different parameters")
    if len(x_values) > MAX_POINTS or len(y_values) > MAX_POINTS:
        raise InvalidInput(f"at most {MAX_POINTS} x {MAX_POINTS} grid points")
    members = [base.replace({x_name: float(x), y_name: float(y)})
               for y in y_values for x in x_values]  # fmt: skip
    z = run_outcomes(members, [outcome], days, progress)[outcome]
    z = z.reshape(len(y_values), len(x_values))
    return Sweep2D(x_name, y_name, outcome, np.asarray(x_values, float),
                   np.asarray(y_values, float), z)  # fmt: skip
