"""Page structure. A function of the initial state: no side effects, no module-level state."""

from __future__ import annotations

import functools
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.controls import decimal_box, download_button, group_controls, inline_choice
from dashboard.explore import explore_panel
from dashboard.later import Later
from dashboard.lessons import lesson_bar, lessons_menu
from dashboard.schematic import schematic_panel
from dashboard.sensitivity import sensitivity_panel
from dashboard.state import PageState
from dashboard.sweeps import sweep_panel
from model import GROUPS
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.scenarios import SCENARIOS

__all__ = [
    "DEFAULT_SCENARIO",
    "FIGURES_ID",
    "GRAPH_IDS",
    "SKIP_LINK_ID",
    "build_layout",
    "hypothesis_text",
    "scenario_changed",
    "scenario_text",
]

#: The scenario a page opened without a link starts in.
DEFAULT_SCENARIO = "kaplan2005-llc"
#: Every graph whose camera button follows the PNG/SVG export switch.
GRAPH_IDS = (
    ids.CASCADE_GRAPH,
    ids.ORGAN_GRAPH,
    ids.BURDEN_GRAPH,
    ids.RISK_GRAPH,
    ids.ORGAN_RISK_GRAPH,
    ids.SWEEP_GRAPH,
    ids.SENS_GRAPH,
    ids.SCHEMATIC_GRAPH,
)
#: The region with the tabs and figures, and the link that skips the controls to reach it.
FIGURES_ID = ids.FIGURES
SKIP_LINK_ID = ids.SKIP_TO_FIGURES
_DOCS = Path(__file__).resolve().parent.parent / "docs" / "model.md"


@functools.cache
def _model_docs() -> str:
    """docs/model.md, read once per process."""
    return _DOCS.read_text(encoding="utf-8") if _DOCS.exists() else "docs/model.md is missing."


def _about() -> dbc.Offcanvas:
    text = _model_docs()
    return dbc.Offcanvas(
        dcc.Markdown(text, mathjax=True, className="about-markdown"),
        id=ids.ABOUT,
        title="About the model",
        placement="end",
        is_open=False,
        style={"width": "min(900px, 95vw)"},
    )


def scenario_text(state: PageState) -> list:
    """The scenario card: what the experiment was and what to look for (the note that its
    settings were changed is a component of its own: see ``scenario_changed``)."""
    if not state.scenario:
        return [html.P("Custom settings: pick a scenario to replay a classic experiment.")]
    s = SCENARIOS[state.scenario]
    return [
        html.H2(s.title, className="h6"),
        html.P(s.what, className="small mb-1"),
        html.P([html.B("Look for: "), s.look_for], className="small mb-1"),
        html.P([html.B("Expected: "), s.expected], className="small mb-1"),
        html.P(s.source, className="small text-muted mb-0"),
    ]


def scenario_changed(state: PageState) -> bool:
    """Whether the settings differ from the scenario's (the card then says so)."""
    if not state.scenario:
        return False
    s = SCENARIOS[state.scenario]
    return state.params != s.parameters() or state.days != s.days


def hypothesis_text(state: PageState) -> list:
    """Under the hypothesis menu: what the chosen hypothesis claims, and its sources."""
    name = hypothesis_of(state.params)
    if name is None:
        return [
            "Custom mix: the mechanism switches (group 'Mechanisms (hypothesis)') match none "
            "of the named hypotheses."
        ]
    h = HYPOTHESES[name]
    return [html.Span(h.claim), " ", html.Span(h.source, className="text-muted")]


def _hypothesis_menu(component_id: str, value: str | None, **props) -> dcc.Dropdown:
    """A menu of the named hypotheses (``model.hypotheses.HYPOTHESES``), by title."""
    return dcc.Dropdown(
        id=component_id,
        options=[{"label": h.title, "value": h.name} for h in HYPOTHESES.values()],
        value=value,
        **props,
    )


