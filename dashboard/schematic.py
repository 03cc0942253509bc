"""The Schematic tab: the compartments as boxes, the flows between them as arrows, day by day.

The server computes the flows (``model.flows``) on about 60 days of the current run once, and
sends the figure of the first day plus, per day, only what changes: arrow widths, arrowhead
sizes, hover texts and the boxes' values. A clientside callback draws the chosen day from
them, and Play advances the day scrubber from a ``dcc.Interval`` in the browser, so playing
never calls the server. ``figure_at`` is the same drawing in Python (tests, exports).

Arrow widths are log-scaled, so a flow of a few cells a day and one of millions both show:
each unit (cells/day, niche units/day, ...) has its own scale over the whole run, spanning
``DECADES`` orders of magnitude below the run's largest flow of that unit; a flow that is
exactly zero (a mechanism switched off) is a hairline.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import numpy as np
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.cache import simulate_state
from dashboard.figures import ORGAN_COLOURS, TEMPLATE, graph_config, short_organ_name
from dashboard.state import PageState
from model import ORGANS, InvalidInput, SimulationError, SimulationResult
from model.flows import flow_specs, flows_at

__all__ = [
    "ARROWS",
    "BOXES",
    "FRAMES",
    "KIND_COLOURS",
    "arrow_width",
    "figure_at",
    "frame_index",
    "register_schematic",
    "schematic_request",
    "schematic_data",
    "schematic_panel",
]

#: Days drawn per run (the scrubber's steps): the run's grid days nearest to an even spread.
FRAMES = 61
#: Orders of magnitude an arrow width spans below the largest flow of its unit in the run.
DECADES = {"cells/day": 10.0}
DEFAULT_DECADES = 4.0
MIN_WIDTH, MAX_WIDTH, ZERO_WIDTH = 1.5, 16.0, 0.5
PLAY_INTERVAL_MS = 450

#: Okabe-Ito colours per kind of flow (HPCs and tumor cells as in the cascade figure).
KIND_COLOURS = {
    "signal": "#CC79A7",
    "hpc": "#E69F00",
    "myeloid": "#56B4E9",
    "seed": "#D55E00",
    "wake": "#009E73",
    "dormancy": "#0072B2",
    "growth": "#000000",
    "loss": "#7F7F7F",
}
KIND_LABELS = {
    "signal": "tumor factor (signal)",
    "hpc": "VEGFR1+ HPCs",
    "myeloid": "myeloid recruits",
    "seed": "tumor cells",
    "wake": "waking",
    "dormancy": "entering dormancy",
    "growth": "growth",
    "loss": "death",
}


# Geometry, in plot units: x 0..13, y 0..13.2; organ rows fill y 0.1..10.4 between the blood
# columns (HPCs left, circulating tumor cells right).
@dataclass(frozen=True)
class Box:
    key: str
    x0: float
    x1: float
    y0: float
    y1: float
    fill: str
    border: str = "#333333"

    @property
    def centre(self) -> tuple[float, float]:
        return 0.5 * (self.x0 + self.x1), 0.5 * (self.y0 + self.y1)


_ROW_TOP, _ROW_BOTTOM = 10.4, 0.1
_ROW = (_ROW_TOP - _ROW_BOTTOM) / len(ORGANS)
_SOIL_X, _SEED_X = (3.45, 5.75), (6.45, 9.25)
_HPC_X, _CTC_X = (0.1, 2.4), (9.9, 12.3)
_TRUNK_X = 2.95  # the factor's path down to every soil box


def _row(i: int) -> dict[str, float]:
    """Vertical extents in organ row ``i`` (0 on top): soil, dormant and proliferating boxes."""
    top = _ROW_TOP - i * _ROW
    return {
        "soil": (top - 0.08, top - _ROW + 0.08),
        "dormant": (top - 0.08, top - 0.58),
        "prolif": (top - _ROW + 0.58, top - _ROW + 0.08),
    }


def _boxes() -> tuple[Box, ...]:
    boxes = [
        Box("marrow", 0.1, 3.0, 11.1, 12.4, "#FDF0D5"),
        Box("factor", 4.3, 8.5, 11.1, 12.4, "#F7E1EE"),
        Box("tumor", 9.8, 12.9, 11.1, 12.4, "#FBE0D2"),
        Box("hpc", *_HPC_X, _ROW_BOTTOM, _ROW_TOP, "#FDF0D5"),
        Box("ctc", *_CTC_X, _ROW_BOTTOM, _ROW_TOP, "#FBE0D2"),
    ]
    for i, organ in enumerate(ORGANS):
        rows = _row(i)
        colour = ORGAN_COLOURS[organ]
        boxes += [
            Box(f"soil.{organ}", *_SOIL_X, rows["soil"][1], rows["soil"][0], "#FFFFFF", colour),
            Box(f"dormant.{organ}", *_SEED_X, rows["dormant"][1], rows["dormant"][0], "#EEF3F8"),
            Box(f"prolif.{organ}", *_SEED_X, rows["prolif"][1], rows["prolif"][0], "#FFF4E0"),
        ]
    return tuple(boxes)


BOXES = _boxes()
_BOX = {b.key: b for b in BOXES}


@dataclass(frozen=True)
class Arrow:
    """A drawn arrow: the sum of some model flows (``model.flows``), along ``path``."""

    key: str
    kind: str
    label: str
    flows: tuple[str, ...]
    path: tuple[tuple[float, float], ...]
    drain: bool = False  # show what the source loses (a signal's effect on its source)

    @property
    def unit(self) -> str:
        spec = _SPECS[self.flows[0]]
        return (spec.drain_unit or spec.unit) if self.drain else spec.unit


_SPECS = {s.name: s for s in flow_specs()}


def _organ_arrows(i: int, organ: str) -> list[Arrow]:
    rows = _row(i)
    soil_mid = 0.5 * sum(rows["soil"])
    dormant_mid, prolif_mid = 0.5 * sum(rows["dormant"]), 0.5 * sum(rows["prolif"])
    name = short_organ_name(organ)
    hpc_y, myeloid_y = soil_mid - 0.25, soil_mid - 0.55
    gap_x = 0.5 * (_SOIL_X[1] + _SEED_X[0])
    factor_exit = (_BOX["factor"].x0 + 0.2, _BOX["factor"].y0)
    return [
        Arrow(f"priming.{organ}", "signal", f"{name}: tumor factor primes the soil",
              (f"factor.priming.{organ}",),
              (factor_exit, (_TRUNK_X, 10.75), (_TRUNK_X, soil_mid + 0.35),
               (_SOIL_X[0], soil_mid + 0.35))),
        Arrow(f"homing.{organ}", "hpc", f"{name}: VEGFR1+ HPCs home and build the niche",
              (f"hpc.homing.{organ}",), ((_HPC_X[1], hpc_y), (_SOIL_X[0], hpc_y))),
        Arrow(f"myeloid.{organ}", "myeloid", f"{name}: myeloid recruits build the niche",
              (f"myeloid.homing.{organ}",), ((_HPC_X[1], myeloid_y), (_SOIL_X[0], myeloid_y))),
        Arrow(f"settle.{organ}", "seed", f"{name}: arrested CTCs survive as dormant cells",
              (f"ctc.settle.{organ}",), ((_CTC_X[0], dormant_mid), (_SEED_X[1], dormant_mid))),
        Arrow(f"found.{organ}", "seed", f"{name}: arrested CTCs proliferate at once",
              (f"ctc.found.{organ}",), ((_CTC_X[0], prolif_mid), (_SEED_X[1], prolif_mid))),
        Arrow(f"wake.{organ}", "wake", f"{name}: dormant cells wake and proliferate",
              (f"solitary.wake.{organ}", f"quiescent.wake.{organ}"),
              ((7.4, rows["dormant"][1]), (7.4, rows["prolif"][0]))),
        Arrow(f"dormancy.{organ}", "dormancy", f"{name}: clone cells fall back into dormancy",
              (f"proliferating.dormancy.{organ}",),
              ((8.3, rows["prolif"][0]), (8.3, rows["dormant"][1]))),
        Arrow(f"growth.{organ}", "growth", f"{name}: clones grow",
              (f"proliferating.growth.{organ}",), ((gap_x - 0.2, prolif_mid),
                                                   (_SEED_X[0], prolif_mid))),
        Arrow(f"death.{organ}", "loss",
              f"{name}: deaths (on arrival, failed founders, dormant and quiescent cells, "
              "crowding)",
              (f"ctc.arrival_death.{organ}", f"solitary.wake_death.{organ}",
               f"solitary.death.{organ}", f"quiescent.death.{organ}",
               f"proliferating.crowding.{organ}"),
              ((_SEED_X[0], dormant_mid), (gap_x - 0.2, dormant_mid))),
    ]  # fmt: skip


def _arrows() -> tuple[Arrow, ...]:
    marrow, factor, tumor, hpc, ctc = (_BOX[k] for k in ("marrow", "factor", "tumor", "hpc", "ctc"))
    mid_y = 0.5 * (factor.y0 + factor.y1)
    systemic = [
        Arrow("tumor.growth", "growth", "Primary tumor grows", ("tumor.growth",),
              ((12.4, 13.15), (12.4, tumor.y1))),
        Arrow("secretion", "signal", "Tumor secretes factor (VEGF-A, PlGF)",
              ("tumor.secretion",), ((tumor.x0, mid_y), (factor.x1, mid_y))),
        Arrow("signal", "signal",
              "Factor drives VEGFR1+ HPC mobilisation (marrow pool lost per day)",
              ("marrow.mobilisation_vegfr1",), ((factor.x0, mid_y), (marrow.x1, mid_y)),
              drain=True),
        Arrow("mobilisation", "hpc", "Marrow releases VEGFR1+ HPCs into the blood",
              ("marrow.mobilisation_basal", "marrow.mobilisation_vegfr1"),
              ((1.35, marrow.y0), (1.35, hpc.y1))),
        Arrow("shedding", "seed", "Primary tumor sheds cells into the blood (CTCs)",
              ("tumor.shedding",), ((11.0, tumor.y0), (11.0, ctc.y1))),
        Arrow("blood_death", "loss", "CTCs that arrest in no organ die in the blood",
              ("ctc.blood_death",), ((ctc.x1, 5.2), (ctc.x1 + 0.7, 5.2))),
    ]  # fmt: skip
    return (*systemic, *(a for i, o in enumerate(ORGANS) for a in _organ_arrows(i, o)))


ARROWS = _arrows()


def arrow_width(value: float, top: float, decades: float) -> float:
    """Line width (px) of a flow ``value`` on a log scale whose largest flow is ``top``:
    zero is a hairline, anything else at least ``MIN_WIDTH``, never decreasing in ``value``."""
    if not value > 0.0 or not top > 0.0:
        return ZERO_WIDTH
    position = (math.log10(value) - math.log10(top)) / decades + 1.0
    return round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(max(position, 0.0), 1.0), 2)


def _head(width: float) -> float:
    return round(8.0 + 1.4 * width, 1)


def _number(x: float) -> str:
    """A readable amount: 0.012, 4.56, 789, 12.3k, 4.5M, 6.7B, 8.90e+12."""
    if x == 0.0:
        return "0"
    if abs(x) < 1e-3:
        return f"{x:.1e}"
    for scale, suffix in ((1e12, ""), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x:.2e}" if not suffix else f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}" if abs(x) >= 1.0 else f"{x:.2g}"


def _box_words(r) -> dict[str, tuple[str, str]]:
    """Every box's text and hover on one day (a frame row): values shown, and in the hover
    every state the box stands for, so each model compartment is named."""
    words = {
        "marrow": (f"<b>Bone marrow</b><br>HPCs {r['marrow_hpc']:.2f}×",
                   f"VEGFR1+ HPCs in the marrow: {r['marrow_hpc']:.3g} × healthy"),
        "factor": (f"<b>Tumor factor</b><br>VEGF-A, PlGF: {r['factor']:.3g}",
                   f"Tumor factor in blood: {r['factor']:.3g} units of half-effect"),
        "tumor": (f"<b>Primary tumor</b><br>{_number(r['tumor'])} cells",
                  f"Primary tumor: {_number(r['tumor'])} cells"),
        "hpc": (f"<b>Blood</b><br>VEGFR1+<br>HPCs<br>{r['circulating_hpc']:.2f}×<br>healthy",
                f"Circulating VEGFR1+ HPCs: {r['circulating_hpc']:.3g} × healthy (the blood's "
                "myeloid recruits, not a model state, are drawn from here too)"),
        "ctc": (f"<b>Blood</b><br>tumor cells<br>(CTCs)<br>{_number(r['ctc'])}",
                f"Circulating tumor cells: {_number(r['ctc'])} cells"),
    }  # fmt: skip
    for organ in ORGANS:
        name = short_organ_name(organ)
        phi, primed = r[f"{organ}.niche_permissiveness"], r[f"{organ}.fibronectin"]
        words[f"soil.{organ}"] = (
            f"<b>{name}</b><br>niche {100 * phi:.0f}%<br>primed {100 * primed:.0f}%",
            f"{name} soil: fibronectin {primed:.3g} (fraction), niche clusters "
            f"{r[f'{organ}.niche']:.3g}, permissiveness {phi:.3g}",
        )
        words[f"dormant.{organ}"] = (
            f"dormant {_number(r[f'{organ}.dormant'])}",
            f"{name}: {_number(r[f'{organ}.solitary'])} solitary dormant + "
            f"{_number(r[f'{organ}.quiescent'])} quiescent clone cells",
        )
        words[f"prolif.{organ}"] = (
            f"growing {_number(r[f'{organ}.proliferating'])}",
            f"{name}: {_number(r[f'{organ}.proliferating'])} proliferating cells, "
            f"{r[f'{organ}.clones']:.3g} clones founded (expected)",
        )
    return words


def _box_texts(result: SimulationResult, rows: np.ndarray) -> tuple[list, list]:
    """Per drawn day, the text and the hover of every box, in ``BOXES`` order."""
    texts, hovers = [], []
    for _, r in result.frame.iloc[rows].iterrows():
        words = _box_words(r)
        texts.append([words[b.key][0] for b in BOXES])
        hovers.append([words[b.key][1] for b in BOXES])
    return texts, hovers


def _frame_rows(result: SimulationResult) -> np.ndarray:
    n = len(result.frame)
    return np.unique(np.round(np.linspace(0, n - 1, min(n, FRAMES))).astype(int))


def _base_figure(font_size: int, box_texts: list[str], box_hovers: list[str]) -> dict:
    shapes = [
        {
            "type": "rect", "x0": b.x0, "x1": b.x1, "y0": b.y0, "y1": b.y1,
            "fillcolor": b.fill,
            "line": {"color": b.border, "width": 3 if b.key.startswith("soil") else 1.5},
            "layer": "below",
        }
        for b in BOXES
    ]  # fmt: skip
    traces: list[dict] = [
        {
            "type": "scatter",
            "mode": "text",
            "x": [b.centre[0] for b in BOXES],
            "y": [b.centre[1] for b in BOXES],
            "text": box_texts,
            "hovertext": box_hovers,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "textfont": {"size": font_size, "color": "#111111"},
            "showlegend": False,
            "name": "compartments",
        }
    ]
    for arrow in ARROWS:
        xs, ys = zip(*arrow.path, strict=True)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": list(xs),
                "y": list(ys),
                "line": {"color": KIND_COLOURS[arrow.kind], "width": ZERO_WIDTH},
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "color": KIND_COLOURS[arrow.kind],
                    "size": [0] * (len(xs) - 1) + [_head(ZERO_WIDTH)],
                    "line": {"width": 0},
                },
                "name": KIND_LABELS[arrow.kind],
                "legendgroup": arrow.kind,
                "showlegend": False,
                "text": "",
                "hovertemplate": f"<b>{arrow.label}</b><br>%{{text}}<extra></extra>",
                "meta": arrow.key,
            }
        )
    # The legend: one fixed-width sample per kind (an arrow's own width says its flow).
    traces += [
        {
            "type": "scatter", "mode": "lines", "x": [None], "y": [None],
            "line": {"color": KIND_COLOURS[kind], "width": 6}, "name": label,
            "legendgroup": kind, "hoverinfo": "skip",
        }
        for kind, label in KIND_LABELS.items()
    ]  # fmt: skip
    hidden = {"visible": False, "fixedrange": True}
    return {
        "data": traces,
        "layout": {
            "template": TEMPLATE,
            "font": {"size": font_size, "family": "system-ui, sans-serif", "color": "#111111"},
            "title": {"text": "", "x": 0.01, "font": {"size": font_size + 3}},
            "xaxis": {**hidden, "range": [0, 13]},
            "yaxis": {**hidden, "range": [0, 13.2]},
            "shapes": shapes,
            "height": 720 if font_size < 18 else 840,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
            # At the figure's foot, the plot shrinking to hold it: placed on the plot's scale,
            # its second row (at 1024 px wide) covered the last organ's boxes.
            "legend": {
                "orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                "font": {"size": max(14, font_size - 1)}, "itemwidth": 40,
            },
            "hoverlabel": {"font": {"size": font_size}},
            "dragmode": False,
            "showlegend": True,
        },
    }  # fmt: skip


def schematic_data(result: SimulationResult, font_size: int = 15, key: str = "") -> dict:
    """What the browser needs to draw every day of ``result``: the figure of day 0, the
    traces that change, and per drawn day their widths, arrowheads, hover texts, box texts."""
    rows = _frame_rows(result)
    days = result.frame["day"].to_numpy()[rows]
    flows = flows_at(result, days)
    values = {
        a.key: sum((flows.drain if a.drain else flows.value)[name] for name in a.flows)
        for a in ARROWS
    }
    tops: dict[str, float] = {}
    for arrow in ARROWS:
        tops[arrow.unit] = max(tops.get(arrow.unit, 0.0), float(np.max(values[arrow.key])))
    box_texts, box_hovers = _box_texts(result, rows)
    frames = []
    for j, day in enumerate(days):
        widths = [
            arrow_width(float(values[a.key][j]), tops[a.unit], DECADES.get(a.unit, DEFAULT_DECADES))
            for a in ARROWS
        ]
        frames.append(
            {
                "day": float(day),
                "title": f"Day {day:g} of {result.days:g}: flows between compartments",
                "widths": widths,
                "heads": [_head(w) for w in widths],
                "texts": [f"{_number(float(values[a.key][j]))} {a.unit}" for a in ARROWS],
                "boxes": box_texts[j],
                "box_hovers": box_hovers[j],
            }
        )
    return {
        "key": key,
        "figure": _base_figure(font_size, box_texts[0], box_hovers[0]),
        "boxes": 0,
        "arrows": list(range(1, len(ARROWS) + 1)),
        "frames": frames,
    }


def frame_index(data: dict, index: object) -> int:
    """The drawn day ``index`` of ``data`` (a whole number on the scrubber), or InvalidInput."""
    if isinstance(index, bool) or not isinstance(index, int | float):
        raise InvalidInput(f"day step {index!r} is not a number")
    if isinstance(index, float) and (not math.isfinite(index) or not index.is_integer()):
        raise InvalidInput(f"day step {index!r} is not a whole number")
    n = len(data["frames"])
    if not 0 <= index < n:
        raise InvalidInput(f"day step {index!r} is outside 0..{n - 1}")
    return int(index)


def figure_at(data: dict, index: object) -> dict:
    """The figure of drawn day ``index``: what ``_DRAW_JS`` builds in the browser."""
    frame = data["frames"][frame_index(data, index)]
    base = data["figure"]
    traces = list(base["data"])
    for a, k in enumerate(data["arrows"]):
        trace = traces[k]
        sizes = [*trace["marker"]["size"][:-1], frame["heads"][a]]
        traces[k] = {
            **trace,
            "line": {**trace["line"], "width": frame["widths"][a]},
            "marker": {**trace["marker"], "size": sizes},
            "text": frame["texts"][a],
        }
    traces[data["boxes"]] = {
        **traces[data["boxes"]],
        "text": frame["boxes"],
        "hovertext": frame["box_hovers"],
    }
    layout = {**base["layout"], "title": {**base["layout"]["title"], "text": frame["title"]}}
    return {"data": traces, "layout": layout}


#: Opening the tab sends the server the page state and presentation mode (see
#: ``register_schematic``); on the other tabs nothing.
_REQUEST_JS = """
function (tab, state, presentation) {
    if (tab !== "schematic") {
        return window.dash_clientside.no_update;
    }
    return {state: state, presentation: Boolean(presentation)};
}
"""

#: ``figure_at`` in the browser; a bad index draws the nearest day (the scrubber's input).
_DRAW_JS = """
function (index, data) {
    if (!data || !data.frames || !data.frames.length) {
        return window.dash_clientside.no_update;
    }
    var n = data.frames.length;
    var i = Math.round(Number(index));
    i = isFinite(i) ? Math.max(0, Math.min(n - 1, i)) : n - 1;
    var frame = data.frames[i];
    var base = data.figure;
    var traces = base.data.slice();
    data.arrows.forEach(function (k, a) {
        var trace = traces[k];
        var sizes = trace.marker.size.slice(0, -1).concat([frame.heads[a]]);
        traces[k] = Object.assign({}, trace, {
            line: Object.assign({}, trace.line, {width: frame.widths[a]}),
            marker: Object.assign({}, trace.marker, {size: sizes}),
            text: frame.texts[a]
        });
    });
    traces[data.boxes] = Object.assign(
        {}, traces[data.boxes], {text: frame.boxes, hovertext: frame.box_hovers}
    );
    var title = Object.assign({}, base.layout.title, {text: frame.title});
    return {data: traces, layout: Object.assign({}, base.layout, {title: title})};
}
"""

#: Play/Pause and the timer's ticks: the only writer of the scrubber while playing.
_PLAY_JS = """
function (clicks, ticks, paused, value, last) {
    var dc = window.dash_clientside;
    var fired = dc.callback_context.triggered.map(function (t) { return t.prop_id; });
    var end = Number(last) || 0;
    var step = Math.round(Number(value));
    step = isFinite(step) ? step : end;
    if (fired.indexOf('schematic-play.n_clicks') >= 0) {
        if (paused) { return [step >= end ? 0 : step, false, '\u23f8 Pause']; }
        return [dc.no_update, true, '\u25b6 Play'];
    }
    if (paused) { return [dc.no_update, dc.no_update, dc.no_update]; }
    if (step >= end) { return [dc.no_update, true, '\u25b6 Play']; }
    return [step + 1, dc.no_update, dc.no_update];
}
"""


def schematic_panel() -> html.Div:
    """The tab: a line of guidance, Play/Pause, the day scrubber, the figure, its data."""
    return html.Div(
        [
            html.P(
                "The model's compartments as boxes (values on the chosen day) and the flows "
                "between them as arrows: the wider the arrow, the larger the flow (log scale; "
                "a hairline is a flow of zero). Hover an arrow for its rate. Drag the day or "
                "press Play.",
                className="small text-muted mb-2",
            ),
            html.Div(
                [
                    dbc.Button("\u25b6 Play", id=ids.SCHEMATIC_PLAY, color="primary",
                               className="schematic-play"),
                    html.Label(
                        ["Day", dcc.Slider(0, FRAMES - 1, 1, value=FRAMES - 1, id=ids.SCHEMATIC_DAY,
                                           marks=None, updatemode="drag",
                                           allow_direct_input=False)],
                        className="flex-fill schematic-scrubber",
                    ),
                ],
                className="d-flex align-items-center gap-3 mb-2",
            ),
            dcc.Interval(id=ids.SCHEMATIC_TIMER, interval=PLAY_INTERVAL_MS, disabled=True),
            dcc.Graph(id=ids.SCHEMATIC_GRAPH, config=graph_config(),
                      figure={"data": [], "layout": {"height": 720}}),
            dcc.Store(id=ids.SCHEMATIC_DATA),
            dcc.Store(id=ids.SCHEMATIC_SHOWN),
            dcc.Store(id=ids.SCHEMATIC_REQUEST),
        ]
    )  # fmt: skip


def _marks(data: dict) -> dict[int, str]:
    """About six day labels under the scrubber."""
    n = len(data["frames"])
    picks = np.unique(np.round(np.linspace(0, n - 1, min(n, 6))).astype(int))
    return {int(i): f"day {data['frames'][i]['day']:g}" for i in picks}


def _keep_day(previous: object, position: object, data: dict) -> int:
    """The new run's step nearest to the day the scrubber showed (the last day if none)."""
    last = len(data["frames"]) - 1
    try:
        day = float(previous["frames"][frame_index(previous, position)]["day"])  # type: ignore[index]
    except (InvalidInput, KeyError, TypeError, IndexError, ValueError, OverflowError):
        return last
    if not math.isfinite(day):
        return last
    days = np.array([f["day"] for f in data["frames"]])
    return int(np.abs(days - day).argmin())


