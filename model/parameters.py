"""Every model parameter, declared once: default, allowed range, unit, meaning, source.

Validation, the command line's help, the documentation table and the dashboard's controls are all
generated from ``PARAMETER_SPECS``. Defaults describe Lewis lung carcinoma (LLC) in mice, time 0
at implantation (Kaplan et al., Nature 2005;438:820). Scenarios (``model.scenarios``) override
them, e.g. for the human breast-cancer time scale.

Tags in ``source``: [H] read in the primary paper or its abstract, [M] recalled from the primary
paper (check before quoting), [E] our estimate or calibration (see docs/model.md).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from model.errors import InvalidParameter, shown
from model.organs import ORGAN_LABELS, ORGANS

__all__ = [
    "GROUPS",
    "PARAMETER_SPECS",
    "ParameterSpec",
    "Parameters",
    "parse_value",
    "spec_for",
]

#: Control groups in the order the biology is told.
GROUPS: tuple[str, ...] = (
    "Seed",
    "Soil: VEGFR1 & niche",
    "Organ tropism",
    "Dormancy",
    "Therapy",
    "Detection",
    "Mechanisms (hypothesis)",
)

#: Longest simulated time span and latest scheduled event: a century is already absurd.
MAX_DAY = 36_500.0


@dataclass(frozen=True, kw_only=True)
class ParameterSpec:
    """Declaration of one parameter. ``low``/``high`` are inclusive validity bounds."""

    name: str
    default: float | None
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    group: str
    scale: Literal["linear", "log"] = "linear"
    optional: bool = False  # None means "does not happen" (e.g. no resection)
    label: str = ""

    @property
    def title(self) -> str:
        """Short human label for controls and tables."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def range_text(self) -> str:
        extra = ", or none" if self.optional else ""
        return f"[{_fmt(self.low)}, {_fmt(self.high)}]{extra}"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _organ_specs(
    prefix: str,
    defaults: Mapping[str, float],
    *,
    low: float,
    high: float,
    unit: str,
    meaning: str,
    source: str,
    group: str,
    label: str,
) -> list[ParameterSpec]:
    return [
        ParameterSpec(
            name=f"{prefix}.{organ}",
            default=defaults[organ],
            low=low,
            high=high,
            unit=unit,
            meaning=meaning.format(organ=ORGAN_LABELS[organ].lower()),
            source=source,
            group=group,
            label=f"{label}: {ORGAN_LABELS[organ].split(' (')[0].lower()}",
        )
        for organ in ORGANS
    ]


#: LLC secretes lung-tropic factors: niches form almost only in the lung (Kaplan 2005).
LLC_TROPISM = {
    "lymph_node": 0.10,
    "lung": 1.0,
    "liver": 0.05,
    "bone": 0.02,
    "brain": 0.01,
    "other": 0.02,
}

_S = "Seed"
_N = "Soil: VEGFR1 & niche"
_D = "Dormancy"
_T = "Therapy"
_H = "Mechanisms (hypothesis)"

