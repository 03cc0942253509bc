"""The state vector, described once: names, units and meaning of every slot.

``model.equations`` takes its slot numbers from here, ``model.solve`` its absolute tolerances,
``model.result`` its frame columns, ``model.outcomes`` its batch columns and ``model.sbml`` its
state ids and units. Layout: the systemic states in order, then one block of ``len(ORGANS)``
slots per organ state (``<block>`` for every organ, organs in ``ORGANS`` order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.organs import ORGANS

__all__ = [
    "N_ORGANS",
    "N_STATES",
    "ORGAN_STATES",
    "STATE_COLUMNS",
    "SYSTEMIC_STATES",
    "StateSpec",
    "absolute_tolerances",
    "block_start",
    "column_of",
    "slot",
]


@dataclass(frozen=True)
class StateSpec:
    """One state (systemic) or one block of per-organ states."""

    name: str
    unit: str  # "cells", "clones" or "dimensionless"
    meaning: str

    @property
    def counts_cells(self) -> bool:
        """Cell counts (and clone counts, founded by one cell each) get a tolerance far below
        one: sub-cell expected numbers decide years later whether an organ relapses."""
        return self.unit in ("cells", "clones")


SYSTEMIC_STATES: tuple[StateSpec, ...] = (
    StateSpec("tumor", "cells", "primary tumor"),
    StateSpec("factor", "dimensionless", "tumor-derived factor in blood, units of half-effect"),
    StateSpec("marrow_hpc", "dimensionless", "VEGFR1+ HPC pool in the marrow, fold of healthy"),
    StateSpec("circulating_hpc", "dimensionless", "circulating VEGFR1+ HPCs: the biomarker"),
    StateSpec("ctc", "cells", "circulating tumor cells"),
)

#: Per-organ blocks. ``*_seed_only`` replay the same seeding with organ permissiveness switched
#: off (the seed-vs-soil split) inside the same integration: organs never feed back on the
#: systemic states, so the counterfactual is exact.
ORGAN_STATES: tuple[StateSpec, ...] = (
    StateSpec("fibronectin", "dimensionless", "soil priming by resident fibroblasts, 0-1"),
    StateSpec("niche", "dimensionless", "niche clusters, units of half-permissiveness"),
    StateSpec("solitary", "cells", "solitary dormant DTCs that arrived from the blood"),
    StateSpec("proliferating", "cells", "proliferating cells of the clones (metastases)"),
    StateSpec("quiescent", "cells", "cells of the clones that fell back into dormancy"),
    StateSpec("clones", "clones", "clones founded so far by blood-borne cells (expected)"),
    StateSpec("solitary_seed_only", "cells", "solitary dormant DTCs without organ soil"),
    StateSpec("proliferating_seed_only", "cells", "proliferating cells without organ soil"),
    StateSpec("quiescent_seed_only", "cells", "quiescent clone cells without organ soil"),
    StateSpec("clones_seed_only", "clones", "clones founded without organ soil"),
)

N_ORGANS = len(ORGANS)
N_STATES = len(SYSTEMIC_STATES) + len(ORGAN_STATES) * N_ORGANS
_SYSTEMIC_NAMES = tuple(s.name for s in SYSTEMIC_STATES)
_BLOCK_NAMES = tuple(s.name for s in ORGAN_STATES)


def block_start(block: str) -> int:
    """Slot of ``block`` for the first organ; the block runs ``N_ORGANS`` slots from there."""
    return len(SYSTEMIC_STATES) + _BLOCK_NAMES.index(block) * N_ORGANS


def slot(name: str, organ: str | None = None) -> int:
    """Slot of a systemic state (``organ=None``) or of ``name`` in ``organ``."""
    if organ is None:
        return _SYSTEMIC_NAMES.index(name)
    return block_start(name) + ORGANS.index(organ)


def column_of(name: str, organ: str | None = None) -> str:
    """Frame column of a state: ``tumor`` or ``lung.solitary``."""
    return name if organ is None else f"{organ}.{name}"


#: Column names of the states in slot order (the frame adds ``day`` and derived columns).
STATE_COLUMNS: tuple[str, ...] = (
    *_SYSTEMIC_NAMES,
    *(column_of(b, o) for b in _BLOCK_NAMES for o in ORGANS),
)


def absolute_tolerances(cells: float, other: float) -> np.ndarray:
    """Per-slot absolute tolerance: ``cells`` for cell and clone counts, ``other`` elsewhere."""
    per_state = [cells if s.counts_cells else other for s in SYSTEMIC_STATES]
    per_state += [cells if s.counts_cells else other for s in ORGAN_STATES for _ in ORGANS]
    return np.array(per_state)
