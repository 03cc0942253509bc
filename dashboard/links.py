"""The open tab and the Sweep and Sensitivity settings in the link's #fragment.

The query string (``?days=...&vegfr1_signalling=8``) carries the model state (``state.py``);
the fragment carries how it is being explored: ``#tab=sweep&sweep-x=homing_rate&sweep-x-n=10``,
or ``#compare-hypothesis=dawson`` (the same experiment under a second hypothesis, dashed),
and the open lesson step, ``#lesson=niche-before-seed&step=2`` (``dashboard.lessons``).
Keys are the controls' ids; only settings that differ from the defaults are written. A shared
link restores the settings but never starts a job: running one stays a click away.

A fragment comes from outside, so every value is validated like any other input: a bad one
refuses the whole fragment with a message naming it, and the page keeps its settings.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlencode

from dash import Dash, Input, Output, ctx, no_update

from dashboard import ids
from dashboard.sensitivity import BASE_SAMPLES, SENS_DEFAULTS
from dashboard.sweeps import SWEEP_DEFAULTS, SWEEPABLE, parse_axis
from model import InvalidInput
from model.hypotheses import HYPOTHESES
from model.outcomes import FAMILIES, OUTCOMES
from model.sensitivity import SCALES

__all__ = ["DEFAULTS", "TABS", "from_fragment", "register_links", "to_fragment"]

TABS = ("explore", "sweep", "sensitivity", "schematic")
#: Every setting a link carries (control id -> default), in the callback's order.
DEFAULTS: dict[str, object] = {
    "tab": TABS[0],
    ids.COMPARE_HYPOTHESIS: None,
    **SWEEP_DEFAULTS,
    **SENS_DEFAULTS,
    "lesson": None,
    "step": None,
}
_SWEEPABLE = {s.name for s in SWEEPABLE}
#: Settings another callback also writes (it owns them; this one writes them on page load).
_SHARED = {"tab", ids.COMPARE_HYPOTHESIS, "lesson", "step"}
#: Settings held by something other than a control's value (key -> component, property).
_PROPS = {
    "tab": (ids.TABS, "active_tab"),
    "lesson": (ids.LESSON, "data"),
    "step": (ids.LESSON_STEP, "data"),
}


def to_fragment(settings: dict[str, object]) -> str:
    """``#key=value&...`` of the settings that differ from the defaults ("" when none do)."""
    pairs = []
    for key, default in DEFAULTS.items():
        value = settings.get(key)
        if value == default or (value in (None, "") and default is None):
            continue
        if isinstance(value, str) and value.strip() == ("" if default is None else _text(default)):
            continue  # a text box showing the default ("25" typed for 25, blanks for none)
        if isinstance(value, list):
            value = ",".join(map(str, value))
        pairs.append((key, "" if value is None else _text(value)))
    # A lone surrogate (a control holding invalid text) cannot be UTF-8 encoded: it is
    # written as "?", which a link then refuses as an unknown choice.
    return "#" + urlencode(pairs, safe=".,", errors="replace") if pairs else ""


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_fragment(fragment: str | None) -> dict[str, object]:
    """Every setting (defaults filled in) from a link's fragment; ``InvalidInput`` if bad."""
    if fragment is not None and not isinstance(fragment, str):
        raise InvalidInput("the link's #fragment is not text")
    pairs = parse_qsl((fragment or "").lstrip("#"), keep_blank_values=True)
    given: dict[str, str] = {}
    for key, text in pairs:
        if key not in DEFAULTS:
            raise InvalidInput(f"the link's #{key} is not a setting of this page")
        if key in given:
            raise InvalidInput(f"the link gives #{key} twice")
        given[key] = text
    settings = dict(DEFAULTS)
    for key, text in given.items():
        settings[key] = _parse(key, text)
    for names in (  # a range must lie inside its parameter's declared range
        (ids.SWEEP_X, ids.SWEEP_X_FROM, ids.SWEEP_X_TO, ids.SWEEP_X_N),
        (ids.SWEEP_Y, ids.SWEEP_Y_FROM, ids.SWEEP_Y_TO, ids.SWEEP_Y_N),
    ):
        parse_axis(*(settings[n] for n in names))
    if settings[ids.SWEEP_MODE] == "2d" and settings[ids.SWEEP_OUTCOME] in FAMILIES:
        raise InvalidInput("the link asks for a 2-D map of every organ: a map shows one outcome")
    settings["step"] = _lessons().check_link(settings["lesson"], settings["step"])
    return settings