PARAMETER_SPECS: tuple[ParameterSpec, ...] = (
    # --- Seed: the primary tumor and the cells it sheds --------------------------------------
    ParameterSpec(
        name="initial_tumor_cells",
        default=1e6,
        low=1e3,
        high=1e9,
        unit="cells",
        meaning="Primary tumor size at day 0 (the implant in mice, a ~1 mm³ lesion in human runs).",
        source="Kaplan 2005 implanted about 1e6 LLC cells intradermally [M]; 1 mm³ ≈ 1e6 cells "
        "[H].",
        group=_S,
        scale="log",
        label="Initial tumor",
    ),
    ParameterSpec(
        name="tumor_growth_rate",
        default=0.08,
        low=1e-4,
        high=0.5,
        unit="1/day",
        meaning="Gompertz growth rate of the primary tumor: how fast it approaches its capacity.",
        source="[E] LLC reaches ~1.5e9 cells by day 20; human breast 6.7e-4/day gives a ~150-day "
        "doubling at 1 cm³ (docs/model.md#calibration).",
        group=_S,
        scale="log",
        label="Tumor growth rate",
    ),
    ParameterSpec(
        name="tumor_capacity",
        default=1e10,
        low=1e8,
        high=1e13,
        unit="cells",
        meaning="Size the primary tumor would level off at (Gompertz carrying capacity).",
        source="[E] mouse 1e10 (about 10 g); human 1e12 (Iwata 2000 fitted 7.3e10 for a liver "
        "tumor [H]).",
        group=_S,
        scale="log",
        label="Tumor capacity",
    ),
    ParameterSpec(
        name="resection_fraction",
        default=1.0,
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Share of the primary tumor removed at resection (1 = complete resection).",
        source="[E] surgical margin; a residue regrows locally.",
        group=_T,
        label="Resection completeness",
    ),
    ParameterSpec(
        name="shedding_rate",
        default=3e-3,
        low=1e-5,
        high=0.1,
        unit="1/day",
        meaning="Tumor cells shed into the blood per primary tumor cell per day (intrinsic seed "
        "ability).",
        source="Butler & Gullino, Cancer Res 1975: 3.2–4.1e6 cells per gram per day [H]. "
        "Breast stage variants 2e-3 (T1N0) and 6e-3 (T1N4–9) calibrated to Pan et al., NEJM "
        "2017 [H] (docs/model.md#calibration).",
        group=_S,
        scale="log",
        label="Shedding rate",
    ),
    ParameterSpec(
        name="ctc_clearance_rate",
        default=20.0,
        low=1.0,
        high=200.0,
        unit="1/day",
        meaning="Rate at which circulating tumor cells leave the blood (arrest or death).",
        source="CTC half-life in blood of 1–2.4 h (Meng et al., Clin Cancer Res 2004) [M].",
        group=_S,
        scale="log",
        label="CTC clearance",
    ),
    *_organ_specs(
        "arrest_share",
        dict.fromkeys(ORGANS, 0.15),
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Share of cleared circulating tumor cells that arrest in the {organ} "
        "(blood flow and seed-side affinity).",
        source="[E] equal shares: organ selectivity is left to the soil (Paget's view; "
        "model_spec §3). Shares adding up to more than 1 are scaled to sum to 1.",
        group=_S,
        label="Arrest share",
    ),
    ParameterSpec(
        name="dtc_survival_bare",
        default=3e-6,
        low=1e-9,
        high=1e-2,
        unit="probability",
        meaning="Chance that a cleared circulating tumor cell ends up as a lasting DTC in an organ "
        "with bare soil (no niche).",
        source="[E] calibrated with the LLC timeline (mouse) and, in the breast scenario "
        "(2.3e-8), against distant recurrence in years 5–20 (Pan et al., NEJM 2017 [H]); "
        "docs/model.md#calibration. It lumps death in the blood and at arrest: Luzzi et al. "
        "(Am J Pathol 1998) found >80% of arrested cells survive and extravasate, growth "
        "being the bottleneck [H], so the loss sits "
        "mostly before and at arrest (Weiss, Cancer Metastasis Rev 1990: metastatic "
        "inefficiency) [M].",
        group=_S,
        scale="log",
        label="Survival, bare soil",
    ),
    ParameterSpec(
        name="niche_survival_gain",
        default=33.0,
        low=1.0,
        high=1e5,
        unit="fold",
        meaning="How many times a full niche multiplies the odds that an arriving cell survives "
        "as a DTC (survival never drops below bare soil, never exceeds 1).",
        source="[E] calibrated with the LLC timeline: survival 1e-4 in a full niche, DTCs "
        "detected ~day 18 (Kaplan 2005) [M]; docs/model.md#calibration.",
        group=_S,
        scale="log",
        label="Niche survival gain",
    ),
    ParameterSpec(
        name="met_growth_rate",
        default=0.7,
        low=1e-3,
        high=2.0,
        unit="1/day",
        meaning="Growth rate of proliferating DTCs inside a full niche.",
        source="[E] LLC doubles in about a day. Human 0.018/day: with g0 = 0.7 and dormancy "
        "entry 1e-3 a clone outside a niche doubles every 60 days (observed 50–70), and the "
        "breast relapse hazard peaks in year 5 (Demicheli 2008); docs/model.md#calibration.",
        group=_S,
        scale="log",
        label="Metastatic growth rate",
    ),
    ParameterSpec(
        name="bare_growth_share",
        default=0.3,
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Share of the metastatic growth rate that proliferating DTCs keep without a niche.",
        source="[E] model_spec §3 (g0): 0.3 in mice, 0.7 in human runs.",
        group=_S,
        label="Growth without niche",
    ),
    ParameterSpec(
        name="organ_capacity",
        default=1e9,
        low=1e6,
        high=1e12,
        unit="cells",
        meaning="Metastatic burden at which growth in one organ levels off (logistic capacity).",
        source="[E] mouse 1e9, human 1e11.",
        group=_S,
        scale="log",
        label="Organ capacity",
    ),
    ParameterSpec(
        name="clone_establishment",
        default=0.25,
        low=1e-3,
        high=1.0,
        unit="probability",
        meaning="Chance that a DTC starting to proliferate founds a lasting clone.",
        source="[E] 0.25 mouse, 0.05 human. Luzzi 1998: of cells that survived as solitary "
        "cells or grew, few formed lasting micrometastases (~2.5% of injected cells) and fewer "
        "macrometastases (~0.02%) [M].",
        group=_S,
        scale="log",
        label="Clone establishment",
    ),
    # --- Soil: tumor factors, VEGFR1+ HPCs and the niche -------------------------------------
    ParameterSpec(
        name="factor_reference_tumor",
        default=2e8,
        low=1e6,
        high=1e11,
        unit="cells",
        meaning="Primary tumor size whose secreted factors (VEGF-A, PlGF) give a half-maximal "
        "effect.",
        source="[E] calibrated so lung clusters appear around day 12–14 in LLC (Kaplan 2005) [M].",
        group=_N,
        scale="log",
        label="Factor half-effect tumor",
    ),
    ParameterSpec(
        name="factor_clearance_rate",
        default=2.0,
        low=0.1,
        high=50.0,
        unit="1/day",
        meaning="Turnover of tumor-derived factor in the blood.",
        source="[E] VEGF clears within hours; exosomes and other factors linger longer.",
        group=_N,
        scale="log",
        label="Factor clearance",
    ),
    ParameterSpec(
        name="vegfr1_signalling",
        default=4.0,
        low=0.0,
        high=20.0,
        unit="fold of basal",
        meaning="Extra VEGFR1+ HPC mobilisation from the marrow at saturating tumor factor.",
        source="[E] G-CSF mobilises ≥10-fold [M]; 4 gives a biomarker peak of about 2.2-fold "
        "in LLC (checked by tests/model/test_calibration.py).",
        group=_N,
        label="VEGFR1 signalling",
    ),
    ParameterSpec(
        name="myeloid_recruitment",
        default=2.0,
        low=0.0,
        high=20.0,
        unit="fold of basal",
        meaning="Extra recruitment of niche-building myeloid cells at saturating tumor factor "
        "through VEGFR1-independent routes (S100A8/A9, LOX); used where VEGFR1 dependence < 1.",
        source="[E] calibrated so the untreated LLC lung niche forms on the same day under the "
        "Dawson and Kaplan-Lyden hypotheses (docs/model.md#calibration). Hiratsuka, Nat Cell "
        "Biol 2006 (S100A8/A9) [H]; Erler, Cancer Cell 2009 (LOX) [H]; Dawson, PLoS One 2009 [H].",
        group=_N,
        label="Myeloid recruitment (VEGFR1-free)",
    ),
    ParameterSpec(
        name="mobilisation_rate",
        default=0.1,
        low=5e-3,
        high=2.0,
        unit="1/day",
        meaning="Basal rate at which VEGFR1+ HPCs leave the marrow pool.",
        source="[E] model_spec §3 (m0 = 0.05–0.1/day).",
        group=_N,
        scale="log",
        label="Basal mobilisation",
    ),
    ParameterSpec(
        name="marrow_replenishment_rate",
        default=0.3,
        low=0.01,
        high=5.0,
        unit="1/day",
        meaning="Rate at which the marrow VEGFR1+ HPC pool returns to its set point.",
        source="[E] model_spec §3 (r_B).",
        group=_N,
        scale="log",
        label="Marrow replenishment",
    ),
    ParameterSpec(
        name="hpc_clearance_rate",
        default=5.0,
        low=0.5,
        high=50.0,
        unit="1/day",
        meaning="Clearance of circulating VEGFR1+ HPCs (they spend hours in blood).",
        source="HSPCs spend minutes to hours in blood [M]; model_spec §3.",
        group=_N,
        scale="log",
        label="HPC clearance",
    ),
    ParameterSpec(
        name="hpc_homing_loss",
        default=0.5,
        low=0.0,
        high=5.0,
        unit="1/day",
        meaning="Removal of circulating HPCs by homing, per unit of primed soil summed over "
        "organs.",
        source="[E] small next to clearance: homing barely dents the biomarker.",
        group=_N,
        label="HPC loss to homing",
    ),
    ParameterSpec(
        name="fibronectin_induction_rate",
        default=0.5,
        low=0.01,
        high=5.0,
        unit="1/day",
        meaning="Rate at which tumor factor makes resident fibroblasts lay down fibronectin.",
        source="[E] priming over about a week, before clusters (Kaplan 2005: days 3–7 [M]).",
        group=_N,
        scale="log",
        label="Fibronectin induction",
    ),
    ParameterSpec(
        name="fibronectin_decay_rate",
        default=0.1,
        low=5e-3,
        high=1.0,
        unit="1/day",
        meaning="Decay of soil priming (fibronectin) once tumor factor is gone.",
        source="[E] matrix turnover over weeks.",
        group=_N,
        scale="log",
        label="Fibronectin decay",
    ),
    ParameterSpec(
        name="homing_rate",
        default=0.3,
        low=1e-3,
        high=5.0,
        unit="1/day",
        meaning="Niche cluster growth per unit of primed soil and of circulating HPC (VLA-4 "
        "binding).",
        source="[E] calibrated to clusters at day 12–14 (Kaplan 2005) [M].",
        group=_N,
        scale="log",
        label="Homing rate",
    ),
    ParameterSpec(
        name="niche_decay_rate",
        default=0.2,
        low=0.01,
        high=2.0,
        unit="1/day",
        meaning="Loss of VEGFR1+ niche clusters (cells leave or die).",
        source="[E] myeloid dwell times of days.",
        group=_N,
        scale="log",
        label="Niche decay",
    ),
    ParameterSpec(
        name="niche_hill",
        default=2.0,
        low=1.0,
        high=4.0,
        unit="dimensionless",
        meaning="Steepness of niche permissiveness as clusters grow (Hill coefficient).",
        source="[E] model_spec §3 (h = 2).",
        group=_N,
        label="Niche steepness",
    ),
    # --- Organ tropism: where tumor factors prime the soil ----------------------------------
    *_organ_specs(
        "tropism",
        LLC_TROPISM,
        low=0.0,
        high=1.0,
        unit="relative",
        meaning="How strongly the tumor's secreted factors prime the {organ} (niche tropism).",
        source="LLC is lung-tropic (Kaplan 2005 [H]); weights [E], model_spec §3 table.",
        group="Organ tropism",
        label="Tropism",
    ),
    # --- Dormancy ---------------------------------------------------------------------------
    ParameterSpec(
        name="dormancy_entry_rate",
        default=0.05,
        low=1e-5,
        high=1.0,
        unit="1/day",
        meaning="Rate at which proliferating DTCs fall back into dormancy.",
        source="[E] model_spec §3 (β0): 0.05 mouse, 1e-3 human.",
        group=_D,
        scale="log",
        label="Dormancy entry",
    ),
    ParameterSpec(
        name="dormancy_exit_rate",
        default=0.01,
        low=1e-7,
        high=1.0,
        unit="1/day",
        meaning="Rate at which dormant DTCs wake and start proliferating, without a niche.",
        source="[E] 0.01 mouse. Human 2e-6 (model_spec §3): the late relapse risk is "
        "proportional to exit rate × DTC survival × clone establishment, and that product is "
        "calibrated against distant recurrence in years 5–20 (Pan et al., NEJM 2017 [H]); "
        "docs/model.md#calibration.",
        group=_D,
        scale="log",
        label="Dormancy exit",
    ),
    ParameterSpec(
        name="niche_wake_factor",
        default=100.0,
        low=0.0,
        high=200.0,
        unit="fold",
        meaning="How many times faster dormant cells wake inside a full niche.",
        source="[E] sprouting neovasculature releases dormant cells (Ghajar et al., NCB 2013) [H].",
        group=_D,
        label="Niche wake-up effect",
    ),
    ParameterSpec(
        name="niche_proliferation_share",
        default=0.5,
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Share of DTCs surviving inside a full niche that start proliferating at once.",
        source="[E] the niche is permissive for growth (Psaila et al. 2006).",
        group=_D,
        label="Niche proliferation share",
    ),
    ParameterSpec(
        name="dormant_death_rate",
        default=0.05,
        low=1e-6,
        high=0.5,
        unit="1/day",
        meaning="Death rate of dormant DTCs.",
        source="[E] 0.05 mouse; human 1e-4 (half-life ~19 years), calibrated to the steady "
        "distant-recurrence rate of years 5–20 (Pan et al., NEJM 2017 [H]); "
        "docs/model.md#calibration.",
        group=_D,
        scale="log",
        label="Dormant cell death",
    ),
    # --- Therapy ------------------------------------------------------------------------------
    ParameterSpec(
        name="anti_vegfr1_efficacy",
        default=0.0,
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Fraction of VEGFR1 signalling blocked by an anti-VEGFR1 antibody inside its "
        "window.",
        source="Kaplan 2005: anti-VEGFR1 (MF1) abrogated clusters and metastasis [H]; 0.95 [E].",
        group=_T,
        label="Anti-VEGFR1 efficacy",
    ),
    ParameterSpec(
        name="anti_vegfr1_start_day",
        default=0.0,
        low=0.0,
        high=MAX_DAY,
        unit="day",
        meaning="First day of anti-VEGFR1 treatment.",
        source="Kaplan 2005 treated from implantation [M].",
        group=_T,
        label="Anti-VEGFR1 from day",
    ),
    ParameterSpec(
        name="anti_vegfr1_end_day",
        default=MAX_DAY,
        low=0.0,
        high=MAX_DAY,
        unit="day",
        meaning="Last day of anti-VEGFR1 treatment (must not precede the first).",
        source="Dawson 2009: blocking after resection did not help [H]; try a late window.",
        group=_T,
        label="Anti-VEGFR1 until day",
    ),
    ParameterSpec(
        name="vla4_block_efficacy",
        default=0.0,
        low=0.0,
        high=1.0,
        unit="fraction",
        meaning="Fraction of VLA-4–fibronectin homing blocked (anti-VLA-4), for the whole run.",
        source="Kaplan 2005: anti-VLA-4 blocked cluster formation [M]; Qian, Blood 2007 [H].",
        group=_T,
        label="VLA-4 blockade",
    ),
    ParameterSpec(
        name="resection_day",
        default=None,
        low=0.0,
        high=MAX_DAY,
        unit="day",
        meaning="Day the primary tumor is surgically removed (none: never).",
        source="Event in the solver: integration stops and restarts with the tumor reduced.",
        group=_T,
        optional=True,
        label="Resection day",
    ),
    # --- Detection ------------------------------------------------------------------------------
    ParameterSpec(
        name="dtc_detection_threshold",
        default=100.0,
        low=1.0,
        high=1e9,
        unit="cells",
        meaning="DTCs in an organ (dormant plus proliferating) at which they count as detected.",
        source="[E] histology detects clusters of tens to hundreds of cells.",
        group="Detection",
        scale="log",
        label="DTC detection threshold",
    ),
    ParameterSpec(
        name="metastasis_detection_cells",
        default=1e3,
        low=10.0,
        high=1e10,
        unit="cells",
        meaning="Size at which one clone counts as a detected metastasis (metastasis and relapse "
        "probabilities wait for a clone to grow this large).",
        source="[E] mice: a histological micrometastasis, ~1e3 cells (Kaplan 2005, day ~23) [M]; "
        "patients: ~1e8 cells, a ~5 mm lesion on imaging (model_spec §3, M_det).",
        group="Detection",
        scale="log",
        label="Metastasis detected at",
    ),
    ParameterSpec(
        name="clone_growth_spread",
        default=0.25,
        low=0.0,
        high=1.0,
        unit="dimensionless",
        meaning="How much clones differ in growth rate (log-sd of a clone's rate around its "
        "soil's): some grow to detection size sooner, some later.",
        source="[E] metastases of one patient grow at different rates (breast: doubling times "
        "of weeks to months [M]); docs/model.md#readouts.",
        group="Detection",
        label="Clone growth spread",
    ),
    # --- Mechanisms: which hypothesis of organ choice the run follows (model.hypotheses) -----
    ParameterSpec(
        name="niche_formation",
        default=1.0,
        low=0.0,
        high=1.0,
        unit="switch",
        meaning="Weight of the dynamic pre-metastatic niche in how receptive an organ is (1: "
        "niches form where the tumor primes the soil; 0: no niche).",
        source="Kaplan et al., Nature 2005 [H]; 0 for the Paget and Ewing hypotheses.",
        group=_H,
        label="Pre-metastatic niche",
    ),
    ParameterSpec(
        name="vegfr1_dependence",
        default=1.0,
        low=0.0,
        high=1.0,
        unit="switch",
        meaning="Share of niche-building cells that need VEGFR1 (1: VEGFR1+ marrow cells, "
        "Kaplan-Lyden; 0: VEGFR1-independent myeloid cells, Dawson).",
        source="Kaplan 2005 [H] vs Dawson et al., PLoS One 2009 [H]; model_spec §3 (χ, ~0.3 "
        "for Dawson-like tumors).",
        group=_H,
        label="VEGFR1 dependence of the niche",
    ),
    ParameterSpec(
        name="organ_soil",
        default=0.0,
        low=0.0,
        high=1.0,
        unit="switch",
        meaning="Weight of a fixed organ soil in how receptive an organ is: the tropism weights "
        "as a lasting compatibility of seed and soil, present from the start (Paget).",
        source="Paget, Lancet 1889 [H]; 1 for the Paget hypothesis.",
        group=_H,
        label="Fixed organ soil",
    ),
    ParameterSpec(
        name="blood_flow_arrest",
        default=0.0,
        low=0.0,
        high=1.0,
        unit="switch",
        meaning="Share of where tumor cells arrest that blood flow decides (first capillary bed, "
        "cardiac output) instead of the arrest shares.",
        source="Ewing 1928 [M]; shares in model/organs.py [E]; 1 for the Ewing hypothesis.",
        group=_H,
        label="Arrest by blood flow",
    ),
)

