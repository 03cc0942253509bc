"""Knife edges: does a 10 % change of one parameter move a burden or probability by orders of
magnitude? Every scenario, every parameter, both directions.

    python bench/knife_edges.py [--top 3] [--scenario NAME ...] [--jitter N [--seed 0]]

For each scenario and each parameter (optional ones where the scenario sets a value, e.g. the
breast scenario's resection day) the scenario's value is multiplied by 1.1 and by 0.9; a
direction that leaves the declared range is dropped. Shares removed or blocked (resection,
therapy efficacies) step their residue instead (see ``RESIDUE_PARAMETERS``). A value of exactly
0 is stepped up by one slider notch, 1 % of the range width; for day-valued parameters the
width is capped at the scenario's span (1 % of a century would move a therapy start far into a
30-day run). All runs of one
scenario go through the batch solver at once; long runs, where the explicit method is
stability-bound, go straight to its LSODA path.

Compared with the scenario's own run: the final burden of every organ (``|log10 ratio|``, pairs
with both burdens below 1 cell ignored) and the metastasis probability of every organ and of any
organ, and the relapse probability where the scenario resects (ratio and absolute change, pairs
with both probabilities below 1e-3 ignored). A ratio of 10 or more is a knife edge: the issue
asks for none ("clone founding and outgrowth smooth in every parameter"). Printed, never
asserted; ``tests/model/test_smoothness.py`` asserts the same definitions.

``--jitter N`` repeats the whole check around N random base points per scenario: every nonzero
value of the scenario multiplied by ``1.5 ** u``, u uniform in [-1, 1] (clipped to its range;
zeros stay 0, so a therapy or mechanism that is off stays off). It prints which scenario,
parameter and outcome knife edges turn up there, how often, and the largest one of each.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # run as a script; the tests import it with the root on the path
    sys.path.insert(0, _ROOT)

from model import ORGANS, PARAMETER_SPECS, Parameters  # noqa: E402
from model.batch import integrate_batch  # noqa: E402
from model.errors import InvalidInput  # noqa: E402
from model.outcomes import evaluate  # noqa: E402
from model.parameters import ParameterSpec  # noqa: E402
from model.scenarios import SCENARIOS, Scenario  # noqa: E402

#: Relative step of a parameter.
STEP = 0.1
#: A change by this factor or more is a knife edge.
KNIFE_EDGE_RATIO = 10.0
#: Burdens (cells) and probabilities below these floors on both sides of a step are not compared.
BURDEN_FLOOR = 1.0
PROBABILITY_FLOOR = 1e-3
#: Random base points lie within this factor of the scenario's values (``--jitter``).
JITTER = 1.5
#: Runs longer than this (days) skip the explicit batch method (tens of thousands of steps
#: each) for its LSODA path, which is several times faster there.
EXPLICIT_MAX_DAYS = 365.0

BURDENS = tuple(f"burden.{organ}" for organ in ORGANS)
PROBABILITIES = (
    *(f"metastasis_probability.{organ}" for organ in ORGANS),
    "metastasis_probability",
    "relapse_probability",
)
OUTCOME_NAMES = (*BURDENS, *PROBABILITIES)


def stepped_specs(scenario: Scenario) -> list[ParameterSpec]:
    """The parameters to step: every non-optional one, and optional ones the scenario sets."""
    params = scenario.parameters()
    return [s for s in PARAMETER_SPECS if not s.optional or params[s.name] is not None]


def zero_step_width(spec: ParameterSpec, days: float) -> float:
    """The width whose share replaces a relative step when the value is exactly 0."""
    width = spec.high - spec.low
    return min(width, days) if spec.unit == "day" else width


#: Shares *removed or blocked*: a 10 % step applies to what is left, the residue (the cells a
#: resection leaves behind, the activity a blockade lets through). Stepping a complete
#: resection (1) to 0.9 would leave 1e8 cells of a 1 cm³ tumor, an R2 resection, and stepping a
#: 90 % VLA-4 blockade to 81 % lets twice as much homing through: different situations, not
#: nearby ones. A complete resection is compared with a sub-cell residue instead
#: (``SUB_CELL_RESIDUE`` of the tumor, 1e-3 cells of 1e9: one patient in a thousand keeps a
#: cell), the residue that once regrew into certain relapse; a complete blockade likewise.
RESIDUE_PARAMETERS = frozenset(
    {"resection_fraction", "anti_vegfr1_efficacy", "vla4_block_efficacy"}
)
SUB_CELL_RESIDUE = 1e-12
#: A value of exactly 0 has no relative neighbour: it moves by one notch of the dashboard's
#: slider, 1 % of the range (of the run's span for days), the smallest step a user can make.
ZERO_STEP = 0.01


def stepped_value(spec: ParameterSpec, value: float, factor: float, days: float) -> float | None:
    """``value`` changed by ``factor`` (e.g. 1.1 or 0.9), or None if that leaves the range.

    A value of 0 moves up by ``|factor - 1|`` of ``zero_step_width`` instead; a share removed
    (``RESIDUE_PARAMETERS``) steps its residue ``1 - value`` (from none to a sub-cell residue)."""
    if spec.name in RESIDUE_PARAMETERS and value > 0.0:
        residue = 1.0 - value
        new = 1.0 - (SUB_CELL_RESIDUE if residue == 0.0 else residue * factor)
    elif value == 0.0:
        new = ZERO_STEP * zero_step_width(spec, days)
    else:
        new = value * factor
    return new if spec.low <= new <= spec.high else None


def steps(scenario: Scenario, base: Parameters | None = None) -> list[tuple[str, float, float]]:
    """``(parameter, before, after)`` for every valid +-10 % step of the scenario's values (or of
    those of ``base``, a point near them)."""
    base = scenario.parameters() if base is None else base
    out = []
    for spec in stepped_specs(scenario):
        value = float(base[spec.name])
        factors = (1.0 + STEP,) if value == 0.0 else (1.0 + STEP, 1.0 - STEP)
        for factor in factors:
            new = stepped_value(spec, value, factor, scenario.days)
            if new is None or new == value:
                continue
            try:
                base.replace({spec.name: new})  # e.g. a therapy end before its start
            except InvalidInput:
                continue
            out.append((spec.name, value, new))
    return out


def jittered_value(spec: ParameterSpec, value: float | None, exponent: float) -> float | None:
    """``value * JITTER ** exponent`` clipped to the declared range; 0 and None stay as they are."""
    if not value:
        return value
    return float(min(max(value * JITTER**exponent, spec.low), spec.high))


def jittered(scenario: Scenario, seed: int) -> Parameters:
    """Random base point number ``seed``: within a factor ``JITTER`` of the scenario's values."""
    rng = np.random.default_rng(seed)
    base = scenario.parameters()
    values = {
        s.name: jittered_value(s, base[s.name], rng.uniform(-1.0, 1.0)) for s in PARAMETER_SPECS
    }
    return base.replace(values)


