"""The flows between compartments at any day of a run: what the schematic's arrows show.

Every term of the right-hand side (``model.equations.rhs_into`` and ``_organ``) is assigned
to one flow with a source and a target compartment, so that for every compartment

    d(state)/dt = sum of the flows into it - sum of the drains of the flows out of it.

``tests/model/test_flows.py`` checks this identity against ``rhs`` on several scenarios and
days: an arrow can never show something the model does not do.

A flow has a ``value``: the rate at which its target gains (in the target's unit per day), or,
for a loss (no target), the rate at which its source loses. Most flows move cells, so what the
source loses is what the target gains. Three kinds do not: a *signal* raises its target without
draining its source (the tumor secretes factor and sheds cells without shrinking in the
model); HPC mobilisation and homing cross between pools counted in different units (fold of the
healthy marrow pool, fold of the healthy blood level, niche units), so their ``drain`` (what the
source loses, in the source's unit) differs from their ``value``. Compartments are the model's
states (``model.states``) except the seed-only replay, which is a counterfactual, not a place.

Flows are described once, in ``FLOW_TEMPLATES`` (``<organ>`` stands for each organ);
``flow_specs`` expands them, ``flows_markdown`` prints the table of compartments and flows.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from model.equations import (
    ARREST,
    CHI,
    CTC_CLEAR,
    D_DORM,
    D_FIB,
    D_NICHE,
    EPS_V1,
    EPS_VLA4,
    G_BARE,
    H_CLEAR,
    HILL,
    HOME_LOSS,
    K_FIB,
    K_HOME,
    K_IN,
    K_MOB,
    K_ORGAN,
    K_OUT,
    K_T,
    MYELOID,
    P_EST,
    Q_PROLIF,
    R_MARROW,
    R_MET,
    R_T,
    S_CLEAR,
    SHED,
    SURV0,
    SURV_GAIN,
    T_REF,
    TROPISM,
    VEGFR1,
    W_NICHE,
    W_SOIL,
    WAKE,
    pack,
    permissiveness,
    set_therapy,
    survival_in_niche,
)
from model.errors import InvalidInput, shown
from model.organs import ORGANS
from model.parameters import Parameters
from model.result import SimulationResult
from model.solve import _EVENT_EPS, _segments
from model.states import N_ORGANS, ORGAN_STATES, STATE_COLUMNS, SYSTEMIC_STATES, column_of

__all__ = [
    "COMPARTMENTS",
    "FLOW_KINDS",
    "FLOW_TEMPLATES",
    "Compartment",
    "FlowSpec",
    "Flows",
    "balance",
    "compartment_units",
    "flow_specs",
    "flows_at",
    "flows_markdown",
]

#: The unit of each state as a reader says it (``model.states`` says cells/clones/dimensionless).
_UNITS: dict[str, str] = {
    "tumor": "cells",
    "factor": "factor units",
    "marrow_hpc": "fold of healthy marrow",
    "circulating_hpc": "fold of healthy blood level",
    "ctc": "cells",
    "fibronectin": "fraction",
    "niche": "niche units",
    "solitary": "cells",
    "proliferating": "cells",
    "quiescent": "cells",
    "clones": "clones",
}
#: Organ blocks that are places in the body (the ``*_seed_only`` blocks are a counterfactual).
_ORGAN_BLOCKS = tuple(s for s in ORGAN_STATES if not s.name.endswith("_seed_only"))


@dataclass(frozen=True)
class Compartment:
    """A state of the model as the schematic names it: column ``lung.solitary``."""

    name: str
    unit: str
    meaning: str
    organ: str | None = None


COMPARTMENTS: tuple[Compartment, ...] = (
    *(Compartment(s.name, _UNITS[s.name], s.meaning) for s in SYSTEMIC_STATES),
    *(
        Compartment(column_of(s.name, o), _UNITS[s.name], s.meaning, o)
        for o in ORGANS
        for s in _ORGAN_BLOCKS
    ),
)


def compartment_units() -> dict[str, str]:
    """Unit of every compartment, by name."""
    return {c.name: c.unit for c in COMPARTMENTS}


#: Kinds of flow (the schematic's colour legend): key -> what it is.
FLOW_KINDS: dict[str, str] = {
    "signal": "tumor factor: secreted, mobilises marrow HPCs, primes the soil (drains nothing)",
    "hpc": "VEGFR1+ HPCs: mobilised from the marrow, homing into primed soil",
    "myeloid": "VEGFR1-independent myeloid recruits homing into primed soil",
    "seed": "tumor cells: shed into the blood, arrested and surviving in organs",
    "wake": "dormant cells waking to proliferate",
    "dormancy": "proliferating cells falling back into dormancy",
    "growth": "growth (cell division; marrow and tumor supply)",
    "loss": "death, clearance and decay",
}


@dataclass(frozen=True)
class FlowSpec:
    """One flow. ``source``/``target`` are compartment names (None: outside the model).

    ``value`` is in ``unit`` (the target's unit per day; the source's for a loss). ``drain``
    says what the source loses: ``"value"`` (the same), ``"own"`` (its own rate in
    ``drain_unit``, for HPC pools counted in different units) or ``None`` (a signal).
    """

    name: str
    kind: str
    source: str | None
    target: str | None
    unit: str
    meaning: str
    drain: str | None = "value"
    drain_unit: str | None = None
    organ: str | None = None


def _per_day(unit: str) -> str:
    return f"{unit}/day"


def _spec(name, kind, source, target, meaning, drain="value", organ=None) -> FlowSpec:
    units = compartment_units()
    unit = _per_day(units[target] if target else units[source])
    drain_unit = _per_day(units[source]) if drain == "own" else None
    return FlowSpec(name, kind, source, target, unit, meaning, drain, drain_unit, organ)


#: (name, kind, source, target, meaning, drain): ``<organ>`` is replaced by each organ.
FLOW_TEMPLATES: tuple[tuple[str, str, str | None, str | None, str, str | None], ...] = (
    ("tumor.growth", "growth", None, "tumor", "Gompertz growth of the primary", "value"),
    ("tumor.shrinkage", "loss", "tumor", None, "Gompertz decline above capacity", "value"),
    ("tumor.secretion", "signal", "tumor", "factor", "VEGF-A/PlGF-like factor secreted", None),
    ("factor.clearance", "loss", "factor", None, "clearance of the tumor factor", "value"),
    ("marrow.supply", "growth", None, "marrow_hpc",
     "basal HPC production and replenishment toward the set point", "value"),
    ("marrow.depletion", "loss", "marrow_hpc", None,
     "replenishment below zero (a marrow above its set point)", "value"),
    ("marrow.mobilisation_basal", "hpc", "marrow_hpc", "circulating_hpc",
     "basal egress of VEGFR1+ HPCs into the blood", "own"),
    ("marrow.mobilisation_vegfr1", "hpc", "marrow_hpc", "circulating_hpc",
     "extra egress driven by tumor factor through VEGFR1 (blocked by anti-VEGFR1)", "own"),
    ("hpc.clearance", "loss", "circulating_hpc", None, "clearance of circulating HPCs", "value"),
    ("hpc.homing.<organ>", "hpc", "circulating_hpc", "<organ>.niche",
     "VEGFR1+ HPCs homing (VLA-4) onto the primed soil, building niche clusters", "own"),
    ("myeloid.homing.<organ>", "myeloid", None, "<organ>.niche",
     "VEGFR1-independent myeloid recruits building niche clusters", "value"),
    ("factor.priming.<organ>", "signal", "factor", "<organ>.fibronectin",
     "tumor factor priming the soil (fibronectin), by the organ's tropism", None),
    ("fibronectin.decay.<organ>", "loss", "<organ>.fibronectin", None,
     "decay of the fibronectin priming", "value"),
    ("niche.decay.<organ>", "loss", "<organ>.niche", None, "loss of niche clusters", "value"),
    ("tumor.shedding", "seed", "tumor", "ctc", "tumor cells shed into the blood (CTCs)", None),
    ("ctc.blood_death", "loss", "ctc", None,
     "cleared CTCs that arrest in no organ (die in the blood)", "value"),
    ("ctc.settle.<organ>", "seed", "ctc", "<organ>.solitary",
     "CTCs arrested in the organ that survive and sit as solitary dormant cells", "value"),
    ("ctc.found.<organ>", "seed", "ctc", "<organ>.proliferating",
     "arrested CTCs that survive, proliferate at once and found a clone (niche only)", "value"),
    ("ctc.arrival_death.<organ>", "loss", "ctc", None,
     "arrested CTCs that die on arrival, or proliferate but found no clone", "value"),
    ("solitary.wake.<organ>", "wake", "<organ>.solitary", "<organ>.proliferating",
     "solitary dormant cells that wake and found a clone", "value"),
    ("solitary.wake_death.<organ>", "loss", "<organ>.solitary", None,
     "solitary cells that wake but found no clone", "value"),
    ("solitary.death.<organ>", "loss", "<organ>.solitary", None,
     "death of solitary dormant cells", "value"),
    ("proliferating.dormancy.<organ>", "dormancy", "<organ>.proliferating",
     "<organ>.quiescent", "clone cells falling back into dormancy", "value"),
    ("quiescent.wake.<organ>", "wake", "<organ>.quiescent", "<organ>.proliferating",
     "quiescent clone cells waking (they rejoin their clone)", "value"),
    ("quiescent.death.<organ>", "loss", "<organ>.quiescent", None,
     "death of quiescent clone cells", "value"),
    ("proliferating.growth.<organ>", "growth", None, "<organ>.proliferating",
     "logistic growth of the clones (faster in a niche)", "value"),
    ("proliferating.crowding.<organ>", "loss", "<organ>.proliferating", None,
     "logistic decline of clones above the organ's capacity", "value"),
    ("clones.founding.<organ>", "seed", None, "<organ>.clones",
     "independent clones founded by blood-borne cells", "value"),
)  # fmt: skip


@functools.cache
def flow_specs() -> tuple[FlowSpec, ...]:
    """Every flow, organ templates expanded in ``ORGANS`` order."""
    specs: list[FlowSpec] = []
    for name, kind, source, target, meaning, drain in FLOW_TEMPLATES:
        organs = ORGANS if "<organ>" in name else (None,)
        for organ in organs:

            def fill(text: str | None, o: str | None = organ) -> str | None:
                return text.replace("<organ>", o) if text and o else text

            specs.append(_spec(fill(name), kind, fill(source), fill(target), meaning, drain, organ))
    return tuple(specs)


@dataclass(frozen=True)
class Flows:
    """Flows on some grid days. ``value[name]`` and ``drain[name]`` are arrays over ``days``;
    ``states`` the state rows they were computed from (``STATE_COLUMNS`` order)."""

    days: np.ndarray
    value: dict[str, np.ndarray]
    drain: dict[str, np.ndarray]
    states: np.ndarray
    specs: tuple[FlowSpec, ...]


def _grid_rows(result: SimulationResult, days: object) -> np.ndarray:
    """Rows of the result's grid nearest to ``days`` (each inside the run, else refused)."""
    try:
        wanted = np.atleast_1d(np.asarray(days, dtype=float))
    except (TypeError, ValueError):
        raise InvalidInput(f"day={shown(days)} is not a number") from None
    grid = result.frame["day"].to_numpy()
    if wanted.ndim != 1 or not np.all(np.isfinite(wanted)):
        raise InvalidInput(f"day={shown(days)} is not a number")
    outside = (wanted < grid[0] - 1e-9) | (wanted > grid[-1] + 1e-9)
    if np.any(outside):
        raise InvalidInput(f"day={shown(wanted[outside][0])} is outside the run [0, {grid[-1]:g}]")
    return np.abs(grid[None, :] - wanted[:, None]).argmin(axis=1)


