"""Every calibration claim as data: what was matched, to which published figure, by which knob.

A ``CalibrationTarget`` names a model measure (a function of a simulate function), the
published value it was calibrated to, the band accepted around it, the parameters it calibrates
and the source. ``tests/model/test_calibration.py`` runs every measure and asserts that its value
lies inside the band, and that every parameter whose declared ``source`` says "calibrated" is
listed by some target: a "calibrated to" claim that no test checks cannot exist.

``GAPS`` lists published figures the model does *not* reproduce, with the model's value and the
reason, so the documentation can state the gap and a test notices if it ever closes.

Human figures (breast scenarios, t = 0 at a ~1 mm³ primary, resection on day 1,034):

- Pan et al., NEJM 2017 [H]: ER+ women disease-free after 5 years of endocrine therapy; distant
  recurrence in years 5–20: 13% T1N0, 20% T1N1–3, 34% T1N4–9.
- Demicheli et al., Breast Cancer Res 2008 [H]: the recurrence hazard after surgery is bimodal,
  with peaks at ~24 and ~60 months.
- Cummings et al., J Pathol 2014 [H] (197 autopsies, median 4 sites): lung/pleura 80%, bone 74%,
  liver 71%, non-axillary lymph nodes 55%; brain ~19% (Tsukada et al., Cancer 1983 [M]).

``python -c "from model.calibration import calibration_markdown; print(calibration_markdown())"``
prints the table of docs/model.md#calibration.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.hypotheses import HYPOTHESES
from model.organs import ORGAN_LABELS, ORGANS
from model.parameters import Parameters
from model.probability import GROWTH_NODES, YEAR_DAYS, founded_by, grown_log_size, net_growth_rate
from model.readouts import first_crossing
from model.result import SimulationResult
from model.scenarios import SCENARIOS
from model.solve import simulate

__all__ = [
    "BREAST",
    "GAPS",
    "LLC",
    "TARGETS",
    "CalibrationGap",
    "CalibrationTarget",
    "Simulate",
    "calibration_markdown",
    "calibration_table",
    "gap_table",
    "late_recurrence",
    "simulate_cached",
]

#: ``run(params, days)``: ``model.simulate`` or a cached stand-in with the same signature.
Simulate = Callable[[Parameters, float], SimulationResult]

LLC = "kaplan2005-llc"
BREAST = "breast-resection-dormancy"
BREAST_T1N0 = "breast-t1n0"
BREAST_T1N4_9 = "breast-t1n4-9"

#: Accepted deviation of a human magnitude from its published figure (relative).
HUMAN_TOLERANCE = 0.30


@functools.lru_cache(maxsize=32)
def simulate_cached(params: Parameters, days: float) -> SimulationResult:
    """``model.simulate`` memoised per process (parameter sets are hashable)."""
    return simulate(params, days)


@dataclass(frozen=True, kw_only=True)
class CalibrationTarget:
    """One calibration claim: the model's ``measure`` lies in ``[low, high]`` around ``target``."""

    name: str
    description: str
    source: str
    parameters: tuple[str, ...]  # the parameters this target calibrates
    measure: Callable[[Simulate], float]
    target: float
    low: float
    high: float
    unit: str

    def model_value(self, run: Simulate | None = None) -> float:
        return float(self.measure(run or simulate_cached))

    def accepts(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True, kw_only=True)
class CalibrationGap:
    """A published figure the model does not reach, and why (documented, not calibrated)."""

    name: str
    description: str
    source: str
    measure: Callable[[Simulate], float]
    published: float
    unit: str
    reason: str

    def model_value(self, run: Simulate | None = None) -> float:
        return float(self.measure(run or simulate_cached))

    def is_open(self, value: float) -> bool:
        """The model misses the published figure by more than the human tolerance."""
        return abs(value - self.published) > HUMAN_TOLERANCE * abs(self.published)


