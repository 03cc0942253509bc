"""Benchmark the model's solver against a plain SciPy reference, in one run.

    python bench/bench_model.py [--repeat N] [--floor X]

What it measures (nothing is asserted; numbers depend on the machine):

* ours: ``model.simulate(Parameters(), 30)`` end to end (solve + frame + readouts) and
  ``model.solve.integrate`` alone, by its default ``method="auto"`` (the compiled explicit
  method for a short run, LSODA for a long one) and by each method: ``"dopri5"`` (Dormand–
  Prince, the whole run in compiled code) and ``"lsoda"`` (``scipy.integrate.odeint``, Fortran
  loop, with the numba-compiled right-hand side). A warm-up call comes first so numba
  compilation (or loading its on-disk cache) is excluded; its time is printed separately.
* reference: ``scipy.integrate.solve_ivp(method="LSODA")`` with the plain-Python right-hand side
  ``model.equations.rhs_interpreted`` over the same event segments, LSODA's ``rtol``/``atol``
  and ``t_eval`` on the same output grid.
* accuracy of both against a tight Radau solution (rtol 1e-10, atol 1e-12): the largest relative
  error over all grid points and states whose reference value exceeds ``--floor``.

The same three are measured for the 8,400-day breast-cancer scenario.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from model import Parameters, simulate  # noqa: E402
from model.equations import rhs_interpreted  # noqa: E402
from model.scenarios import SCENARIOS  # noqa: E402
from model.solve import (  # noqa: E402
    ATOL,
    EXPLICIT_RTOL,
    RTOL,
    day_grid,
    integrate,
    scipy_segment_solver,
)

REF_RTOL, REF_ATOL = 1e-10, 1e-12


def reference_lsoda(params: Parameters, days: float) -> np.ndarray:
    """solve_ivp(LSODA) + plain-Python right-hand side, same tolerances as ours."""
    solver = scipy_segment_solver("LSODA", rtol=RTOL, atol=ATOL, f=rhs_interpreted)
    return integrate(params, days, segment_solver=solver)[1]


def tight_radau(params: Parameters, days: float) -> np.ndarray:
    """The accuracy yardstick (numba right-hand side: same function, just faster)."""
    solver = scipy_segment_solver("Radau", rtol=REF_RTOL, atol=REF_ATOL)
    return integrate(params, days, segment_solver=solver)[1]


def max_rel_error(y: np.ndarray, ref: np.ndarray, floor: float) -> float:
    mask = np.abs(ref) > floor
    return float(np.max(np.abs(y[mask] - ref[mask]) / np.abs(ref[mask])))


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and min wall time in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples), min(samples)


def bench_case(label: str, params: Parameters, days: float, repeat: int, ref_repeat: int,
               floor: float) -> dict[str, float]:  # fmt: skip
    ours_sim = timings(lambda: simulate(params, days), repeat)
    ours_int = timings(lambda: integrate(params, days), repeat)
    explicit = timings(lambda: integrate(params, days, method="dopri5"), repeat)
    lsoda = timings(lambda: integrate(params, days, method="lsoda"), repeat)
    ref = timings(lambda: reference_lsoda(params, days), ref_repeat)
    start = time.perf_counter()
    yref = tight_radau(params, days)
    radau_ms = (time.perf_counter() - start) * 1e3
    err_ours = max_rel_error(integrate(params, days)[1], yref, floor)
    err_explicit = max_rel_error(integrate(params, days, method="dopri5")[1], yref, floor)
    err_lsoda = max_rel_error(integrate(params, days, method="lsoda")[1], yref, floor)
    err_ref = max_rel_error(reference_lsoda(params, days), yref, floor)

    print(
        f"\n{label}: {days:g} days, {day_grid(days).size} output points, rtol {RTOL:g} "
        f"(explicit {EXPLICIT_RTOL:g}), atol per state {ATOL.min():g}..{ATOL.max():g}"
    )
    print(f"{'method':58} {'median ms':>10} {'min ms':>9} {'max rel err':>12}")
    rows = (
        ("ours: simulate() end to end (integrate + readouts)", ours_sim, err_ours),
        ('ours: solve.integrate, method="auto" (the default)', ours_int, err_ours),
        ('ours: method="dopri5" (compiled Dormand-Prince)', explicit, err_explicit),
        ('ours: method="lsoda" (odeint/LSODA + numba RHS)', lsoda, err_lsoda),
        ("reference: solve_ivp(LSODA) + Python RHS (interpreted)", ref, err_ref),
    )
    for name, (med, low), err in rows:
        print(f"{name:58} {med:10.2f} {low:9.2f} {err:12.2e}")
    print(f"(tight Radau yardstick, rtol {REF_RTOL:g} atol {REF_ATOL:g}: {radau_ms:.0f} ms once; "
          f"errors over states > {floor:g})")  # fmt: skip
    ratio = ref[0] / ours_int[0]
    print(f"ours is {ratio:.1f}x faster than solve_ivp(LSODA, Python RHS) "
          f"(integrate vs reference, medians; mins: {ref[1] / ours_int[1]:.1f}x; "
          f"simulate() end to end, medians: {ref[0] / ours_sim[0]:.1f}x); "
          f'"auto" is {lsoda[0] / ours_int[0]:.2f}x as fast as "lsoda" alone')  # fmt: skip
    return {"ratio": ratio, "ours_ms": ours_int[0], "ref_ms": ref[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed repeats (default 30)")
    parser.add_argument("--floor", type=float, default=1e-3,
                        help="ignore reference values at or below this in the error (default "
                             "1e-3: cells, fractions and folds alike)")  # fmt: skip
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    start = time.perf_counter()
    simulate(Parameters(), 30)
    first = (time.perf_counter() - start) * 1e3
    print(f"first call (numba compile, or load from its on-disk cache): {first:.0f} ms")

    bench_case("LLC defaults", Parameters(), 30.0, repeat, repeat, args.floor)
    breast = SCENARIOS["breast-resection-dormancy"]
    bench_case(f"{breast.name}", breast.parameters(), breast.days, max(3, repeat // 4),
               max(1, repeat // 10), args.floor)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