def outcomes(param_sets: Sequence[Parameters], days: float) -> list[dict[str, float]]:
    """``OUTCOME_NAMES`` of every member, one batch (its LSODA path for long runs)."""
    max_steps = 0 if days > EXPLICIT_MAX_DAYS else 20_000
    t, states, _ = integrate_batch(param_sets, days, max_steps=max_steps)
    values = evaluate(OUTCOME_NAMES, t, states, param_sets)
    return [{k: float(v[m]) for k, v in values.items()} for m in range(len(param_sets))]


@dataclass(frozen=True)
class Change:
    """One outcome before and after one parameter step."""

    scenario: str
    parameter: str
    value_before: float
    value_after: float
    outcome: str
    before: float
    after: float
    base: int | None = None  # seed of the random base point (``jittered``), None: the scenario

    @property
    def is_burden(self) -> bool:
        return self.outcome.startswith("burden.")

    @property
    def compared(self) -> bool:
        """False where both sides sit below the floor (or the outcome is undefined)."""
        if math.isnan(self.before) or math.isnan(self.after):
            return False
        floor = BURDEN_FLOOR if self.is_burden else PROBABILITY_FLOOR
        return max(self.before, self.after) >= floor

    @property
    def ratio(self) -> float:
        """Larger over smaller value (>= 1; inf if one of them is 0)."""
        low, high = sorted((self.before, self.after))
        return high / low if low > 0.0 else math.inf

    @property
    def decades(self) -> float:
        """``|log10(after / before)|``."""
        return math.log10(self.ratio)

    @property
    def absolute(self) -> float:
        return abs(self.after - self.before)

    @property
    def is_knife_edge(self) -> bool:
        return self.compared and self.ratio >= KNIFE_EDGE_RATIO

    def describe(self) -> str:
        near = "" if self.base is None else f" (base point {self.base})"
        step = f"{self.parameter} {self.value_before:.4g} -> {self.value_after:.4g}"
        return (
            f"{self.scenario}{near}: {step}"
            f" moves {self.outcome} {self.before:.4g} -> {self.after:.4g} (x{self.ratio:.3g})"
        )


def compare(
    scenario: str,
    parameter: str,
    value_before: float,
    value_after: float,
    before: Mapping[str, float],
    after: Mapping[str, float],
    base: int | None = None,
) -> list[Change]:
    """Every compared outcome of one step (``before``/``after``: outcome name -> value)."""
    changes = [
        Change(
            scenario, parameter, value_before, value_after, name, before[name], after[name], base
        )
        for name in OUTCOME_NAMES
    ]
    return [c for c in changes if c.compared]


def scenario_changes(name: str, seeds: Sequence[int] = ()) -> tuple[list[Change], int]:
    """Every compared outcome change of every step in scenario ``name`` and the number of runs
    made (one batch): around the scenario's values, or around the random base points ``seeds``
    (see ``jittered``); a change's ``base`` is the seed of its base point, or None."""
    scenario = SCENARIOS[name]
    bases = (
        [(None, scenario.parameters())]
        if not seeds
        else [(k, jittered(scenario, k)) for k in seeds]
    )
    sets: list[Parameters] = []
    plan = []  # (seed, index of the base run, parameter, before, after, index of the stepped run)
    for seed, base in bases:
        origin = len(sets)
        sets.append(base)
        for parameter, before, after in steps(scenario, base):
            plan.append((seed, origin, parameter, before, after, len(sets)))
            sets.append(base.replace({parameter: after}))
    row = outcomes(sets, scenario.days)
    changes = [
        change
        for seed, origin, parameter, before, after, m in plan
        for change in compare(name, parameter, before, after, row[origin], row[m], seed)
    ]
    return changes, len(sets)