def _coefficients(params: Parameters, run_days: float, days: np.ndarray) -> np.ndarray:
    """The coefficient vector of ``rhs`` that holds on each day (one row per day): the therapy
    of its integration segment, and after a resection the primary's reduced capacity."""
    base = pack(params)
    vla4 = float(params["vla4_block_efficacy"])
    segments = _segments(params, run_days)
    keep = 1.0 - float(params["resection_fraction"])
    t_res = params["resection_day"]
    resected = t_res is not None and float(t_res) < run_days  # as ``_segments`` decides
    out = np.empty((days.size, base.size))
    for row, day in enumerate(days):
        # Right-continuous like the grid: a day on an event shows the segment that starts there.
        seg = next((s for s in segments if day < s.end - _EVENT_EPS), segments[-1])
        c = set_therapy(base, anti_vegfr1=seg.anti_vegfr1, vla4=vla4)
        if resected and day >= float(t_res) - _EVENT_EPS:
            residue = keep * _gompertz(params, float(t_res))
            c[K_T] *= -math.expm1(-residue)
        out[row] = c
    return out


def _gompertz(params: Parameters, day: float) -> float:
    """The primary on ``day`` before any resection: Gompertz growth has a closed form, and
    nothing feeds back on the tumor."""
    t0 = float(params["initial_tumor_cells"])
    k = float(params["tumor_capacity"])
    return k * math.exp(math.log(t0 / k) * math.exp(-float(params["tumor_growth_rate"]) * day))


