"""Page structure. A function of the initial state: no side effects, no module-level state."""

from __future__ import annotations

import functools
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.controls import decimal_box, download_button, group_controls, inline_choice
from dashboard.figures import graph_config
from dashboard.lessons import lesson_bar, lessons_menu
from dashboard.schematic import schematic_panel
from dashboard.sensitivity import sensitivity_panel
from dashboard.state import PageState
from dashboard.sweeps import sweep_panel
from model import GROUPS
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.scenarios import SCENARIOS

__all__ = ["FIGURES_ID", "GRAPH_IDS", "SKIP_LINK_ID", "build_layout"]

#: Every graph whose camera button follows the PNG/SVG export switch.
GRAPH_IDS = (
    "cascade-graph",
    "organ-graph",
    "burden-graph",
    "risk-graph",
    "organ-risk-graph",
    "sweep-graph",
    "sens-graph",
    "schematic-graph",
)
#: The region with the tabs and figures, and the link that skips the controls to reach it.
FIGURES_ID = "figures"
SKIP_LINK_ID = "skip-to-figures"
_DOCS = Path(__file__).resolve().parent.parent / "docs" / "model.md"


@functools.cache
def _model_docs() -> str:
    """docs/model.md, read once per process (the layout is rebuilt on every page load)."""
    return _DOCS.read_text(encoding="utf-8") if _DOCS.exists() else "docs/model.md is missing."


def _about() -> dbc.Offcanvas:
    text = _model_docs()
    return dbc.Offcanvas(
        dcc.Markdown(text, mathjax=True, className="about-markdown"),
        id="about",
        title="About the model",
        placement="end",
        is_open=False,
        style={"width": "min(900px, 95vw)"},
    )


def _hypothesis_menu(component_id: str, value: str | None, **props) -> dcc.Dropdown:
    """A menu of the named hypotheses (``model.hypotheses.HYPOTHESES``), by title."""
    return dcc.Dropdown(
        id=component_id,
        options=[{"label": h.title, "value": h.name} for h in HYPOTHESES.values()],
        value=value,
        **props,
    )


