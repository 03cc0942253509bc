"""The Sweep tab: one parameter over its range (curves) or two (a heatmap), as a background job.

A sweep starts from the page's current parameters and time span, runs on the batch solver in
a background process (Dash background callback; progress bar, cancel button) and stores a
small JSON result. Clicking a point or heatmap cell loads that parameter set into the main view
(handled by the page-state callback, which owns the state).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard.config import whole_number
from dashboard.controls import inline_choice, number_box
from dashboard.figures import LEGEND, ORGAN_COLOURS, TEMPLATE, short_organ_name
from dashboard.results import (
    job_buttons,
    job_display,
    job_options,
    register_cancel_note,
    register_result_views,
)
from dashboard.state import PageState
from model import PARAMETER_SPECS, InvalidInput, spec_for
from model.export import axis_text, provenance, round_sig
from model.outcomes import FAMILIES, OUTCOMES, expand_outcome
from model.sweep import MAX_RUNS, axis_values, sweep_1d, sweep_2d

__all__ = [
    "SWEEPABLE",
    "SWEEP_DEFAULTS",
    "SweepRequest",
    "load_point",
    "parse_axis",
    "parse_request",
    "register_sweeps",
    "run_request",
    "sweep_budget",
    "sweep_figure",
    "sweep_panel",
]

SWEEPABLE = [s for s in PARAMETER_SPECS if not s.optional and s.unit != "day"]

#: The Sweep tab's settings when nothing else is asked (control id -> value): the 2-D map of
#: VEGFR1 signalling against dormancy exit; empty 'from'/'to' means the declared range.
SWEEP_DEFAULTS: dict[str, object] = {
    ids.SWEEP_MODE: "2d",
    ids.SWEEP_X: "vegfr1_signalling",
    ids.SWEEP_X_FROM: None,
    ids.SWEEP_X_TO: None,
    ids.SWEEP_X_N: 25,
    ids.SWEEP_Y: "dormancy_exit_rate",
    ids.SWEEP_Y_FROM: None,
    ids.SWEEP_Y_TO: None,
    ids.SWEEP_Y_N: 25,
    ids.SWEEP_OUTCOME: "burden.lung",
}


def sweep_budget(env: Mapping[str, str] | None = None) -> int:
    """Largest number of runs one sweep may ask for (``SEED_SOIL_SWEEP_BUDGET``, validated)."""
    return whole_number("SEED_SOIL_SWEEP_BUDGET", MAX_RUNS, 2, MAX_RUNS, env)


@dataclass(frozen=True)
class SweepRequest:
    x_name: str
    x_values: tuple[float, ...]
    outcome: str
    y_name: str | None = None
    y_values: tuple[float, ...] = ()

    @property
    def runs(self) -> int:
        return len(self.x_values) * max(1, len(self.y_values))


def parse_axis(name: object, low: object, high: object, points: object) -> tuple[str, tuple]:
    """One validated sweep axis: (parameter name, the values it takes).

    ``low``, ``high`` and ``points`` come as typed in the Sweep tab's text boxes (or from a
    link, or as numbers): empty 'from'/'to' means the declared range's end."""
    if not isinstance(name, str):
        raise InvalidInput("choose a parameter to sweep")
    spec = spec_for(name)
    lo = _bound(name, "from", low, spec.low)
    hi = _bound(name, "to", high, spec.high)
    return name, tuple(float(v) for v in axis_values(name, _points(points), lo, hi))