def _request(request: object) -> tuple[object, bool]:
    """The page state and presentation mode from the ``schematic-request`` store (written by
    the browser: checked here; the state itself is validated by ``PageState.from_store``)."""
    if not isinstance(request, dict) or set(request) != {"state", "presentation"}:
        raise InvalidInput("the schematic's request is not {state, presentation}")
    return request["state"], bool(request["presentation"])


def schematic_request(tab: object, state: PageState, presentation: object) -> object:
    """What the page callback writes to the ``schematic-request`` store after a change of the
    state or of presentation mode: the request while the tab is open, else ``no_update``."""
    if tab != "schematic":
        return no_update
    return {"state": state.to_store(), "presentation": bool(presentation)}


def register_schematic(app: Dash) -> None:
    # The server hears of the run only while the tab is open: the page callback writes the
    # request after a change (``schematic_request``), and opening the tab writes it here. A
    # callback on the state itself would cost every slider move on the other tabs a round
    # trip, and the browser's renderer work for each callback (issue 10).
    app.clientside_callback(
        _REQUEST_JS,
        Output(ids.SCHEMATIC_REQUEST, "data", allow_duplicate=True),
        Input(ids.TABS, "active_tab"),
        State(ids.STATE, "data"),
        State(ids.PRESENTATION, "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.SCHEMATIC_DATA, "data"),
        Output(ids.SCHEMATIC_SHOWN, "data"),
        Output(ids.SCHEMATIC_DAY, "max"),
        Output(ids.SCHEMATIC_DAY, "marks"),
        Output(ids.SCHEMATIC_DAY, "value", allow_duplicate=True),
        Input(ids.SCHEMATIC_REQUEST, "data"),
        State(ids.SCHEMATIC_DAY, "value"),
        # Not the data store (~300 kB): every state change would send it back to the server.
        State(ids.SCHEMATIC_SHOWN, "data"),
        prevent_initial_call=True,
    )
    def prepare(request, position, previous):
        """Flows of the current run, computed when the run or the font has changed.
        ``previous`` is the drawn run's key and days (``SCHEMATIC_SHOWN``)."""
        try:
            stored, presentation = _request(request)
            font = 17 if presentation else 15
            key = json.dumps({"state": stored, "font": font}, sort_keys=True, default=str)
            if isinstance(previous, dict) and previous.get("key") == key:
                raise PreventUpdate
            result = simulate_state(PageState.from_store(stored))
        except (InvalidInput, SimulationError) as exc:
            raise PreventUpdate from exc
        data = schematic_data(result, font, key)
        last = len(data["frames"]) - 1
        shown = {"key": key, "frames": [{"day": frame["day"]} for frame in data["frames"]]}
        return data, shown, last, _marks(data), _keep_day(previous, position, data)

    app.clientside_callback(
        _DRAW_JS,
        Output(ids.SCHEMATIC_GRAPH, "figure"),
        Input(ids.SCHEMATIC_DAY, "value"),
        Input(ids.SCHEMATIC_DATA, "data"),
    )
    app.clientside_callback(
        _PLAY_JS,
        Output(ids.SCHEMATIC_DAY, "value"),
        Output(ids.SCHEMATIC_TIMER, "disabled"),
        Output(ids.SCHEMATIC_PLAY, "children"),
        Input(ids.SCHEMATIC_PLAY, "n_clicks"),
        Input(ids.SCHEMATIC_TIMER, "n_intervals"),
        State(ids.SCHEMATIC_TIMER, "disabled"),
        State(ids.SCHEMATIC_DAY, "value"),
        State(ids.SCHEMATIC_DAY, "max"),
        prevent_initial_call=True,
    )
