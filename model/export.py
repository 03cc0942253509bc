"""Plain-data views of results, parameters and scenarios (JSON, Markdown, CSV).

Shared by the command line, the documentation generator and the dashboard's downloads, so that a
number means the same everywhere. Every CSV starts with ``#`` comment lines saying where its
numbers came from (``provenance``): read it back with ``pandas.read_csv(path, comment="#")``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from model import __version__
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.parameters import GROUPS, PARAMETER_SPECS, Parameters, spec_for
from model.result import SimulationResult
from model.scenarios import SCENARIOS

__all__ = [
    "TOOL",
    "axis_text",
    "comparison_text",
    "hypotheses_table",
    "parameters_to_json",
    "provenance",
    "result_to_json",
    "round_sig",
    "scenarios_table",
    "specs_markdown",
    "specs_table",
    "time_series_csv",
    "utc_stamp",
    "value_text",
]

TOOL = "Seed & Soil Explorer"


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


# --- CSV with provenance ----------------------------------------------------------------------


def value_text(value: float | None) -> str:
    """Shortest text that reads back as exactly ``value`` (``8``, ``0.35``, ``none``)."""
    if value is None:
        return "none"
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def axis_text(name: str, values: Sequence[float]) -> str:
    """One swept axis: ``homing_rate (1/day) from 0.01 to 1; 25 points; log scale``."""
    spec = spec_for(name)
    return (
        f"{name} ({spec.unit}) from {values[0]:.6g} to {values[-1]:.6g}; "
        f"{len(values)} points; {spec.scale} scale"
    )


def utc_stamp(now: datetime | None = None) -> str:
    """When a file was exported, in UTC to the second: ``2026-12-01T04:40:12Z``."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scenario_line(params: Parameters, days: float, scenario: str | None) -> str:
    if scenario is None:
        return "none (custom settings)"
    s = SCENARIOS[scenario]
    changed = params != s.parameters() or days != s.days
    return f"{s.name} ({s.title})" + ("; settings changed since it was loaded" if changed else "")


def _hypothesis_line(params: Parameters) -> str:
    name = hypothesis_of(params)
    if name is None:
        return "custom mix (the mechanism switches match no named hypothesis)"
    return f"{name} ({HYPOTHESES[name].title})"


def provenance(
    what: str,
    params: Parameters,
    days: float,
    scenario: str | None,
    settings: Mapping[str, str | Sequence[str]] | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """``#`` comment lines that say where a CSV's numbers came from: tool, model version, UTC
    time, scenario, hypothesis, every parameter that differs from the model defaults (with its
    unit: defaults plus these lines rebuild the run), the time span, then ``settings`` (a sweep's
    axes, an analysis's samples...; a sequence value gives one indented line per item)."""
    stamp = utc_stamp(now)
    changed = params.changed()
    lines = [
        f"{TOOL}: {what}",
        f"model version: {__version__}",
        f"exported (UTC): {stamp}",
        f"scenario: {_scenario_line(params, days, scenario)}",
        f"hypothesis: {_hypothesis_line(params)}",
        f"days: {value_text(days)}",
    ]
    if changed:
        lines.append(
            "parameters that differ from the model defaults (all others at their defaults):"
        )
        lines += [f"  {k} = {value_text(v)} {spec_for(k).unit}" for k, v in changed.items()]
    else:
        lines.append("parameters: all at the model defaults")
    for key, value in (settings or {}).items():
        if isinstance(value, str):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}:")
            lines += [f"  {item}" for item in value]
    return "".join(f"# {line}\n" for line in lines)


def time_series_csv(
    result: SimulationResult, scenario: str | None, *, now: datetime | None = None
) -> str:
    """The run's time series (``result.frame``: one row per grid day, every state) with its
    provenance: days to 0.01, every other number to 6 significant digits."""
    frame = result.frame.copy()
    frame["day"] = [f"{d:.2f}".rstrip("0").rstrip(".") for d in frame["day"]]
    header = provenance("time series", result.params, result.days, scenario, now=now)
    return header + frame.to_csv(index=False, float_format="%.6g")
