"""Named experiments: a set of parameter overrides, a time span, and what should happen.

Each scenario's ``expected`` outcome is asserted by ``tests/model/test_scenarios.py``; change a
default and those tests tell you which classic experiment no longer replays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from model.errors import lookup
from model.hypotheses import HYPOTHESES
from model.organs import ORGANS
from model.parameters import Parameters

__all__ = ["SCENARIOS", "Scenario", "get_scenario"]


@dataclass(frozen=True)
class Scenario:
    """A classic experiment replayed by the model."""

    name: str
    title: str
    days: float
    what: str  # the experiment, in two sentences
    look_for: str  # what a student should watch on the figures
    expected: str  # the outcome the tests assert
    source: str
    overrides: Mapping[str, float | None] = field(default_factory=dict)

    def parameters(self) -> Parameters:
        return Parameters(self.overrides)


def _organ_map(prefix: str, values: tuple[float, ...]) -> dict[str, float]:
    return {f"{prefix}.{organ}": v for organ, v in zip(ORGANS, values, strict=True)}


#: LLC's own lung-tropic factors plus daily B16 melanoma conditioned medium, which primes the
#: sites where B16 spreads (model_spec §3: B16 weights .5, 1, .6, .2, .1, .6 on top of LLC).
_LLC_PLUS_B16_MEDIUM = (0.6, 1.0, 0.65, 0.22, 0.11, 0.62)

#: Human breast cancer: t = 0 at a ~1 mm³ primary; diagnosis and resection at 1e9 cells (1 cm³,
#: day ~1,034); then 20 years of follow-up. Rates from model_spec §3 (human column), recalibrated
#: by magnitude against published figures (model/calibration.py; docs/model.md#calibration).
#: The base patient is ER+ T1N1-3 (Pan et al., NEJM 2017: 20% distant recurrence in years 5-20).
_BREAST = {
    "initial_tumor_cells": 1e6,
    "tumor_growth_rate": 6.7e-4,
    "tumor_capacity": 1e12,
    "factor_reference_tumor": 5e8,
    # A clone in soil without a niche (every organ after resection) grows at
    # 0.018 * 0.7 - 1e-3 = 0.0116/day: the observed 50-70-day doubling of breast metastases
    # (60 days). The recurrence hazard then peaks in year 5 (Demicheli 2008: ~60 months).
    "met_growth_rate": 0.018,
    "bare_growth_share": 0.7,
    "organ_capacity": 1e11,
    "dormancy_entry_rate": 1e-3,
    "dormancy_exit_rate": 2e-6,
    "niche_wake_factor": 1.0,
    # Dormant-cell half-life ~19 years: the late hazard stays steady over years 5-20 (Pan 2017).
    "dormant_death_rate": 1e-4,
    "clone_establishment": 0.05,
    # Sets the size of the dormant reservoir, hence the Pan 2017 T1N1-3 figure (20%).
    "dtc_survival_bare": 2.3e-8,
    "niche_survival_gain": 100.0,
    "metastasis_detection_cells": 1e8,
    "niche_proliferation_share": 0.005,
    "resection_day": 1034.0,
    # Breast tropism: lymph node, liver and bone fitted so that their involvement relative to
    # the lung matches Cummings 2014 autopsies (lung 80%, bone 74%, liver 71%, nodes 55%; brain
    # ~19%, Tsukada 1983); brain and "other" keep the spec's weights.
    **_organ_map("tropism", (0.36, 1.0, 0.65, 0.74, 0.10, 0.12)),
}

#: Stage variants of the breast patient (Pan 2017, T1 tumors): the model has no lymph nodes of
#: the breast, so nodal stage enters as how many cells the same primary sheds. Shedding is the
#: only change; its factors (2/3 and 2 times the base 3e-3/day) are calibrated [E].
_BREAST_T1N0 = {**_BREAST, "shedding_rate": 2e-3}
_BREAST_T1N4_9 = {**_BREAST, "shedding_rate": 6e-3}

SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        s.name: s
        for s in (
            Scenario(
                name="kaplan2005-llc",
                title="LLC in mice: the niche comes first",
                days=30.0,
                what="Lewis lung carcinoma cells are implanted under the skin of mice. Kaplan "
                "and colleagues stained the lungs every few days for marrow-derived VEGFR1+ "
                "cells and for tumor cells.",
                look_for="Circulating VEGFR1+ HPCs rise first; the lung niche forms (onset "
                "marker) days before tumor cells are detected in the lung; other organs stay "
                "almost bare.",
                expected="Lung niche onset at day 12–14, at least 2 days before lung DTC "
                "detection (around day 18); lung carries most of the burden.",
                source="Kaplan et al., Nature 2005;438:820–827 (Fig. 1–2).",
            ),
            Scenario(
                name="kaplan2005-anti-vegfr1",
                title="LLC with anti-VEGFR1 from day 0",
                days=30.0,
                what="The same mice receive an anti-VEGFR1 antibody (MF1) from implantation.",
                look_for="The biomarker stays flat, no niche forms, and the lung burden falls "
                "to what the seed alone achieves.",
                expected="No organ reaches niche onset; total metastatic burden cut by more "
                "than 80% against kaplan2005-llc.",
                source="Kaplan et al., Nature 2005 (Fig. 3).",
                overrides={"anti_vegfr1_efficacy": 0.95, "anti_vegfr1_start_day": 0.0},
            ),
            Scenario(
                name="conditioned-medium-redirect",
                title="B16 conditioned medium redirects LLC",
                days=30.0,
                what="LLC-bearing mice receive daily conditioned medium from B16 melanoma, "
                "whose factors prime the organs where melanoma spreads.",
                look_for="Niches open in liver, lymph nodes and the 'other' organs (spleen, "
                "kidney): LLC metastases follow them.",
                expected="The organ ranking of metastatic burden changes and the share of "
                "burden outside the lung rises at least fivefold.",
                source="Kaplan et al., Nature 2005 (Fig. 4); Hoshino et al., Nature 2015.",
                overrides=_organ_map("tropism", _LLC_PLUS_B16_MEDIUM),
            ),
            Scenario(
                name="breast-resection-dormancy",
                title="Breast cancer: resection, dormancy, late relapse",
                days=8400.0,
                what="A human breast cancer grows for ~2.8 years to 1 cm³, seeds DTCs on the "
                "way, and is removed at diagnosis. Follow-up lasts 20 years.",
                look_for="After resection the primary and the biomarker vanish, but dormant "
                "DTCs remain for years; a metastasis grows out long after surgery. The yearly "
                "relapse hazard peaks in year 5 (clones already growing at surgery), then stays "
                "near 1–2% a year (cells waking from dormancy): 20% relapse in years 5–20, as "
                "Pan 2017 found for T1N1–3. Raise the dormancy exit rate and the relapse comes "
                "sooner.",
                expected="Primary gone after day 1,034; at least half the solitary dormant DTCs "
                "left 5 years later; no metastasis detectable at resection, relapses for years "
                "after it (yearly hazard highest in year 5, then 1–2% a year), and a higher "
                "relapse risk with a faster dormancy exit.",
                source="Aguirre-Ghiso, Nat Rev Cancer 2007; Pan et al., NEJM 2017; "
                "Braun et al., NEJM 2005.",
                overrides=_BREAST,
            ),
            Scenario(
                name="breast-t1n0",
                title="Breast cancer, node-negative (T1N0)",
                days=8400.0,
                what="The breast-resection-dormancy patient with no involved axillary nodes: "
                "the same 1 cm³ primary, resected on day 1,034, sheds two thirds as many cells "
                "(nodal involvement marks how widely a tumor disseminates).",
                look_for="The same course as breast-resection-dormancy, scaled down: fewer "
                "dormant DTCs, a lower yearly hazard after the year-5 peak.",
                expected="Distant recurrence in years 5–20, among patients free of it at 5 "
                "years, near Pan's 13% for T1N0 (accepted 9–17%).",
                source="Pan et al., NEJM 2017 (T1N0: 13% in years 5–20).",
                overrides=_BREAST_T1N0,
            ),
            Scenario(
                name="breast-t1n4-9",
                title="Breast cancer, four to nine nodes (T1N4–9)",
                days=8400.0,
                what="The breast-resection-dormancy patient with four to nine involved axillary "
                "nodes: the same 1 cm³ primary, resected on day 1,034, sheds twice as many cells.",
                look_for="The same course as breast-resection-dormancy, scaled up: a higher "
                "year-5 peak and a higher steady hazard in years 5–20.",
                expected="Distant recurrence in years 5–20, among patients free of it at 5 "
                "years, near Pan's 34% for T1N4–9 (accepted 24–44%).",
                source="Pan et al., NEJM 2017 (T1N4–9: 34% in years 5–20).",
                overrides=_BREAST_T1N4_9,
            ),
            Scenario(
                name="dawson2009",
                title="Anti-VEGFR1 when the niche does not need VEGFR1",
                days=30.0,
                what="Dawson and colleagues blocked VEGFR1 (antibody, or mice lacking its "
                "kinase domain) in LLC and B16 spontaneous metastasis and saw no change. Here "
                "the niche is built by VEGFR1-independent myeloid cells (the Dawson hypothesis) "
                "and the anti-VEGFR1 antibody is given from day 0, as in kaplan2005-anti-vegfr1.",
                look_for="The biomarker stays flat (VEGFR1+ cells are blocked), yet the lung "
                "niche forms and metastases grow: switch the hypothesis to Kaplan-Lyden and the "
                "same antibody abolishes them.",
                expected="Lung niche onset within 2 days of the untreated run and at least half "
                "its lung burden, while the same schedule under Kaplan-Lyden cuts the burden by "
                "more than 80%.",
                source="Dawson et al., PLoS One 2009; Duda et al., Cancer Res 2010.",
                overrides={
                    **HYPOTHESES["dawson"].switches,
                    "anti_vegfr1_efficacy": 0.95,
                    "anti_vegfr1_start_day": 0.0,
                },
            ),
            Scenario(
                name="vla4-blockade",
                title="LLC with VLA-4 blocked",
                days=30.0,
                what="VLA-4 on VEGFR1+ HPCs binds fibronectin in primed soil; an anti-VLA-4 "
                "antibody stops their homing.",
                look_for="HPCs are still mobilised (biomarker high) but no clusters form, so "
                "metastases stay small: the biomarker alone can mislead under therapy.",
                expected="Fewer niches and metastases than kaplan2005-llc while the biomarker "
                "peak stays at least as high.",
                source="Kaplan et al., Nature 2005; Qian et al., Blood 2007.",
                overrides={"vla4_block_efficacy": 0.9},
            ),
        )
    }
)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; a clear ``InvalidInput`` listing the names otherwise."""
    return lookup(SCENARIOS, name, "scenario")