def _band(value: float, tolerance: float = HUMAN_TOLERANCE) -> tuple[float, float]:
    return value * (1.0 - tolerance), value * (1.0 + tolerance)


# --- measures ---------------------------------------------------------------------------------


def _scenario(run: Simulate, name: str, **overrides: float | None) -> SimulationResult:
    scenario = SCENARIOS[name]
    return run(scenario.parameters().replace(overrides), scenario.days)


def _detected_total(result: SimulationResult) -> np.ndarray:
    return sum(result.frame[f"{organ}.clones_detected"].to_numpy() for organ in ORGANS)


def late_recurrence(result: SimulationResult, start_year: float = 5, end_year: float = 20) -> float:
    """Chance of a first detected metastasis between ``start_year`` and ``end_year`` after the
    resection, for a patient free of one at ``start_year`` (Pan 2017's measure). Detected clones
    are Poisson with independent increments, so this is ``1 - exp(-(L(end) - L(start)))``."""
    t = result.frame["day"].to_numpy()
    t_res = result.readouts.resection_day
    if t_res is None:
        raise ValueError("late_recurrence needs a run with a resection inside it")
    at = t_res + YEAR_DAYS * np.array([start_year, end_year])
    if at[-1] > t[-1] + 1e-9:
        raise ValueError(f"the run ends on day {t[-1]:g}, before year {end_year} of follow-up")
    start, end = np.interp(at, t, _detected_total(result))
    return float(-math.expm1(-(end - start)))


def _pan(name: str) -> Callable[[Simulate], float]:
    return lambda run: late_recurrence(_scenario(run, name))


def _hazard_peak_year(run: Simulate) -> float:
    hazard = _scenario(run, BREAST).readouts.annual_hazard
    return float(np.argmax(hazard) + 1)


def _mean_hazard(result: SimulationResult, first_year: int, last_year: int) -> float:
    return float(np.mean(result.readouts.annual_hazard[first_year - 1 : last_year]))


def _tail_steadiness(run: Simulate) -> float:
    """Mean yearly hazard in years 16–20 over that in years 6–10 (1: perfectly steady)."""
    result = _scenario(run, BREAST)
    return _mean_hazard(result, 16, 20) / _mean_hazard(result, 6, 10)


def _late_share_from_dormancy(run: Simulate) -> float:
    """Share of the metastases detected in years 5–20 that were founded after the resection,
    i.e. by cells that sat dormant at surgery and woke later (every cell founding a clone after
    the primary is gone is a woken dormant cell), not by clones already growing at surgery."""
    result = _scenario(run, BREAST)
    params, frame = result.params, result.frame
    t = frame["day"].to_numpy()
    t_res = float(result.readouts.resection_day)
    window = t_res + YEAR_DAYS * np.array([5.0, 20.0])
    late = from_dormant = 0.0
    for organ in ORGANS:
        net = net_growth_rate(
            frame[f"{organ}.niche_permissiveness"].to_numpy(),
            growth_rate=float(params["met_growth_rate"]),
            bare_share=float(params["bare_growth_share"]),
            entry_rate=float(params["dormancy_entry_rate"]),
        )
        clones = frame[f"{organ}.clones"].to_numpy()
        at_resection = float(np.interp(t_res, t, clones))
        grown = grown_log_size(t, net)
        log_size = math.log(float(params["metastasis_detection_cells"]))
        sigma = float(params["clone_growth_spread"])
        for node, weight in GROWTH_NODES:  # clones growing faster and slower than the median
            factor = math.exp(sigma * node - 0.5 * sigma**2)
            # Clones founded by the day whose clones are detected on each window edge.
            founded = founded_by(t, grown, clones, log_size / factor, window)
            late += weight * (founded[1] - founded[0])
            from_dormant += weight * max(founded[1] - max(founded[0], at_resection), 0.0)
    return from_dormant / late


