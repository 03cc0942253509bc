"""The result of one simulation: parameters, a tidy time-series frame and its readouts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.equations import permissiveness
from model.organs import ORGANS
from model.parameters import Parameters
from model.probability import clones_grown_to_detection, net_growth_rate
from model.readouts import Readouts, readouts_from_array
from model.states import N_ORGANS, STATE_COLUMNS, block_start

__all__ = ["COLUMNS", "DERIVED", "SimulationResult", "build_frame", "clones_detected"]

#: Per-organ columns computed from the states (see ``build_frame``).
DERIVED = ("niche_permissiveness", "dormant", "burden", "seed_only_burden", "clones_detected")
COLUMNS: tuple[str, ...] = (
    "day",
    *STATE_COLUMNS,
    *(f"{organ}.{q}" for q in DERIVED for organ in ORGANS),
)


def clones_detected(
    t: np.ndarray, clones: np.ndarray, phi: np.ndarray, params: Parameters
) -> np.ndarray:
    """Expected clones grown to detection size by each grid day (``clones`` and ``phi`` with
    time on the last axis); see ``model.probability``."""
    net = net_growth_rate(
        phi,
        growth_rate=float(params["met_growth_rate"]),
        bare_share=float(params["bare_growth_share"]),
        entry_rate=float(params["dormancy_entry_rate"]),
    )
    return clones_grown_to_detection(
        t,
        clones,
        net,
        float(params["metastasis_detection_cells"]),
        float(params["clone_growth_spread"]),
    )


#: The frame's column labels, built once: making a pandas Index of ~130 names, and the hash
#: table behind its first label lookup, costs more than the rest of the DataFrame.
_COLUMN_INDEX = pd.Index(COLUMNS)
#: Column name -> position in the frame's values (see ``readouts_from_array``).
_POSITION = {name: k for k, name in enumerate(COLUMNS)}


def build_frame(t: np.ndarray, y: np.ndarray, params: Parameters) -> pd.DataFrame:
    """One row per grid day; ``day``, the states (``model.states``), then per-organ derived
    columns: permissiveness phi, all dormant cells (solitary + quiescent), the burden (every
    DTC and clone cell), the seed-only burden, and the clones detected so far.
    """
    return _frame_of(_frame_values(t, y, params))


def _frame_of(data: np.ndarray) -> pd.DataFrame:
    """The frame over ``data`` (rows: grid days; columns: ``COLUMNS``), sharing its memory.
    Its columns are a shallow copy of ``_COLUMN_INDEX``: the labels and lookup table are shared,
    the index name is not, so renaming one frame's column axis leaves the others alone."""
    return pd.DataFrame(data, columns=_COLUMN_INDEX.copy(), copy=False)


def _frame_values(t: np.ndarray, y: np.ndarray, params: Parameters) -> np.ndarray:
    """The frame's values as one block of floats (see ``build_frame``): a DataFrame of ~130
    separate columns costs milliseconds, and the readouts read this block directly."""

    def block(name: str) -> np.ndarray:
        k = block_start(name)
        return y[:, k : k + N_ORGANS]

    phi = permissiveness(
        block("niche"),
        float(params["niche_hill"]),
        float(params["niche_formation"]),
        float(params["organ_soil"]),
        np.asarray(params.organ_values("tropism")),
    )
    dormant = block("solitary") + block("quiescent")
    seed_only = (
        block("solitary_seed_only")
        + block("proliferating_seed_only")
        + block("quiescent_seed_only")
    )
    detected = clones_detected(t, block("clones").T, phi.T, params).T
    return np.hstack(
        [t[:, None], y, phi, dormant, dormant + block("proliferating"), seed_only, detected]
    )


@dataclass(frozen=True)
class SimulationResult:
    """``frame``: one row per day of the regular grid (see ``build_frame``); ``readouts``.

    The frame's values are read-only (a result may be shared: a web worker keeps its recent
    runs): writing into a cell raises; edit a copy (``frame.copy()``)."""

    params: Parameters
    days: float
    frame: pd.DataFrame
    readouts: Readouts

    @classmethod
    def from_states(cls, params: Parameters, t: np.ndarray, y: np.ndarray) -> SimulationResult:
        data = _frame_values(t, y, params)
        # Read-only: a result is shared as it is (a web worker keeps its recent runs in
        # memory); an in-place change of its frame raises instead of changing other views.
        data.flags.writeable = False
        readouts = readouts_from_array(data, _POSITION, params)
        return cls(params=params, days=float(t[-1]), frame=_frame_of(data), readouts=readouts)

    def __reduce_ex__(self, protocol: int) -> object:
        """Pickled as its values in one block of floats, and rebuilt read-only as
        ``from_states`` builds it (a DataFrame pickles and unpickles ~3x slower: the runs'
        shared cache does both). A frame whose columns were changed pickles as it is."""
        data = self.frame.to_numpy()  # one float block: no copy
        if data.dtype != float or not self.frame.columns.equals(_COLUMN_INDEX):
            return super().__reduce_ex__(protocol)
        return _restored, (self.params, self.days, data, self.readouts)

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


def _restored(
    params: Parameters, days: float, data: np.ndarray, readouts: Readouts
) -> SimulationResult:
    """A pickled ``SimulationResult`` (``__reduce_ex__``): its frame over ``data``, read-only."""
    data.flags.writeable = False
    return SimulationResult(params=params, days=days, frame=_frame_of(data), readouts=readouts)
