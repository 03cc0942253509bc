"""Pure functions from model results to Plotly figures (plain dicts: fast to build and send).

Numbers are rounded to 4 significant digits, which halves the payload at no visible cost.
Organ colours come from the Okabe–Ito palette (colour-blind safe) and are the same everywhere.
A pinned reference run, when given, is overlaid with dashed lines of the same colours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import html

from model import ORGAN_LABELS, ORGANS, SimulationResult
from model.readouts import BIOMARKER_ALARM_FOLD

__all__ = [
    "ORGAN_COLOURS",
    "graph_config",
    "burden_figure",
    "cascade_figure",
    "organ_figure",
    "readout_table",
]

#: Okabe & Ito (2008) colour-blind-safe palette, one fixed colour per organ.
ORGAN_COLOURS = {
    "lymph_node": "#E69F00",
    "lung": "#0072B2",
    "liver": "#D55E00",
    "bone": "#009E73",
    "brain": "#CC79A7",
    "other": "#56B4E9",
}
_TUMOR, _HPC, _CTC, _GREY = "#000000", "#E69F00", "#D55E00", "#999999"
_REF_DASH = "dash"


def _sig(values: np.ndarray | pd.Series, digits: int = 4) -> list[float]:
    """Round to ``digits`` significant digits, as a plain list (sent as JSON)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(x != 0.0, np.floor(np.log10(np.abs(x))), 0.0)
    # Scale by an exact power of ten (never by an inexact 1e-5) so results print short.
    shift = np.clip(digits - 1 - mag, -290, 290)
    up = 10.0 ** np.maximum(shift, 0.0)
    down = 10.0 ** np.maximum(-shift, 0.0)
    return (np.round(x * up / down) * down / up).tolist()