def _involvement(result: SimulationResult) -> dict[str, float]:
    """Chance of a detected metastasis in each organ by the end of follow-up."""
    return {o: r.metastasis_probability for o, r in result.readouts.organs.items()}


def _relative_involvement(organ: str) -> Callable[[Simulate], float]:
    def measure(run: Simulate) -> float:
        p = _involvement(_scenario(run, BREAST))
        return p[organ] / p["lung"]

    return measure


def _lung_given_any(run: Simulate) -> float:
    result = _scenario(run, BREAST)
    return _involvement(result)["lung"] / result.readouts.metastasis_probability


def _sites_given_any(run: Simulate) -> float:
    """Expected number of organs with a detected metastasis, among patients with any."""
    result = _scenario(run, BREAST)
    return sum(_involvement(result).values()) / result.readouts.metastasis_probability


def _early_peak(run: Simulate) -> float:
    """Yearly hazard in year 2 after surgery as a share of the highest yearly hazard."""
    hazard = _scenario(run, BREAST).readouts.annual_hazard
    return float(hazard[1] / max(hazard))


def _breast_primary(run: Simulate) -> SimulationResult:
    """The breast primary without resection, a little past the resection day."""
    return run(SCENARIOS[BREAST].parameters().replace(resection_day=None), 1100.0)


def _tumor_at(result: SimulationResult, day: float) -> float:
    frame = result.frame
    return float(np.interp(day, frame["day"].to_numpy(), frame["tumor"].to_numpy()))


def _breast_tumor_at_resection(run: Simulate) -> float:
    return _tumor_at(_breast_primary(run), SCENARIOS[BREAST].overrides["resection_day"])


def _breast_doubling_at_resection(run: Simulate) -> float:
    """Tumor doubling time (days) on the resection day, from the growth over ±30 days."""
    result = _breast_primary(run)
    day = SCENARIOS[BREAST].overrides["resection_day"]
    rate = math.log(_tumor_at(result, day + 30.0) / _tumor_at(result, day - 30.0)) / 60.0
    return math.log(2.0) / rate


def _llc(run: Simulate) -> SimulationResult:
    return _scenario(run, LLC)


def _day(day: float | None) -> float:
    """A readout day; never (None) as infinity, so it falls outside every band."""
    return math.inf if day is None else float(day)


def _llc_lung_niche_onset(run: Simulate) -> float:
    return _day(_llc(run).readouts.organs["lung"].niche_onset_day)


def _llc_lung_dtc_detection(run: Simulate) -> float:
    return _day(_llc(run).readouts.organs["lung"].dtc_detect_day)


def _llc_lung_micrometastasis(run: Simulate) -> float:
    """Day the lung's expected detected clones reach 0.5 (a micrometastasis of ~1e3 cells)."""
    frame = _llc(run).frame
    return _day(
        first_crossing(frame["day"].to_numpy(), frame["lung.clones_detected"].to_numpy(), 0.5)
    )


def _llc_biomarker_peak(run: Simulate) -> float:
    return _llc(run).readouts.biomarker_peak_fold_change


def _llc_tumor_day_20(run: Simulate) -> float:
    return _tumor_at(_llc(run), 20.0)


def _dawson_niche_delay(run: Simulate) -> float:
    """|lung niche onset under Dawson - under Kaplan-Lyden|, untreated LLC (days)."""
    scenario = SCENARIOS[LLC]
    kaplan = _llc_lung_niche_onset(run)
    dawson = run(HYPOTHESES["dawson"].apply(scenario.parameters()), scenario.days)
    return abs(_day(dawson.readouts.organs["lung"].niche_onset_day) - kaplan)


# --- the registry -----------------------------------------------------------------------------

_KAPLAN = "Kaplan et al., Nature 2005;438:820 [M]"
_PAN = "Pan et al., NEJM 2017 [H]"
_CUMMINGS = "Cummings et al., J Pathol 2014 [H]"
_PAN_LEVERS = ("dtc_survival_bare", "dormancy_exit_rate", "clone_establishment")
_PAN_STAGE = "distant recurrence in years 5–20, if free of it at 5 years"


