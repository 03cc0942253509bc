"""Controls generated from the model's parameter declarations: never written by hand.

Each parameter gets a slider (log10 scale where the declaration says so) and a number box that
accepts typed values, a unit, and a tooltip with its meaning and source. Optional parameters
(e.g. resection day) get only the number box: empty means "never".
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.ids import INPUT, SLIDER  # re-exported: they used to live here
from dashboard.state import slider_position
from model import GROUPS, PARAMETER_SPECS, Parameters, ParameterSpec

__all__ = [
    "CONTROL_SPECS",
    "inline_choice",
    "GROUP_BLURBS",
    "INPUT",
    "SLIDER",
    "control_for",
    "decimal_box",
    "download_button",
    "number_box",
    "group_controls",
    "slider_step",
]

#: Parameters in the order their controls appear on the page (by group): the page callback
#: receives and returns control values in this order.
CONTROL_SPECS = tuple(s for g in GROUPS for s in PARAMETER_SPECS if s.group == g)

GROUP_BLURBS = {
    "Seed": "The primary tumor and the cells it sheds, and how arrested cells survive and grow.",
    "Soil: VEGFR1 & niche": "Tumor factors mobilise VEGFR1+ marrow cells, prime fibronectin "
    "and let clusters (the niche) form.",
    "Organ tropism": "Which organs the tumor's factors prime: this decides where niches form.",
    "Dormancy": "Disseminated cells sleep or grow; the niche wakes them.",
    "Therapy": "Anti-VEGFR1 antibody (with its window), VLA-4 blockade and surgery.",
    "Detection": "When DTCs in an organ count as detected, and how large one clone must grow "
    "to count as a detected metastasis.",
    "Mechanisms (hypothesis)": "Which hypothesis of organ choice the run follows: switch the "
    "niche, its VEGFR1 dependence, a fixed organ soil and arrest by blood flow on (1) or off "
    "(0), or mix them.",
}


def download_button(label: str, target: str, **props) -> dbc.Button:
    """The button ``<target>-btn`` that sends a file through ``dcc.Download(id=target)``."""
    return dbc.Button(label, id=f"{target}{ids.BUTTON_SUFFIX}", size="sm", color="secondary",
                      outline=True, **props)  # fmt: skip


def number_box(label: str, component_id: str, value: float | None = None, **props) -> html.Label:
    """A labelled plain text box for a number typed into a form (a sweep range, its points).

    Sent as typed, on every keystroke (nothing runs until a Run button is pressed, and a shared
    link follows the typing); the server parses and validates the text (``props`` go to
    :func:`decimal_box`)."""
    return html.Label([label, decimal_box(component_id, value, debounce=False, **props)])


def decimal_box(
    component_id: str | dict,
    value: float | None,
    *,
    class_name: str = "",
    debounce: bool = True,
    **props,
) -> dbc.Input:
    """A box for a typed decimal number, applied exactly as typed on Enter or leaving the box.

    A plain text field on purpose. Dash 4's ``dcc.Input(type="number")`` wraps the field in a
    34 px ``overflow: hidden`` box with focusable -/+ stepper buttons (native spin buttons below
    99 px) and puts ``className`` on that wrapper: with Bootstrap's padding there, the field
    overflowed it in our narrow column (typing 40 showed "0"), Tab stopped on the steppers, and
    steppers, spin buttons and the wheel could change a typed value. The server parses and
    validates the text (``model.parse_value``, ``model.validate_days``) and refuses bad text with
    a message naming the parameter, so the browser need not know it is a number.
    ``debounce=False`` sends every keystroke (for forms read only when a Run button is pressed).
    """
    return dbc.Input(
        id=component_id,
        type="text",
        value=value,
        debounce=debounce,
        autocomplete="off",
        size="sm",
        class_name=f"decimal-box {class_name}".strip(),
        **props,
    )


def inline_choice(component_id: str, options: dict[str, str], value: str) -> dbc.RadioItems:
    """A row of radio buttons: ``options`` maps each value to its label.

    Bootstrap's, not ``dcc.RadioItems``: Dash 4 renders the latter as a ``listbox`` of
    ``option`` labels around real radio inputs (invalid ARIA: focusable radios nested in
    options, and a listbox with no name). These are native radios, each with its own label."""
    return dbc.RadioItems(
        id=component_id,
        options=[{"label": label, "value": v} for v, label in options.items()],
        value=value,
        inline=True,
        name=component_id,  # one group: Tab stops once, the arrow keys choose
    )


def slider_step(spec: ParameterSpec) -> float:
    """Always explicit (Dash 4 derives a width-dependent step otherwise)."""
    if spec.scale == "log":
        return 0.01
    if spec.unit == "day":
        return 1.0
    span = spec.high - spec.low
    return 10.0 ** math.floor(math.log10(span / 100.0))


def _marks(spec: ParameterSpec) -> dict:
    if spec.scale == "log":
        lo, hi = math.ceil(math.log10(spec.low)), math.floor(math.log10(spec.high))
        stride = max(1, math.ceil((hi - lo + 1) / 6))
        return {k: f"1e{k}" if not 0 <= k <= 3 else f"{10**k:g}" for k in range(lo, hi + 1, stride)}
    return {spec.low: f"{spec.low:g}", spec.high: f"{spec.high:g}"}


def control_for(spec: ParameterSpec, value: float | None) -> html.Div:
    """Title, unit and info icon, a slider, and a number box, for one parameter.

    Five Dash components (ten until issue 10): Dash's renderer checks every component of the
    page on each store update, several dozen per slider move. So the title is the header's
    text, the info icon draws the unit (``data-unit``) and its circled "i" in CSS, and the
    names that the slider handle and the number box need come from the control's data
    attributes through ``assets/a11y.js`` (neither ``dcc.Slider`` nor ``dbc.Input`` takes ARIA
    props): ``data-thumb-label`` (and ``data-log-scale``: a log10 slider reads out its value,
    not the logarithm) and ``data-box-label``.
    """
    header = html.Div(
        [
            spec.title,
            # assets/param-info.js shows the meaning and source in one shared tooltip.
            html.Span(
                className="param-info",
                tabIndex=0,
                role="img",
                **{
                    "aria-label": f"About {spec.title}",
                    "data-unit": f"({spec.unit})",
                    "data-meaning": spec.meaning,
                    "data-source": spec.source,
                },
            ),
        ],
        className="param-header",
    )
    children = [header]
    if not spec.optional:
        lo, hi = slider_position(spec, spec.low), slider_position(spec, spec.high)
        children.append(
            dcc.Slider(
                lo,
                hi,
                slider_step(spec),
                value=slider_position(spec, value),
                marks=_marks(spec),
                updatemode="mouseup",
                allow_direct_input=False,
                id=ids.control_id(SLIDER, spec.name),
            )
        )
    children.append(
        decimal_box(
            ids.control_id(INPUT, spec.name),
            value,
            placeholder="never" if spec.optional else None,
            class_name="param-number",
        )
    )
    return html.Div(
        children,
        className="param-control",
        id=f"{ids.CONTROL_PREFIX}{spec.name}",
        **{
            "data-thumb-label": f"{spec.title} ({spec.unit})",
            "data-log-scale": "true" if spec.scale == "log" else "false",
            "data-box-label": f"{spec.title} value ({spec.unit})",
        },
    )


def group_controls(params: Parameters) -> list:
    """One accordion item per group, in the order the biology is told."""
    items = []
    for group in GROUPS:
        specs = [s for s in PARAMETER_SPECS if s.group == group]
        items.append(
            dbc.AccordionItem(
                [
                    html.P(GROUP_BLURBS[group], className="group-blurb"),
                    *[control_for(s, params[s.name]) for s in specs],
                    dbc.Button(
                        f"Reset {group}",
                        id={"type": ids.RESET_GROUP, "group": group},
                        size="sm",
                        color="secondary",
                        outline=True,
                    ),
                ],
                title=group,
                item_id=group,
            )
        )
    return items
