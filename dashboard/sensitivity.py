"""The Sensitivity tab: Sobol indices (SALib) of one outcome over chosen parameters.

Runs as a background job like the sweeps; shows a tornado chart of total (ST) and first-order
(S1) indices with 95% confidence intervals; the table downloads as CSV.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard.config import whole_number
from dashboard.controls import inline_choice
from dashboard.figures import LEGEND, TEMPLATE
from dashboard.results import (
    job_buttons,
    job_display,
    job_options,
    register_cancel_note,
    register_result_views,
)
from dashboard.state import PageState
from dashboard.sweeps import SWEEPABLE
from model import InvalidInput, spec_for
from model.export import provenance
from model.outcomes import OUTCOMES
from model.sensitivity import MAX_SOBOL_RUNS, SCALES, sobol_indices, sobol_runs

__all__ = [
    "BASE_SAMPLES",
    "SENS_DEFAULTS",
    "analysis_budget",
    "analysis_note",
    "indices_csv",
    "register_sensitivity",
    "sensitivity_figure",
    "sensitivity_panel",
    "start_analysis",
    "unresolved_ranks",
]

DEFAULT_PARAMETERS = [
    "vegfr1_signalling", "homing_rate", "niche_survival_gain", "met_growth_rate",
    "dormancy_exit_rate", "tropism.lung", "shedding_rate", "niche_decay_rate",
]  # fmt: skip
BASE_SAMPLES = (64, 128, 256, 512, 1024)
#: The Sensitivity tab's settings when nothing else is asked (control id -> value).
SENS_DEFAULTS: dict[str, object] = {
    ids.SENS_PARAMS: DEFAULT_PARAMETERS,
    ids.SENS_OUTCOME: "burden.lung",
    ids.SENS_N: 256,
    ids.SENS_SCALE: "linear",
}
#: How many leading ranks a user reads off the chart (the issue's question: the top three).
RANKS_READ = 3
#: Seed of the Sobol' sequence and of the bootstrap: one analysis always gives one answer.
SOBOL_SEED = 0


def analysis_budget(env: Mapping[str, str] | None = None) -> int:
    """Largest number of runs one analysis may ask for (``SEED_SOIL_ANALYSIS_BUDGET``)."""
    return whole_number("SEED_SOIL_ANALYSIS_BUDGET", MAX_SOBOL_RUNS, 2, MAX_SOBOL_RUNS, env)


def start_analysis(
    names: object,
    outcome: object,
    n_base: object,
    scale: object,
    stored: object,
    progress=None,
) -> dict:
    """Validate the tab's inputs (browser input) and run the analysis: a JSON-able dict."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInput("choose the parameters to vary")
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}")
    if n_base not in BASE_SAMPLES:
        raise InvalidInput(f"base samples must be one of {BASE_SAMPLES}")
    if scale not in SCALES:
        raise InvalidInput(f"scale must be one of: {', '.join(SCALES)}")
    state = PageState.from_store(stored)
    table = sobol_indices(
        state.params,
        names,
        outcome,
        n_base=int(n_base),
        days=state.days,
        progress=progress,
        scale=str(scale),
        budget=analysis_budget(),
        seed=SOBOL_SEED,
    )
    return {
        "outcome": outcome,
        "scale": scale,
        "runs": table.attrs["runs"],
        "censored": table.attrs["censored"],
        "n_base": int(n_base),
        "seed": SOBOL_SEED,
        "base": state.to_store(),  # what the CSV's provenance names
        "table": table.round(4).to_dict(orient="list"),
    }


def unresolved_ranks(table: dict, ranks: int = RANKS_READ) -> list[int]:
    """Ranks r (1-based, among the first ``ranks``) whose ST interval overlaps that of rank
    r + 1: the order of those two is not resolved at this sample size."""
    st, conf = table["ST"], table["ST_conf"]
    return [
        r + 1 for r in range(min(ranks, len(st) - 1)) if st[r] - conf[r] <= st[r + 1] + conf[r + 1]
    ]


def analysis_note(result: dict) -> str | None:
    """What the user should know before reading the chart (None if nothing)."""
    notes = []
    overlaps = unresolved_ranks(result["table"])
    if overlaps:
        pairs = ", ".join(f"{r} and {r + 1}" for r in overlaps)
        notes.append(
            f"The 95% intervals of ranks {pairs} overlap: their order is not resolved at this "
            "sample size. More base samples narrow the intervals"
            + (" (so does the log10 scale for a burden)." if result["scale"] == "linear" else ".")
        )
    if result["censored"]:
        notes.append(
            f"{result['censored']} runs never reached that day; they count as the last day "
            "of the run."
        )
    return " ".join(notes) or None


def sensitivity_figure(result: dict, font_size: int = 13) -> dict:
    """Tornado chart: ST and S1 per parameter with 95% confidence intervals, largest on top."""
    table = pd.DataFrame(result["table"]).iloc[::-1]
    labels = [spec_for(n).title for n in table["parameter"]]
    outcome = OUTCOMES[result["outcome"]]
    what = f"{outcome.label} ({outcome.unit})"
    if result.get("scale") == "log10":
        what = f"log10(1 + {outcome.label}, {outcome.unit})"
    bars = [
        ("ST", "Total effect (ST)", "#0072B2"),
        ("S1", "First order (S1)", "#E69F00"),
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": labels,
                "x": table[key].tolist(),
                "marker": {"color": colour},
                "error_x": {"type": "data", "array": table[f"{key}_conf"].tolist()},
            }
            for key, label, colour in bars
        ],
        "layout": {
            "template": TEMPLATE,
            "font": {"size": font_size},
            "barmode": "group",
            "title": {
                "text": f"Sobol indices of: {what}",
                "subtitle": {"text": f"{result['runs']} runs"},
            },
            "xaxis": {"title": {"text": "share of output variance"}},
            "margin": {"l": 200, "r": 30, "t": 80, "b": 50},
            "legend": LEGEND,
            "height": 170 + 45 * len(labels),
        },
    }