def _involvement_target(organ: str, percent: float, source: str) -> CalibrationTarget:
    ratio = percent / 80.0
    label = ORGAN_LABELS[organ].split(" (")[0].lower()
    return CalibrationTarget(
        name=f"cummings-{organ.replace('_', '-')}-vs-lung",
        description=f"Breast: {label} involvement over lung involvement (chance of a detected "
        f"metastasis by year 20; published {percent:g}% / 80%)",
        source=source,
        parameters=(f"tropism.{organ}", "tropism.lung"),
        measure=_relative_involvement(organ),
        target=ratio,
        low=ratio * (1 - HUMAN_TOLERANCE),
        high=ratio * (1 + HUMAN_TOLERANCE),
        unit="ratio",
    )


TARGETS: tuple[CalibrationTarget, ...] = (
    # --- mouse: Lewis lung carcinoma, the defaults --------------------------------------------
    CalibrationTarget(
        name="llc-tumor-day-20",
        description="LLC: primary tumor cells on day 20",
        source="[E] growth anchor of the LLC defaults (about 1.5 g by day 20)",
        parameters=("tumor_growth_rate", "tumor_capacity"),
        measure=_llc_tumor_day_20,
        target=1.5e9,
        low=1.05e9,
        high=1.95e9,
        unit="cells",
    ),
    CalibrationTarget(
        name="llc-lung-niche-onset",
        description="LLC: lung niche onset (permissiveness ≥ 0.5), VEGFR1+ clusters",
        source=f"{_KAPLAN}: clusters at days 12–14",
        parameters=("factor_reference_tumor", "homing_rate"),
        measure=_llc_lung_niche_onset,
        target=13.0,
        low=12.0,
        high=14.0,
        unit="day",
    ),
    CalibrationTarget(
        name="llc-lung-dtc-detection",
        description="LLC: tumor cells detected in the lung (≥ 100 DTCs)",
        source=f"{_KAPLAN}: tumor cells in the lung ~day 18",
        parameters=("dtc_survival_bare", "niche_survival_gain"),
        measure=_llc_lung_dtc_detection,
        target=18.0,
        low=16.5,
        high=19.5,
        unit="day",
    ),
    CalibrationTarget(
        name="llc-lung-micrometastasis",
        description="LLC: first detected lung micrometastasis (expected clones of 1e3 cells "
        "reach 0.5)",
        source=f"{_KAPLAN}: micrometastases ~day 23",
        parameters=("clone_establishment", "met_growth_rate", "metastasis_detection_cells"),
        measure=_llc_lung_micrometastasis,
        target=23.0,
        low=21.0,
        high=27.0,
        unit="day",
    ),
    CalibrationTarget(
        name="llc-biomarker-peak",
        description="LLC: peak of circulating VEGFR1+ HPCs",
        source="[E] design value of the biomarker (G-CSF, for comparison, mobilises ≥10-fold "
        "[M])",
        parameters=("vegfr1_signalling",),
        measure=_llc_biomarker_peak,
        target=2.2,
        low=1.9,
        high=2.5,
        unit="fold of basal",
    ),
    CalibrationTarget(
        name="dawson-niche-same-day",
        description="LLC, untreated: lung niche onset under the Dawson hypothesis minus under "
        "Kaplan-Lyden (absolute)",
        source="[E] Dawson et al., PLoS One 2009 [H]: metastasis unchanged without VEGFR1 "
        "signalling, so the VEGFR1-free route builds the niche as fast",
        parameters=("myeloid_recruitment",),
        measure=_dawson_niche_delay,
        target=0.0,
        low=0.0,
        high=0.5,
        unit="days",
    ),
    # --- human breast cancer --------------------------------------------------------------------
    CalibrationTarget(
        name="breast-primary-at-resection",
        description="Breast: primary tumor cells on the resection day (1 cm³ at diagnosis)",
        source="[E] design of the scenario: diagnosis at 1 cm³; 1 mm³ ≈ 1e6 cells [H]",
        parameters=("tumor_growth_rate", "tumor_capacity"),
        measure=_breast_tumor_at_resection,
        target=1e9,
        low=0.8e9,
        high=1.2e9,
        unit="cells",
    ),
    CalibrationTarget(
        name="breast-primary-doubling",
        description="Breast: primary tumor doubling time at diagnosis (1 cm³)",
        source="[E] model_spec §3: ~150 days",
        parameters=("tumor_growth_rate",),
        measure=_breast_doubling_at_resection,
        target=150.0,
        low=120.0,
        high=180.0,
        unit="days",
    ),
    CalibrationTarget(
        name="pan-t1n1-3",
        description=f"Breast T1N1–3 (`{BREAST}`): {_PAN_STAGE}",
        source=f"{_PAN}: 20% for T1N1–3",
        parameters=_PAN_LEVERS,
        measure=_pan(BREAST),
        target=0.20,
        low=_band(0.20)[0],
        high=_band(0.20)[1],
        unit="probability",
    ),
    CalibrationTarget(
        name="pan-t1n0",
        description=f"Breast T1N0 (`{BREAST_T1N0}`: shedding × 2/3): {_PAN_STAGE}",
        source=f"{_PAN}: 13% for T1N0",
        parameters=("shedding_rate", *_PAN_LEVERS),
        measure=_pan(BREAST_T1N0),
        target=0.13,
        low=_band(0.13)[0],
        high=_band(0.13)[1],
        unit="probability",
    ),
    CalibrationTarget(
        name="pan-t1n4-9",
        description=f"Breast T1N4–9 (`{BREAST_T1N4_9}`: shedding × 2): {_PAN_STAGE}",
        source=f"{_PAN}: 34% for T1N4–9",
        parameters=("shedding_rate", *_PAN_LEVERS),
        measure=_pan(BREAST_T1N4_9),
        target=0.34,
        low=_band(0.34)[0],
        high=_band(0.34)[1],
        unit="probability",
    ),
    CalibrationTarget(
        name="pan-late-risk-from-dormancy",
        description="Breast: share of the metastases detected in years 5–20 founded by cells "
        "dormant at surgery (what makes the dormancy exit rate the lever of Pan's figures)",
        source="[E] model design (O7, O10): late recurrence from dormant DTCs "
        "(Aguirre-Ghiso, Nat Rev Cancer 2007 [H])",
        parameters=("dormancy_exit_rate",),
        measure=_late_share_from_dormancy,
        target=1.0,
        low=0.8,
        high=1.0,
        unit="fraction",
    ),
    CalibrationTarget(
        name="demicheli-hazard-peak-year",
        description="Breast: year after surgery with the highest yearly hazard of a first "
        "detected metastasis",
        source="Demicheli et al., Breast Cancer Res 2008 [H]: a hazard peak at ~60 months "
        "(years 5–6)",
        parameters=("met_growth_rate", "bare_growth_share", "metastasis_detection_cells"),
        measure=_hazard_peak_year,
        target=5.0,
        low=5.0,
        high=6.0,
        unit="year",
    ),
    CalibrationTarget(
        name="pan-steady-late-hazard",
        description="Breast: mean yearly hazard in years 16–20 over that in years 6–10 "
        "(1 = steady)",
        source=f"{_PAN}: distant recurrence at a steady rate from year 5 to 20 (accepted "
        "within a factor 2)",
        parameters=("dormant_death_rate", "dormancy_exit_rate"),
        measure=_tail_steadiness,
        target=1.0,
        low=0.5,
        high=2.0,
        unit="ratio",
    ),
    _involvement_target("bone", 74, _CUMMINGS),
    _involvement_target("liver", 71, _CUMMINGS),
    _involvement_target("lymph_node", 55, f"{_CUMMINGS} (non-axillary lymph nodes)"),
    _involvement_target("brain", 19, "Tsukada et al., Cancer 1983 [M] (brain ~19%); lung 80% "
                        "from Cummings 2014 [H]"),
)  # fmt: skip