def flows_at(result: SimulationResult, days: object) -> Flows:
    """The flows on the grid days nearest to ``days`` (a number or a sequence, inside the
    run; ``InvalidInput`` otherwise), computed term by term as ``rhs`` computes them."""
    rows = _grid_rows(result, days)
    grid = result.frame["day"].to_numpy()[rows]
    y = np.maximum(result.frame[list(STATE_COLUMNS)].to_numpy()[rows], 0.0)
    c = _coefficients(result.params, result.days, grid)
    value, drain = _terms(y, c)
    return Flows(grid, value, drain, y, flow_specs())


def _col(c: np.ndarray, k: int) -> np.ndarray:
    """Coefficient ``k`` on each day, as a column (broadcasts against organs)."""
    return c[:, k : k + 1]


def _terms(y: np.ndarray, c: np.ndarray):
    """Every flow as ``rhs_into``/``_organ`` compute its terms, vectorised over days (rows)
    and organs (columns)."""
    n = y.shape[0]

    def state(name: str, organ_block: bool = False) -> np.ndarray:
        if organ_block:
            k = STATE_COLUMNS.index(column_of(name, ORGANS[0]))
            return y[:, k : k + N_ORGANS]
        return y[:, STATE_COLUMNS.index(name)]

    def coef(k: int) -> np.ndarray:
        return c[:, k]

    T, S, M, H, C = (state(s.name) for s in SYSTEMIC_STATES)
    value: dict[str, np.ndarray] = {}
    own_drain: dict[str, np.ndarray] = {}

    def split(pos: str, neg: str, net: np.ndarray) -> None:
        """A net term that may change sign: its positive part flows in, its negative out."""
        value[pos] = np.maximum(net, 0.0)
        value[neg] = np.maximum(-net, 0.0)

    # Primary tumor (Gompertz; none without capacity, i.e. after a complete resection).
    with np.errstate(divide="ignore", invalid="ignore"):
        alive = (T > 0.0) & (coef(K_T) > 0.0)
        gompertz = np.where(alive, coef(R_T) * T * np.log(coef(K_T) / np.where(alive, T, 1.0)), 0)
    split("tumor.growth", "tumor.shrinkage", gompertz)
    value["tumor.secretion"] = coef(S_CLEAR) * T / coef(T_REF)
    value["factor.clearance"] = coef(S_CLEAR) * S
    f = S / (1.0 + S)
    vegfr1_open = 1.0 - coef(EPS_V1)
    mobilisation = 1.0 + coef(VEGFR1) * vegfr1_open * f
    split("marrow.supply", "marrow.depletion", coef(R_MARROW) * (1.0 - M) + coef(K_MOB))
    value["marrow.mobilisation_basal"] = coef(H_CLEAR) * M
    own_drain["marrow.mobilisation_basal"] = coef(K_MOB) * M
    value["marrow.mobilisation_vegfr1"] = coef(H_CLEAR) * (mobilisation - 1.0) * M
    own_drain["marrow.mobilisation_vegfr1"] = coef(K_MOB) * (mobilisation - 1.0) * M
    value["hpc.clearance"] = coef(H_CLEAR) * H
    vla4_open = 1.0 - coef(EPS_VLA4)
    hpc_share = (vla4_open * coef(CHI) * vegfr1_open)[:, None]
    myeloid = (vla4_open * (1.0 - coef(CHI)) * (1.0 + coef(MYELOID) * f))[:, None]

    F = state("fibronectin", True)
    N = state("niche", True)
    tropism = c[:, TROPISM : TROPISM + N_ORGANS]
    organ = {
        "hpc.homing": _col(c, K_HOME) * hpc_share * H[:, None] * F,
        "myeloid.homing": _col(c, K_HOME) * myeloid * F,
        "factor.priming": _col(c, K_FIB) * tropism * f[:, None] * (1.0 - F),
        "fibronectin.decay": _col(c, D_FIB) * F,
        "niche.decay": _col(c, D_NICHE) * N,
    }
    homing_loss = _col(c, HOME_LOSS) * hpc_share * F * H[:, None]

    # Seed: arrivals, survival, immediate proliferation, waking and growth (``_organ``).
    value["tumor.shedding"] = coef(SHED) * T
    arrest_flux = coef(CTC_CLEAR) * C
    shares = c[:, ARREST : ARREST + N_ORGANS]
    value["ctc.blood_death"] = (1.0 - shares.sum(axis=1)) * arrest_flux
    phi = permissiveness(N, _col(c, HILL), _col(c, W_NICHE), _col(c, W_SOIL), tropism)
    s0 = _col(c, SURV0)
    s_niche = survival_in_niche(s0, _col(c, SURV_GAIN))
    arrivals = shares * arrest_flux[:, None]
    survivors = arrivals * (s0 + (s_niche - s0) * phi)
    to_prolif = survivors * _col(c, Q_PROLIF) * phi
    wake = _col(c, K_OUT) * (1.0 + _col(c, WAKE) * phi)
    p_est = _col(c, P_EST)
    D, P, Q, A = (state(b, True) for b in ("solitary", "proliferating", "quiescent", "clones"))
    capacity = -_col(c, K_ORGAN) * np.expm1(-A)
    rate = _col(c, R_MET) * (_col(c, G_BARE) + (1.0 - _col(c, G_BARE)) * phi)
    with np.errstate(divide="ignore", invalid="ignore"):
        growing = (P > 0.0) & (capacity > 0.0)
        growth = np.where(
            growing, rate * P * (1.0 - (P + Q) / np.where(growing, capacity, 1.0)), 0.0
        )
    organ |= {
        "ctc.settle": survivors - to_prolif,
        "ctc.found": p_est * to_prolif,
        "ctc.arrival_death": arrivals - survivors + (1.0 - p_est) * to_prolif,
        "solitary.wake": p_est * wake * D,
        "solitary.wake_death": (1.0 - p_est) * wake * D,
        "solitary.death": _col(c, D_DORM) * D,
        "proliferating.dormancy": _col(c, K_IN) * P,
        "quiescent.wake": wake * Q,
        "quiescent.death": _col(c, D_DORM) * Q,
        "proliferating.growth": np.maximum(growth, 0.0),
        "proliferating.crowding": np.maximum(-growth, 0.0),
        "clones.founding": p_est * (to_prolif + wake * D),
    }
    for stem, values in organ.items():
        for i, o in enumerate(ORGANS):
            value[f"{stem}.{o}"] = values[:, i]
    for i, o in enumerate(ORGANS):
        own_drain[f"hpc.homing.{o}"] = homing_loss[:, i]

    drain: dict[str, np.ndarray] = {}
    zero = np.zeros(n)
    for spec in flow_specs():
        if spec.drain == "value":
            drain[spec.name] = value[spec.name]
        elif spec.drain == "own":
            drain[spec.name] = own_drain[spec.name]
        else:
            drain[spec.name] = zero
    return value, drain