def _toolbar(initial: PageState, drawn: bool) -> html.Div:
    scenario_options = [{"label": s.title, "value": s.name} for s in SCENARIOS.values()]
    return html.Div(
        [
            html.Label(
                [
                    "Scenario",
                    dcc.Dropdown(
                        id=ids.SCENARIO,
                        options=scenario_options,
                        clearable=True,
                        placeholder="Custom settings",
                    ),
                ],
                className="w-100",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(scenario_text(initial) if drawn else None, id=ids.SCENARIO_TEXT),
                        html.P(
                            "(settings changed since the scenario was loaded)",
                            id=ids.SCENARIO_CHANGED,
                            hidden=True,
                            className="small mb-0",
                        ),
                    ]
                ),
                className="my-2 scenario-card",
            ),
            html.Label(
                [
                    "Hypothesis",
                    # The mechanism switches' values pick the entry; none when they are mixed.
                    _hypothesis_menu(
                        ids.HYPOTHESIS,
                        hypothesis_of(initial.params),
                        clearable=False,
                        placeholder="Custom mix: the switches match no named hypothesis",
                    ),
                ],
                className="w-100",
            ),
            html.Div(
                hypothesis_text(initial) if drawn else None,
                id=ids.HYPOTHESIS_TEXT,
                className="small mb-2 hypothesis-text",
            ),
            html.Div(
                [
                    dbc.Button("Reset all", id=ids.RESET_ALL, color="secondary", size="sm"),
                    dbc.Button("Pin as reference", id=ids.PIN, color="primary", size="sm"),
                    dbc.Button("Clear reference", id=ids.UNPIN, color="link", size="sm"),
                ],
                className="d-flex flex-wrap gap-2 mb-1",
            ),
            html.Label(
                [
                    "Compare with hypothesis",
                    _hypothesis_menu(
                        ids.COMPARE_HYPOTHESIS,
                        None,
                        clearable=True,
                        placeholder="None: pick one to run this experiment under it too",
                    ),
                ],
                className="w-100 mb-1",
            ),
            html.Div(id=ids.REFERENCE_LABEL, className="small text-muted mb-2"),
            html.Div(
                [
                    html.Label(["Days simulated", decimal_box(ids.DAYS, initial.days)]),
                    html.Fieldset(
                        [
                            html.Legend("Cell axes", className="small mb-0"),
                            inline_choice(
                                ids.AXIS_SCALE, {"log": "log", "linear": "linear"}, "log"
                            ),
                        ]
                    ),
                ],
                className="d-flex gap-3 align-items-end simulation-box",
            ),
        ]
    )


def _share_box() -> html.Div:
    return html.Div(
        [
            html.Label(
                [
                    "Link to this view",
                    # assets/share-link.js keeps it the page's address (no Dash callback, so
                    # the component's own value is never set: the script writes the field).
                    dcc.Input(
                        id=ids.SHARE_LINK,
                        type="text",
                        readOnly=True,
                        className="form-control form-control-sm",
                    ),
                ],
                className="w-100",
            ),
            dcc.Clipboard(target_id=ids.SHARE_LINK, title="Copy link", className="share-copy"),
            html.Div(
                [
                    download_button("Parameters (JSON)", ids.DOWNLOAD_PARAMS),
                    download_button("Time series (CSV)", ids.DOWNLOAD_CSV),
                    download_button(
                        "Model (SBML)",
                        ids.DOWNLOAD_SBML,
                        title="The model with these parameters, for COPASI or Tellurium",
                    ),
                ],
                className="d-flex flex-wrap gap-2 my-2",
            ),
            dcc.Upload(
                id=ids.UPLOAD,
                children=html.Div(["Load parameters: drop a JSON file or ", html.A("choose")]),
                className="upload-box",
                multiple=False,
                accept=".json,application/json",
            ),
            html.Fieldset(
                [
                    html.Legend("Figure export format (camera button)", className="small mb-0"),
                    inline_choice(ids.EXPORT_FORMAT, {"png": "PNG", "svg": "SVG"}, "png"),
                ],
                className="mt-2",
            ),
            dcc.Download(id=ids.DOWNLOAD_PARAMS),
            dcc.Download(id=ids.DOWNLOAD_CSV),
            dcc.Download(id=ids.DOWNLOAD_SBML),
        ],
        className="share-box",
    )


def _skip_link() -> html.A:
    """The page's first focusable element: keyboard users jump over ~150 controls to the
    figures. Hidden until focused (Bootstrap's ``visually-hidden-focusable``).

    ``assets/keyboard.js`` moves the focus: a plain ``#figures`` link would land in the URL
    fragment, which carries the page's shared settings (``dashboard.links``).
    """
    return html.A(
        "Skip to figures",
        id=SKIP_LINK_ID,
        href=f"#{FIGURES_ID}",
        className="skip-link visually-hidden-focusable",
    )


