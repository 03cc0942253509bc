"""The readouts read off the frame's values as one NumPy block must be exactly the readouts that
column-by-column pandas reads give: same floats, bit for bit, on every scenario.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

from model import ORGANS, Parameters
from model.probability import annual_hazard, probability
from model.readouts import (
    BIOMARKER_ALARM_FOLD,
    MACROMETASTASIS_CELLS,
    NICHE_ONSET_LEVEL,
    OrganReadout,
    Readouts,
    compute_readouts,
    first_crossing,
    readouts_from_array,
    resection_in_run,
)
from model.result import COLUMNS, SimulationResult, build_frame
from model.scenarios import SCENARIOS
from model.solve import integrate

CASES = [
    *((name, SCENARIOS[name].parameters(), SCENARIOS[name].days) for name in SCENARIOS),
    ("defaults", Parameters(), 30.0),
    ("resection inside a short run", Parameters().replace({"resection_day": 10.0}), 30.0),
    ("breast scenario cut short", SCENARIOS["breast-t1n0"].parameters(), 30.0),
]


def readouts_via_pandas(frame: pd.DataFrame, params: Mapping[str, float | None]) -> Readouts:
    """The readouts as they were computed before the NumPy block: one pandas read per column."""
    t = frame["day"].to_numpy()
    threshold = float(params["dtc_detection_threshold"])
    t_res = resection_in_run(params, float(t[-1]))
    at = np.array([t[-1]] if t_res is None else [t_res, t[-1]])
    organs = {}
    detected_total = np.zeros_like(t)
    for organ in ORGANS:
        prolif = frame[f"{organ}.proliferating"].to_numpy()
        burden = frame[f"{organ}.burden"].to_numpy()
        detected = frame[f"{organ}.clones_detected"].to_numpy()
        detected_total = detected_total + detected
        seen = np.interp(at, t, detected)
        organs[organ] = OrganReadout(
            niche_onset_day=first_crossing(
                t, frame[f"{organ}.niche_permissiveness"].to_numpy(), NICHE_ONSET_LEVEL
            ),
            dtc_detect_day=first_crossing(t, burden, threshold),
            macrometastasis_day=first_crossing(t, prolif, MACROMETASTASIS_CELLS),
            dormant_final=float(frame[f"{organ}.dormant"].iloc[-1]),
            proliferating_final=float(prolif[-1]),
            burden_final=float(burden[-1]),
            seed_only_burden_final=float(frame[f"{organ}.seed_only_burden"].iloc[-1]),
            clones_founded=float(frame[f"{organ}.clones"].iloc[-1]),
            metastasis_probability=float(probability(seen[-1])),
            relapse_probability=None if t_res is None else float(probability(seen[1] - seen[0])),
        )
    hpc = frame["circulating_hpc"].to_numpy()
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


@pytest.mark.parametrize(("name", "params", "days"), CASES, ids=[c[0] for c in CASES])
def test_readouts_from_the_block_equal_the_pandas_reads_exactly(
    name: str, params: Parameters, days: float
) -> None:
    t, y = integrate(params, days)
    result = SimulationResult.from_states(params, t, y)
    expected = readouts_via_pandas(build_frame(t, y, params), params)
    # Dataclass equality compares every float with ==: bit for bit (no NaN in readouts).
    assert result.readouts == expected
    assert compute_readouts(result.frame, params) == expected


def test_compute_readouts_finds_columns_by_name_in_any_order(run) -> None:
    result = run(Parameters(), 30.0)
    shuffled = result.frame[list(reversed(COLUMNS))]
    assert compute_readouts(shuffled, result.params) == result.readouts


def test_readouts_from_array_reads_the_columns_it_is_given() -> None:
    params = Parameters()
    t, y = integrate(params, 30.0)
    frame = build_frame(t, y, params)
    # Only the columns the readouts need, in an order of their own.
    needed = ["circulating_hpc", "day", *(c for c in COLUMNS if c.split(".")[0] in ORGANS)]
    data = frame[needed].to_numpy()
    readouts = readouts_from_array(data, {n: k for k, n in enumerate(needed)}, params)
    assert readouts == readouts_via_pandas(frame, params)


def test_from_states_frame_equals_build_frame(run) -> None:
    result = run(SCENARIOS["breast-resection-dormancy"].parameters(), 30.0)
    t, y = integrate(result.params, 30.0)
    pd.testing.assert_frame_equal(result.frame, build_frame(t, y, result.params), check_exact=True)
    assert list(result.frame.columns) == list(COLUMNS)


def test_frames_share_column_labels_but_not_their_name() -> None:
    params = Parameters()
    t, y = integrate(params, 1.0)
    first, second = build_frame(t, y, params), build_frame(t, y, params)
    first.columns.name = "quantity"
    assert second.columns.name is None
    assert build_frame(t, y, params).columns.name is None


def test_a_results_frame_cannot_be_changed_in_place_but_a_copy_can(run) -> None:
    """A result is shared as it is (a web worker keeps its recent runs): writing into its frame
    raises, and leaves it as it was; a copy is the caller's own."""
    result = run(Parameters(), 5.0)
    before = result.frame.to_numpy().copy()
    with pytest.raises(ValueError, match="read-only"):
        result.frame.to_numpy()[0, 1] = -1.0
    with pytest.raises(ValueError, match="read-only"):
        result.frame.iloc[0, 1] = -1.0
    np.testing.assert_array_equal(result.frame.to_numpy(), before)
    mine = result.frame.copy()
    mine.iloc[0, 1] = -1.0
    assert mine.iloc[0, 1] == -1.0 and result.frame.iloc[0, 1] == before[0, 1]


def test_a_pickled_result_comes_back_equal_and_read_only(run) -> None:
    """As the runs' shared cache stores and reads it: one block of values, rebuilt read-only."""
    import dataclasses
    import pickle

    result = run(Parameters(), 5.0)
    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    pd.testing.assert_frame_equal(back.frame, result.frame, check_exact=True)
    assert (back.params, back.days, back.readouts) == (result.params, result.days, result.readouts)
    with pytest.raises(ValueError, match="read-only"):
        back.frame.iloc[0, 1] = -1.0
    # A frame whose columns were changed (a copy, with one more) pickles as it is.
    extra = result.frame.copy()
    extra["note"] = "x"
    changed = pickle.loads(pickle.dumps(dataclasses.replace(result, frame=extra)))
    pd.testing.assert_frame_equal(changed.frame, extra)
