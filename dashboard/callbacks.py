"""The page's callbacks: thin wiring around pure functions (state transitions, figures).

One callback, ``update_page``, owns the page state (``state`` store, controls and URL, kept in
one place so no writes race) and answers each change with the Explore tab drawn for the new
state (``dashboard.explore.draw``): one round trip per slider move. Its body is
``page_answer``, which Dash calls through it and ``dashboard.direct`` calls past Dash's generic
dispatch. Other tabs only read the state. Any input that fails validation leaves the last good
state and figures on screen and shows a message saying what was wrong. Also here: the
downloads, the export format, About.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard import explore, ids
from dashboard.cache import simulate_state
from dashboard.controls import CONTROL_SPECS
from dashboard.direct import register_direct
from dashboard.figures import graph_config
from dashboard.layout import (
    DEFAULT_SCENARIO,
    GRAPH_IDS,
    hypothesis_text,
    scenario_changed,
    scenario_text,
)
from dashboard.schematic import schematic_request
from dashboard.state import (
    PageState,
    from_query,
    from_upload,
    slider_position,
    to_download,
    to_query,
    value_from_slider,
)
from dashboard.sweeps import load_point
from model import (
    GROUPS,
    PARAMETER_SPECS,
    InvalidInput,
    Parameters,
    SimulationError,
    __version__,
    spec_for,
)
from model.export import time_series_csv, utc_stamp
from model.hypotheses import get_hypothesis, hypothesis_of
from model.sbml import to_sbml
from model.scenarios import SCENARIOS
from model.solve import validate_days

__all__ = [
    "DEFAULT_SCENARIO",
    "hypothesis_text",
    "next_state",
    "opens_first_state",
    "page_answer",
    "register",
    "scenario_changed",
    "scenario_text",
]

log = logging.getLogger(__name__)

_SLIDER_SPECS = [s for s in CONTROL_SPECS if not s.optional]
#: Each parameter control's id -> (SLIDER or INPUT, parameter name), sliders first, each kind
#: in the order the page callback takes and returns its values.
_CONTROLS = {
    ids.control_id(kind, s.name): (kind, s.name)
    for kind, specs in ((ids.SLIDER, _SLIDER_SPECS), (ids.INPUT, CONTROL_SPECS))
    for s in specs
}
_SLIDER_IDS = [i for i, (kind, _) in _CONTROLS.items() if kind == ids.SLIDER]
_BOX_IDS = [i for i, (kind, _) in _CONTROLS.items() if kind == ids.INPUT]


def _baseline(state: PageState) -> Parameters:
    """What "reset" returns to: the chosen scenario's settings, else the defaults."""
    return SCENARIOS[state.scenario].parameters() if state.scenario else Parameters()


def next_state(
    current: PageState,
    trigger: str | dict | None,
    value: object,
    *,
    search: str | None = None,
    filename: str | None = None,
    sweep: object = None,
) -> PageState:
    """The page state after one user action. Raises ``InvalidInput`` for a bad value."""
    if trigger == ids.SWEEP_GRAPH:
        return load_point(current, value, sweep)
    if trigger in (None, ids.URL):
        if search and search != "?":
            return from_query(search)
        return PageState.for_scenario(DEFAULT_SCENARIO)
    if trigger == ids.SCENARIO:
        if value is None:
            return dataclasses.replace(current, scenario=None)
        if not isinstance(value, str) or value not in SCENARIOS:
            raise InvalidInput(f"unknown scenario {value!r}")
        return PageState.for_scenario(str(value))
    if trigger == ids.HYPOTHESIS:
        if value is None:  # the menu cannot be cleared: nothing was chosen
            return current
        if not isinstance(value, str):
            raise InvalidInput(f"unknown hypothesis {value!r}")
        hypothesis = get_hypothesis(value)
        return dataclasses.replace(current, params=hypothesis.apply(current.params))
    if trigger == ids.DAYS:
        return dataclasses.replace(current, days=validate_days(value))
    if trigger == ids.RESET_ALL:
        return dataclasses.replace(current, params=_baseline(current))
    if trigger == ids.UPLOAD:
        return from_upload(value, filename)  # type: ignore[arg-type]
    if isinstance(trigger, str) and trigger in _CONTROLS:
        kind, name = _CONTROLS[trigger]
        spec = spec_for(name)
        new = value_from_slider(spec, value) if kind == ids.SLIDER else value
        return dataclasses.replace(current, params=current.params.replace({name: new}))
    if isinstance(trigger, dict) and trigger.get("type") == ids.RESET_GROUP:
        if trigger.get("group") not in GROUPS:
            raise InvalidInput(f"unknown control group {trigger.get('group')!r}")
        base = _baseline(current)
        group = {s.name: base[s.name] for s in PARAMETER_SPECS if s.group == trigger["group"]}
        return dataclasses.replace(current, params=current.params.replace(group))
    raise InvalidInput(f"unexpected input {trigger!r}")


