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


def build_frame(t: np.ndarray, y: np.ndarray, niche_hill: float) -> pd.DataFrame:
    """One row per grid day; systemic columns, then ``<organ>.<quantity>`` columns.

    Besides the states it adds, per organ, the niche permissiveness phi = N^h / (1 + N^h), the
    DTC burden (dormant + proliferating) and the seed-only burden (the same with niches off).
    """
    columns: dict[str, np.ndarray] = {"day": t}
    for k, name in enumerate(SYSTEMIC_STATES):
        columns[name] = y[:, k]
    base = len(SYSTEMIC_STATES)
    for b, block in enumerate(ORGAN_BLOCKS):
        for i, organ in enumerate(ORGANS):
            columns[f"{organ}.{block}"] = y[:, base + b * N_ORGANS + i]
    for organ in ORGANS:
        niche_h = columns[f"{organ}.niche"] ** niche_hill
        columns[f"{organ}.niche_permissiveness"] = niche_h / (1.0 + niche_h)
        columns[f"{organ}.burden"] = columns[f"{organ}.dormant"] + columns[f"{organ}.proliferating"]
        columns[f"{organ}.seed_only_burden"] = (
            columns[f"{organ}.dormant_seed_only"] + columns[f"{organ}.proliferating_seed_only"]
        )
    return pd.DataFrame(columns)


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
