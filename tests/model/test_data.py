"""model.data: published observations as data, each with value, unit, meaning and citation."""

from __future__ import annotations

import dataclasses
import re

import pytest

from model import ORGANS
from model.data import (
    AUTOPSY_BREAST,
    DATASETS,
    DEMICHELI_2008,
    KAPLAN_2005_LLC_LUNG,
    PAN_2017,
    UNITS,
    DataPoint,
)

POINTS = [(d.name, k, p) for d in DATASETS.values() for k, p in enumerate(d.points)]
IDS = [f"{name}[{k}]" for name, k, _ in POINTS]
#: A source names its authors and a journal year: "Kaplan et al., Nature 2005;..."
CITATION = re.compile(r"^[A-Z][a-z]+ et al\., [A-Za-z .]+ (19|20)\d\d\b")


def test_every_dataset_is_listed_under_its_name() -> None:
    assert list(DATASETS) == [
        "kaplan2005-llc-lung",
        "breast-autopsy",
        "pan2017-distant-recurrence",
        "demicheli2008-hazard-peaks",
    ]
    assert all(d.name == name and d.points and d.setting for name, d in DATASETS.items())


@pytest.mark.parametrize(("dataset", "k", "point"), POINTS, ids=IDS)
def test_every_point_is_cited_tagged_and_explained(dataset, k, point: DataPoint) -> None:
    assert CITATION.match(point.source), point.source
    assert point.tag in ("H", "M")
    assert point.label and point.measures.endswith(".")
    assert point.unit in UNITS
    assert point.organ is None or point.organ in ORGANS
    assert point.citation.startswith(point.source) and f"[{point.tag}" in point.citation


@pytest.mark.parametrize(("dataset", "k", "point"), POINTS, ids=IDS)
def test_values_lie_in_the_range_their_unit_allows(dataset, k, point: DataPoint) -> None:
    assert 0 < point.low <= point.high
    limit = {"fraction": 1.0, "day": 60.0, "month": 240.0}[point.unit]
    assert point.high <= limit
    assert point.low <= point.value <= point.high


def test_points_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        KAPLAN_2005_LLC_LUNG.points[0].low = 1.0  # type: ignore[misc]


def test_kaplan_time_course_in_the_order_the_niche_story_tells() -> None:
    points = KAPLAN_2005_LLC_LUNG.points
    assert [p.label for p in points] == [
        "fibronectin",
        "VEGFR1+ clusters",
        "tumor cells",
        "micrometastases",
    ]
    assert [(p.low, p.high) for p in points] == [(3, 7), (12, 14), (18, 18), (23, 23)]
    assert all(p.unit == "day" and p.organ == "lung" and p.tag == "M" for p in points)
    assert "low confidence" in points[0].citation  # the fibronectin days are the least sure
    # Each step starts after the previous one has begun: soil, niche, seed, growth.
    assert [p.low for p in points] == sorted(p.low for p in points)


def test_autopsy_involvement_per_organ() -> None:
    shares = {p.organ: p.value for p in AUTOPSY_BREAST.points}
    assert shares == {"lung": 0.80, "bone": 0.74, "liver": 0.71, "lymph_node": 0.55,
                      "brain": 0.185}  # fmt: skip
    assert sum(shares.values()) > 1  # several sites per patient
    cummings = [p for p in AUTOPSY_BREAST.points if p.organ != "brain"]
    assert all(p.source.startswith("Cummings et al., J Pathol 2014") for p in cummings)
    assert AUTOPSY_BREAST.points[-1].source.startswith("Tsukada et al., Cancer 1983")


def test_pan_2017_distant_recurrence_rises_with_nodes() -> None:
    assert [(p.label, p.value) for p in PAN_2017.points] == [
        ("T1N0", 0.13), ("T1N1–3", 0.20), ("T1N4–9", 0.34),
    ]  # fmt: skip
    assert all(p.window_years == (5.0, 20.0) and p.tag == "H" for p in PAN_2017.points)


def test_demicheli_hazard_peaks_at_two_and_five_years() -> None:
    assert [p.value for p in DEMICHELI_2008.points] == [24.0, 60.0]
    assert all(p.unit == "month" for p in DEMICHELI_2008.points)


@pytest.mark.parametrize(
    ("point", "text"),
    [
        (KAPLAN_2005_LLC_LUNG.points[1], "12–14 days"),
        (KAPLAN_2005_LLC_LUNG.points[2], "18 days"),
        (AUTOPSY_BREAST.points[0], "80%"),
        (DEMICHELI_2008.points[0], "24 months"),
    ],
)
def test_value_text(point: DataPoint, text: str) -> None:
    assert point.value_text == text