def graph_config(fmt: str = "png") -> dict:
    """Plotly toolbar: the camera button downloads the figure as PNG or SVG."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": fmt, "filename": "seed-soil-figure", "scale": 2},
    }


def _short(organ: str) -> str:
    return ORGAN_LABELS[organ].split(" (")[0]


def _base_layout(font_size: int, **extra) -> dict:
    return {
        "font": {"size": font_size, "family": "system-ui, sans-serif"},
        "margin": {"l": 60, "r": 60, "t": 40, "b": 50},
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "x unified",
        "template": "plotly_white",
        **extra,
    }


def _line(x, y, name, colour, *, dash=None, yaxis="y", width=2, group=None, **extra) -> dict:
    trace = {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": _sig(y),
        "name": name,
        "line": {"color": colour, "width": width, **({"dash": dash} if dash else {})},
        "yaxis": yaxis,
        **extra,
    }
    if group:
        trace["legendgroup"] = group
    return trace


def cascade_figure(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    log_y: bool = True,
    font_size: int = 13,
) -> dict:
    """The systemic cascade: primary tumor and CTCs (cells) and the VEGFR1+ HPC biomarker."""
    traces = []
    for run, suffix, dash in ((result, "", None), (reference, " (reference)", _REF_DASH)):
        if run is None:
            continue
        f, x = run.frame, _sig(run.frame["day"], 6)
        traces += [
            _line(x, f["tumor"], "Primary tumor" + suffix, _TUMOR, dash=dash),
            _line(x, f["ctc"], "Circulating tumor cells" + suffix, _CTC, dash=dash),
            _line(
                x,
                f["circulating_hpc"],
                "VEGFR1+ HPCs, fold (biomarker)" + suffix,
                _HPC,
                dash=dash,
                yaxis="y2",
                width=3,
            ),
        ]
    top = max(float(r.frame[["tumor", "ctc"]].to_numpy().max()) for r in (result, reference) if r)
    layout = _base_layout(
        font_size,
        title={"text": "The cascade: tumor, circulating tumor cells, biomarker"},
        xaxis={"title": {"text": "day"}},
        yaxis={
            "title": {"text": "cells"},
            "type": "log" if log_y else "linear",
            **({"range": [-2.0, np.log10(max(top, 1.0)) + 0.3]} if log_y else {}),
        },
        yaxis2={
            "title": {"text": "circulating VEGFR1+ HPCs (fold of healthy)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ".1f",
            "showgrid": False,
        },
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y2",
                "y0": BIOMARKER_ALARM_FOLD,
                "y1": BIOMARKER_ALARM_FOLD,
                "line": {"color": _HPC, "width": 1, "dash": "dot"},
            },
            *_therapy_shapes(result),
        ],
        annotations=_therapy_labels(result, font_size),
    )
    return {"data": traces, "layout": layout}


def _therapy_marks(result: SimulationResult) -> list[tuple[str, float, float]]:
    """(label, start, end) of each treatment inside the run: a window or a single day."""
    p, days = result.params, result.days
    marks = []
    if p["anti_vegfr1_efficacy"] > 0 and p["anti_vegfr1_start_day"] < days:
        end = min(float(p["anti_vegfr1_end_day"]), days)
        marks.append(("anti-VEGFR1", float(p["anti_vegfr1_start_day"]), end))
    if p["resection_day"] is not None and p["resection_day"] < days:
        marks.append(("resection", float(p["resection_day"]), float(p["resection_day"])))
    return marks


def _therapy_shapes(result: SimulationResult) -> list[dict]:
    """A shaded band for a treatment window, a dash-dot line for a resection."""
    shapes = []
    for _, start, end in _therapy_marks(result):
        shape = {"xref": "x", "x0": start, "x1": end, "yref": "paper", "y0": 0, "y1": 1}
        if end > start:
            shape |= {
                "type": "rect",
                "layer": "below",
                "fillcolor": "rgba(0, 114, 178, 0.08)",
                "line": {"width": 0},
            }
        else:
            shape |= {"type": "line", "line": {"color": "#555555", "width": 1.5, "dash": "dashdot"}}
        shapes.append(shape)
    return shapes


def _therapy_labels(result: SimulationResult, font_size: int) -> list[dict]:
    return [
        {
            "x": start,
            "xref": "x",
            "y": 1.0,
            "yref": "paper",
            "text": label,
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": max(font_size - 2, 9), "color": "#333333"},
        }
        for label, start, _ in _therapy_marks(result)
    ]


def _cell_log_range(
    result: SimulationResult, reference: SimulationResult | None, organ: str
) -> list[float]:
    """Log axis from 0.01 cells (expected values below that are not worth a decade of plot)."""
    runs = [r for r in (result, reference) if r is not None]
    top = max(
        float(r.frame[f"{organ}.{q}"].max()) for r in runs for q in ("dormant", "proliferating")
    )
    return [-2.0, max(float(np.log10(max(top, 1e-2))) + 0.3, 1.0)]


def organ_figure(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    log_y: bool = True,
    font_size: int = 13,
    columns: int = 3,
) -> dict:
    """One panel per organ: niche permissiveness (shaded, right axis 0–1), dormant and
    proliferating DTCs (left axis), with markers at niche onset and DTC detection.

    ``columns`` of panels (3 on a screen; 2 in presentation mode, where the type is larger:
    fewer, wider panels keep the two axes' labels apart)."""
    cols = columns
    rows = -(-len(ORGANS) // cols)
    gap_x, gap_y = (0.09, 0.16) if cols >= 3 else (0.16, 0.1)
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    span = [0.0, result.days]  # fixed: marker labels near the end must not widen the axis
    traces, shapes, annotations, layout = [], [], [], {}
    runs = [
        (run, _sig(run.frame["day"], 6), suffix, dash)
        for run, suffix, dash in ((result, "", None), (reference, " (reference)", _REF_DASH))
        if run is not None
    ]
    for k, organ in enumerate(ORGANS):
        n = k + 1
        col, row = k % cols, k // cols
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        xa, ya, yb = f"x{n}", f"y{2 * n - 1}", f"y{2 * n}"
        layout[f"xaxis{n}"] = {
            "domain": [x0, x0 + width], "anchor": ya, "range": span,
            "title": {"text": "day" if row == rows - 1 else ""},
        }  # fmt: skip
        layout[f"yaxis{2 * n - 1}"] = {
            "domain": [y1 - height, y1], "anchor": xa, "type": "log" if log_y else "linear",
            "title": {"text": "DTCs (cells)" if col == 0 else ""}, "exponentformat": "power",
            **({"range": _cell_log_range(result, reference, organ)} if log_y else {}),
        }  # fmt: skip
        layout[f"yaxis{2 * n}"] = {
            "overlaying": ya, "anchor": xa, "side": "right", "range": [0, 1.05],
            "tickvals": [0, 0.5, 1], "showgrid": False,
            "title": {"text": "niche" if col == cols - 1 else ""},
        }  # fmt: skip
        colour = ORGAN_COLOURS[organ]
        first = k == 0
        for run, x, suffix, dash in runs:
            f = run.frame
            traces += [
                _line(
                    x, f[f"{organ}.niche_permissiveness"], "Niche permissiveness" + suffix,
                    colour, dash=dash, yaxis=yb, width=1, group="niche" + suffix,
                    showlegend=first, xaxis=xa,
                    **({} if dash else {"fill": "tozeroy", "opacity": 0.5}),
                ),
                _line(
                    x, f[f"{organ}.dormant"], "Dormant DTCs" + suffix, _GREY, dash=dash or "dot",
                    yaxis=ya, group="dormant" + suffix, showlegend=first, xaxis=xa,
                ),
                _line(
                    x, f[f"{organ}.proliferating"], "Proliferating DTCs" + suffix, colour,
                    dash=dash, yaxis=ya, width=3, group="prolif" + suffix, showlegend=first,
                    xaxis=xa,
                ),
            ]  # fmt: skip
        readout = result.readouts.organs[organ]
        for day, label, style in (
            (readout.niche_onset_day, "niche", "dash"),
            (readout.dtc_detect_day, "DTCs", "dot"),
        ):
            if day is None:
                continue
            shapes.append(
                {
                    "type": "line", "xref": xa, "x0": day, "x1": day,
                    "yref": f"{ya} domain", "y0": 0, "y1": 1,
                    "line": {"color": "#333333", "width": 1.5, "dash": style},
                }
            )  # fmt: skip
            annotations.append(
                {
                    "x": day, "xref": xa, "y": 1.0 if label == "niche" else 0.88,
                    "yref": f"{ya} domain", "text": f"{label} d{day:.1f}", "showarrow": False,
                    "xanchor": "right" if label == "niche" else "left",
                    "font": {"size": max(font_size - 3, 9)},
                }
            )  # fmt: skip
        annotations.append(
            {
                "text": f"<b>{_short(organ)}</b>", "x": x0, "xref": "paper", "y": y1,
                "yref": "paper", "yanchor": "bottom", "xanchor": "left", "showarrow": False,
                "font": {"color": colour, "size": font_size + 1},
            }
        )  # fmt: skip
    return {
        "data": traces,
        "layout": _base_layout(
            font_size,
            title={"text": "Each organ: the soil (niche) and the seed (DTCs)"},
            shapes=shapes,
            annotations=annotations,
            height=280 * rows,
            hovermode="closest",
            **layout,
        ),
    }


def _row_at(frame: pd.DataFrame, day: float) -> pd.Series:
    """The grid row nearest to ``day`` (clipped to the run)."""
    i = int(np.abs(frame["day"].to_numpy() - day).argmin())
    return frame.iloc[i]


def burden_figure(
    result: SimulationResult,
    day: float,
    reference: SimulationResult | None = None,
    *,
    log_y: bool = False,
    font_size: int = 13,
) -> dict:
    """Where metastases go on ``day``: per organ, what the seed alone gives plus what the niche
    adds (stacked). The reference run's total burden is shown as a black diamond."""
    row = _row_at(result.frame, day)
    names = [_short(o) for o in ORGANS]
    seed = np.array([row[f"{o}.seed_only_burden"] for o in ORGANS])
    total = np.array([row[f"{o}.burden"] for o in ORGANS])
    niche_added = np.maximum(total - seed, 0.0)
    traces = [
        {
            "type": "bar", "name": "Seed alone (no niche)", "x": names, "y": _sig(seed),
            "marker": {"color": _GREY, "pattern": {"shape": "/"}},
        },
        {
            "type": "bar", "name": "Added by the niche", "x": names, "y": _sig(niche_added),
            "marker": {"color": [ORGAN_COLOURS[o] for o in ORGANS]},
        },
    ]  # fmt: skip
    if reference is not None:
        ref_row = _row_at(reference.frame, day)
        traces.append(
            {
                "type": "scatter", "mode": "markers", "name": "Reference total", "x": names,
                "y": _sig([ref_row[f"{o}.burden"] for o in ORGANS]),
                "marker": {"symbol": "diamond", "size": 12, "color": "#000000"},
            }
        )  # fmt: skip
    layout = _base_layout(
        font_size,
        title={"text": f"Where metastases go: DTC burden on day {float(row['day']):g}"},
        barmode="stack",
        hovermode="closest",
        yaxis={"title": {"text": "DTCs (cells)"}, "type": "log" if log_y else "linear"},
    )
    return {"data": traces, "layout": layout}


def _day_text(day: float | None) -> str:
    return "—" if day is None else f"{day:.1f}"


def _cells_text(x: float) -> str:
    return f"{x:.3g}"


def readout_table(result: SimulationResult, reference: SimulationResult | None = None):
    """A compact table of readouts per organ, plus the systemic biomarker and probability lines.

    The probability column is the chance of a detected metastasis by the last day, or, where
    the run resects the primary, of a relapse after resection (for patients free of detectable
    metastasis at resection)."""
    resected = result.readouts.relapse_probability is not None
    probability_word = "Relapse" if resected else "Metastasis"
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in (
                    "Organ", "Niche onset (day)", "DTCs detected (day)", "Macromet. (day)",
                    "Burden (cells)", "Seed alone", f"{probability_word} prob.",
                )
            ]
        )
    )  # fmt: skip
    rows = []
    for organ, o in result.readouts.organs.items():
        ref = reference.readouts.organs[organ] if reference is not None else None
        burden = _cells_text(o.burden_final)
        if ref is not None:
            burden += f" (ref {_cells_text(ref.burden_final)})"
        rows.append(
            html.Tr(
                [
                    html.Th(_short(organ), scope="row", style={"color": ORGAN_COLOURS[organ]}),
                    html.Td(_day_text(o.niche_onset_day)),
                    html.Td(_day_text(o.dtc_detect_day)),
                    html.Td(_day_text(o.macrometastasis_day)),
                    html.Td(burden),
                    html.Td(_cells_text(o.seed_only_burden_final)),
                    html.Td(
                        f"{o.relapse_probability if resected else o.metastasis_probability:.2f}"
                    ),
                ]
            )
        )
    ro = result.readouts
    lead = ro.biomarker_lead_days
    summary = (
        f"Biomarker: peak {ro.biomarker_peak_fold_change:.2f}-fold on day "
        f"{ro.biomarker_peak_day:.1f}; ≥{BIOMARKER_ALARM_FOLD:g}-fold from day "
        f"{_day_text(ro.biomarker_alarm_day)}; "
        + (
            f"leads the first DTC detection by {lead:.1f} days."
            if lead is not None
            else "no lead time (no alarm or no detection)."
        )
        + f" {ro.probability_label} probability, any organ: {ro.headline_probability:.2f}"
        + (
            f" (metastasis already detectable at resection: {ro.synchronous_probability:.2f})."
            if resected
            else f" by day {result.days:g}."
        )
    )
    return html.Div(
        [
            html.P(summary, className="readout-summary", id="readout-summary"),
            html.Table(
                [header, html.Tbody(rows)],
                className="table table-sm readout-table",
                id="readout-table-inner",
            ),
        ]
    )