def balance(flows: Flows) -> dict[str, np.ndarray]:
    """Per compartment: inflows minus drains of outflows (should equal d(state)/dt)."""
    net = {comp.name: np.zeros(flows.days.size) for comp in COMPARTMENTS}
    for spec in flows.specs:
        if spec.target is not None:
            net[spec.target] = net[spec.target] + flows.value[spec.name]
        if spec.source is not None:
            net[spec.source] = net[spec.source] - flows.drain[spec.name]
    return net


def _cell(text: str | None) -> str:
    return "—" if text is None else f"`{text}`"


def flows_markdown() -> str:
    """The table of compartments and the table of flows (organ flows once, as ``<organ>``)."""
    lines = ["| compartment | unit | meaning |", "|---|---|---|"]
    lines += [
        f"| `{c.name.replace(ORGANS[0], '<organ>')}` | {c.unit} | {c.meaning} |"
        for c in COMPARTMENTS
        if c.organ in (None, ORGANS[0])
    ]
    lines += ["", "| flow | kind | from | to | unit | meaning |", "|---|---|---|---|---|---|"]
    units = compartment_units()
    for name, kind, source, target, meaning, drain in FLOW_TEMPLATES:
        unit_of = units[(target or source or "").replace("<organ>", ORGANS[0])]
        unit = _per_day(unit_of)
        if drain == "own":
            unit += f" (source loses {_per_day(units[source])})"  # type: ignore[index]
        elif drain is None:
            unit += " (source loses nothing)"
        lines.append(
            f"| `{name}` | {kind} | {_cell(source)} | {_cell(target)} | {unit} | {meaning} |"
        )
    return "\n".join(lines) + "\n"