GAPS: tuple[CalibrationGap, ...] = (
    CalibrationGap(
        name="cummings-lung-absolute",
        description="Breast: lung involvement among patients with any detected metastasis, by "
        "the end of follow-up",
        source=f"{_CUMMINGS}: 80% at autopsy",
        measure=_lung_given_any,
        published=0.80,
        unit="probability",
        reason="clones in different organs are independent and no metastasis seeds another, "
        "so a relapsing patient carries about one site, not the four of an autopsy; relative "
        "involvement is calibrated instead",
    ),
    CalibrationGap(
        name="cummings-sites-per-patient",
        description="Breast: organs with a detected metastasis per patient with any",
        source=f"{_CUMMINGS}: median 4 sites at autopsy",
        measure=_sites_given_any,
        published=4.0,
        unit="organs",
        reason="no secondary seeding and one average patient (no heterogeneity between "
        "patients); the model also stops at 20 years, not at death",
    ),
    CalibrationGap(
        name="demicheli-early-peak",
        description="Breast: yearly hazard in year 2 after surgery as a share of the peak",
        source="Demicheli et al., Breast Cancer Res 2008 [H]: a first peak at ~24 months",
        measure=_early_peak,
        published=1.0,
        unit="ratio",
        reason="a clone needs ln(1e8)/0.0116 ≈ 4.3 years from one cell to detection; only "
        "clones founded long before surgery, when the primary was tiny, could show at 2 years, "
        "and the model has no surgery-triggered awakening",
    ),
)


