"""Batch solver against a loop of solve_ivp(LSODA, plain-Python right-hand side), same run.

    python bench/bench_batch.py [--members 1600] [--reference-members 8] [--days 30]

Members: every parameter drawn log-uniformly within a factor 1.5 of its default (clipped to its
declared range). The reference loop runs on a subset and is reported per simulation; the ratio
compares time per simulation. Accuracy of both is measured against Radau at rtol 1e-10 on a few
members (max relative error over states above 1e-3 of their maximum). Target (issue 4): at least
50x faster per simulation, within 1e-3 relative; a 50 x 50 heatmap under 2 s; a Sobol analysis
of 8 parameters with 1,024 base samples under 15 s. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import PARAMETER_SPECS, Parameters  # noqa: E402
from model.batch import integrate_batch  # noqa: E402
from model.equations import rhs_interpreted  # noqa: E402
from model.scenarios import SCENARIOS  # noqa: E402
from model.sensitivity import sobol_indices  # noqa: E402
from model.solve import ATOL, RTOL, integrate, scipy_segment_solver  # noqa: E402
from model.sweep import axis_values, sweep_2d  # noqa: E402


def default_range_sets(n: int, seed: int = 0) -> list[Parameters]:
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(n):
        values = {}
        for spec in PARAMETER_SPECS:
            if spec.default is None or spec.default == 0.0 or spec.unit == "day":
                continue
            value = spec.default * 1.5 ** rng.uniform(-1.0, 1.0)
            values[spec.name] = float(min(max(value, spec.low), spec.high))
        sets.append(Parameters(values))
    return sets


def max_rel_error(y: np.ndarray, ref: np.ndarray) -> float:
    floor = np.maximum(1e-3 * np.abs(ref).max(axis=0), 1e-6)
    significant = np.abs(ref) > floor
    return float((np.abs(y - ref)[significant] / np.abs(ref)[significant]).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1600)
    parser.add_argument("--reference-members", type=int, default=8)
    parser.add_argument("--days", type=float, default=30.0)
    args = parser.parse_args()

    sets = default_range_sets(args.members)
    start = time.perf_counter()
    integrate_batch(sets[:2], args.days)  # compile or load numba's cache: not measured
    print(f"first call (numba compile or cache load): {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    _, states, steps = integrate_batch(sets, args.days)
    batch_s = time.perf_counter() - start

    lsoda = scipy_segment_solver("LSODA", rtol=RTOL, atol=ATOL, f=rhs_interpreted)
    subset = sets[: args.reference_members]
    start = time.perf_counter()
    reference = [integrate(p, args.days, segment_solver=lsoda)[1] for p in subset]
    reference_s = time.perf_counter() - start

    radau = scipy_segment_solver("Radau", rtol=1e-10, atol=1e-12)
    checked = subset[:4]
    tight = [integrate(p, args.days, segment_solver=radau)[1] for p in checked]
    err_batch = max(max_rel_error(states[i], tight[i]) for i in range(len(checked)))
    err_ref = max(max_rel_error(reference[i], tight[i]) for i in range(len(checked)))

    per_batch = 1e3 * batch_s / len(sets)
    per_ref = 1e3 * reference_s / len(subset)
    print(f"{len(sets)} members, {args.days:g} days, explicit steps median {np.median(steps):.0f}"
          f", handed to LSODA: {int((steps < 0).sum())}")  # fmt: skip
    print(f"batch:     {batch_s:7.2f} s total, {per_batch:8.3f} ms per simulation, "
          f"max rel err {err_batch:.1e}")  # fmt: skip
    print(f"reference: {per_ref:8.1f} ms per simulation (loop of {len(subset)}), "
          f"max rel err {err_ref:.1e}")  # fmt: skip
    print(
        f"batch is {per_ref / per_batch:.0f}x faster per simulation than solve_ivp(LSODA, "
        "Python RHS)"
    )

    # The 2-D map: VEGFR1 signalling x dormancy exit rate, lung burden, kaplan2005-llc.
    base = SCENARIOS["kaplan2005-llc"].parameters()
    xs, ys = axis_values("vegfr1_signalling", 50), axis_values("dormancy_exit_rate", 50)
    start = time.perf_counter()
    sweep_2d(base, "vegfr1_signalling", xs, "dormancy_exit_rate", ys, "burden.lung")
    seconds = time.perf_counter() - start
    print(
        f"50 x 50 heatmap end to end (validation, batch, outcome): {seconds:.2f} s (target < 2 s)"
    )

    # Sobol analysis of 8 parameters with 1,024 base samples (10,240 runs), lung burden.
    names = [
        "vegfr1_signalling", "homing_rate", "niche_survival_gain", "met_growth_rate",
        "dormancy_exit_rate", "tropism.lung", "shedding_rate", "niche_decay_rate",
    ]  # fmt: skip
    start = time.perf_counter()
    table = sobol_indices(base, names, "burden.lung", n_base=1024)
    seconds = time.perf_counter() - start
    top = ", ".join(table["parameter"][:3])
    print(
        f"Sobol, 8 parameters x 1,024 base samples ({table.attrs['runs']} runs): "
        f"{seconds:.2f} s (target < 15 s); largest total effects: {top}"
    )


if __name__ == "__main__":
    main()