def _bound(name: str, label: str, raw: object, default: float) -> float:
    """A range end as a finite number; ``default`` when the box is empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ValueError
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, OverflowError):  # not a number, or an integer beyond any float
        raise InvalidInput(f"sweep of {name}: '{label}' must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"sweep of {name}: '{label}' must be a finite number, got {raw!r}")
    return value


def _points(raw: object) -> object:
    """The number of points as an int when it is a whole number (typed "25", or 25.0 from a
    number); anything else passes unchanged for ``axis_values`` to refuse with its range."""
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def parse_request(
    mode: object,
    x: tuple[object, object, object, object],
    y: tuple[object, object, object, object],
    outcome: object,
    budget: int,
) -> SweepRequest:
    """Validate what the Sweep tab sends (all of it browser input)."""
    if mode not in ("1d", "2d"):
        raise InvalidInput(f"unknown sweep mode {mode!r}")
    if not isinstance(outcome, str) or (outcome not in OUTCOMES and outcome not in FAMILIES):
        raise InvalidInput(f"unknown outcome {outcome!r}")
    if mode == "2d" and outcome in FAMILIES:
        raise InvalidInput(
            f"a 2-D map shows one outcome: choose one organ, not '{FAMILIES[outcome].label}'"
        )
    x_name, x_values = parse_axis(*x)
    request = SweepRequest(x_name, x_values, outcome)
    if mode == "2d":
        y_name, y_values = parse_axis(*y)
        if y_name == x_name:
            raise InvalidInput("a 2-D sweep needs two different parameters")
        request = SweepRequest(x_name, x_values, outcome, y_name, y_values)
    if request.runs > budget:
        raise InvalidInput(f"{request.runs} runs requested; this server allows {budget} a sweep")
    return request


def run_request(request: SweepRequest, state: PageState, progress=None) -> dict:
    """Run a validated sweep from ``state``; a small JSON-able result for a ``dcc.Store``."""
    if request.y_name is None:
        table = sweep_1d(
            state.params,
            request.x_name,
            request.x_values,
            expand_outcome(request.outcome),
            state.days,
            progress,
        )
        return {
            "x_name": request.x_name,
            "x": list(request.x_values),
            "y_name": None,
            "outcome": request.outcome,
            # A list, not a dict: JSON on the way through the browser may reorder keys.
            "series": [
                {"name": name, "values": _json_numbers(table[name].to_numpy())}
                for name in expand_outcome(request.outcome)
            ],
            "base": state.to_store(),
        }
    result = sweep_2d(
        state.params,
        request.x_name,
        request.x_values,
        request.y_name,
        request.y_values,
        request.outcome,
        state.days,
        progress,
    )
    return {
        "x_name": result.x_name,
        "x": result.x.tolist(),
        "y_name": result.y_name,
        "y": result.y.tolist(),
        "outcome": result.outcome,
        "z": [_json_numbers(row) for row in result.z],
        "base": state.to_store(),
    }


def _json_numbers(values: np.ndarray) -> list[float | None]:
    """NaN (a day that never happens) becomes null: JSON has no NaN."""
    return [None if not np.isfinite(v) else float(f"{v:.5g}") for v in values]


def _title(name: str) -> str:
    spec = spec_for(name)
    return f"{spec.title} ({spec.unit})"


def _what(outcome: str) -> tuple[str, str]:
    """(label, unit) of an outcome or a family of outcomes."""
    found = FAMILIES.get(outcome) or OUTCOMES[outcome]
    return found.label, found.unit


def _series_style(name: str) -> tuple[str, str]:
    """(legend name, colour) of one curve: per-organ outcomes in their organ's colour, named
    as the Explore tab's panels name them ("Other": its long label set every legend column
    that wide, six rows on a projector)."""
    organ = name.rsplit(".", 1)[-1]
    if organ in ORGAN_COLOURS:
        return short_organ_name(organ), ORGAN_COLOURS[organ]
    return OUTCOMES[name].label, "#0072B2"


def sweep_figure(result: dict, font_size: int = 13, *, log_y: bool = True) -> dict:
    """Curves (1-D: one per outcome, e.g. one per organ) or a heatmap (2-D) of a sweep
    result, the base point marked. Curves of cells have a log axis unless ``log_y`` is false
    (the page's "Cell axes" choice)."""
    label, unit = _what(result["outcome"])
    base = PageState.from_store(result["base"]).params
    x_log = spec_for(result["x_name"]).scale == "log"
    layout = {
        "template": TEMPLATE,
        "font": {"size": font_size},
        "title": {"text": f"{label} ({unit})"},
        "xaxis": {"title": {"text": _title(result["x_name"])}, "type": "log" if x_log else "-"},
        "margin": {"l": 70, "r": 30, "t": 50, "b": 60},
        "legend": LEGEND,  # under the plot: on its right it squeezed the curves on a projector
    }
    bx = base[result["x_name"]]
    if result["y_name"] is None:
        data = []
        for series in result["series"]:
            legend, colour = _series_style(series["name"])
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": result["x"],
                    "y": series["values"],
                    "name": legend,
                    "line": {"color": colour},
                }
            )
        # Cell counts span decades: a log axis, as in the Explore tab (unless linear is chosen).
        cells_log = unit == "cells" and log_y
        layout["yaxis"] = {"title": {"text": unit}, "type": "log" if cells_log else "-"}
        layout["shapes"] = [_vline(bx)]
        layout["showlegend"] = len(data) > 1
    else:
        by = base[result["y_name"]]
        y_log = spec_for(result["y_name"]).scale == "log"
        data = [
            {
                "type": "heatmap",
                "x": result["x"],
                "y": result["y"],
                "z": result["z"],
                "colorscale": "Viridis",
                "colorbar": {"title": {"text": unit}},
                "hovertemplate": "x %{x:.3g}<br>y %{y:.3g}<br>%{z:.4g}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": [bx],
                "y": [by],
                "name": "current",
                "marker": {
                    "symbol": "x",
                    "size": 14,
                    "color": "#D55E00",
                    "line": {"width": 2, "color": "white"},
                },
            },
        ]
        layout["yaxis"] = {
            "title": {"text": _title(result["y_name"])},
            "type": "log" if y_log else "-",
        }
    return {"data": data, "layout": layout}