def opens_first_state(query: str) -> bool:
    """Whether a page opened with ``query`` (its URL's, without the "?") starts in the state
    the layout starts in (``build_layout``'s first state): no query, or a valid one naming that
    state, as the page's own link to it does. Its layout may then come drawn."""
    first = PageState.for_scenario(DEFAULT_SCENARIO)
    try:
        return next_state(first, None, None, search=f"?{query}" if query else None) == first
    except InvalidInput:
        return False


class Shown(NamedTuple):
    """What the page shows as the page callback is called: its inputs."""

    search: object
    scenario: object
    hypothesis: object
    sliders: object  # positions, in the order of _SLIDER_SPECS
    boxes: object  # values, in the order of CONTROL_SPECS
    days: object
    note_hidden: object = None  # the scenario card's "settings changed" note


def state_outputs(
    current: PageState,
    state: PageState,
    trigger: object,
    shown: Shown,
    *,
    stale: bool = False,
    drawn: bool = False,
) -> tuple:
    """What the page callback writes for a change from ``current`` (the store) to ``state``:
    the store, slider positions, boxes, scenario, days, URL query, scenario card and its
    "settings changed" note, hypothesis and its text.

    Only what differs from what the page ``shown`` holds is written (``no_update``
    elsewhere): Dash's renderer does work for every component on the page per updated
    component, and rewriting all ~95 controls on every slider move cost more than a second in
    the browser (issue 10). Comparing with the page, not with the store, also mends a control
    whose own change never reached the store (an answer the renderer dropped for a newer
    request, a refused or failed request): it is put back to the state. A typed value shows as
    applied ("1e-3" becomes 0.001), a refused one is put back. After a bad store (``stale``)
    everything is written. The scenario card and hypothesis note start empty, and are written
    on page load, unless the page came with them written for ``current`` (``drawn``).
    """
    new = state.params
    sliders = list(shown.sliders) if isinstance(shown.sliders, list) else []
    boxes = list(shown.boxes) if isinstance(shown.boxes, list) else []
    stale = stale or len(sliders) != len(_SLIDER_SPECS) or len(boxes) != len(CONTROL_SPECS)
    loading = stale or (trigger in (None, ids.URL) and not drawn)  # the cards start empty

    def differs(now: object, before: object) -> object:
        return now if stale or _differ(now, before) else no_update

    hypothesis = hypothesis_of(new)
    scenario = differs(state.scenario, shown.scenario)
    hypothesis_menu = differs(hypothesis, shown.hypothesis)
    # The card's text is rewritten only for a new scenario: a change of ``children`` makes the
    # renderer recompute every component's path (a slider move that only flips the note
    # cost ~100 ms more in Chromium).
    card_stale = loading or scenario is not no_update or state.scenario != current.scenario
    return (
        state.to_store() if stale or state != current else no_update,
        [
            differs(slider_position(s, new[s.name]), sliders[k] if not stale else None)
            for k, s in enumerate(_SLIDER_SPECS)
        ],
        [
            differs(new[s.name], boxes[k] if not stale else None)
            for k, s in enumerate(CONTROL_SPECS)
        ],
        scenario,
        differs(state.days, shown.days),
        differs(to_query(state), shown.search),
        scenario_text(state) if card_stale else no_update,
        differs(not scenario_changed(state), shown.note_hidden),
        hypothesis_menu,
        hypothesis_text(state)
        if loading
        or hypothesis_menu is not no_update
        or hypothesis != hypothesis_of(current.params)
        else no_update,
    )


