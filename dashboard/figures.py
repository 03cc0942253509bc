"""Pure functions from model results to Plotly figures (plain dicts: fast to build and send).

Numbers are rounded to 4 significant digits, which halves the payload at no visible cost.
Organ colours come from the Okabe–Ito palette (colour-blind safe) and are the same everywhere.
A reference run, when given, is overlaid with dashed lines of the same colours; ``Labels`` name
the run and its reference in legends and the table (e.g. two hypotheses). Every figure's
subtitle names the hypothesis the run follows, so an exported PNG or SVG says it too.
Published data points (``model.data``) are drawn in black with open markers, named
"Published: ..." in the legend and cited in their hover text.
"""

from __future__ import annotations

from html import escape
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from model import ORGAN_LABELS, ORGANS, Parameters, SimulationResult
from model.data import KAPLAN_2005_LLC_LUNG, DataPoint
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.readouts import BIOMARKER_ALARM_FOLD

__all__ = [
    "MOUSE_MAX_DAYS",
    "LEGEND",
    "TEMPLATE",
    "ORGAN_COLOURS",
    "PINNED",
    "PUBLISHED",
    "Labels",
    "Readouts",
    "burden_figure",
    "cascade_figure",
    "graph_config",
    "hypothesis_name",
    "is_mouse_run",
    "organ_figure",
    "readout_table",
    "short_organ_name",
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
#: Published data: black, open markers, dotted lines; legend names start with "Published: ".
PUBLISHED = "Published: "
_DATA_COLOUR = "#000000"

#: Runs of at most this many days are on the mouse time scale (the LLC experiments last about
#: a month); longer runs are human ones (the breast scenario spans 23 years). The published
#: mouse time course is drawn only on mouse runs, the patient data only on longer runs.
MOUSE_MAX_DAYS = 60.0


def is_mouse_run(result: SimulationResult) -> bool:
    """Whether ``result`` is on the mouse time scale (see ``MOUSE_MAX_DAYS``)."""
    return result.days <= MOUSE_MAX_DAYS


class Labels(NamedTuple):
    """Legend and table names of a run and its reference ("" names nothing)."""

    run: str = ""
    reference: str = "reference"


#: The labels of a pinned reference run: only the reference is named.
PINNED = Labels()


def hypothesis_name(params: Parameters) -> str:
    """Short name of the hypothesis a parameter set follows ("Kaplan-Lyden"), or "custom mix".

    The short name is a hypothesis title's part before its colon."""
    name = hypothesis_of(params)
    return HYPOTHESES[name].short if name else "custom mix"


def _suffix(label: str) -> str:
    return f" ({label})" if label else ""


def _title(
    text: str, result: SimulationResult, reference: SimulationResult | None, labels: Labels
) -> dict:
    """A figure title whose subtitle names the hypothesis of the run and of its reference."""
    if reference is None:
        subtitle = f"Hypothesis: {hypothesis_name(result.params)}"
    elif labels.run:
        subtitle = f"{labels.run} (solid) vs {labels.reference} (dashed)"
    else:
        subtitle = (
            f"Hypothesis: {hypothesis_name(result.params)}; dashed: {labels.reference} "
            f"({hypothesis_name(reference.params)})"
        )
    return {"text": text, "subtitle": {"text": subtitle}}


def _sig(values: np.ndarray | pd.Series, digits: int = 4) -> np.ndarray:
    """Round to ``digits`` significant digits.

    A NumPy array, not a list: Plotly's JSON encoder hands float arrays to orjson whole, where
    it walks a list number by number (that walk was half the render callback's time)."""
    x = np.asarray(values, dtype=float)
    size = np.abs(x)
    mag = np.floor(np.log10(size, out=np.zeros_like(size), where=size > 0.0))
    # Scale by an exact power of ten (never by an inexact 1e-5) so results print short.
    shift = np.minimum(np.maximum(digits - 1 - mag, -290.0), 290.0)
    up = 10.0 ** np.maximum(shift, 0.0)
    down = 10.0 ** np.maximum(-shift, 0.0)
    return np.round(x * up / down) * down / up


def _log_top(top: float) -> float:
    """The top of a log cell axis showing ``top`` cells (at least 1): 0.3 decade of room above
    it, rounded up to a half decade. A slider move changes the counts a little and the axis
    not at all, so curves move against fixed axes, and the page redraws only the lines
    (``assets/plotly-fast.js``) until a count crosses a half decade."""
    return float(np.ceil((np.log10(max(top, 1.0)) + 0.3) * 2.0) / 2.0)


#: Tops a linear axis from 0 may take, per decade: a round number a little above the data.
_NICE_TOPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _linear_top(top: float) -> float:
    """The top of a linear axis from 0 showing ``top`` (>= 0) with 5 % room, rounded up to a
    round number (``_NICE_TOPS``): as ``_log_top``, fixed while the data move a little."""
    need = max(float(top), 0.0) * 1.05
    if need <= 0.0:
        return 1.0
    decade = 10.0 ** np.floor(np.log10(need))
    return float(next(n for n in _NICE_TOPS if n * decade >= need * (1 - 1e-12)) * decade)


def graph_config(fmt: str = "png") -> dict:
    """Plotly toolbar: the camera button downloads the figure as PNG or SVG."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": fmt, "filename": "seed-soil-figure", "scale": 2},
    }


def short_organ_name(organ: str) -> str:
    """An organ's label without its note: "Other", not "Other (spleen, kidney, ...)"."""
    return ORGAN_LABELS[organ].split(" (")[0]


#: Every figure's template. plotly.js (unlike plotly.py) takes no template names: the string
#: "plotly_white" these figures once carried was ignored, and the look is plotly.js's own
#: (white, light grid). What the template does set: tick labels are drawn without checking
#: whether each overflows the figure (plotly.js's default for numeric axes measures every
#: label's box on every redraw, ~10 % of a slider move's drawing; our margins hold them).
TEMPLATE = {
    "layout": {
        # Axes make room beside them for their tick labels and title (the legend goes under
        # the x axis: ``_base_layout``); large type on a projector overlapped them.
        "xaxis": {"ticklabeloverflow": "allow", "automargin": True},
        "yaxis": {"ticklabeloverflow": "allow", "automargin": True},
    }
}
#: Every legend: under the x axis, at the figure's foot (the bottom margin grows to hold it).
#: Placed on the plot's scale (18 % of its height below it), its first row sat level with the
#: x axis's title at 1024x768, where the plot is shorter, and more so with larger type.
LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}