def _worst(changes: Sequence[Change], key, top: int) -> list[Change]:
    return sorted(changes, key=key, reverse=True)[:top]


def _line(c: Change) -> str:
    step = f"{c.parameter} {c.value_before:.4g} -> {c.value_after:.4g}"
    moved = f"{c.before:.3g} -> {c.after:.3g}"
    extra = f"x{c.ratio:.3g}" if c.is_burden else f"x{c.ratio:.3g}, |d| {c.absolute:.3g}"
    flag = "  KNIFE EDGE" if c.is_knife_edge else ""
    return f"    {step:<52} {moved:<22} {extra}{flag}"


def report(name: str, changes: Sequence[Change], runs: int, seconds: float, top: int) -> None:
    scenario = SCENARIOS[name]
    print(f"\n== {name} ({scenario.days:g} days, {runs} runs, {seconds:.2f} s) ==")
    print(f"  burden, worst |log10 ratio| per organ (both < {BURDEN_FLOOR:g} cell left out)")
    for outcome in BURDENS:
        of = [c for c in changes if c.outcome == outcome]
        print(f"  {outcome}" + ("" if of else ": below 1 cell throughout"))
        for c in _worst(of, lambda c: c.decades, top):
            print(_line(c))
    print(f"  probabilities, worst ratio (both < {PROBABILITY_FLOOR:g} left out)")
    for outcome in PROBABILITIES:
        of = [c for c in changes if c.outcome == outcome]
        if not of:
            print(f"  {outcome}: below {PROBABILITY_FLOOR:g} throughout or undefined")
            continue
        print(f"  {outcome}")
        for c in _worst(of, lambda c: c.decades, top):
            print(_line(c))
    print("  probabilities, worst absolute change")
    for c in _worst([c for c in changes if not c.is_burden], lambda c: c.absolute, top):
        print(f"  {c.outcome}\n{_line(c)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=3, help="worst steps shown per outcome")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    parser.add_argument("--jitter", type=int, default=0, help="random base points per scenario")
    parser.add_argument("--seed", type=int, default=0, help="of the random base points")
    args = parser.parse_args()
    names = args.scenario or list(SCENARIOS)

    start = time.perf_counter()
    integrate_batch([Parameters()], 1.0)  # compile or load numba's cache: not measured
    print(f"first call (numba compile or cache load): {time.perf_counter() - start:.2f} s")

    everything: list[Change] = []
    total_runs = 0
    start = time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        changes, runs = scenario_changes(name)
        report(name, changes, runs, time.perf_counter() - t0, args.top)
        everything += changes
        total_runs += runs
    seconds = time.perf_counter() - start

    edges = [c for c in everything if c.is_knife_edge]
    print(f"\n== worst 10 of all ({len(names)} scenarios) by |log10 ratio| ==")
    for c in _worst(everything, lambda c: c.decades, 10):
        print(f"  {c.outcome}\n{_line(c)}".replace("    ", f"    {c.scenario}: ", 1))
    pairs = sorted({(c.scenario, c.parameter) for c in edges})
    print(
        f"\n{total_runs} runs, {len(everything)} outcome comparisons, {len(edges)} knife edges "
        f"(x{KNIFE_EDGE_RATIO:g} or more) in {len(pairs)} scenario/parameter pairs; "
        f"{seconds:.1f} s"
    )
    for scenario, parameter in pairs:
        print(f"  {scenario}: {parameter}")
    if args.jitter:
        jitter_report(names, args.jitter, args.seed)


def jitter_report(names: Sequence[str], n: int, seed: int) -> None:
    start = time.perf_counter()
    found: dict[tuple[str, str, str], list[Change]] = {}
    steps_made = 0
    edged: set[tuple[str, int | None, str, float]] = set()
    for name in names:
        changes, runs = scenario_changes(name, range(seed, seed + n))
        steps_made += runs - n
        for c in changes:
            if c.is_knife_edge:
                edged.add((c.scenario, c.base, c.parameter, c.value_after))
            if c.is_knife_edge:
                found.setdefault((c.scenario, c.parameter, c.outcome.split(".")[0]), []).append(c)
    seconds = time.perf_counter() - start
    print(
        f"\n== around random base points {seed}..{seed + n - 1} of every scenario (within "
        f"x{JITTER:g}): {len(edged)} of {steps_made} steps are knife edges; {seconds:.1f} s =="
    )
    if not found:
        print("  no knife edges")
    print("  count  largest")
    for changes in sorted(found.values(), key=len, reverse=True):
        worst = max(changes, key=lambda c: c.decades)
        print(f"  {len(changes):5d}  {worst.describe()}")


if __name__ == "__main__":
    main()