# --- tables -------------------------------------------------------------------------------------


def calibration_table(run: Simulate | None = None) -> list[dict]:
    """One row per target: name, description, target, band, model value, whether it is
    inside the band, unit, calibrated parameters and source."""
    rows = []
    for t in TARGETS:
        value = t.model_value(run)
        rows.append(
            {
                "name": t.name,
                "description": t.description,
                "target": t.target,
                "low": t.low,
                "high": t.high,
                "model": value,
                "within": t.accepts(value),
                "unit": t.unit,
                "parameters": t.parameters,
                "source": t.source,
            }
        )
    return rows


def gap_table(run: Simulate | None = None) -> list[dict]:
    """One row per documented gap: published figure, model value and the reason."""
    return [
        {
            "name": g.name,
            "description": g.description,
            "published": g.published,
            "model": g.model_value(run),
            "unit": g.unit,
            "reason": g.reason,
            "source": g.source,
        }
        for g in GAPS
    ]


def _num(x: float) -> str:
    if math.isinf(x):
        return "never"
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:.2e}".replace("e+0", "e")


def calibration_markdown(run: Simulate | None = None) -> str:
    """The calibration and gap tables of docs/model.md, measured now."""
    lines = [
        "| target | published | accepted | model | calibrates | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in calibration_table(run):
        params = ", ".join(f"`{p}`" for p in row["parameters"])
        unit = row["unit"]
        published = (
            f"{unit} {_num(row['target'])}"
            if unit in ("day", "year")
            else f"{_num(row['target'])} {unit}"
        )
        lines.append(
            f"| {row['description']} | {published} | "
            f"{_num(row['low'])}–{_num(row['high'])} | {_num(row['model'])} | {params} | "
            f"{row['source']} |"
        )
    lines += ["", "| not reproduced | published | model | why | source |", "|---|---|---|---|---|"]
    for row in gap_table(run):
        lines.append(
            f"| {row['description']} | {_num(row['published'])} {row['unit']} | "
            f"{_num(row['model'])} | {row['reason']} | {row['source']} |"
        )
    return "\n".join(lines)