def _differ(a: object, b: object) -> bool:
    """Whether a control holding ``b`` must be written ``a``: a different value, or the same
    number as text or of another type ("4" for 4.0; not 4 for 4.0, which JSON cannot tell)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is not b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) != float(b)
    return a != b or type(a) is not type(b)


def _draw_or_nothing(state: PageState, view: explore.View) -> tuple:
    """The Explore tab for ``state``, or ``no_update`` everywhere if it cannot be drawn."""
    try:
        return explore.draw(state, view)
    except (InvalidInput, SimulationError) as exc:
        log.warning("the last good state could not be drawn: %s", exc)
        return (no_update,) * len(explore.OUTPUTS)


def _label(state: PageState) -> str:
    """Scenario and hypothesis, for file names: ``kaplan2005-llc-dawson``."""
    return f"{state.scenario or 'custom'}-{hypothesis_of(state.params) or 'mixed-hypothesis'}"


def _parameters_file(state: PageState) -> tuple[str, str]:
    """The parameter file, stamped with the model version and the export time (an upload
    reads only the format, scenario, days and parameters)."""
    data = json.loads(to_download(state))
    head = {key: data.pop(key) for key in ("format", "version")}
    stamp = {"model_version": __version__, "exported": utc_stamp()}
    text = json.dumps({**head, **stamp, **data}, indent=2)
    return text, f"seed-soil-{_label(state)}-parameters.json"


def _csv_file(state: PageState) -> tuple[str, str]:
    """The time series with its provenance, as ``python -m model run --format csv`` writes it."""
    text = time_series_csv(simulate_state(state), state.scenario)
    return text, f"seed-soil-{_label(state)}.csv"


def _sbml_file(state: PageState) -> tuple[str, str]:
    return to_sbml(state.params), f"seed-soil-{_label(state)}.sbml.xml"


def page_answer(args: Sequence, trigger: str | dict | None, value: object) -> tuple:
    """The page callback's answer: its outputs, grouped as declared, for its arguments
    ``args`` (inputs then states, grouped as declared), given the input that changed
    (``trigger``: its id, None on page load) and that input's value.

    A change of the reference, axis, presentation mode or burden day leaves the state
    as it is and redraws only what it changes."""
    (
        search, scenario, hypothesis, _s, _i, days, _r, _g, upload, click,  # the page state
        reference, axis, presentation, burden_day,  # the Explore tab's view
        filename, stored, sweep, open_, note, tab, burden_max, risk_style,  # what is shown
        first_drawn,  # whether the layout came with the store's state drawn
    ) = args  # fmt: skip
    view = explore.View(reference, axis, presentation, burden_day, burden_max, risk_style)
    value = {
        ids.SCENARIO: scenario,
        ids.HYPOTHESIS: hypothesis,
        ids.DAYS: days,
        ids.UPLOAD: upload,
        ids.SWEEP_GRAPH: click,
    }.get(trigger if isinstance(trigger, str) else "", value)
    # A success closes the message; its text stays (a text change makes Dash's renderer
    # re-crawl the whole page).
    message, failed, stale = no_update, False, False
    try:
        current = PageState.from_store(stored)
    except InvalidInput:
        current, stale = PageState.for_scenario(DEFAULT_SCENARIO), True
    drawn = (no_update,) * len(explore.OUTPUTS)
    redraw = isinstance(trigger, str) and trigger in explore.VIEW_TRIGGERS
    # The page came with the store's state drawn (``build_layout(drawn=True)``), and every
    # answer since has kept the tab showing the store's state under the page's view: a page
    # load, or a link back to that state, has nothing to draw.
    loaded = trigger in (None, ids.URL)  # a page load, or a link followed
    shown_drawn = loaded and first_drawn is True and not stale
    try:
        if redraw:
            state = current
        else:
            state = next_state(
                current, trigger, value, search=search, filename=filename, sweep=sweep
            )
        if redraw or stale or state != current or (loaded and not shown_drawn):
            drawn = explore.draw(state, view, trigger)
    except (InvalidInput, SimulationError) as exc:
        log.info("not applied: %s", exc)
        state, message, failed = (
            current,
            f"Not applied: {exc}. Showing the last good state.",
            True,
        )
        if loaded and not shown_drawn:  # a refused link: the tab is empty
            drawn = _draw_or_nothing(current, view)
    shown = Shown(search, scenario, hypothesis, _s, _i, days, note)
    return (
        *state_outputs(current, state, trigger, shown, stale=stale, drawn=shown_drawn),
        message,
        failed if failed or open_ is not False else no_update,
        "explore" if trigger == ids.SWEEP_GRAPH and not failed else no_update,
        *drawn,
        # The Schematic tab, if open, follows a new state or type size.
        schematic_request(tab, state, presentation)
        if not failed and (state != current or stale or trigger == ids.PRESENTATION)
        else no_update,
    )


def register(app: Dash) -> None:
    """Wire every callback into ``app`` (not the global registry: see STYLE.md)."""

    # Flexible signature (output=, inputs=, state=): the controls come and go as two lists,
    # one per kind, in the order of _SLIDER_SPECS and CONTROL_SPECS.
    @app.callback(
        output=[
            Output(ids.STATE, "data"),
            [Output(i, "value") for i in _SLIDER_IDS],
            [Output(i, "value") for i in _BOX_IDS],
            Output(ids.SCENARIO, "value"),
            Output(ids.DAYS, "value"),
            Output(ids.URL, "search"),
            Output(ids.SCENARIO_TEXT, "children"),
            Output(ids.SCENARIO_CHANGED, "hidden"),
            Output(ids.HYPOTHESIS, "value"),
            Output(ids.HYPOTHESIS_TEXT, "children"),
            Output(ids.MESSAGE, "children"),
            Output(ids.MESSAGE, "is_open"),
            Output(ids.TABS, "active_tab"),
            *explore.OUTPUTS,
            Output(ids.SCHEMATIC_REQUEST, "data"),
        ],
        inputs=[
            Input(ids.URL, "search"),
            Input(ids.SCENARIO, "value"),
            Input(ids.HYPOTHESIS, "value"),
            [Input(i, "value") for i in _SLIDER_IDS],
            [Input(i, "value") for i in _BOX_IDS],
            Input(ids.DAYS, "value"),
            Input(ids.RESET_ALL, "n_clicks"),
            Input({"type": ids.RESET_GROUP, "group": ALL}, "n_clicks"),
            Input(ids.UPLOAD, "contents"),
            Input(ids.SWEEP_GRAPH, "clickData"),
            *explore.VIEW_INPUTS,
        ],
        state=[
            State(ids.UPLOAD, "filename"),
            State(ids.STATE, "data"),
            State(ids.SWEEP_RESULT, "data"),
            State(ids.MESSAGE, "is_open"),
            State(ids.SCENARIO_CHANGED, "hidden"),
            State(ids.TABS, "active_tab"),
            *explore.VIEW_STATES,
            State(ids.FIRST_DRAWN, "data"),
        ],
    )
    def update_page(*args):
        """The page state after one action, and the Explore tab drawn for it (one answer)."""
        triggered = ctx.triggered
        return page_answer(args, ctx.triggered_id, triggered[0]["value"] if triggered else None)

    # The answer most requests get, given past Dash's generic dispatch (``dashboard.direct``).
    register_direct(app, update_page, page_answer)

    def downloadable(target: str, make: Callable[[PageState], tuple[str, str]]) -> None:
        """Button ``<target>-btn`` sends ``make(state) -> (text, filename)`` as a file."""

        @app.callback(
            Output(target, "data"),
            Input(f"{target}{ids.BUTTON_SUFFIX}", "n_clicks"),
            State(ids.STATE, "data"),
            prevent_initial_call=True,
        )
        def download(_n, stored):
            try:
                text, filename = make(PageState.from_store(stored))
            except InvalidInput as exc:
                raise PreventUpdate from exc
            return dcc.send_string(text, filename)

    downloadable(ids.DOWNLOAD_PARAMS, _parameters_file)
    downloadable(ids.DOWNLOAD_CSV, _csv_file)
    downloadable(ids.DOWNLOAD_SBML, _sbml_file)

    @app.callback(
        [Output(graph, "config") for graph in GRAPH_IDS],
        Input(ids.EXPORT_FORMAT, "value"),
        prevent_initial_call=True,  # the layout starts with PNG: nothing to redraw on load
    )
    def export_format(fmt):
        if fmt not in ("png", "svg"):
            raise PreventUpdate
        return [graph_config(fmt)] * len(GRAPH_IDS)

    @app.callback(
        Output(ids.ABOUT, "is_open"),
        Input(ids.ABOUT_BTN, "n_clicks"),
        State(ids.ABOUT, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_about(_n, is_open):
        return not is_open

    app.clientside_callback(
        "function(on) { return on ? 'app-root presentation' : 'app-root'; }",
        Output(ids.APP_ROOT, "className"),
        Input(ids.PRESENTATION, "value"),
    )
