"""Figures of a long (human) run's risk, pure functions like ``dashboard.figures``, next to the
patient data they can be compared with (``model.data``):

- ``risk_figure``: the chance of a detected metastasis over the years (a relapse, counted from
  the resection, where the run resects) and its yearly hazard as bars, with Pan 2017's distant
  recurrence over years 5–20 and Demicheli 2008's hazard peaks;
- ``organ_probability_figure``: the model's per-organ metastasis probability next to breast
  cancer autopsy involvement (Cummings 2014; brain: Tsukada 1983).

Both are drawn for runs longer than ``MOUSE_MAX_DAYS`` (``is_mouse_run`` is false): the patient
data describe breast cancer, the only human tumor the scenarios replay.
"""

from __future__ import annotations

import numpy as np

from dashboard.figures import (
    LEGEND,
    ORGAN_COLOURS,
    PINNED,
    PUBLISHED,
    Labels,
    _base_layout,
    _line,
    _runs,
    _sig,
    _title,
    short_organ_name,
)
from model import ORGANS, SimulationResult
from model.data import AUTOPSY_BREAST, DEMICHELI_2008, PAN_2017
from model.probability import YEAR_DAYS, probability

__all__ = ["detected_since", "organ_probability_figure", "risk_figure"]

_DATA_COLOUR = "#000000"
_RUN_COLOUR, _FROM_YEAR_5 = "#0072B2", "#56B4E9"


def _detected(result: SimulationResult) -> tuple[np.ndarray, np.ndarray]:
    """Grid days and expected clones grown to detection size by then, all organs together."""
    frame = result.frame
    total = sum(frame[f"{organ}.clones_detected"].to_numpy() for organ in ORGANS)
    return frame["day"].to_numpy(), np.asarray(total, dtype=float)


def _origin(result: SimulationResult) -> float:
    """Day risk is counted from: the resection inside the run, else day 0."""
    day = result.readouts.resection_day
    return 0.0 if day is None else day


def detected_since(result: SimulationResult, start_day: float) -> tuple[np.ndarray, np.ndarray]:
    """(years after the origin, the resection or day 0; chance of a first detected metastasis
    since ``start_day``) from ``start_day`` over the later grid days, for a patient free of one
    at ``start_day``:
    ``1 - exp(-(D(t) - D(start)))``, D the expected detected clones of every organ."""
    t, detected = _detected(result)
    after = t > start_day
    days = np.concatenate([[start_day], t[after]])  # the curve starts at 0 on ``start_day``
    seen = np.concatenate([[np.interp(start_day, t, detected)], detected[after]])
    return (days - _origin(result)) / YEAR_DAYS, probability(seen - seen[0])


def _probability_traces(run: SimulationResult, suffix: str, dash: str | None) -> list[dict]:
    resected = run.readouts.resection_day is not None
    years, chance = detected_since(run, _origin(run))
    name = "Relapse since resection" if resected else "Metastasis since day 0"
    traces = [_line(_sig(years, 5), chance, name + suffix, _RUN_COLOUR, dash=dash, width=3)]
    window = PAN_2017.points[0].window_years
    if resected and dash is None and window and run.days - _origin(run) > window[0] * YEAR_DAYS:
        # Pan 2017 counts women still free of recurrence 5 years after diagnosis (= resection
        # in the breast scenario): the model's same quantity.
        years, chance = detected_since(run, _origin(run) + window[0] * YEAR_DAYS)
        traces.append(
            _line(
                _sig(years, 5), chance, "Relapse after year 5, free at year 5" + suffix,
                _FROM_YEAR_5, dash="dot", width=2,
            )
        )  # fmt: skip
    return traces


def _pan_trace(font_size: int) -> dict:
    """Pan 2017's shares as straight lines over years 5–20 (recurrences came at a steady
    rate), the share written at year 20."""
    x, y, text, hover, size = [], [], [], [], []
    for point in PAN_2017.points:
        start, end = point.window_years or (5.0, 20.0)
        x += [start, end, None]
        y += [0.0, point.value, None]
        text += ["", f"{point.label} {point.value_text}", ""]
        hover += [point.measures + " " + point.citation] * 2 + [""]
        size += [0, 10, 0]
    return {
        "type": "scatter",
        "mode": "lines+markers+text",
        "name": f"{PUBLISHED}{PAN_2017.title}",
        "x": x,
        "y": y,
        "text": text,
        "textposition": "middle left",
        "textfont": {"size": max(font_size - 3, 9), "color": _DATA_COLOUR},
        "hovertext": hover,
        "hoverinfo": "text",
        "line": {"color": _DATA_COLOUR, "dash": "dot", "width": 1.5},
        "marker": {"symbol": "diamond-open", "size": size, "color": _DATA_COLOUR},
        "legendgroup": "published",
    }


def _hazard_bars(run: SimulationResult, suffix: str, dash: str | None) -> dict:
    hazard = list(run.readouts.annual_hazard)
    bars = {
        "type": "bar",
        "name": "Yearly hazard" + suffix,
        "x": [k + 0.5 for k in range(len(hazard))],
        "y": _sig(hazard),
        "yaxis": "y2",
        "marker": {"color": _RUN_COLOUR},
        "hovertemplate": "year %{x:.0f}: %{y:.3f}<extra></extra>",
    }
    if dash:  # the reference: hatched outlines
        bars["marker"] = {
            "color": "rgba(0,0,0,0)",
            "line": {"color": _RUN_COLOUR, "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": _RUN_COLOUR},
        }
    return bars