def _toolbar(initial: PageState) -> html.Div:
    scenario_options = [{"label": s.title, "value": s.name} for s in SCENARIOS.values()]
    return html.Div(
        [
            html.Label(
                [
                    "Scenario",
                    dcc.Dropdown(
                        id="scenario",
                        options=scenario_options,
                        clearable=True,
                        placeholder="Custom settings",
                    ),
                ],
                className="w-100",
            ),
            dbc.Card(dbc.CardBody(id="scenario-text"), className="my-2 scenario-card"),
            html.Label(
                [
                    "Hypothesis",
                    # The mechanism switches' values pick the entry; none when they are mixed.
                    _hypothesis_menu(
                        "hypothesis",
                        hypothesis_of(initial.params),
                        clearable=False,
                        placeholder="Custom mix: the switches match no named hypothesis",
                    ),
                ],
                className="w-100",
            ),
            html.Div(id="hypothesis-text", className="small mb-2 hypothesis-text"),
            html.Div(
                [
                    dbc.Button("Reset all", id="reset-all", color="secondary", size="sm"),
                    dbc.Button("Pin as reference", id="pin", color="primary", size="sm"),
                    dbc.Button("Clear reference", id="unpin", color="link", size="sm"),
                ],
                className="d-flex flex-wrap gap-2 mb-1",
            ),
            html.Label(
                [
                    "Compare with hypothesis",
                    _hypothesis_menu(
                        "compare-hypothesis",
                        None,
                        clearable=True,
                        placeholder="None: pick one to run this experiment under it too",
                    ),
                ],
                className="w-100 mb-1",
            ),
            html.Div(id="reference-label", className="small text-muted mb-2"),
            html.Div(
                [
                    html.Label(["Days simulated", decimal_box("days", initial.days)]),
                    html.Fieldset(
                        [
                            html.Legend("Cell axes", className="small mb-0"),
                            inline_choice("axis-scale", {"log": "log", "linear": "linear"}, "log"),
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
                    dcc.Input(
                        id="share-link",
                        type="text",
                        readOnly=True,
                        className="form-control form-control-sm",
                    ),
                ],
                className="w-100",
            ),
            dcc.Clipboard(target_id="share-link", title="Copy link", className="share-copy"),
            html.Div(
                [
                    download_button("Parameters (JSON)", "download-params"),
                    download_button("Time series (CSV)", "download-csv"),
                    download_button(
                        "Model (SBML)",
                        "download-sbml",
                        title="The model with these parameters, for COPASI or Tellurium",
                    ),
                ],
                className="d-flex flex-wrap gap-2 my-2",
            ),
            dcc.Upload(
                id="upload",
                children=html.Div(["Load parameters: drop a JSON file or ", html.A("choose")]),
                className="upload-box",
                multiple=False,
                accept=".json,application/json",
            ),
            html.Fieldset(
                [
                    html.Legend("Figure export format (camera button)", className="small mb-0"),
                    inline_choice("export-format", {"png": "PNG", "svg": "SVG"}, "png"),
                ],
                className="mt-2",
            ),
            dcc.Download(id="download-params"),
            dcc.Download(id="download-csv"),
            dcc.Download(id="download-sbml"),
        ],
        className="share-box",
    )


def _figures(initial: PageState) -> html.Div:
    return html.Div(
        [
            dcc.Loading(
                [
                    dcc.Graph(id="cascade-graph", config=graph_config()),
                    dcc.Graph(id="organ-graph", config=graph_config()),
                    html.Div(
                        html.Label(
                            [
                                "Burden on day",
                                dcc.Slider(
                                    0,
                                    initial.days,
                                    0.1,
                                    value=initial.days,
                                    id="burden-day",
                                    updatemode="mouseup",
                                    marks=None,
                                    tooltip={"placement": "bottom"},
                                ),
                            ],
                            className="w-100",
                        ),
                        className="px-3",
                    ),
                    dcc.Graph(id="burden-graph", config=graph_config()),
                    # Long (human) runs only: risk over the years and per organ, with patient
                    # data; the render callback shows or hides the section.
                    html.Section(
                        [
                            html.H2(
                                "Long run: risk and organs, next to patient data",
                                className="h5 mt-3",
                            ),
                            dcc.Graph(id="risk-graph", config=graph_config()),
                            dcc.Graph(id="organ-risk-graph", config=graph_config()),
                        ],
                        id="risk-section",
                        style={"display": "none"},
                    ),
                    html.H2("Readouts", className="h5 mt-3"),
                    # A region reached by Tab: on a phone the table scrolls sideways in it.
                    html.Div(
                        [
                            html.P(id="readout-summary", className="readout-summary"),
                            html.P(id="readout-caption", className="small text-muted mb-1"),
                            # The table as one HTML text (dashboard.figures.readout_table).
                            dcc.Markdown(id="readout-table", dangerously_allow_html=True),
                        ],
                        id="readouts",
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
        id="controls-toggle",
        type="button",
        className="btn btn-outline-light btn-sm me-3 controls-toggle",
        **{"aria-controls": "controls-column", "aria-expanded": "true"},
    )


def _refusal(component_id: str) -> dbc.Alert:
    """Where a refused input is reported (closed until there is something to say)."""
    return dbc.Alert(
        id=component_id, is_open=False, dismissable=True, color="danger", className="mb-2"
    )


def build_layout(initial: PageState | None = None) -> html.Div:
    """The whole page. Controls start at ``initial`` (the URL callback then takes over)."""
    initial = initial or PageState.for_scenario("kaplan2005-llc")
    navbar = dbc.Navbar(
        dbc.Container(
            [
                html.H1("Seed & Soil Explorer", className="navbar-brand h4 mb-0"),
                html.Span(
                    "the pre-metastatic niche, live", className="text-light small me-auto ms-2"
                ),
                _controls_toggle(),
                dbc.Switch(
                    id="presentation",
                    label="Presentation mode",
                    value=False,
                    className="text-light me-3 mb-0",
                ),
                lessons_menu(),
                dbc.Button("About the model", id="about-btn", color="light", size="sm"),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )
    controls = html.Div(
        [
            _toolbar(initial),
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
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="state", data=initial.to_store()),
            dcc.Store(id="reference"),
            _skip_link(),
            navbar,
            dbc.Container(
                dbc.Row(
                    [
                        dbc.Col(
                            html.Aside(controls, **{"aria-label": "Model controls"}),
                            id="controls-column",
                            class_name="controls-column",
                            md=5,
                            lg=4,
                            xl=3,
                        ),
                        dbc.Col(
                            html.Main(
                                [
                                    # Outside the tabs: a refused value is seen from every tab.
                                    _refusal("message"),
                                    # A refused #fragment (tab, sweep and analysis settings).
                                    _refusal("link-message"),
                                    lesson_bar(),  # a guided lesson's step, when one is open
                                    dbc.Tabs(
                                        [
                                            dbc.Tab(
                                                _figures(initial), label="Explore", tab_id="explore"
                                            ),
                                            dbc.Tab(sweep_panel(), label="Sweep", tab_id="sweep"),
                                            dbc.Tab(
                                                sensitivity_panel(),
                                                label="Sensitivity",
                                                tab_id="sensitivity",
                                            ),
                                            dbc.Tab(
                                                schematic_panel(),
                                                label="Schematic",
                                                tab_id="schematic",
                                            ),
                                        ],
                                        id="tabs",
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
                    id="workspace",
                    class_name="workspace",
                ),
                fluid=True,
            ),
            _about(),
        ],
        id="app-root",
        className="app-root",
    )
