"""Scalar outcomes of many runs at once, computed on the batch state array (no DataFrames).

Each outcome maps ``(t, states, params)`` (states: members x days x N_STATES) to one number per
member, with the same definitions as ``model.readouts`` (a day that never happens is NaN here).
Sweeps and sensitivity analyses pick outcomes by name from ``OUTCOMES``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from model.equations import permissiveness
from model.errors import lookup
from model.organs import ORGAN_LABELS, ORGANS
from model.parameters import Parameters
from model.probability import clones_grown_to_detection, net_growth_rate, probability
from model.readouts import (
    BIOMARKER_ALARM_FOLD,
    MACROMETASTASIS_CELLS,
    NICHE_ONSET_LEVEL,
    resection_in_run,
)
from model.states import slot

__all__ = [
    "FAMILIES",
    "OUTCOMES",
    "Outcome",
    "evaluate",
    "expand_outcome",
    "first_crossings",
    "get_outcome",
]

Fn = Callable[[np.ndarray, np.ndarray, Sequence[Parameters]], np.ndarray]


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str
    unit: str
    fn: Fn


def _block(states: np.ndarray, block: str, organ: str) -> np.ndarray:
    return states[:, :, slot(block, organ)]


def _systemic(states: np.ndarray, name: str) -> np.ndarray:
    return states[:, :, slot(name)]


def _values(params: Sequence[Parameters], name: str) -> np.ndarray:
    """One column: ``name`` for every member (broadcasts against members x days)."""
    return np.array([float(p[name]) for p in params])[:, None]


def first_crossings(t: np.ndarray, x: np.ndarray, level: np.ndarray | float) -> np.ndarray:
    """Per row of ``x`` (members x days): first day ``x`` reaches ``level``, interpolated
    linearly between grid days as ``readouts.first_crossing``; NaN where it never does."""
    level = np.broadcast_to(np.asarray(level, dtype=float)[..., None], x.shape)
    above = x >= level
    reached = above.any(axis=1)
    i = np.argmax(above, axis=1)
    rows = np.arange(x.shape[0])
    prev = np.maximum(i - 1, 0)
    x0, x1 = x[rows, prev], x[rows, i]
    lvl = level[rows, i]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(i > 0, (lvl - x0) / (x1 - x0), 0.0)
    day = np.where(i > 0, t[prev] + (t[i] - t[prev]) * frac, t[0])
    return np.where(reached, day, np.nan)


def _phi(states: np.ndarray, organ: str, params: Sequence[Parameters]) -> np.ndarray:
    return permissiveness(
        _block(states, "niche", organ),
        _values(params, "niche_hill"),
        _values(params, "niche_formation"),
        _values(params, "organ_soil"),
        _values(params, f"tropism.{organ}"),
    )


def _burden(states: np.ndarray, organ: str) -> np.ndarray:
    return sum(_block(states, b, organ) for b in ("solitary", "proliferating", "quiescent"))


def _detected(t, states, params, organ, at) -> np.ndarray:
    """Expected clones in ``organ`` grown to detection size by the days ``at`` (one row of days
    per member, or the same days for all), members x days."""
    net = net_growth_rate(
        _phi(states, organ, params),
        growth_rate=_values(params, "met_growth_rate"),
        bare_share=_values(params, "bare_growth_share"),
        entry_rate=_values(params, "dormancy_entry_rate"),
    )
    return clones_grown_to_detection(
        t,
        _block(states, "clones", organ),
        net,
        _values(params, "metastasis_detection_cells")[:, 0],
        _values(params, "clone_growth_spread")[:, 0],
        at,
    )


def _metastasis_probability(t, states, params, organs=ORGANS) -> np.ndarray:
    at = t[-1:]
    return probability(sum(_detected(t, states, params, o, at)[:, -1] for o in organs))


def _relapse_probability(t, states, params) -> np.ndarray:
    """After resection, for patients free of detectable metastasis at resection; NaN for a
    member whose run does not resect."""
    t_res = np.array([resection_in_run(p, float(t[-1])) for p in params], dtype=float)
    at = np.stack([np.where(np.isnan(t_res), t[-1], t_res), np.full_like(t_res, t[-1])], axis=1)
    detected = sum(_detected(t, states, params, o, at) for o in ORGANS)
    return np.where(np.isnan(t_res), np.nan, probability(detected[:, 1] - detected[:, 0]))


def _detect_days(t, states, params, organ) -> np.ndarray:
    threshold = np.array([p["dtc_detection_threshold"] for p in params])
    return first_crossings(t, _burden(states, organ), threshold)


def _organ_outcomes(organ: str) -> list[Outcome]:
    name = ORGAN_LABELS[organ].split(" (")[0].lower()
    return [
        Outcome(f"burden.{organ}", f"DTC burden in {name}, final", "cells",
                lambda t, s, p: _burden(s, organ)[:, -1]),
        Outcome(f"niche_onset_day.{organ}", f"Niche onset in {name}", "day",
                lambda t, s, p: first_crossings(t, _phi(s, organ, p), NICHE_ONSET_LEVEL)),
        Outcome(f"dtc_detect_day.{organ}", f"DTC detection in {name}", "day",
                lambda t, s, p: _detect_days(t, s, p, organ)),
        Outcome(f"macrometastasis_day.{organ}", f"Macrometastasis in {name}", "day",
                lambda t, s, p: first_crossings(
                    t, _block(s, "proliferating", organ), MACROMETASTASIS_CELLS)),
        Outcome(f"metastasis_probability.{organ}", f"Metastasis probability in {name}",
                "probability", lambda t, s, p: _metastasis_probability(t, s, p, (organ,))),
    ]  # fmt: skip


def _first_detection(t, states, params) -> np.ndarray:
    days = np.stack([_detect_days(t, states, params, o) for o in ORGANS])
    out = np.full(states.shape[0], np.nan)
    seen = ~np.all(np.isnan(days), axis=0)
    out[seen] = np.nanmin(days[:, seen], axis=0)
    return out


def _lead_days(t, states, params) -> np.ndarray:
    alarm = first_crossings(t, _systemic(states, "circulating_hpc"), BIOMARKER_ALARM_FOLD)
    return _first_detection(t, states, params) - alarm


def _total_burden(t, states, params) -> np.ndarray:
    return sum(_burden(states, o)[:, -1] for o in ORGANS)


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in [
        Outcome("burden.total", "DTC burden, all organs, final", "cells", _total_burden),
        *[outcome for organ in ORGANS for outcome in _organ_outcomes(organ)],
        Outcome(
            "biomarker_peak",
            "Biomarker peak (circulating VEGFR1+ HPCs)",
            "fold",
            lambda t, s, p: _systemic(s, "circulating_hpc").max(axis=1),
        ),
        Outcome(
            "biomarker_lead_days", "Biomarker lead over first DTC detection", "days", _lead_days
        ),
        Outcome("first_detection_day", "First DTC detection, any organ", "day", _first_detection),
        Outcome(
            "metastasis_probability",
            "Metastasis probability (a detected clone), any organ",
            "probability",
            _metastasis_probability,
        ),
        Outcome(
            "relapse_probability",
            "Relapse after resection, any organ",
            "probability",
            _relapse_probability,
        ),
    ]
}


@dataclass(frozen=True)
class Family:
    """One per-organ outcome in every organ (``burden.each_organ`` -> ``burden.lung``, ...):
    the curves of a 1-D sweep that answer "which organ wins?"."""

    name: str
    label: str
    unit: str
    members: tuple[str, ...]


FAMILIES: dict[str, Family] = {
    f"{stem}.each_organ": Family(
        f"{stem}.each_organ",
        label,
        OUTCOMES[f"{stem}.lung"].unit,
        tuple(f"{stem}.{organ}" for organ in ORGANS),
    )
    for stem, label in (
        ("burden", "DTC burden, final, each organ"),
        ("niche_onset_day", "Niche onset, each organ"),
        ("dtc_detect_day", "DTC detection, each organ"),
        ("macrometastasis_day", "Macrometastasis, each organ"),
        ("metastasis_probability", "Metastasis probability, each organ"),
    )
}


def expand_outcome(name: str) -> tuple[str, ...]:
    """The outcomes a name stands for: a family's members, or the outcome itself."""
    if name in FAMILIES:
        return FAMILIES[name].members
    return (get_outcome(name).name,)


def get_outcome(name: str) -> Outcome:
    return lookup(OUTCOMES, name, "outcome")


def evaluate(
    names: Sequence[str], t: np.ndarray, states: np.ndarray, params: Sequence[Parameters]
) -> dict[str, np.ndarray]:
    """The named outcomes for every member of a batch."""
    outcomes = [get_outcome(n) for n in names]
    return {o.name: np.asarray(o.fn(t, states, params), dtype=float) for o in outcomes}
