"""What a user reads off a run: onset and detection days, burdens, biomarker, relapse risk.

All readouts are computed from the tidy time-series frame, so the dashboard and the command
line see the same numbers. A day that never happens inside the run is ``None``. Crossing days
are interpolated linearly between grid points.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from model.organs import ORGANS

__all__ = [
    "BIOMARKER_ALARM_FOLD",
    "MACROMETASTASIS_CELLS",
    "NICHE_ONSET_LEVEL",
    "OrganReadout",
    "Readouts",
    "compute_readouts",
    "first_crossing",
]

#: Niche permissiveness at which a niche counts as formed.
NICHE_ONSET_LEVEL = 0.5
#: Proliferating cells of a macrometastasis (about 1 mm³).
MACROMETASTASIS_CELLS = 1e6
#: Circulating VEGFR1+ HPC fold change that raises the biomarker alarm.
BIOMARKER_ALARM_FOLD = 1.5


def first_crossing(t: np.ndarray, x: np.ndarray, level: float) -> float | None:
    """First time ``x`` reaches ``level``, interpolated between grid points; None if never."""
    above = np.flatnonzero(x >= level)
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(t[0])
    x0, x1 = x[i - 1], x[i]
    return float(t[i - 1] + (t[i] - t[i - 1]) * (level - x0) / (x1 - x0))


@dataclass(frozen=True)
class OrganReadout:
    """Readouts for one organ. Cell numbers are expected (population-average) values."""

    niche_onset_day: float | None
    dtc_detect_day: float | None
    macrometastasis_day: float | None
    dormant_final: float
    proliferating_final: float
    burden_final: float
    seed_only_burden_final: float  # the same run with niches switched off
    relapse_probability: float  # 1 - exp(-expected established clones)


@dataclass(frozen=True)
class Readouts:
    organs: dict[str, OrganReadout]
    biomarker_peak_fold_change: float
    biomarker_peak_day: float
    biomarker_alarm_day: float | None  # first day circulating HPCs reach 1.5-fold
    first_detection_day: float | None  # first DTC detection in any organ
    relapse_probability: float  # any organ

    @property
    def biomarker_lead_days(self) -> float | None:
        """How many days the biomarker alarm precedes the first DTC detection."""
        if self.biomarker_alarm_day is None or self.first_detection_day is None:
            return None
        return self.first_detection_day - self.biomarker_alarm_day

    def as_dict(self) -> dict:
        out = asdict(self)
        out["biomarker_lead_days"] = self.biomarker_lead_days
        return out


def compute_readouts(frame: pd.DataFrame, detection_threshold: float) -> Readouts:
    """Readouts of one run from its time-series frame (see ``SimulationResult.frame``)."""
    t = frame["day"].to_numpy()
    organs = {}
    clones_total = 0.0
    for organ in ORGANS:
        dormant = frame[f"{organ}.dormant"].to_numpy()
        prolif = frame[f"{organ}.proliferating"].to_numpy()
        clones = float(frame[f"{organ}.clones"].iloc[-1])
        clones_total += clones
        organs[organ] = OrganReadout(
            niche_onset_day=first_crossing(
                t, frame[f"{organ}.niche_permissiveness"].to_numpy(), NICHE_ONSET_LEVEL
            ),
            dtc_detect_day=first_crossing(t, dormant + prolif, detection_threshold),
            macrometastasis_day=first_crossing(t, prolif, MACROMETASTASIS_CELLS),
            dormant_final=float(dormant[-1]),
            proliferating_final=float(prolif[-1]),
            burden_final=float(dormant[-1] + prolif[-1]),
            seed_only_burden_final=float(frame[f"{organ}.seed_only_burden"].iloc[-1]),
            relapse_probability=-math.expm1(-clones),
        )
    hpc = frame["circulating_hpc"].to_numpy()
    peak = int(np.argmax(hpc))
    detections = [o.dtc_detect_day for o in organs.values() if o.dtc_detect_day is not None]
    return Readouts(
        organs=organs,
        biomarker_peak_fold_change=float(hpc[peak]),
        biomarker_peak_day=float(t[peak]),
        biomarker_alarm_day=first_crossing(t, hpc, BIOMARKER_ALARM_FOLD),
        first_detection_day=min(detections) if detections else None,
        relapse_probability=-math.expm1(-clones_total),
    )