def _vline(x: float) -> dict:
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": "#D55E00", "dash": "dash"},
    }


def load_point(current: PageState, click: object, result: object) -> PageState:
    """The page state for a clicked sweep point or heatmap cell (validated like any input)."""
    if not isinstance(result, dict) or not isinstance(click, dict) or not click.get("points"):
        raise InvalidInput("nothing to load from the sweep")
    point = click["points"][0]
    x_name, y_name = result.get("x_name"), result.get("y_name")
    if (
        not isinstance(point, dict)
        or not isinstance(x_name, str)
        or not (y_name is None or isinstance(y_name, str))
    ):
        raise InvalidInput("the sweep result is malformed")
    values = {x_name: _loadable(x_name, point.get("x"))}
    if y_name:
        values[y_name] = _loadable(y_name, point.get("y"))
    base = PageState.from_store(result.get("base"))
    return PageState(base.params.replace(values), base.days, base.scenario)


#: Significant digits of a loaded sweep value: what a number box shows (17.78, not
#: 17.77777777777778), within 0.05 % of the value swept.
LOADED_DIGITS = 4


def _loadable(name: str, value: object) -> object:
    """A clicked sweep value rounded to ``LOADED_DIGITS`` and kept inside the declared range.
    Anything else (not a number, out of range: a forged click) passes unchanged, for the
    parameter's own validation to refuse."""
    spec = spec_for(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not (math.isfinite(value) and spec.low <= value <= spec.high):
        return value
    return min(max(round_sig(float(value), LOADED_DIGITS), spec.low), spec.high)


def _axis_controls(axis: str) -> html.Div:
    options = [{"label": s.title, "value": s.name} for s in SWEEPABLE]
    return html.Div(
        [
            html.Label(
                [
                    f"{axis.upper()} parameter",
                    dcc.Dropdown(
                        id=f"sweep-{axis}",
                        options=options,
                        value=SWEEP_DEFAULTS[f"sweep-{axis}"],
                        clearable=False,
                    ),
                ],
                className="w-100",
            ),
            html.Div(
                [
                    number_box("from", f"sweep-{axis}-from", placeholder="range start"),
                    number_box("to", f"sweep-{axis}-to", placeholder="range end"),
                    number_box(
                        "points",
                        f"sweep-{axis}-n",
                        SWEEP_DEFAULTS[f"sweep-{axis}-n"],
                        inputmode="numeric",
                    ),
                ],
                className="d-flex gap-2 sweep-range",
            ),
        ],
        id=f"sweep-{axis}-box",
        className="mb-2",
    )


def sweep_panel() -> html.Div:
    outcome_options = [{"label": o.label, "value": o.name} for o in OUTCOMES.values()] + [
        {"label": f"{f.label} (1-D curves)", "value": f.name} for f in FAMILIES.values()
    ]
    return html.Div(
        [
            html.P(
                "Sweep one parameter over its range, or map two, starting from the current "
                "settings. Empty 'from'/'to' means the whole declared range. Click a point or a "
                "cell to load it into the Explore tab.",
                className="small text-muted",
            ),
            inline_choice(
                ids.SWEEP_MODE, {"1d": "1-D curve", "2d": "2-D map"}, SWEEP_DEFAULTS[ids.SWEEP_MODE]
            ),
            _axis_controls("x"),
            _axis_controls("y"),
            html.Label(
                [
                    "Outcome",
                    dcc.Dropdown(
                        id=ids.SWEEP_OUTCOME,
                        options=outcome_options,
                        value=SWEEP_DEFAULTS[ids.SWEEP_OUTCOME],
                        clearable=False,
                    ),
                ],
                className="w-100 mb-2",
            ),
            job_buttons(ids.SWEEP_PREFIX, "Run sweep", "Sweep data (CSV)"),
            *job_display(
                ids.SWEEP_PREFIX,
                "Choose what to sweep, then Run sweep: the result appears here.",
                "Sweep",
            ),
        ]
    )


def _result_csv(result: dict) -> str:
    """The sweep as CSV under its provenance (base settings, axes, outcome): a 1-D sweep has
    one row per value and one column per curve, a 2-D sweep one row per grid cell. Numbers
    to 6 significant digits; an outcome that never happens (a day) is an empty cell."""
    base = PageState.from_store(result["base"])
    x_name, y_name, outcome = result["x_name"], result["y_name"], result["outcome"]
    label, unit = _what(outcome)
    if y_name is None:
        table = pd.DataFrame({x_name: result["x"]})
        for series in result["series"]:
            table[series["name"]] = pd.Series(series["values"], dtype=float)
        axes = [axis_text(x_name, result["x"])]
    else:
        grid = [(x, y, z) for y, row in zip(result["y"], result["z"], strict=True)
                for x, z in zip(result["x"], row, strict=True)]  # fmt: skip
        table = pd.DataFrame(grid, columns=[x_name, y_name, outcome], dtype=float)
        axes = [axis_text(x_name, result["x"]), axis_text(y_name, result["y"])]
    settings = {
        "swept": axes,
        "outcome": f"{outcome} = {label} ({unit})",
        "runs": f"{len(table)} (each from the settings above with only the swept values changed)",
    }
    header = provenance("parameter sweep", base.params, base.days, base.scenario, settings)
    return header + table.to_csv(index=False, float_format="%.6g")


def register_sweeps(app: Dash) -> None:
    """Wire the Sweep tab. The sweep itself is a background callback (progress, cancel)."""

    # In the browser: no request for what the page already knows (one less on every load).
    app.clientside_callback(
        "function(mode) { return mode === '2d' ? {} : {display: 'none'}; }",
        Output(ids.SWEEP_Y_BOX, "style"),
        Input(ids.SWEEP_MODE, "value"),
    )

    @app.callback(
        Output(ids.SWEEP_RESULT, "data"),
        Output(ids.SWEEP_MESSAGE, "children"),
        Output(ids.SWEEP_MESSAGE, "is_open"),
        Input(ids.SWEEP_RUN, "n_clicks"),
        State(ids.SWEEP_MODE, "value"),
        State(ids.SWEEP_X, "value"),
        State(ids.SWEEP_X_FROM, "value"),
        State(ids.SWEEP_X_TO, "value"),
        State(ids.SWEEP_X_N, "value"),
        State(ids.SWEEP_Y, "value"),
        State(ids.SWEEP_Y_FROM, "value"),
        State(ids.SWEEP_Y_TO, "value"),
        State(ids.SWEEP_Y_N, "value"),
        State(ids.SWEEP_OUTCOME, "value"),
        State(ids.STATE, "data"),
        **job_options(ids.SWEEP_PREFIX, "Sweep"),
    )
    def run_sweep(set_progress, _n, mode, x, x_lo, x_hi, x_n, y, y_lo, y_hi, y_n, outcome, stored):
        try:
            request = parse_request(
                mode, (x, x_lo, x_hi, x_n), (y, y_lo, y_hi, y_n), outcome, sweep_budget()
            )
            state = PageState.from_store(stored)
        except InvalidInput as exc:
            return no_update, f"Sweep not started: {exc}.", True
        set_progress((0, request.runs))
        result = run_request(request, state, lambda done, total: set_progress((done, total)))
        return result, None, False

    register_cancel_note(app, ids.SWEEP_PREFIX, "Sweep")
    register_result_views(
        app,
        store=ids.SWEEP_RESULT,
        graph=ids.SWEEP_GRAPH,
        download=ids.DOWNLOAD_SWEEP,
        figure=sweep_figure,
        csv=lambda result: (_result_csv(result), f"seed-soil-sweep-{result['outcome']}.csv"),
        cell_axes=True,
    )
