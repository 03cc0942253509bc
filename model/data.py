"""Published observations the model is compared with, declared once as data.

Each ``DataPoint`` says what was measured, its value or range with a unit, where it was published
and how firmly we checked it. The dashboard draws them next to the model's own numbers, clearly
marked as published data; nothing here feeds the equations.

Tags as in ``model.parameters``: [H] read in the primary paper or its abstract, [M] recalled from
the primary paper (check before quoting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "AUTOPSY_BREAST",
    "DATASETS",
    "DEMICHELI_2008",
    "KAPLAN_2005_LLC_LUNG",
    "PAN_2017",
    "DataPoint",
    "Dataset",
    "UNITS",
]

#: Every unit a data point may use, with what it means.
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "day": "days after tumor implantation (mice)",
        "month": "months after surgery of the primary tumor",
        "fraction": "fraction of patients (0 to 1)",
    }
)


@dataclass(frozen=True, kw_only=True)
class DataPoint:
    """One published number (``low == high``) or range (``low < high``)."""

    label: str  # a few words for a figure: "VEGFR1+ clusters"
    measures: str  # what was observed, in one sentence
    low: float
    high: float
    unit: str  # a key of UNITS
    source: str  # authors, journal, year; volume and pages where we have them
    tag: Literal["H", "M"]
    note: str = ""  # caveats, e.g. "low confidence"
    organ: str | None = None  # a key of model.organs.ORGANS when the point is about one organ
    #: When the value is a share of patients counted over a time window: its (start, end) in
    #: years after diagnosis (Pan 2017: distant recurrence from year 5 to year 20).
    window_years: tuple[float, float] | None = None

    @property
    def value(self) -> float:
        """The number to plot: the value, or the middle of the range."""
        return (self.low + self.high) / 2.0

    @property
    def is_range(self) -> bool:
        return self.high > self.low

    @property
    def value_text(self) -> str:
        """``"12–14 day"``-style text of the value (fractions as percentages)."""
        if self.unit == "fraction":
            low, high, unit = 100 * self.low, 100 * self.high, "%"
        else:
            low, high, unit = self.low, self.high, f" {self.unit}s"
        number = f"{low:g}–{high:g}" if self.is_range else f"{low:g}"
        return f"{number}{unit}"

    @property
    def citation(self) -> str:
        """Source with its tag and any caveat, for hover texts and tables."""
        extra = f"; {self.note}" if self.note else ""
        return f"{self.source} [{self.tag}{extra}]"


@dataclass(frozen=True)
class Dataset:
    """Points published together, and the setting they describe."""

    name: str
    title: str
    setting: str  # which tumor, which patients, where time 0 is
    points: tuple[DataPoint, ...]


_KAPLAN = "Kaplan et al., Nature 2005;438:820–827"

KAPLAN_2005_LLC_LUNG = Dataset(
    name="kaplan2005-llc-lung",
    title="Kaplan 2005: LLC lung time course",
    setting="Lewis lung carcinoma implanted intradermally in mice, untreated; time 0 at "
    "implantation; lungs stained every few days.",
    points=(
        DataPoint(
            label="fibronectin",
            measures="Fibronectin rises in lung fibroblasts (priming of the soil).",
            low=3.0,
            high=7.0,
            unit="day",
            source=_KAPLAN,
            tag="M",
            note="low confidence",
            organ="lung",
        ),
        DataPoint(
            label="VEGFR1+ clusters",
            measures="Clusters of marrow-derived VEGFR1+ cells appear in the lung (the niche).",
            low=12.0,
            high=14.0,
            unit="day",
            source=_KAPLAN,
            tag="M",
            organ="lung",
        ),
        DataPoint(
            label="tumor cells",
            measures="Single tumor cells are first seen in the lung, at the clusters.",
            low=18.0,
            high=18.0,
            unit="day",
            source=_KAPLAN,
            tag="M",
            organ="lung",
        ),
        DataPoint(
            label="micrometastases",
            measures="Micrometastases are seen in the lung.",
            low=23.0,
            high=23.0,
            unit="day",
            source=_KAPLAN,
            tag="M",
            organ="lung",
        ),
    ),
)

_CUMMINGS = "Cummings et al., J Pathol 2014;232:23–31 (197 autopsies)"

AUTOPSY_BREAST = Dataset(
    name="breast-autopsy",
    title="Breast cancer autopsies: organs involved",
    setting="Women who died of breast cancer: share of autopsies with metastases in each "
    "organ (patients had a median of four metastatic sites, so shares add up to more than 1).",
    points=(
        *(
            DataPoint(
                label=label,
                measures=f"Autopsies with metastases in {where}.",
                low=share,
                high=share,
                unit="fraction",
                source=_CUMMINGS,
                tag="H",
                organ=organ,
            )
            for label, where, organ, share in (
                ("lung/pleura", "lung or pleura", "lung", 0.80),
                ("bone", "bone", "bone", 0.74),
                ("liver", "the liver", "liver", 0.71),
                (
                    "non-axillary lymph nodes",
                    "lymph nodes other than the axillary ones",
                    "lymph_node",
                    0.55,
                ),
            )
        ),
        DataPoint(
            label="brain",
            measures="Autopsies with brain metastases (193 of 1,044 breast carcinoma autopsies; "
            "309 had any central nervous system metastasis).",
            low=0.185,
            high=0.185,
            unit="fraction",
            source="Tsukada et al., Cancer 1983;52:2349–2354 (1,044 autopsies)",
            tag="H",
            note="an older series than Cummings 2014",
            organ="brain",
        ),
    ),
)

_PAN = "Pan et al., N Engl J Med 2017;377:1836–1846 (62,923 women, 88 trials)"
_PAN_MEASURES = (
    "Distant recurrence from year 5 to year 20 after diagnosis, ER+ breast cancer, women "
    "disease-free after 5 years of endocrine therapy, tumor {tn}."
)

PAN_2017 = Dataset(
    name="pan2017-distant-recurrence",
    title="Pan 2017: distant recurrence, years 5–20",
    setting="ER+ early breast cancer; recurrences came at a steady rate from year 5 to 20.",
    points=tuple(
        DataPoint(
            label=label,
            measures=_PAN_MEASURES.format(tn=tn),
            low=share,
            high=share,
            unit="fraction",
            source=_PAN,
            tag="H",
            window_years=(5.0, 20.0),
        )
        for label, tn, share in (
            ("T1N0", "T1 (≤ 2 cm), no nodes involved", 0.13),
            ("T1N1–3", "T1, one to three nodes involved", 0.20),
            ("T1N4–9", "T1, four to nine nodes involved", 0.34),
        )
    ),
)

_DEMICHELI = "Demicheli et al., Breast Cancer Res 2008;10:R83 (1,526 patients)"

DEMICHELI_2008 = Dataset(
    name="demicheli2008-hazard-peaks",
    title="Demicheli 2008: recurrence hazard peaks",
    setting="Breast cancer after conservative surgery: the hazard of a first recurrence is "
    "bimodal, with the same peaks whatever the site of metastasis.",
    points=(
        DataPoint(
            label="first peak",
            measures="First peak of the recurrence hazard after surgery.",
            low=24.0,
            high=24.0,
            unit="month",
            source=_DEMICHELI,
            tag="H",
        ),
        DataPoint(
            label="second peak",
            measures="Second peak of the recurrence hazard after surgery.",
            low=60.0,
            high=60.0,
            unit="month",
            source=_DEMICHELI,
            tag="H",
        ),
    ),
)

DATASETS: Mapping[str, Dataset] = MappingProxyType(
    {d.name: d for d in (KAPLAN_2005_LLC_LUNG, AUTOPSY_BREAST, PAN_2017, DEMICHELI_2008)}
)