def _lessons():
    """``dashboard.lessons``, imported late: it builds its step links with this module."""
    from dashboard import lessons

    return lessons


def _parse(key: str, text: str) -> object:
    def choice(allowed) -> str:
        if text not in allowed:
            known = f"one of: {', '.join(allowed)}" if len(allowed) <= 8 else "a known choice"
            raise InvalidInput(f"the link's #{key}={text!r} is not {known}")
        return text

    if key == "tab":
        return choice(TABS)
    if key == ids.COMPARE_HYPOTHESIS:
        return None if text == "" else choice(list(HYPOTHESES))
    if key == "lesson":
        return None if text == "" else choice(list(_lessons().lessons()))
    if key == "step":
        number = _number(key, text)
        if not number.is_integer():
            raise InvalidInput(f"the link's #{key}={text!r} is not a whole number")
        return int(number)
    if key == ids.SWEEP_MODE:
        return choice(("1d", "2d"))
    if key in (ids.SWEEP_X, ids.SWEEP_Y):
        return choice(sorted(_SWEEPABLE))
    if key == ids.SWEEP_OUTCOME:
        return choice([*OUTCOMES, *FAMILIES])
    if key == ids.SENS_OUTCOME:
        return choice(list(OUTCOMES))
    if key.endswith(("-from", "-to")):
        return None if text == "" else _number(key, text)
    if key.endswith("-n") and key.startswith("sweep"):
        number = _number(key, text)
        if not number.is_integer():
            raise InvalidInput(f"the link's #{key}={text!r} is not a whole number")
        return int(number)
    if key == ids.SENS_SCALE:
        return choice(SCALES)
    if key == ids.SENS_N:
        return int(choice([str(n) for n in BASE_SAMPLES]))
    if key == ids.SENS_PARAMS:
        names = text.split(",") if text else []
        unknown = [n for n in names if n not in _SWEEPABLE]
        if unknown or len(set(names)) != len(names):
            raise InvalidInput(f"the link's #sens-params={text!r} names unknown or repeated "
                               "parameters")  # fmt: skip
        return names
    raise InvalidInput(f"the link's #{key} is not a setting of this page")


def _number(key: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput(f"the link's #{key}={text!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(f"the link's #{key}={text!r} is not a finite number")
    return number


def register_links(app: Dash) -> None:
    """One callback owns the fragment: read on page load, written on every settings change."""
    keys = list(DEFAULTS)
    props = {key: _PROPS.get(key, (key, "value")) for key in keys}

    @app.callback(
        Output(ids.URL, "hash"),
        *[Output(*props[k], allow_duplicate=k in _SHARED) for k in keys],
        Output(ids.LINK_MESSAGE, "children"),
        Output(ids.LINK_MESSAGE, "is_open"),
        Input(ids.URL, "hash"),
        *[Input(*props[k]) for k in keys],
        prevent_initial_call="initial_duplicate",
    )
    def sync_fragment(fragment, *values):
        current = dict(zip(keys, values, strict=True))
        unchanged = [no_update] * len(keys)
        if ctx.triggered_id in (None, ids.URL):
            try:
                settings = from_fragment(fragment)
            except InvalidInput as exc:
                message = f"Not applied: {exc}. Keeping the current settings."
                return to_fragment(current), *unchanged, message, True
            # Only what differs from what the controls show: Dash's renderer pays for every
            # component a callback updates, on every later change (issue 10).
            changed = [
                settings[k] if str(settings[k]) != str(current[k]) else no_update for k in keys
            ]
            return to_fragment(settings), *changed, None, False
        return to_fragment(current), *unchanged, no_update, no_update