_SPECS_BY_NAME: dict[str, ParameterSpec] = {spec.name: spec for spec in PARAMETER_SPECS}
assert len(_SPECS_BY_NAME) == len(PARAMETER_SPECS), "duplicate parameter name"


def spec_for(name: str) -> ParameterSpec:
    """The declaration of ``name``; raises ``InvalidParameter`` with a suggestion if unknown."""
    try:
        return _SPECS_BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), _SPECS_BY_NAME, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameter(
            str(name), f"unknown parameter {name!r}{hint}; `python -m model params` lists them"
        ) from None


_NONE_WORDS = {"", "none", "null", "never", "off"}


def _not_a_number(spec: ParameterSpec, raw: object) -> InvalidParameter:
    return InvalidParameter(
        spec.name,
        f"{spec.name}={shown(raw)} is not a number; allowed range {spec.range_text} ({spec.unit})",
    )


def parse_value(name: str, raw: object) -> float | None:
    """Validate one raw value (number or text) against the declaration of ``name``.

    Never clamps: a value outside the declared range is an error naming key, value and range.
    """
    spec = spec_for(name)
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in _NONE_WORDS):
        if spec.optional:
            return None
        raise InvalidParameter(
            name, f"{name} needs a number in {spec.range_text} ({spec.unit}), got {shown(raw)}"
        )
    if isinstance(raw, bool):
        raise _not_a_number(spec, raw)
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise _not_a_number(spec, raw) from None
    elif isinstance(raw, numbers.Real):  # also NumPy scalars
        try:
            value = float(raw)
        except OverflowError:  # an integer beyond any float: as infinite as it gets
            value = math.inf
    else:
        raise _not_a_number(spec, raw)
    if not math.isfinite(value):
        raise InvalidParameter(
            name,
            f"{name}={shown(raw)} is not a finite number; allowed range {spec.range_text} "
            f"({spec.unit})",
        )
    if not spec.low <= value <= spec.high:
        raise InvalidParameter(
            name,
            f"{name}={value:g} is outside its allowed range {spec.range_text} ({spec.unit})",
        )
    return value