class _Room(NamedTuple):
    """What plotly.js's automargin gives, in px, to: a log y axis's labels and title
    (``y_axis``), a right-hand axis's two-line title and labels (``y2_title``) or labels alone
    (``y2_labels``), an x axis's labels and title (``x_axis``) or labels alone (``x_labels``), and
    a legend's row (``legend_row``)."""

    y_axis: int
    y2_title: int
    y2_labels: int
    x_axis: int
    x_labels: int
    legend_row: int


#: ``_Room`` at the page's two font sizes (explore.NORMAL_FONT, PRESENTATION_FONT), as measured
#: in Chromium (system-ui; the figures' default cases, the page at 1400x900 and 1024x768).
#:
#: A figure first drawn with margins that already hold its labels and one row of legend is
#: drawn once. With smaller margins, plotly.js draws it, finds its margins too small, and draws
#: it all again: half of each figure's first drawing (the organ panels ~140 against ~60 ms, the
#: cascade ~35 against ~18 ms, in the page). A label or a legend that needs more still gets it
#: (then with the second drawing); one that needs less leaves a few pixels more. The browser
#: test test_a_page_load_draws_each_figure_once checks that the first figures fit at 1400x900.
ROOM = {
    13: _Room(y_axis=66, y2_title=75, y2_labels=50, x_axis=45, x_labels=29, legend_row=30),
    18: _Room(y_axis=87, y2_title=99, y2_labels=64, x_axis=58, x_labels=36, legend_row=36),
}


#: What a figure's right axis shows, as a ``_Room`` field: its title and labels, or labels only.
RightAxis = Literal["y2_title", "y2_labels"]


