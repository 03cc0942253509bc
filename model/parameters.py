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

from model.errors import InvalidParameter
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
)

#: Longest simulated time span and latest scheduled event: a century is already absurd.
MAX_DAY = 36_500.0


@dataclass(frozen=True)
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

PARAMETER_SPECS: tuple[ParameterSpec, ...] = (
    # --- Seed: the primary tumor and the cells it sheds --------------------------------------
    ParameterSpec(
        "initial_tumor_cells",
        1e6,
        1e3,
        1e9,
        "cells",
        "Primary tumor size at day 0 (the implant in mice, a ~1 mm³ lesion in human runs).",
        "Kaplan 2005 implanted about 1e6 LLC cells intradermally [M]; 1 mm³ ≈ 1e6 cells [H].",
        _S,
        "log",
        label="Initial tumor",
    ),
    ParameterSpec(
        "tumor_growth_rate",
        0.08,
        1e-4,
        0.5,
        "1/day",
        "Gompertz growth rate of the primary tumor: how fast it approaches its capacity.",
        "[E] LLC reaches ~1.5e9 cells by day 20; human breast 6.7e-4/day gives a ~150-day "
        "doubling at 1 cm³ (docs/model.md#calibration).",
        _S,
        "log",
        label="Tumor growth rate",
    ),
    ParameterSpec(
        "tumor_capacity",
        1e10,
        1e8,
        1e13,
        "cells",
        "Size the primary tumor would level off at (Gompertz carrying capacity).",
        "[E] mouse 1e10 (about 10 g); human 1e12 (Iwata 2000 fitted 7.3e10 for a liver tumor [H]).",
        _S,
        "log",
        label="Tumor capacity",
    ),
    ParameterSpec(
        "resection_fraction",
        1.0,
        0.0,
        1.0,
        "fraction",
        "Share of the primary tumor removed at resection (1 = complete resection).",
        "[E] surgical margin; a residue regrows locally.",
        _T,
        label="Resection completeness",
    ),
    ParameterSpec(
        "shedding_rate",
        3e-3,
        1e-5,
        0.1,
        "1/day",
        "Tumor cells shed into the blood per primary tumor cell per day (intrinsic seed ability).",
        "Butler & Gullino, Cancer Res 1975: 3.2–4.1e6 cells per gram per day [H].",
        _S,
        "log",
        label="Shedding rate",
    ),
    ParameterSpec(
        "ctc_clearance_rate",
        20.0,
        1.0,
        200.0,
        "1/day",
        "Rate at which circulating tumor cells leave the blood (arrest or death).",
        "CTC half-life in blood of 1–2.4 h (Meng et al., Clin Cancer Res 2004) [M].",
        _S,
        "log",
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
        "dtc_survival_bare",
        3e-6,
        1e-9,
        1e-2,
        "probability",
        "Chance that a tumor cell arresting in bare soil (no niche) survives as a DTC.",
        "[E] calibrated; most arrested cells die (Luzzi et al., Am J Pathol 1998) [M].",
        _S,
        "log",
        label="Survival, bare soil",
    ),
    ParameterSpec(
        "dtc_survival_niche",
        1e-4,
        1e-7,
        1.0,
        "probability",
        "Chance that a tumor cell arresting in a full niche survives as a DTC.",
        "[E] calibrated to the LLC timeline of Kaplan 2005 (DTCs ~day 18) [M].",
        _S,
        "log",
        label="Survival, in niche",
    ),
    ParameterSpec(
        "met_growth_rate",
        0.7,
        1e-3,
        2.0,
        "1/day",
        "Growth rate of proliferating DTCs inside a full niche.",
        "[E] LLC doubles in about a day; human metastases 0.0139/day (50-day doubling).",
        _S,
        "log",
        label="Metastatic growth rate",
    ),
    ParameterSpec(
        "bare_growth_share",
        0.3,
        0.0,
        1.0,
        "fraction",
        "Share of the metastatic growth rate that proliferating DTCs keep without a niche.",
        "[E] model_spec §3 (g0): 0.3 in mice, 0.7 in human runs.",
        _S,
        label="Growth without niche",
    ),
    ParameterSpec(
        "organ_capacity",
        1e9,
        1e6,
        1e12,
        "cells",
        "Metastatic burden at which growth in one organ levels off (logistic capacity).",
        "[E] mouse 1e9, human 1e11.",
        _S,
        "log",
        label="Organ capacity",
    ),
    ParameterSpec(
        "allee_cells",
        1.0,
        0.0,
        100.0,
        "cells",
        "Colony size at which growth is half-gated: expected numbers below one cell cannot grow.",
        "[E] Allee-type gate (Kareva, Biol Direct 2016 [H]); model_spec §3.",
        _S,
        label="Allee gate",
    ),
    ParameterSpec(
        "clone_establishment",
        0.25,
        1e-3,
        1.0,
        "probability",
        "Chance that a cell starting to proliferate founds a lasting clone (for relapse risk).",
        "Luzzi 1998: ~2.5% of arrested cells form micrometastases [M]; [E] 0.25 mouse, 0.05 human.",
        _S,
        "log",
        label="Clone establishment",
    ),
    # --- Soil: tumor factors, VEGFR1+ HPCs and the niche -------------------------------------
    ParameterSpec(
        "factor_reference_tumor",
        2e8,
        1e6,
        1e11,
        "cells",
        "Primary tumor size whose secreted factors (VEGF-A, PlGF) give a half-maximal effect.",
        "[E] calibrated so lung clusters appear around day 12–14 in LLC (Kaplan 2005) [M].",
        _N,
        "log",
        label="Factor half-effect tumor",
    ),
    ParameterSpec(
        "factor_clearance_rate",
        2.0,
        0.1,
        50.0,
        "1/day",
        "Turnover of tumor-derived factor in the blood.",
        "[E] VEGF clears within hours; exosomes and other factors linger longer.",
        _N,
        "log",
        label="Factor clearance",
    ),
    ParameterSpec(
        "vegfr1_signalling",
        4.0,
        0.0,
        20.0,
        "fold of basal",
        "Extra VEGFR1+ HPC mobilisation from the marrow at saturating tumor factor.",
        "[E] G-CSF mobilises ≥10-fold [M]; 4 gives a ~3-fold biomarker rise (model_spec §3).",
        _N,
        label="VEGFR1 signalling",
    ),
    ParameterSpec(
        "mobilisation_rate",
        0.1,
        5e-3,
        2.0,
        "1/day",
        "Basal rate at which VEGFR1+ HPCs leave the marrow pool.",
        "[E] model_spec §3 (m0 = 0.05–0.1/day).",
        _N,
        "log",
        label="Basal mobilisation",
    ),
    ParameterSpec(
        "marrow_replenishment_rate",
        0.3,
        0.01,
        5.0,
        "1/day",
        "Rate at which the marrow VEGFR1+ HPC pool returns to its set point.",
        "[E] model_spec §3 (r_B).",
        _N,
        "log",
        label="Marrow replenishment",
    ),
    ParameterSpec(
        "hpc_clearance_rate",
        5.0,
        0.5,
        50.0,
        "1/day",
        "Clearance of circulating VEGFR1+ HPCs (they spend hours in blood).",
        "HSPCs spend minutes to hours in blood [M]; model_spec §3.",
        _N,
        "log",
        label="HPC clearance",
    ),
    ParameterSpec(
        "hpc_homing_loss",
        0.5,
        0.0,
        5.0,
        "1/day",
        "Removal of circulating HPCs by homing, per unit of primed soil summed over organs.",
        "[E] small next to clearance: homing barely dents the biomarker.",
        _N,
        label="HPC loss to homing",
    ),
    ParameterSpec(
        "fibronectin_induction_rate",
        0.5,
        0.01,
        5.0,
        "1/day",
        "Rate at which tumor factor makes resident fibroblasts lay down fibronectin.",
        "[E] priming over about a week, before clusters (Kaplan 2005: days 3–7 [M]).",
        _N,
        "log",
        label="Fibronectin induction",
    ),
    ParameterSpec(
        "fibronectin_decay_rate",
        0.1,
        5e-3,
        1.0,
        "1/day",
        "Decay of soil priming (fibronectin) once tumor factor is gone.",
        "[E] matrix turnover over weeks.",
        _N,
        "log",
        label="Fibronectin decay",
    ),
    ParameterSpec(
        "homing_rate",
        0.3,
        1e-3,
        5.0,
        "1/day",
        "Niche cluster growth per unit of primed soil and of circulating HPC (VLA-4 binding).",
        "[E] calibrated to clusters at day 12–14 (Kaplan 2005) [M].",
        _N,
        "log",
        label="Homing rate",
    ),
    ParameterSpec(
        "niche_decay_rate",
        0.2,
        0.01,
        2.0,
        "1/day",
        "Loss of VEGFR1+ niche clusters (cells leave or die).",
        "[E] myeloid dwell times of days.",
        _N,
        "log",
        label="Niche decay",
    ),
    ParameterSpec(
        "niche_hill",
        2.0,
        1.0,
        4.0,
        "dimensionless",
        "Steepness of niche permissiveness as clusters grow (Hill coefficient).",
        "[E] model_spec §3 (h = 2).",
        _N,
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
        "dormancy_entry_rate",
        0.05,
        1e-5,
        1.0,
        "1/day",
        "Rate at which proliferating DTCs fall back into dormancy.",
        "[E] model_spec §3 (β0): 0.05 mouse, 1e-3 human.",
        _D,
        "log",
        label="Dormancy entry",
    ),
    ParameterSpec(
        "dormancy_exit_rate",
        0.01,
        1e-7,
        1.0,
        "1/day",
        "Rate at which dormant DTCs wake and start proliferating, without a niche.",
        "[E] 0.01 mouse; human 2e-6 calibrated to steady late recurrence (Pan et al., NEJM 2017).",
        _D,
        "log",
        label="Dormancy exit",
    ),
    ParameterSpec(
        "niche_wake_factor",
        100.0,
        0.0,
        200.0,
        "fold",
        "How many times faster dormant cells wake inside a full niche.",
        "[E] sprouting neovasculature releases dormant cells (Ghajar et al., NCB 2013) [H].",
        _D,
        label="Niche wake-up effect",
    ),
    ParameterSpec(
        "niche_proliferation_share",
        0.5,
        0.0,
        1.0,
        "fraction",
        "Share of DTCs surviving inside a full niche that start proliferating at once.",
        "[E] the niche is permissive for growth (Psaila et al. 2006).",
        _D,
        label="Niche proliferation share",
    ),
    ParameterSpec(
        "dormant_death_rate",
        0.05,
        1e-6,
        0.5,
        "1/day",
        "Death rate of dormant DTCs.",
        "[E] 0.05 mouse; human 2e-4 (half-life ~9.5 years), model_spec §3.",
        _D,
        "log",
        label="Dormant cell death",
    ),
    # --- Therapy ------------------------------------------------------------------------------
    ParameterSpec(
        "anti_vegfr1_efficacy",
        0.0,
        0.0,
        1.0,
        "fraction",
        "Fraction of VEGFR1 signalling blocked by an anti-VEGFR1 antibody inside its window.",
        "Kaplan 2005: anti-VEGFR1 (MF1) abrogated clusters and metastasis [H]; 0.95 [E].",
        _T,
        label="Anti-VEGFR1 efficacy",
    ),
    ParameterSpec(
        "anti_vegfr1_start_day",
        0.0,
        0.0,
        MAX_DAY,
        "day",
        "First day of anti-VEGFR1 treatment.",
        "Kaplan 2005 treated from implantation [M].",
        _T,
        label="Anti-VEGFR1 from day",
    ),
    ParameterSpec(
        "anti_vegfr1_end_day",
        MAX_DAY,
        0.0,
        MAX_DAY,
        "day",
        "Last day of anti-VEGFR1 treatment (must not precede the first).",
        "Dawson 2009: blocking after resection did not help [H]; try a late window.",
        _T,
        label="Anti-VEGFR1 until day",
    ),
    ParameterSpec(
        "vla4_block_efficacy",
        0.0,
        0.0,
        1.0,
        "fraction",
        "Fraction of VLA-4–fibronectin homing blocked (anti-VLA-4), for the whole run.",
        "Kaplan 2005: anti-VLA-4 blocked cluster formation [M]; Qian, Blood 2007 [H].",
        _T,
        label="VLA-4 blockade",
    ),
    ParameterSpec(
        "resection_day",
        None,
        0.0,
        MAX_DAY,
        "day",
        "Day the primary tumor is surgically removed (none: never).",
        "Event in the solver: integration stops and restarts with the tumor reduced.",
        _T,
        optional=True,
        label="Resection day",
    ),
    # --- Detection ------------------------------------------------------------------------------
    ParameterSpec(
        "dtc_detection_threshold",
        100.0,
        1.0,
        1e9,
        "cells",
        "DTCs in an organ (dormant plus proliferating) at which they count as detected.",
        "[E] histology detects clusters of tens to hundreds of cells.",
        "Detection",
        "log",
        label="DTC detection threshold",
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
        f"{spec.name}={raw!r} is not a number; allowed range {spec.range_text} ({spec.unit})",
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
            name, f"{name} needs a number in {spec.range_text} ({spec.unit}), got {raw!r}"
        )
    if isinstance(raw, bool):
        raise _not_a_number(spec, raw)
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise _not_a_number(spec, raw) from None
    elif isinstance(raw, numbers.Real):  # also NumPy scalars
        value = float(raw)
    else:
        raise _not_a_number(spec, raw)
    if not math.isfinite(value):
        raise InvalidParameter(
            name,
            f"{name}={raw!r} is not a finite number; allowed range {spec.range_text} ({spec.unit})",
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