def sensitivity_panel() -> html.Div:
    options = [{"label": s.title, "value": s.name} for s in SWEEPABLE]
    outcomes = [{"label": o.label, "value": o.name} for o in OUTCOMES.values()]
    return html.Div(
        [
            html.P(
                "Which parameters control an outcome? Sobol' global sensitivity analysis "
                "(SALib) varies the chosen parameters together over their declared ranges "
                "(log scale where declared), the others fixed at the current settings. "
                f"Runs: base samples x (parameters + 2), at most {MAX_SOBOL_RUNS}.",
                className="small text-muted",
            ),
            html.Label(["Parameters", dcc.Dropdown(id=ids.SENS_PARAMS, options=options,
                                                   value=SENS_DEFAULTS[ids.SENS_PARAMS],
                                                   multi=True)],
                       className="w-100 mb-2"),
            html.Div(
                [
                    html.Label(["Outcome", dcc.Dropdown(id=ids.SENS_OUTCOME, options=outcomes,
                                                        value=SENS_DEFAULTS[ids.SENS_OUTCOME],
                                                        clearable=False)],
                               className="flex-fill"),
                    html.Label(["Base samples", dcc.Dropdown(
                        id=ids.SENS_N, options=[{"label": str(n), "value": n}
                                                for n in BASE_SAMPLES],
                        value=SENS_DEFAULTS[ids.SENS_N], clearable=False)]),
                ],
                className="d-flex gap-2 mb-2",
            ),
            html.Div(
                [
                    html.Span("Scale of a burden: ", className="small me-2"),
                    inline_choice(ids.SENS_SCALE,
                                  {"linear": "cells",
                                   "log10": "log10(1 + cells): orders of magnitude"},
                                  SENS_DEFAULTS[ids.SENS_SCALE]),
                ],
                className="d-flex align-items-center mb-2",
            ),
            job_buttons(ids.SENS_PREFIX, "Run analysis", "Indices (CSV)"),
            *job_display(ids.SENS_PREFIX, "Choose parameters and an outcome, then Run analysis: "
                                          "the ranking appears here.", "Analysis"),
        ]
    )  # fmt: skip


def register_sensitivity(app: Dash) -> None:
    @app.callback(
        Output(ids.SENS_RESULT, "data"),
        Output(ids.SENS_MESSAGE, "children"),
        Output(ids.SENS_MESSAGE, "is_open"),
        Input(ids.SENS_RUN, "n_clicks"),
        State(ids.SENS_PARAMS, "value"),
        State(ids.SENS_OUTCOME, "value"),
        State(ids.SENS_N, "value"),
        State(ids.SENS_SCALE, "value"),
        State(ids.STATE, "data"),
        **job_options(ids.SENS_PREFIX, "Analysis"),
    )
    def run_analysis(set_progress, _n, names, outcome, n_base, scale, stored):
        try:
            if isinstance(names, list) and n_base in BASE_SAMPLES:
                set_progress((0, sobol_runs(len(names), int(n_base))))
            result = start_analysis(
                names,
                outcome,
                n_base,
                scale,
                stored,
                lambda done, total: set_progress((done, total)),
            )
        except InvalidInput as exc:
            return no_update, f"Analysis not started: {exc}.", True
        note = analysis_note(result)
        return result, note, note is not None

    register_cancel_note(app, ids.SENS_PREFIX, "Analysis")
    register_result_views(
        app,
        store=ids.SENS_RESULT,
        graph=ids.SENS_GRAPH,
        download=ids.DOWNLOAD_SENS,
        figure=sensitivity_figure,
        csv=indices_csv,
    )


def indices_csv(result: dict) -> tuple[str, str]:
    """The indices table as CSV under its provenance (base settings, the parameters varied,
    outcome, scale, samples, seed), and a file name saying the outcome (and a log10 scale)."""
    base = PageState.from_store(result["base"])
    outcome = OUTCOMES[result["outcome"]]
    table = pd.DataFrame(result["table"])
    settings = {
        "varied together over their declared ranges (all others at the settings above)": [
            _range_text(name) for name in table["parameter"]
        ],
        "outcome": f"{outcome.name} = {outcome.label} ({outcome.unit})",
        "scale": "log10(1 + outcome)" if result["scale"] == "log10" else "linear (the outcome)",
        "base samples": str(result["n_base"]),
        "runs": str(result["runs"]),
        "seed": str(result["seed"]),
        "censored runs": f"{result['censored']} (never reached that day; counted as the last day)",
        "columns": "first-order (S1) and total (ST) indices; *_conf = 95% interval half-width",
    }
    header = provenance("Sobol sensitivity indices", base.params, base.days, base.scenario,
                        settings)  # fmt: skip
    scale = "-log10" if result.get("scale") == "log10" else ""
    return (
        header + table.to_csv(index=False),
        f"seed-soil-sobol-{result['outcome']}{scale}.csv",
    )


def _range_text(name: str) -> str:
    spec = spec_for(name)
    return f"{name} ({spec.unit}) from {spec.low:g} to {spec.high:g}; {spec.scale} scale"