def _margin(
    font_size: int, *, top: int = 72, right: RightAxis | None = None, x_title: bool = True
) -> dict:
    """Margins holding a log y axis, the ``right`` axis (a ``_Room`` field), the x axis (its
    labels, and title if ``x_title``) and one row of legend under it (see ``ROOM``); plotly.js's
    defaults for a font size not measured."""
    room = ROOM.get(font_size)
    if room is None:
        return {"l": 60, "r": 60, "t": top, "b": 50}
    return {
        "l": max(60, room.y_axis),
        "r": max(60, getattr(room, right)) if right else 60,
        "t": top,
        # One pixel more: a legend's height has a fraction (30.0003 px), which plotly.js adds
        # to a margin that holds it exactly; the figure, drawn at the given margin, then sat a
        # fraction off the size a slider step's moves (assets/plotly-fast.js) draw at.
        "b": (room.x_axis if x_title else room.x_labels) + room.legend_row + 1,
    }


def _base_layout(font_size: int, **extra) -> dict:
    return {
        "font": {"size": font_size, "family": "system-ui, sans-serif"},
        "margin": _margin(font_size),
        "legend": LEGEND,
        "hovermode": "x unified",
        "template": TEMPLATE,
        **extra,
    }


#: Points a time course draws at most: a 30-day mouse run computes 301 (every 0.1 day), a
#: 23-year run 601. About a hundred (a 30-day run: every 0.3 day) is still finer than an organ
#: panel's pixels, and cuts what the browser receives and draws threefold.
DISPLAY_POINTS = 121


class _Columns:
    """A run's frame as one block of floats, read column by column as NumPy arrays.

    A figure reads dozens of columns per run; a DataFrame's own lookup builds a Series each
    time (tens of microseconds: a slider move's figures spent milliseconds on it)."""

    __slots__ = ("_block", "_index")

    def __init__(self, block: np.ndarray, index: dict[str, int]) -> None:
        self._block, self._index = block, index

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Columns:
        names = frame.columns.tolist()
        return cls(frame.to_numpy(dtype=float), dict(zip(names, range(len(names)), strict=True)))

    def __getitem__(self, name: str) -> np.ndarray:
        return self._block[:, self._index[name]]

    def __len__(self) -> int:
        return len(self._block)

    def rows(self, rows: np.ndarray) -> _Columns:
        """The given rows (an array of row numbers)."""
        return _Columns(self._block[rows], self._index)

    def row(self, k: int) -> dict[str, float]:
        """Row ``k`` as column name -> value."""
        return dict(zip(self._index, self._block[k].tolist(), strict=True))


