"""Many parameter sets at once: the explicit solver's compiled kernel (``model.dopri``,
adaptive Dormand–Prince 5(4)), one batch member per thread (``prange``), with the same events
as the single-run solver.

Why this design (measured, see bench/bench_batch.py): at the mouse time scale the model is only
mildly stiff (fastest rate: CTC clearance, 20/day by default), so an explicit 5th-order method
with error control takes a few hundred cheap steps, all inside compiled code, and members run in
parallel. LSODA cannot be called from compiled code, and its Python callback costs more than
the arithmetic. For long human-time-scale runs the explicit method is stability-bound (tens of
thousands of steps): a member that exceeds ``max_steps`` is solved again by the single-run LSODA
path, so every member gets an answer of the documented accuracy.

Events: each member's segments come from ``model.solve.kernel_inputs`` (the same cuts, the
same snapping onto the grid as a single run).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numba
import numpy as np
from numba import njit, prange
from numba.core.compiler_lock import global_compiler_lock

from model.dopri import integrate_member
from model.equations import N_COEFFS
from model.errors import InvalidInput
from model.parameters import Parameters
from model.result import SimulationResult
from model.solve import (
    _EVENT_EPS,
    ATOL,
    DEFAULT_DAYS,
    day_grid,
    integrate,
    kernel_inputs,
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


def _fork_outside_compilation() -> None:
    """Fork only while no thread compiles (or loads from numba's cache).

    numba compiles under one process-wide lock. A process forked while another of its threads
    held it (a web server's thread forking a sweep's job process while a second thread loads a
    kernel) starts with that lock held by a thread it does not have, and its first compile
    waits for ever: the job hung without a word until its slot expired (CI saw it as a
    Sensitivity test timing out). So the forking thread takes the lock first (waiting out a
    compile under way) and both sides release it; the child's only thread is the one that
    took it, so the child may release it."""
    os.register_at_fork(
        before=global_compiler_lock.acquire,
        after_in_parent=global_compiler_lock.release,
        after_in_child=global_compiler_lock.release,
    )


_fork_outside_compilation()

__all__ = ["BATCH_RTOL", "integrate_batch", "simulate_batch"]

#: Relative tolerance of the explicit solver; with ``ATOL`` it keeps every state within 1e-3
#: relative of the tight reference on the day grid (tests/model/test_batch.py).
BATCH_RTOL = 1e-6
_MAX_SEGMENTS = 4  # cuts: therapy start and end, resection
_DEFAULT_MAX_STEPS = 20_000


@njit(cache=True, parallel=True, nogil=True)  # other threads (a job heartbeat) run meanwhile
def _integrate_all(y0s, cs, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, atol, rtol,
                   max_steps, eps, out, steps):  # fmt: skip
    for m in prange(y0s.shape[0]):
        steps[m] = integrate_member(
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
        y0s[m], cs[m], member_edges, member_v1, member_resect, resect_keep[m] = kernel_inputs(
            params, span
        )
        n_edges[m] = member_edges.size
        edges[m, : member_edges.size] = member_edges
        anti_vegfr1[m, : member_v1.size] = member_v1
        resect[m, : member_resect.size] = member_resect
    out = np.zeros((n, grid.size, N_STATES))
    steps = np.zeros(n, dtype=np.int64)
    _integrate_all(y0s, cs, edges, n_edges, anti_vegfr1, resect, resect_keep, grid, ATOL, rtol,
                   max_steps, _EVENT_EPS, out, steps)  # fmt: skip
    for m in np.flatnonzero(steps < 0):
        out[m] = integrate(members[int(m)], span, method="lsoda")[1]
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
