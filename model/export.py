"""Plain-data views of results, parameters and scenarios (JSON, Markdown).

Shared by the command line, the documentation generator and the dashboard's downloads, so that a
number means the same everywhere.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from model.hypotheses import HYPOTHESES, hypothesis_of
from model.parameters import GROUPS, PARAMETER_SPECS, Parameters
from model.result import SimulationResult
from model.scenarios import SCENARIOS

__all__ = [
    "comparison_text",
    "hypotheses_table",
    "parameters_to_json",
    "result_to_json",
    "round_sig",
    "scenarios_table",
    "specs_markdown",
    "specs_table",
]


def round_sig(x: float | None, digits: int = 6) -> float | None:
    """Round to ``digits`` significant digits (None and 0 pass through)."""
    if x is None or x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _day(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def parameters_to_json(params: Parameters) -> dict[str, float | None]:
    """Every parameter value by name, in declaration order."""
    return dict(params.items())


def result_to_json(result: SimulationResult, scenario: str | None) -> dict:
    """The command line's JSON answer (the public contract in docs/model.md)."""
    ro = result.readouts
    organs = {
        name: {
            "niche_onset_day": _day(o.niche_onset_day),
            "dtc_detect_day": _day(o.dtc_detect_day),
            "macrometastasis_day": _day(o.macrometastasis_day),
            "dormant_final": round_sig(o.dormant_final),
            "proliferating_final": round_sig(o.proliferating_final),
            "burden_final": round_sig(o.burden_final),
            "seed_only_burden_final": round_sig(o.seed_only_burden_final),
            "clones_founded": round_sig(o.clones_founded, 4),
            "metastasis_probability": round_sig(o.metastasis_probability, 4),
            "relapse_probability": round_sig(o.relapse_probability, 4),
        }
        for name, o in ro.organs.items()
    }
    return {
        "scenario": scenario,
        "days": result.days,
        "parameters": parameters_to_json(result.params),
        "organs": organs,
        "biomarker": {
            "peak_fold_change": round_sig(ro.biomarker_peak_fold_change, 4),
            "peak_day": _day(ro.biomarker_peak_day),
            "alarm_day": _day(ro.biomarker_alarm_day),
            "lead_days": _day(ro.biomarker_lead_days),
        },
        "hypothesis": hypothesis_of(result.params),
        "metastasis_probability": round_sig(ro.metastasis_probability, 4),
        "resection_day": ro.resection_day,
        "synchronous_probability": round_sig(ro.synchronous_probability, 4),
        "relapse_probability": round_sig(ro.relapse_probability, 4),
        "annual_hazard": [round_sig(h, 4) for h in ro.annual_hazard],
    }


def hypotheses_table() -> list[dict]:
    return [
        {
            "name": h.name,
            "short": h.short,
            "title": h.title,
            "claim": h.claim,
            "source": h.source,
            "switches": dict(h.switches),
        }
        for h in HYPOTHESES.values()
    ]


def _cells(x: float) -> str:
    return f"{x:.3g}"


def _when(day: float | None) -> str:
    return "never" if day is None else f"{day:.1f}"


def comparison_text(runs: dict[str, SimulationResult], scenario: str | None) -> str:
    """One experiment under several hypotheses as a plain-text table (one column each)."""
    names = list(runs)
    rows: list[tuple[str, list[str]]] = []
    first = next(iter(runs.values())).readouts
    rows.append(
        (
            first.probability_label + " probability",
            [f"{r.readouts.headline_probability:.3f}" for r in runs.values()],
        )
    )
    rows.append(
        (
            "Biomarker peak (fold)",
            [f"{r.readouts.biomarker_peak_fold_change:.2f}" for r in runs.values()],
        )
    )
    for organ in first.organs:
        rows.append(
            (
                f"{organ}: niche onset day",
                [_when(r.readouts.organs[organ].niche_onset_day) for r in runs.values()],
            )
        )
        rows.append(
            (
                f"{organ}: burden (cells)",
                [_cells(r.readouts.organs[organ].burden_final) for r in runs.values()],
            )
        )
    width = max(len(label) for label, _ in rows)
    cols = [max(len(n), *(len(v[i]) for _, v in rows)) for i, n in enumerate(names)]
    header = f"{scenario or 'defaults'}, {next(iter(runs.values())).days:g} days"
    lines = [
        header,
        " " * width + "  " + "  ".join(n.rjust(c) for n, c in zip(names, cols, strict=True)),
    ]
    lines += [
        label.ljust(width) + "  " + "  ".join(v.rjust(c) for v, c in zip(values, cols, strict=True))
        for label, values in rows
    ]
    return "\n".join(lines)


def specs_table() -> list[dict]:
    return [asdict(spec) | {"title": spec.title} for spec in PARAMETER_SPECS]


def scenarios_table() -> list[dict]:
    return [
        {k: v for k, v in asdict(s).items() if k != "overrides"} | {"overrides": dict(s.overrides)}
        for s in SCENARIOS.values()
    ]


def specs_markdown() -> str:
    """The parameter table of docs/model.md, grouped as the dashboard groups its controls."""
    lines = []
    for group in GROUPS:
        lines += [
            f"### {group}",
            "",
            "| name | default | range | unit | meaning | source |",
            "|---|---|---|---|---|---|",
        ]
        for s in PARAMETER_SPECS:
            if s.group == group:
                default = "none" if s.default is None else f"{s.default:g}"
                lines.append(
                    f"| `{s.name}` | {default} | {s.range_text} | {s.unit} | {s.meaning} "
                    f"| {s.source} |"
                )
        lines.append("")
    return "\n".join(lines)
