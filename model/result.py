"""The result of one simulation: parameters, a tidy time-series frame and its readouts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.equations import N_ORGANS, ORGAN_BLOCKS, SYSTEMIC_STATES
from model.organs import ORGANS
from model.parameters import Parameters
from model.readouts import Readouts, compute_readouts

__all__ = ["SimulationResult", "build_frame"]


def _column_names() -> list[str]:
    names = ["day", *SYSTEMIC_STATES]
    names += [f"{organ}.{block}" for block in ORGAN_BLOCKS for organ in ORGANS]
    names += [f"{organ}.{q}" for q in _DERIVED for organ in ORGANS]
    return names


_DERIVED = ("niche_permissiveness", "burden", "seed_only_burden")
COLUMNS: tuple[str, ...] = tuple(_column_names())


def build_frame(t: np.ndarray, y: np.ndarray, niche_hill: float) -> pd.DataFrame:
    """One row per grid day; systemic columns, then ``<organ>.<quantity>`` columns.

    Besides the states it adds, per organ, the niche permissiveness phi = N^h / (1 + N^h), the
    DTC burden (dormant + proliferating) and the seed-only burden (the same with niches off).
    Built as one block of floats: a DataFrame of ~100 separate columns costs milliseconds.
    """
    base = len(SYSTEMIC_STATES)

    def block(name: str) -> np.ndarray:
        k = base + ORGAN_BLOCKS.index(name) * N_ORGANS
        return y[:, k : k + N_ORGANS]

    niche_h = block("niche") ** niche_hill
    derived = (
        niche_h / (1.0 + niche_h),
        block("dormant") + block("proliferating"),
        block("dormant_seed_only") + block("proliferating_seed_only"),
    )
    data = np.hstack([t[:, None], y, *derived])
    return pd.DataFrame(data, columns=list(COLUMNS), copy=False)


@dataclass(frozen=True)
class SimulationResult:
    """``frame``: one row per day of the regular grid (see ``build_frame``); ``readouts``."""

    params: Parameters
    days: float
    frame: pd.DataFrame
    readouts: Readouts

    @classmethod
    def from_states(cls, params: Parameters, t: np.ndarray, y: np.ndarray) -> SimulationResult:
        frame = build_frame(t, y, float(params["niche_hill"]))
        readouts = compute_readouts(frame, float(params["dtc_detection_threshold"]))
        return cls(params=params, days=float(t[-1]), frame=frame, readouts=readouts)

    def long_frame(self) -> pd.DataFrame:
        """The same data in long form: columns day, organ ('' for systemic), quantity, value."""
        melted = self.frame.melt(id_vars="day", var_name="column", value_name="value")
        split = melted["column"].str.rpartition(".")
        return pd.DataFrame(
            {
                "day": melted["day"],
                "organ": split[0],
                "quantity": split[2],
                "value": melted["value"],
            }
        )