def _controls_toggle() -> html.Button:
    """Hides the controls column so the figures take the full width (``assets/controls-toggle.js``
    flips ``aria-expanded``; CSS shows the matching label). Phones start with it collapsed."""
    return html.Button(
        [
            html.Span("Hide controls", className="when-expanded"),
            html.Span("Show controls", className="when-collapsed"),
        ],
        id=ids.CONTROLS_TOGGLE,
        type="button",
        className="btn btn-outline-light btn-sm me-3 controls-toggle",
        **{"aria-controls": ids.CONTROLS_COLUMN, "aria-expanded": "true"},
    )


def _refusal(component_id: str) -> dbc.Alert:
    """Where a refused input is reported (closed until there is something to say)."""
    return dbc.Alert(
        id=component_id, is_open=False, dismissable=True, color="danger", className="mb-2"
    )


def build_layout(initial: PageState | None = None, *, drawn: bool = False) -> html.Div:
    """The whole page. Controls start at ``initial`` (the URL callback then takes over).

    ``drawn``: the page comes with ``initial``'s Explore tab, scenario card and hypothesis
    note filled in, as the page callback would write them, and says so (``ids.FIRST_DRAWN``):
    its answer on page load then leaves them as they are (``dashboard.page``, first draw)."""
    initial = initial or PageState.for_scenario(DEFAULT_SCENARIO)
    navbar = dbc.Navbar(
        dbc.Container(
            [
                html.H1("Seed & Soil Explorer", className="navbar-brand h4 mb-0"),
                html.Span(
                    "the pre-metastatic niche, live", className="text-light small me-auto ms-2"
                ),
                _controls_toggle(),
                dbc.Switch(
                    id=ids.PRESENTATION,
                    label="Presentation mode",
                    value=False,
                    className="text-light me-3 mb-0",
                ),
                lessons_menu(),
                dbc.Button("About the model", id=ids.ABOUT_BTN, color="light", size="sm"),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )
    controls = html.Div(
        [
            _toolbar(initial, drawn),
            dbc.Accordion(
                group_controls(initial.params),
                start_collapsed=False,
                always_open=True,
                active_item=list(GROUPS[:2]),
                className="mb-3",
            ),
            _share_box(),
        ],
        className="controls-panel",
    )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.STATE, data=initial.to_store()),
            dcc.Store(id=ids.FIRST_DRAWN, data=drawn),
            dcc.Store(id=ids.REFERENCE),
            _skip_link(),
            navbar,
            dbc.Container(
                dbc.Row(
                    [
                        dbc.Col(
                            html.Aside(
                                Later(controls, priority="user-blocking"),
                                **{"aria-label": "Model controls"},
                            ),
                            id=ids.CONTROLS_COLUMN,
                            class_name="controls-column",
                            md=5,
                            lg=4,
                            xl=3,
                        ),
                        dbc.Col(
                            html.Main(
                                [
                                    # Outside the tabs: a refused value is seen from every tab.
                                    _refusal(ids.MESSAGE),
                                    # A refused #fragment (tab, sweep and analysis settings).
                                    _refusal(ids.LINK_MESSAGE),
                                    lesson_bar(),  # a guided lesson's step, when one is open
                                    dbc.Tabs(
                                        [
                                            dbc.Tab(
                                                explore_panel(initial, drawn),
                                                label="Explore",
                                                tab_id="explore",
                                            ),
                                            dbc.Tab(
                                                Later(sweep_panel()), label="Sweep", tab_id="sweep"
                                            ),
                                            dbc.Tab(
                                                Later(sensitivity_panel()),
                                                label="Sensitivity",
                                                tab_id="sensitivity",
                                            ),
                                            dbc.Tab(
                                                Later(schematic_panel()),
                                                label="Schematic",
                                                tab_id="schematic",
                                            ),
                                        ],
                                        id=ids.TABS,
                                        active_tab="explore",
                                        className="mb-2",
                                    ),
                                ],
                                id=FIGURES_ID,
                                # Focusable by script only (the skip link), not by Tab.
                                tabIndex="-1",
                                **{"aria-label": "Figures"},
                            ),
                            class_name="figures-column",
                            md=7,
                            lg=8,
                            xl=9,
                        ),
                    ],
                    id=ids.WORKSPACE,
                    class_name="workspace",
                ),
                fluid=True,
            ),
            _about(),
        ],
        id=ids.APP_ROOT,
        className="app-root",
    )