class Parameters(Mapping[str, float | None]):
    """An immutable, validated, complete parameter set. ``Parameters()`` holds the defaults.

    >>> p = Parameters({"tropism.lung": 0.5}, vegfr1_signalling=8)
    >>> p["vegfr1_signalling"], p.replace(vegfr1_signalling=2)["vegfr1_signalling"]
    (8.0, 2.0)
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, object] | None = None, /, **overrides: object):
        merged: dict[str, float | None] = {s.name: s.default for s in PARAMETER_SPECS}
        for key, raw in {**(values or {}), **overrides}.items():
            merged[key] = parse_value(key, raw)
        _check_consistency(merged)
        self._values = merged

    def replace(self, values: Mapping[str, object] | None = None, /, **overrides: object):
        """A copy with some values changed (the new values validated like the constructor's)."""
        merged = dict(self._values)
        for key, raw in {**(values or {}), **overrides}.items():
            merged[key] = parse_value(key, raw)
        _check_consistency(merged)
        new = Parameters.__new__(Parameters)
        new._values = merged
        return new

    def changed(self) -> dict[str, float | None]:
        """Only the values that differ from the defaults (what a URL or export needs)."""
        return {k: v for k, v in self._values.items() if v != _SPECS_BY_NAME[k].default}

    def __getitem__(self, key: str) -> float | None:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(self._values.values()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Parameters):
            return NotImplemented
        return self._values == other._values

    def __repr__(self) -> str:
        return f"Parameters({self.changed()!r})"

    def organ_values(self, prefix: str) -> list[float]:
        """Per-organ values of ``prefix`` (e.g. ``tropism``) in ``ORGANS`` order."""
        return [float(self._values[f"{prefix}.{organ}"]) for organ in ORGANS]


def _check_consistency(values: Mapping[str, float | None]) -> None:
    start, end = values["anti_vegfr1_start_day"], values["anti_vegfr1_end_day"]
    if end < start:
        raise InvalidParameter(
            "anti_vegfr1_end_day",
            f"anti_vegfr1_end_day={end:g} is before anti_vegfr1_start_day={start:g}",
        )
