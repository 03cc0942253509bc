"""Global sensitivity analysis: Sobol indices with SALib on top of the batch solver.

Parameters are varied over (part of) their declared ranges, in log10 space for log-scale
parameters, around a base parameter set (every other parameter stays at the base). SALib's
Saltelli/Sobol' sampling without second-order terms needs N (D + 2) runs for D parameters and
N base samples. A day outcome that never happens inside the run (NaN) is counted as the last
day of the run, so "later than the run" ranks with "late" (stated in the result).

A cell-count outcome (a burden) can span orders of magnitude across the ranges; its variance is
then dominated by the few largest runs, and the indices converge slowly (ST estimates above 1
at small samples). ``scale="log10"`` analyses log10(1 + cells) instead: which parameters move
the *order of magnitude* of the burden, a different question with much tighter intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from model.errors import InvalidInput
from model.outcomes import get_outcome
from model.parameters import Parameters, spec_for
from model.solve import DEFAULT_DAYS, validate_days
from model.sweep import Progress, run_outcomes

__all__ = ["LOG_UNITS", "MAX_SOBOL_RUNS", "SCALES", "sobol_indices", "sobol_runs"]

#: The issue's reference case, 8 parameters x 1,024 base samples, needs 10,240 runs.
MAX_SOBOL_RUNS = 20_480
SCALES = ("linear", "log10")
#: Outcome units the log10 scale applies to (counts, zero included: log10(1 + cells)).
LOG_UNITS = ("cells",)


def sobol_runs(n_parameters: int, n_base: int) -> int:
    """Runs a first- and total-order Sobol analysis needs."""
    return n_base * (n_parameters + 2)


def _problem(names: Sequence[str]) -> tuple[dict, list[bool]]:
    if len(names) < 2:
        raise InvalidInput("choose at least two parameters for a sensitivity analysis")
    if len(set(names)) != len(names):
        raise InvalidInput("each parameter may appear only once")
    bounds, logs = [], []
    for name in names:
        spec = spec_for(name)
        if spec.optional:
            raise InvalidInput(f"{name} cannot be varied (it may be 'none')")
        log = spec.scale == "log"
        bounds.append([np.log10(spec.low), np.log10(spec.high)] if log else [spec.low, spec.high])
        logs.append(log)
    return {"num_vars": len(names), "names": list(names), "bounds": bounds}, logs


def sobol_indices(
    base: Parameters,
    names: Sequence[str],
    outcome: str,
    *,
    n_base: int = 1024,
    days: float | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    budget: int = MAX_SOBOL_RUNS,
    scale: str = "linear",
) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of ``outcome`` (or of log10(1 + outcome)
    with ``scale="log10"``, cell counts only) with 95% confidence half-widths, one row per
    parameter, sorted by ST (largest first)."""
    unit = get_outcome(outcome).unit
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"seed={seed!r} must be a whole number of at least 0")
    if scale not in SCALES:
        raise InvalidInput(f"scale={scale!r} must be one of: {', '.join(SCALES)}")
    if scale == "log10" and unit not in LOG_UNITS:
        raise InvalidInput(f"the log10 scale is for cell counts; {outcome} is in {unit}")
    problem, logs = _problem(names)
    if isinstance(n_base, bool) or not isinstance(n_base, int) or n_base < 8:
        raise InvalidInput(f"base samples={n_base!r} must be a whole number of at least 8")
    if n_base & (n_base - 1):
        raise InvalidInput(f"base samples={n_base} must be a power of two (Sobol' sequence)")
    runs = sobol_runs(len(names), n_base)
    if runs > budget:
        raise InvalidInput(f"{runs} runs requested; the limit is {budget}")
    span = DEFAULT_DAYS if days is None else validate_days(days)
    samples = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    values = np.where(logs, 10.0**samples, samples)
    members = [base.replace(dict(zip(names, row, strict=True))) for row in values]
    y = run_outcomes(members, [outcome], span, progress)[outcome]
    censored = int(np.isnan(y).sum())
    y = np.where(np.isnan(y), span, y)
    if scale == "log10":
        y = np.log10(1.0 + np.maximum(y, 0.0))
    # SALib's analyze ignores a falsy seed (0) and draws its bootstrap from the global random
    # state: offset by one so that every seed gives reproducible confidence intervals.
    result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed + 1)
    table = pd.DataFrame(
        {
            "parameter": list(names),
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    ).sort_values("ST", ascending=False, ignore_index=True)
    table.attrs.update(outcome=outcome, runs=runs, censored=censored, days=span, scale=scale)
    return table