def _course(columns: _Columns) -> tuple[_Columns, dict]:
    """The rows of a run's time course a figure draws (evenly thinned to ``DISPLAY_POINTS``,
    the first and last kept), and their x: on an even time grid (the usual case) only its start
    and step (``x0``, ``dx``), so no array of days is sent with every line."""
    n = len(columns)
    step = max(1, -(-(n - 1) // (DISPLAY_POINTS - 1)))
    rows = np.arange(0, n, step)
    if rows[-1] != n - 1:
        rows = np.append(rows, n - 1)
    shown = columns.rows(rows)
    days = shown["day"]
    gaps = np.diff(days)
    if len(gaps) and np.allclose(gaps, gaps[0], rtol=1e-9, atol=1e-9):
        return shown, {"x0": float(days[0]), "dx": float(_sig([gaps.mean()], 9)[0])}
    return shown, {"x": _sig(days, 6)}


def _line(
    x, y, name, colour, *, dash=None, yaxis="y", width=2, group=None, rounded=False, **extra
) -> dict:
    """A line; ``x`` is the days (a list or array) or an even grid (``_course``); ``y`` is
    rounded by ``_sig`` unless it is ``rounded`` already."""
    trace = {
        "type": "scatter",
        "mode": "lines",
        **(x if isinstance(x, dict) else {"x": x}),
        "y": y if rounded else _sig(y),
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
    labels: Labels = PINNED,
) -> dict:
    """The systemic cascade: primary tumor and CTCs (cells) and the VEGFR1+ HPC biomarker."""
    traces, tops, fold_tops, days = [], [], [BIOMARKER_ALARM_FOLD], []
    for run, suffix, dash in _runs(result, reference, labels):
        whole = _Columns.of(run.frame)
        tops.append(max(whole["tumor"].max(), whole["ctc"].max()))
        fold_tops.append(whole["circulating_hpc"].max())
        days += [whole["day"][0], whole["day"][-1]]
        f, x = _course(whole)
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
    top = float(max(tops))
    layout = _base_layout(
        font_size,
        margin=_margin(font_size, right="y2_title"),
        title=_title(
            "The cascade: tumor, circulating tumor cells, biomarker", result, reference, labels
        ),
        # Every range given (the runs' days, rounded tops): see _log_top.
        xaxis={"title": {"text": "day"}, "range": [float(min(days)), float(max(days))]},
        yaxis={
            "title": {"text": "cells"},
            "type": "log" if log_y else "linear",
            **({"range": [-2.0, _log_top(top)]} if log_y else {}),
        },
        yaxis2={
            # Two lines, and a right margin that grows to hold them: on one line the title
            # ran past the figure's top and bottom on a projector (1024x768, large type).
            "title": {"text": "VEGFR1+ HPCs in blood<br>(fold of healthy)"},
            "automargin": True,
            "overlaying": "y",
            "side": "right",
            "range": [0.0, _linear_top(float(max(fold_tops)))],
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


def _runs(
    result: SimulationResult, reference: SimulationResult | None, labels: Labels
) -> list[tuple[SimulationResult, str, str | None]]:
    """(run, legend suffix, line dash) of the run and, if given, its reference."""
    runs = [(result, _suffix(labels.run), None)]
    if reference is not None:
        runs.append((reference, _suffix(labels.reference), _REF_DASH))
    return runs


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
            "yshift": -4,  # clear of the subtitle just above the plot (presentation mode)
            "font": {"size": max(font_size - 2, 9), "color": "#333333"},
        }
        for label, start, _ in _therapy_marks(result)
    ]


def _axis_id(letter: str, n: int) -> str:
    """Plotly's own id of axis ``n``: ``x``, ``x2``... A full redraw also takes ``x1`` for the
    first, but moving the lines (assets/plotly-fast.js) does not clean ids: there the notes
    and lines placed on ``y1 domain`` went astray in the first panel."""
    return letter if n == 1 else f"{letter}{n}"


def _axis_name(axis_id: str) -> str:
    """The layout key of an axis: ``x`` -> ``xaxis``, ``y3`` -> ``yaxis3``."""
    return f"{axis_id[0]}axis{axis_id[1:]}"


def _cell_log_range(runs: list[_Columns], organ: str) -> list[float]:
    """Log axis from 0.01 cells (expected values below that are not worth a decade of plot)
    to at least 10 cells, over the whole of each run (``_log_top``)."""
    top = max(float(c[f"{organ}.{q}"].max()) for c in runs for q in ("dormant", "proliferating"))
    return [-2.0, max(_log_top(top), 1.0)]


def organ_figure(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    log_y: bool = True,
    font_size: int = 13,
    columns: int = 3,
    labels: Labels = PINNED,
) -> dict:
    """One panel per organ: niche permissiveness (shaded, right axis 0–1), dormant and
    proliferating DTCs (left axis), with markers at niche onset and DTC detection. On a mouse
    run (``is_mouse_run``) the lung panel also shows Kaplan 2005's LLC lung time course.

    ``columns`` of panels (3 on a screen; 2 in presentation mode, where the type is larger:
    fewer, wider panels keep the two axes' labels apart)."""
    cols = columns
    rows = -(-len(ORGANS) // cols)
    gap_x, gap_y = (0.1, 0.16) if cols >= 3 else (0.16, 0.1)
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    span = [0.0, result.days]  # fixed: marker labels near the end must not widen the axis
    traces, shapes, annotations, layout = [], [], [], {}
    runs = [
        (_Columns.of(r.frame), suffix, dash) for r, suffix, dash in _runs(result, reference, labels)
    ]
    whole = [columns for columns, _, _ in runs]  # axis ranges span each whole run
    courses = [(*_course(columns), suffix, dash) for columns, suffix, dash in runs]
    # Every organ's three lines of a run, rounded in one call per quantity (one per line took
    # half of the figure's time); a share on a 0-1 axis to three decimals, finer than a pixel.
    lines = [
        (
            (
                _sig(np.stack([f[f"{o}.niche_permissiveness"] for o in ORGANS]).round(3)),
                _sig(np.stack([f[f"{o}.dormant"] for o in ORGANS])),
                _sig(np.stack([f[f"{o}.proliferating"] for o in ORGANS])),
            ),
            x, suffix, dash,
        )
        for f, x, suffix, dash in courses
    ]  # fmt: skip
    for k, organ in enumerate(ORGANS):
        n = k + 1
        col, row = k % cols, k // cols
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        xa, ya, yb = _axis_id("x", n), _axis_id("y", 2 * n - 1), _axis_id("y", 2 * n)
        layout[_axis_name(xa)] = {
            "domain": [x0, x0 + width], "anchor": ya, "range": span,
            "title": {"text": "day" if row == rows - 1 else ""},
            "nticks": 4,  # a panel is ~170 px wide at 1024: "2000 4000 6000" ran together
        }  # fmt: skip
        layout[_axis_name(ya)] = {
            "domain": [y1 - height, y1], "anchor": xa, "type": "log" if log_y else "linear",
            "title": {"text": "DTCs (cells)" if col == 0 else ""}, "exponentformat": "power",
            **({"range": _cell_log_range(whole, organ)} if log_y else {}),
        }  # fmt: skip
        layout[_axis_name(yb)] = {
            "overlaying": ya, "anchor": xa, "side": "right", "range": [0, 1.05],
            "tickvals": [0, 0.5, 1], "showgrid": False,
            "title": {"text": "niche" if col == cols - 1 else ""},
        }  # fmt: skip
        colour = ORGAN_COLOURS[organ]
        first = k == 0
        for (niche, dormant, prolif), x, suffix, dash in lines:
            traces += [
                _line(
                    x, niche[k], "Niche permissiveness" + suffix, colour, dash=dash, yaxis=yb,
                    width=1, group="niche" + suffix, showlegend=first, xaxis=xa, rounded=True,
                    **({} if dash else {"fill": "tozeroy", "opacity": 0.5}),
                ),
                _line(
                    x, dormant[k], "Dormant DTCs" + suffix, _GREY, dash=dash or "dot", yaxis=ya,
                    group="dormant" + suffix, showlegend=first, xaxis=xa, rounded=True,
                ),
                _line(
                    x, prolif[k], "Proliferating DTCs" + suffix, colour, dash=dash, yaxis=ya,
                    width=3, group="prolif" + suffix, showlegend=first, xaxis=xa, rounded=True,
                ),
            ]  # fmt: skip
        if organ == KAPLAN_2005_LLC_LUNG.points[0].organ and is_mouse_run(result):
            traces.append(
                _time_course_trace(KAPLAN_2005_LLC_LUNG.points, xa, yb, font_size, result.days)
            )
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
            # The niche's label left of its line, the DTCs' right of theirs (the niche comes
            # first), but inwards near an edge: there a label ran over the right axis's numbers
            # or the next panel's. Under the panel's top edge, clear of its name.
            leftwards = day >= 0.4 * result.days if label == "niche" else day > 0.6 * result.days
            annotations.append(
                {
                    "x": day, "xref": xa, "y": 1.0 if label == "niche" else 0.82,
                    "yref": f"{ya} domain", "text": f"{label} d{day:.1f}", "showarrow": False,
                    "xanchor": "right" if leftwards else "left", "yanchor": "top",
                    "font": {"size": max(font_size - 3, 9)},
                }
            )  # fmt: skip
        annotations.append(
            {
                "text": f"<b>{short_organ_name(organ)}</b>", "x": x0, "xref": "paper", "y": y1,
                "yref": "paper", "yanchor": "bottom", "xanchor": "left", "showarrow": False,
                "font": {"color": colour, "size": font_size + 1},
            }
        )  # fmt: skip
    return {
        "data": traces,
        "layout": _base_layout(
            font_size,
            title=_title(
                "Each organ: the soil (niche) and the seed (DTCs)", result, reference, labels
            ),
            shapes=shapes,
            annotations=annotations,
            height=280 * rows,
            hovermode="closest",
            # Title, subtitle and the first row's panel names sit in the top margin.
            margin=_margin(font_size, top=100 + 2 * font_size, right="y2_labels"),
            **layout,
        ),
    }


def _time_course_trace(
    points: tuple[DataPoint, ...], xaxis: str, yaxis: str, font_size: int, days: float
) -> dict:
    """Published days of a time course as a staircase of open diamonds on the niche axis
    (0–1), one step per event in the order they happen, a range as a horizontal bar.

    The staircase stays under the panel's day labels (its top third), and a label near either
    end of the ``days`` axis reaches inwards, off the axes' numbers."""
    steps = np.linspace(0.08, 0.5, len(points))
    near = 0.25 * days
    return {
        "type": "scatter",
        "mode": "markers+text",
        # Short enough for the organ figure's legend to stay on one row at 1400x900 (ROOM).
        "name": f"{PUBLISHED}{KAPLAN_2005_LLC_LUNG.title.removesuffix(' time course')} "
        "(untreated)",
        "x": [p.value for p in points],
        "y": [round(float(y), 3) for y in steps],
        "error_x": {
            "type": "data",
            "symmetric": True,
            "array": [(p.high - p.low) / 2 for p in points],
            "color": _DATA_COLOUR,
            "thickness": 2,
            "width": 4,
        },
        "text": [p.label for p in points],
        "textposition": [
            "top right" if p.value < near else "top left" if p.value > days - near else "top center"
            for p in points
        ],
        "textfont": {"size": max(font_size - 4, 9), "color": _DATA_COLOUR},
        "hovertext": [
            f"{p.measures} When: {p.value_text} after implantation. {p.citation}" for p in points
        ],
        "hoverinfo": "text",
        "marker": {"symbol": "diamond-open", "size": 10, "color": _DATA_COLOUR,
                   "line": {"width": 2}},
        "xaxis": xaxis,
        "yaxis": yaxis,
        "legendgroup": "published",
    }  # fmt: skip


def _row_at(frame: pd.DataFrame, day: float) -> dict[str, float]:
    """The grid row nearest to ``day`` (clipped to the run), as column name -> value."""
    columns = _Columns.of(frame)
    return columns.row(int(np.abs(columns["day"] - day).argmin()))


def burden_figure(
    result: SimulationResult,
    day: float,
    reference: SimulationResult | None = None,
    *,
    log_y: bool = False,
    font_size: int = 13,
    labels: Labels = PINNED,
) -> dict:
    """Where metastases go on ``day``: per organ, what the seed alone gives plus what the niche
    adds (stacked). The reference run's total burden is shown as a black diamond."""
    suffix = _suffix(labels.run)
    row = _row_at(result.frame, day)
    names = [short_organ_name(o) for o in ORGANS]
    seed = np.array([row[f"{o}.seed_only_burden"] for o in ORGANS])
    total = np.array([row[f"{o}.burden"] for o in ORGANS])
    niche_added = np.maximum(total - seed, 0.0)
    traces = [
        {
            "type": "bar", "name": "Seed alone (no niche)" + suffix, "x": names, "y": _sig(seed),
            "marker": {"color": _GREY, "pattern": {"shape": "/"}},
        },
        {
            "type": "bar", "name": "Added by the niche" + suffix, "x": names,
            "y": _sig(niche_added),
            "marker": {"color": [ORGAN_COLOURS[o] for o in ORGANS]},
        },
    ]  # fmt: skip
    if reference is not None:
        ref_row = _row_at(reference.frame, day)
        traces.append(
            {
                "type": "scatter", "mode": "markers", "x": names,
                "name": f"{labels.reference[:1].upper()}{labels.reference[1:]} total",
                "y": _sig([ref_row[f"{o}.burden"] for o in ORGANS]),
                "marker": {"symbol": "diamond", "size": 12, "color": "#000000"},
            }
        )  # fmt: skip
    layout = _base_layout(
        font_size,
        margin=_margin(font_size, x_title=False),
        title=_title(
            f"Where metastases go: DTC burden on day {float(row['day']):g}",
            result,
            reference,
            labels,
        ),
        barmode="stack",
        hovermode="closest",
        yaxis={
            "title": {"text": "DTCs (cells)"},
            "type": "log" if log_y else "linear",
            **(_log_ticks(np.concatenate([seed, total])) if log_y else {}),
        },
    )
    return {"data": traces, "layout": layout}


def _log_ticks(values: np.ndarray) -> dict:
    """Tick settings of a log axis showing ``values``: over one to three decades, marks at 1,
    2 and 5 of each. There Plotly labels every digit, and on a short axis (a projector, the
    breast runs' burdens) the digits ran into each other."""
    positive = values[values > 0]
    if positive.size == 0:
        return {}
    decades = np.log10(positive.max() / positive.min())
    return {"dtick": "D2"} if 1.0 <= decades <= 3.0 else {}


def _day_text(day: float | None) -> str:
    return "—" if day is None else f"{day:.1f}"


def _cells_text(x: float) -> str:
    return f"{x:.3g}"


def _organ_probability(organ, resected: bool) -> float:
    """What the probability column shows: relapse after resection, else metastasis."""
    return organ.relapse_probability if resected else organ.metastasis_probability


class Readouts(NamedTuple):
    """The readouts under the figures: a summary line, a caption, and the table as HTML."""

    summary: str
    caption: str
    table: str

    def html(self) -> str:
        """All three as one HTML text (``#readout-summary``, ``#readout-caption``, the table):
        one update of one component (each changed ``children`` makes Dash re-crawl the page)."""
        return (
            f'<p id="readout-summary" class="readout-summary">{escape(self.summary)}</p>'
            f'<p id="readout-caption" class="small text-muted mb-1">{escape(self.caption)}</p>'
            + self.table
        )


def readout_table(
    result: SimulationResult,
    reference: SimulationResult | None = None,
    *,
    labels: Labels = PINNED,
) -> Readouts:
    """A compact table of readouts per organ, plus the systemic biomarker and probability lines.

    The probability column is the chance of a detected metastasis by the last day, or, where
    the run resects the primary, of a relapse after resection (for patients free of detectable
    metastasis at resection). With a reference, its burden and probability follow in brackets,
    named ``ref`` (a pinned run) or by its label (e.g. the other hypothesis).

    The table is HTML text for one ``dcc.Markdown`` (every value escaped), not ~80 Dash
    components: the browser's Dash renderer does work for every component on the page each
    time one is added or removed, and rebuilding the table's components on every slider move
    was its largest cost (issue 10). Each organ's row header has the class ``organ-<name>``,
    which gives its colour swatch (assets/style.css)."""
    resected = result.readouts.relapse_probability is not None
    probability_word = "Relapse" if resected else "Metastasis"
    ref_word = "ref" if labels.reference == "reference" else labels.reference
    heads = (
        "Organ", "Niche onset (day)", "DTCs detected (day)", "Macromet. (day)",
        "Burden (cells)", "Seed alone", f"{probability_word} prob.",
    )  # fmt: skip
    rows = []
    for organ, o in result.readouts.organs.items():
        burden = _cells_text(o.burden_final)
        chance = f"{_organ_probability(o, resected):.2f}"
        if reference is not None:
            ref = reference.readouts.organs[organ]
            ref_resected = reference.readouts.relapse_probability is not None
            burden += f" ({ref_word} {_cells_text(ref.burden_final)})"
            chance += f" ({ref_word} {_organ_probability(ref, ref_resected):.2f})"
        cells = (
            _day_text(o.niche_onset_day),
            _day_text(o.dtc_detect_day),
            _day_text(o.macrometastasis_day),
            burden,
            _cells_text(o.seed_only_burden_final),
            chance,
        )
        name = escape(short_organ_name(organ))
        rows.append(
            f'<tr><th scope="row" class="organ organ-{escape(organ)}">{name}'
            "</th>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
        )
    table = (
        '<table class="table table-sm readout-table" id="readout-table-inner"><thead><tr>'
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return Readouts(_readout_summary(result), _table_caption(result, reference, labels), table)


def _readout_summary(result: SimulationResult) -> str:
    """The biomarker's peak, alarm and lead time, and the headline probability."""
    resected = result.readouts.relapse_probability is not None
    ro = result.readouts
    lead = ro.biomarker_lead_days
    return (
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


def _table_caption(
    result: SimulationResult, reference: SimulationResult | None, labels: Labels
) -> str:
    """Which run the table shows and what the brackets hold."""
    if reference is None:
        return f"Hypothesis: {hypothesis_name(result.params)}."
    if labels.run:
        return (
            f"{labels.run}; in brackets: the same experiment under {labels.reference} "
            "(dashed in the figures)."
        )
    return (
        f"Hypothesis: {hypothesis_name(result.params)}; in brackets (ref): the pinned "
        f"reference ({hypothesis_name(reference.params)})."
    )
