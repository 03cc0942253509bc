"""Shared wiring for a background job's result: draw it, and download it as CSV.

A result lives in a ``dcc.Store`` in the browser, so it is untrusted on the way back: a result
that does not draw or export is ignored (the last figure stays), never an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from dash import Dash, Input, Output, State, dcc, no_update

from model import InvalidInput

__all__ = ["job_failed", "register_result_views"]

log = logging.getLogger(__name__)
_BAD_RESULT = (InvalidInput, KeyError, TypeError, ValueError, AttributeError)


def job_failed(what: str) -> Callable[[Exception], tuple]:
    """``on_error`` handler of a background job writing (result, message, message open):
    the last result stays, the user reads what failed, the server log keeps the details."""

    def handler(exc: Exception) -> tuple:
        log.error("%s failed: %s", what, exc)
        return no_update, f"{what} failed on the server; the last result is kept.", True

    return handler


def register_result_views(
    app: Dash,
    *,
    store: str,
    graph: str,
    download: str,
    figure: Callable[[dict, int], dict],
    csv: Callable[[dict], tuple[str, str]],
) -> None:
    """``graph`` redraws from ``store``; button ``<download>-btn`` sends ``csv(result)``."""

    @app.callback(
        Output(graph, "figure"),
        Input(store, "data"),
        Input("presentation", "value"),
        prevent_initial_call=True,
    )
    def draw(result, presentation):
        if not result:
            return no_update
        try:
            return figure(result, 18 if presentation else 13)
        except _BAD_RESULT:
            return no_update

    @app.callback(
        Output(download, "data"),
        Input(f"{download}-btn", "n_clicks"),
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
