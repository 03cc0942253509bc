"""Shared wiring of a background job (a sweep, an analysis): its buttons, progress bar and
messages, and its result: draw it, and download it as CSV.

A job tab has ids ``<prefix>-run``, ``-cancel``, ``-progress``, ``-message``, ``-graph``,
``-result`` (the store) and ``download-<prefix>``; ``job_buttons`` and ``job_display`` build
them, ``job_options`` and ``register_result_views`` wire them. A result lives in
a ``dcc.Store`` in the browser, so it is untrusted on the way back: a result that does not draw
or export is ignored (the last figure stays), never an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard.controls import download_button
from dashboard.figures import TEMPLATE, graph_config
from dashboard.jobs import JOB_ENDINGS, JobRefused
from model import InvalidInput

__all__ = [
    "job_buttons",
    "job_display",
    "job_failed",
    "job_options",
    "placeholder",
    "register_cancel_note",
    "register_result_views",
]

log = logging.getLogger(__name__)
_BAD_RESULT = (InvalidInput, KeyError, TypeError, ValueError, AttributeError)


def job_buttons(prefix: str, run_label: str, download_label: str) -> html.Div:
    """Run, Cancel (enabled only while the job runs) and the result's download button."""
    return html.Div(
        [
            dbc.Button(run_label, id=f"{prefix}-run", color="primary", size="sm"),
            dbc.Button(
                "Cancel", id=f"{prefix}-cancel", color="secondary", size="sm", disabled=True
            ),
            download_button(download_label, f"download-{prefix}"),
        ],
        className="d-flex gap-2 mb-2",
    )


def job_display(prefix: str, guidance: str, what: str = "Job") -> list:
    """Progress bar (named "<what> progress"), message, the result's graph (``guidance`` until
    a first result), the result's store and its download."""
    return [
        # dbc.Progress takes no ARIA props: assets/a11y.js names its bar from this wrapper.
        html.Div(
            dbc.Progress(
                id=f"{prefix}-progress", value=0, max=1, className="mb-2", style={"height": "1rem"}
            ),
            **{"data-progress-label": f"{what} progress"},
        ),
        dbc.Alert(id=f"{prefix}-message", is_open=False, color="warning", dismissable=True),
        dcc.Graph(id=f"{prefix}-graph", config=graph_config(), figure=placeholder(guidance)),
        dcc.Store(id=f"{prefix}-result"),
        dcc.Download(id=f"download-{prefix}"),
    ]


def placeholder(text: str) -> dict:
    """The figure a job's graph shows before its first result: a line of guidance, no axes."""
    hidden = {"visible": False}
    return {
        "data": [],
        "layout": {
            "template": TEMPLATE,
            "xaxis": hidden,
            "yaxis": hidden,
            "height": 260,
            "annotations": [
                {
                    "text": text,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 15, "color": "#6c757d"},
                }
            ],
        },
    }


def job_failed(what: str) -> Callable[[Exception], tuple]:
    """``on_error`` handler of a background job writing (result, message, message open):
    the last result stays, the user reads what failed, the server log keeps the details."""

    def handler(exc: Exception) -> tuple:
        if isinstance(exc, JobRefused):  # a cap on running jobs: nothing failed
            return no_update, f"{what} not started: {exc}.", True
        log.error("%s failed: %s", what, exc)
        for ending in JOB_ENDINGS:
            if ending in str(exc):
                return no_update, f"{what} stopped: {ending}. The last result is kept.", True
        return no_update, f"{what} failed on the server; the last result is kept.", True

    return handler


def job_options(prefix: str, what: str) -> dict:
    """Keyword arguments of ``app.callback`` for a background job of the ``prefix`` tab:
    Run disabled and Cancel enabled while it runs, a progress bar that returns to empty when
    the job ends (done, failed or cancelled), failures reported by :func:`job_failed`."""
    return {
        "background": True,
        "running": [
            (Output(f"{prefix}-run", "disabled"), True, False),
            (Output(f"{prefix}-cancel", "disabled"), False, True),
        ],
        "cancel": [Input(f"{prefix}-cancel", "n_clicks")],
        "progress": [Output(f"{prefix}-progress", "value"), Output(f"{prefix}-progress", "max")],
        "progress_default": [0, 1],
        "on_error": job_failed(what),
        "prevent_initial_call": True,
    }


def register_cancel_note(app: Dash, prefix: str, what: str) -> None:
    """Say that a Cancel click stopped the job (Cancel is enabled only while one runs)."""

    @app.callback(
        Output(f"{prefix}-message", "children", allow_duplicate=True),
        Output(f"{prefix}-message", "is_open", allow_duplicate=True),
        Input(f"{prefix}-cancel", "n_clicks"),
        prevent_initial_call=True,
    )
    def cancelled(_n):
        return f"{what} cancelled; the last result is kept.", True


def register_result_views(
    app: Dash,
    *,
    store: str,
    graph: str,
    download: str,
    figure: Callable[..., dict],
    csv: Callable[[dict], tuple[str, str]],
    cell_axes: bool = False,
) -> None:
    """``graph`` redraws from ``store``; button ``<download>-btn`` sends ``csv(result)``.

    With ``cell_axes``, the graph also follows the page's "Cell axes" choice (log or linear):
    ``figure`` then takes ``log_y``."""
    scale = [Input(ids.AXIS_SCALE, "value")] if cell_axes else []

    @app.callback(
        Output(graph, "figure"),
        Input(store, "data"),
        Input(ids.PRESENTATION, "value"),
        *scale,
        prevent_initial_call=True,
    )
    def draw(result, presentation, axis=None):
        if not result:
            return no_update
        options = {"log_y": axis != "linear"} if cell_axes else {}
        try:
            return figure(result, 18 if presentation else 13, **options)
        except _BAD_RESULT:
            return no_update

    @app.callback(
        Output(download, "data"),
        Input(f"{download}{ids.BUTTON_SUFFIX}", "n_clicks"),
        State(store, "data"),
        prevent_initial_call=True,
    )
    def send(_n, result):
        if not result:
            return no_update
        try:
            text, filename = csv(result)
        except _BAD_RESULT:
            return no_update
        return dcc.send_string(text, filename)