def _demicheli_trace(top: float, font_size: int) -> dict:
    """Demicheli 2008's hazard peaks as triangles at the top of the hazard panel."""
    points = DEMICHELI_2008.points
    return {
        "type": "scatter",
        "mode": "markers+text",
        "name": f"{PUBLISHED}{DEMICHELI_2008.title}",
        "x": [p.value / 12.0 for p in points],
        "y": [top] * len(points),
        "yaxis": "y2",
        # Short: at 2 and 5 years the two labels ran into each other on a projector (the
        # legend and the hover say what they are).
        "text": [f"~{p.value:g} mo" for p in points],
        "textposition": "middle right",
        "textfont": {"size": max(font_size - 3, 9), "color": _DATA_COLOUR},
        "hovertext": [f"{p.measures} {p.value_text}. {p.citation}" for p in points],
        "hoverinfo": "text",
        "marker": {"symbol": "triangle-down-open", "size": 11, "color": _DATA_COLOUR},
        "legendgroup": "published",
    }


def risk_figure(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    font_size: int = 13,
    labels: Labels = PINNED,
) -> dict:
    """Top: chance of a first detected metastasis over the years (from the resection where the
    run resects); bottom: its yearly hazard. Pan 2017 and Demicheli 2008 are drawn where the
    run resects (both count from surgery of the primary)."""
    traces, hazards = [], []
    for run, suffix, dash in _runs(result, reference, labels):
        traces += _probability_traces(run, suffix, dash)
        hazards.append(_hazard_bars(run, suffix, dash))
    traces += hazards
    resected = result.readouts.resection_day is not None
    span = (result.days - _origin(result)) / YEAR_DAYS
    if resected:
        traces.append(_pan_trace(font_size))
        top = max([0.01, *(max(b["y"], default=0.0) for b in hazards)]) * 1.15
        traces.append(_demicheli_trace(top, font_size))
    since = "resection (diagnosis)" if resected else "day 0"
    layout = _base_layout(
        font_size,
        title=_title("Risk over the years: probability and yearly hazard", result, reference,
                     labels),
        xaxis={"title": {"text": f"years after {since}"}, "anchor": "y2",
               "range": [0, max(span, 1.0)]},
        yaxis={"title": {"text": "probability"}, "domain": [0.42, 1.0], "range": [0, 1.0],
               "tickformat": ".0%"},
        yaxis2={"title": {"text": "yearly hazard"}, "domain": [0.0, 0.3], "rangemode": "tozero",
                "tickformat": ".1%", "nticks": 4},  # a short panel: more ran together
        barmode="group",
        hovermode="closest",
        height=560,
    )  # fmt: skip
    return {"data": traces, "layout": layout}


def organ_probability_figure(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    font_size: int = 13,
    labels: Labels = PINNED,
) -> dict:
    """Per organ: the model's chance of a detected metastasis by the last day (organ colours;
    a reference hatched) next to the share of breast cancer autopsies with metastases there."""
    names = [short_organ_name(o) for o in ORGANS]
    traces = []
    for run, suffix, dash in _runs(result, reference, labels):
        chance = [run.readouts.organs[o].metastasis_probability for o in ORGANS]
        colours = [ORGAN_COLOURS[o] for o in ORGANS]
        marker = {"color": colours}
        if dash:
            marker = {"color": "rgba(0,0,0,0)", "line": {"color": colours, "width": 1.5},
                      "pattern": {"shape": "/", "fgcolor": colours}}  # fmt: skip
        traces.append(
            {
                "type": "bar", "name": f"Model: metastasis by day {run.days:g}{suffix}",
                "x": names, "y": _sig(chance), "marker": marker,
                "hovertemplate": "%{x}: %{y:.2f}<extra></extra>",
            }
        )  # fmt: skip
    autopsy = {p.organ: p for p in AUTOPSY_BREAST.points}
    shown = [autopsy.get(o) for o in ORGANS]
    traces.append(
        {
            "type": "bar",
            "name": f"{PUBLISHED}breast cancer autopsies<br>(Cummings 2014; brain: Tsukada 1983)",
            "x": names,
            "y": [None if p is None else p.value for p in shown],
            "marker": {"color": "#FFFFFF", "line": {"color": _DATA_COLOUR, "width": 1.5},
                       "pattern": {"shape": ".", "fgcolor": _DATA_COLOUR}},
            "hovertext": ["no published share" if p is None else
                          f"{p.measures} {p.value_text}. {p.citation}" for p in shown],
            "hoverinfo": "text",
        }
    )  # fmt: skip
    layout = _base_layout(
        font_size,
        title=_title("Which organs: model probability vs autopsy involvement", result, reference,
                     labels),
        barmode="group",
        hovermode="closest",
        yaxis={"title": {"text": "probability /<br>share of patients"}, "range": [0, 1.0],
               "tickformat": ".0%"},
        # The note on the autopsies heads the legend, above their entry: both sit at the
        # figure's foot, under the x axis, however large the type.
        legend={**LEGEND, "title": {
            "text": "Autopsies count women who died of breast cancer (several sites each):"
                    "<br>compare the organs' ranking more than the levels.",
            "side": "top", "font": {"size": max(font_size - 3, 9), "color": "#555555"},
        }},
    )  # fmt: skip
    return {"data": traces, "layout": layout}
