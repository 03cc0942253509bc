"""What a user reads off a run: onset and detection days, burdens, biomarker, metastasis and
relapse probabilities.

All readouts are computed from the tidy time-series frame, so the dashboard and the command
line see the same numbers. A day that never happens inside the run is ``None``. Crossing days
are interpolated linearly between grid points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from model.organs import ORGANS
from model.probability import annual_hazard, probability

__all__ = [
    "BIOMARKER_ALARM_FOLD",
    "MACROMETASTASIS_CELLS",
    "NICHE_ONSET_LEVEL",
    "OrganReadout",
    "Readouts",
    "compute_readouts",
    "first_crossing",
    "readouts_from_array",
    "resection_in_run",
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
    dormant_final: float  # solitary DTCs and quiescent clone cells
    proliferating_final: float
    burden_final: float
    seed_only_burden_final: float  # the same run with organ permissiveness switched off
    clones_founded: float  # expected independent clones founded by blood-borne cells
    metastasis_probability: float  # a clone grown to detection size by the last day
    relapse_probability: float | None  # the same, after resection, if none at resection


@dataclass(frozen=True)
class Readouts:
    organs: dict[str, OrganReadout]
    biomarker_peak_fold_change: float
    biomarker_peak_day: float
    biomarker_alarm_day: float | None  # first day circulating HPCs reach 1.5-fold
    first_detection_day: float | None  # first DTC detection in any organ
    metastasis_probability: float  # any organ, by the last day
    resection_day: float | None  # inside the run, else None
    synchronous_probability: float | None  # a metastasis already detectable at resection
    relapse_probability: float | None  # a detected metastasis after resection, if none before
    annual_hazard: tuple[float, ...]  # per full year after resection (or after day 0)

    @property
    def biomarker_lead_days(self) -> float | None:
        """How many days the biomarker alarm precedes the first DTC detection."""
        if self.biomarker_alarm_day is None or self.first_detection_day is None:
            return None
        return self.first_detection_day - self.biomarker_alarm_day

    @property
    def probability_label(self) -> str:
        """What the headline probability is, in the words that fit the run."""
        return "Relapse after resection" if self.resection_day is not None else "Metastasis"

    @property
    def headline_probability(self) -> float:
        """Relapse after resection where the run resects, metastasis otherwise."""
        if self.relapse_probability is not None:
            return self.relapse_probability
        return self.metastasis_probability

    def as_dict(self) -> dict:
        out = asdict(self)
        out["biomarker_lead_days"] = self.biomarker_lead_days
        out["probability_label"] = self.probability_label
        return out


def resection_in_run(params: Mapping[str, float | None], days: float) -> float | None:
    """The resection day if the primary is removed inside the run, else None."""
    day = params["resection_day"]
    return None if day is None or day >= days else float(day)


def compute_readouts(frame: pd.DataFrame, params: Mapping[str, float | None]) -> Readouts:
    """Readouts of one run from its time-series frame (see ``SimulationResult.frame``)."""
    columns = dict(zip(frame.columns.tolist(), range(frame.shape[1]), strict=True))
    return readouts_from_array(frame.to_numpy(dtype=float), columns, params)


def readouts_from_array(
    data: np.ndarray, columns: Mapping[str, int], params: Mapping[str, float | None]
) -> Readouts:
    """``compute_readouts`` on the frame's values: ``data`` has one row per grid day and the
    frame's columns, ``columns`` maps a column name to its index in ``data``.

    Why: this runs on every simulation, and each of its ~80 column reads costs tens of
    microseconds through pandas but well under one as a NumPy view.
    """

    def col(name: str) -> np.ndarray:
        return data[:, columns[name]]

    t = col("day")
    threshold = float(params["dtc_detection_threshold"])
    t_res = resection_in_run(params, float(t[-1]))
    at = np.array([t[-1]] if t_res is None else [t_res, t[-1]])
    organs = {}
    detected_total = np.zeros_like(t)
    for organ in ORGANS:
        dormant = col(f"{organ}.dormant")
        prolif = col(f"{organ}.proliferating")
        burden = col(f"{organ}.burden")
        detected = col(f"{organ}.clones_detected")
        detected_total = detected_total + detected
        seen = np.interp(at, t, detected)
        organs[organ] = OrganReadout(
            niche_onset_day=first_crossing(
                t, col(f"{organ}.niche_permissiveness"), NICHE_ONSET_LEVEL
            ),
            dtc_detect_day=first_crossing(t, burden, threshold),
            macrometastasis_day=first_crossing(t, prolif, MACROMETASTASIS_CELLS),
            dormant_final=float(dormant[-1]),
            proliferating_final=float(prolif[-1]),
            burden_final=float(burden[-1]),
            seed_only_burden_final=float(col(f"{organ}.seed_only_burden")[-1]),
            clones_founded=float(col(f"{organ}.clones")[-1]),
            metastasis_probability=float(probability(seen[-1])),
            relapse_probability=None if t_res is None else float(probability(seen[1] - seen[0])),
        )
    hpc = col("circulating_hpc")
    peak = int(np.argmax(hpc))
    detections = [o.dtc_detect_day for o in organs.values() if o.dtc_detect_day is not None]
    seen = np.interp(at, t, detected_total)
    return Readouts(
        organs=organs,
        biomarker_peak_fold_change=float(hpc[peak]),
        biomarker_peak_day=float(t[peak]),
        biomarker_alarm_day=first_crossing(t, hpc, BIOMARKER_ALARM_FOLD),
        first_detection_day=min(detections) if detections else None,
        metastasis_probability=float(probability(seen[-1])),
        resection_day=t_res,
        synchronous_probability=None if t_res is None else float(probability(seen[0])),
        relapse_probability=None if t_res is None else float(probability(seen[1] - seen[0])),
        annual_hazard=tuple(
            float(h) for h in annual_hazard(t, detected_total, 0.0 if t_res is None else t_res)
        ),
    )
