"""The Explore tab: the run's cascade, organs, burden, long-run risk and readouts.

Its layout (``explore_panel``), what it draws for a page state and view (``draw``) and its
reference (pinned run or compared hypothesis: ``resolve_reference``, ``register_explore``). The
figures themselves are pure functions in ``dashboard.figures`` and ``dashboard.risk``.

The tab has no render callback of its own: the page-state callback (``dashboard.callbacks``)
writes ``OUTPUTS`` in the same answer as the new state, with the view settings (``VIEW_INPUTS``,
``VIEW_STATES``) among its inputs. One round trip per change, not two (a state answer, then a
render request: in Chromium the wait between them was a third of a slider move, issue 10), and
one owner of the figures, so two answers can never draw them from different states. A page
opened on its first state gets the tab drawn in its layout (``first_drawing``: what that
answer would write), and the answer on load then draws nothing (``dashboard.page``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import NamedTuple

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids, risk
from dashboard.cache import simulate_state
from dashboard.figures import PINNED, Labels, graph_config, hypothesis_name, is_mouse_run
from dashboard.state import PageState
from model import InvalidInput
from model.hypotheses import get_hypothesis
from model.scenarios import SCENARIOS

__all__ = [
    "OUTPUTS",
    "VIEW_INPUTS",
    "VIEW_STATES",
    "VIEW_TRIGGERS",
    "View",
    "draw",
    "explore_panel",
    "first_drawing",
    "reference_label",
    "register_explore",
    "resolve_reference",
]

NORMAL_FONT, PRESENTATION_FONT = 13, 18
_HIDDEN = {"display": "none"}

#: What the tab shows, in the order ``draw`` returns it.
OUTPUTS = (
    Output(ids.CASCADE_GRAPH, "figure"),
    Output(ids.ORGAN_GRAPH, "figure"),
    Output(ids.BURDEN_GRAPH, "figure"),
    Output(ids.READOUTS_TEXT, "children"),
    Output(ids.BURDEN_DAY, "max"),
    Output(ids.BURDEN_DAY, "value"),
    Output(ids.RISK_GRAPH, "figure"),
    Output(ids.ORGAN_RISK_GRAPH, "figure"),
    Output(ids.RISK_SECTION, "style"),
)
#: View settings whose change redraws the tab (the page state unchanged) ...
VIEW_INPUTS = (
    Input(ids.REFERENCE, "data"),
    Input(ids.AXIS_SCALE, "value"),
    Input(ids.PRESENTATION, "value"),
    Input(ids.BURDEN_DAY, "value"),
)
VIEW_TRIGGERS = frozenset(i.component_id for i in VIEW_INPUTS)
#: ... and what the tab shows that its answer is compared with (written only when it differs).
VIEW_STATES = (State(ids.BURDEN_DAY, "max"), State(ids.RISK_SECTION, "style"))


class View(NamedTuple):
    """The view settings, as the page holds them (browser values: validated here)."""

    reference: object = None  # the ``reference`` store
    axis: object = "log"
    presentation: object = False
    burden_day: object = None  # the burden slider's position and its end
    burden_max: object = None
    risk_style: object = None  # the long-run section's style (hidden or not)


def resolve_reference(state: PageState, stored: object) -> tuple[PageState | None, Labels]:
    """The run to overlay as reference, and how the two runs are named.

    The ``reference`` store holds a pinned page state, or ``{"hypothesis": name}``: then the
    reference is the current experiment (every parameter, the time span) under that hypothesis,
    and both runs are named by their hypotheses. The store is browser-side: validated here.
    """
    if not stored:
        return None, PINNED
    if isinstance(stored, Mapping) and "hypothesis" in stored:
        name = stored["hypothesis"]
        if not isinstance(name, str):
            raise InvalidInput(f"unknown hypothesis {name!r}")
        other = dataclasses.replace(state, params=get_hypothesis(name).apply(state.params))
        return other, Labels(hypothesis_name(state.params), hypothesis_name(other.params))
    return PageState.from_store(stored), PINNED


def reference_label(stored: object) -> str:
    """The line under the reference buttons saying what the dashed lines show."""
    if not stored:
        return ""
    if isinstance(stored, Mapping) and "hypothesis" in stored:
        title = get_hypothesis(str(stored["hypothesis"])).title
        return f"Dashed: this experiment under the hypothesis {title}."
    state = PageState.from_store(stored)  # type: ignore[arg-type]
    name = SCENARIOS[state.scenario].title if state.scenario else "custom settings"
    hypothesis = hypothesis_name(state.params)
    return f"Reference pinned (dashed): {name}, {state.days:g} days, {hypothesis}."


def _burden_day(state: PageState, view: View) -> tuple[float, object, object]:
    """The day the burden chart shows, and what to write to the slider's max and value.

    A new run length puts the slider at its end; a position off the slider is clamped."""
    day = view.burden_day
    moved = isinstance(day, int | float) and not isinstance(day, bool) and math.isfinite(day)
    if not moved or view.burden_max != state.days:
        return state.days, state.days, state.days
    clamped = min(max(float(day), 0.0), state.days)  # type: ignore[arg-type]
    return clamped, no_update, clamped if clamped != day else no_update


def draw(state: PageState, view: View, trigger: object = None) -> tuple:
    """What the tab shows for ``state`` under ``view``, as ``OUTPUTS``; ``no_update`` where
    ``trigger`` (a view setting that changed; else the state did) cannot have changed it.

    Raises ``InvalidInput`` for a bad reference and ``SimulationError`` if a run fails."""
    reference, labels = resolve_reference(state, view.reference)
    result = simulate_state(state)
    ref_result = simulate_state(reference) if reference else None
    day, day_max, day_value = _burden_day(state, view)
    log_y = view.axis != "linear"
    shared = {
        "font_size": PRESENTATION_FONT if view.presentation else NORMAL_FONT,
        "labels": labels,
    }
    if trigger == ids.BURDEN_DAY:  # only the chart of that day
        burden = figures.burden_figure(result, day, ref_result, log_y=log_y, **shared)
        return (no_update, no_update, burden, no_update, day_max, day_value, *[no_update] * 3)
    cells = (  # the figures with cell-count axes
        figures.cascade_figure(result, ref_result, log_y=log_y, **shared),
        figures.organ_figure(
            result, ref_result, log_y=log_y, columns=2 if view.presentation else 3, **shared
        ),
        figures.burden_figure(result, day, ref_result, log_y=log_y, **shared),
    )
    long_run = not is_mouse_run(result)
    style = {} if long_run else _HIDDEN
    if trigger == ids.AXIS_SCALE:  # the readouts and risk figures have no cell axis
        return (*cells, no_update, day_max, day_value, *[no_update] * 3)
    readouts = (
        no_update
        if trigger == ids.PRESENTATION
        else figures.readout_table(result, ref_result, labels=labels).html()
    )
    return (
        *cells,
        readouts,
        day_max,
        day_value,
        risk.risk_figure(result, ref_result, **shared) if long_run else no_update,
        risk.organ_probability_figure(result, ref_result, **shared) if long_run else no_update,
        style if view.risk_style != style else no_update,
    )


def first_drawing(initial: PageState) -> dict[str, dict[str, object]]:
    """What ``draw`` writes for ``initial`` under the page's first view (as the layout holds
    it): component id -> {property: value}."""
    view = View(burden_day=initial.days, burden_max=initial.days, risk_style=_HIDDEN)
    drawn: dict[str, dict[str, object]] = {}
    for output, value in zip(OUTPUTS, draw(initial, view), strict=True):
        if value is not no_update:
            drawn.setdefault(output.component_id, {})[output.component_property] = value
    return drawn


def explore_panel(initial: PageState, drawn: bool = False) -> html.Div:
    """The tab's figures and readouts: empty (the page-state callback draws them on load), or
    ``drawn`` for ``initial`` (``first_drawing``)."""
    given = first_drawing(initial) if drawn else {}

    def props(component_id: str, **defaults) -> dict:
        return defaults | given.get(component_id, {})

    return html.Div(
        [
            dcc.Loading(
                [
                    dcc.Graph(
                        id=ids.CASCADE_GRAPH, config=graph_config(), **props(ids.CASCADE_GRAPH)
                    ),
                    dcc.Graph(id=ids.ORGAN_GRAPH, config=graph_config(), **props(ids.ORGAN_GRAPH)),
                    html.Div(
                        html.Label(
                            [
                                "Burden on day",
                                dcc.Slider(
                                    0,
                                    initial.days,
                                    0.1,
                                    value=initial.days,
                                    id=ids.BURDEN_DAY,
                                    updatemode="mouseup",
                                    marks=None,
                                    tooltip={"placement": "bottom"},
                                ),
                            ],
                            className="w-100",
                        ),
                        className="px-3",
                    ),
                    dcc.Graph(
                        id=ids.BURDEN_GRAPH, config=graph_config(), **props(ids.BURDEN_GRAPH)
                    ),
                    # Long (human) runs only: risk over the years and per organ, with patient
                    # data; ``draw`` shows or hides the section.
                    html.Section(
                        [
                            html.H2(
                                "Long run: risk and organs, next to patient data",
                                className="h5 mt-3",
                            ),
                            dcc.Graph(
                                id=ids.RISK_GRAPH, config=graph_config(), **props(ids.RISK_GRAPH)
                            ),
                            dcc.Graph(
                                id=ids.ORGAN_RISK_GRAPH,
                                config=graph_config(),
                                **props(ids.ORGAN_RISK_GRAPH),
                            ),
                        ],
                        id=ids.RISK_SECTION,
                        **props(ids.RISK_SECTION, style=_HIDDEN),
                    ),
                    html.H2("Readouts", className="h5 mt-3"),
                    # A region reached by Tab: on a phone the table scrolls sideways in it.
                    html.Div(
                        # Summary, caption and table as one HTML text, every value escaped
                        # (dashboard.figures.readout_table).
                        dcc.Markdown(
                            id=ids.READOUTS_TEXT,
                            dangerously_allow_html=True,
                            **props(ids.READOUTS_TEXT),
                        ),
                        id=ids.READOUTS,
                        className="table-responsive readouts",
                        tabIndex="0",
                        role="region",
                        **{"aria-label": "Readouts"},
                    ),
                ],
                delay_show=400,
                type="dot",
            ),
        ]
    )


def register_explore(app: Dash) -> None:
    """The reference's one owner: a pinned run, or the current experiment under the hypothesis
    chosen to compare with (each replaces the other)."""

    @app.callback(
        Output(ids.REFERENCE, "data"),
        Output(ids.REFERENCE_LABEL, "children"),
        Output(ids.COMPARE_HYPOTHESIS, "value"),
        Input(ids.PIN, "n_clicks"),
        Input(ids.UNPIN, "n_clicks"),
        Input(ids.COMPARE_HYPOTHESIS, "value"),
        State(ids.STATE, "data"),
        State(ids.REFERENCE, "data"),
        prevent_initial_call=True,
    )
    def set_reference(_pin, _unpin, compare, stored, current):
        trigger = ctx.triggered_id
        if trigger == ids.UNPIN:
            return None, "", None
        if trigger == ids.COMPARE_HYPOTHESIS:
            if compare is None:  # ending a comparison leaves a pinned run alone
                if isinstance(current, Mapping) and "hypothesis" in current:
                    return None, "", no_update
                raise PreventUpdate
            reference = {"hypothesis": compare}
            try:
                return reference, reference_label(reference), no_update
            except InvalidInput as exc:
                raise PreventUpdate from exc
        try:
            state = PageState.from_store(stored)
        except InvalidInput as exc:
            raise PreventUpdate from exc
        return state.to_store(), reference_label(state.to_store()), None
