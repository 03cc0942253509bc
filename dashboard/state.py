"""The page state and its outside forms: URL query, JSON file, control positions.

Everything that arrives from a browser, a URL or an upload passes through here and is validated
against the model's parameter declarations. Functions are pure: they return a value or raise
``InvalidInput`` with a message fit to show the user.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from model import PARAMETER_SPECS, InvalidInput, Parameters, ParameterSpec
from model.export import value_text
from model.hypotheses import hypothesis_of
from model.scenarios import SCENARIOS, get_scenario
from model.solve import DEFAULT_DAYS, validate_days

__all__ = [
    "MAX_UPLOAD_BYTES",
    "PageState",
    "from_query",
    "from_upload",
    "parse_json_int",
    "slider_position",
    "to_download",
    "to_query",
    "value_from_slider",
]

MAX_UPLOAD_BYTES = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")
FILE_FORMAT = "seed-soil-explorer/parameters"
FILE_VERSION = 1


@dataclass(frozen=True)
class PageState:
    """What the page shows: a validated parameter set, a time span, the scenario it came from."""

    params: Parameters
    days: float = DEFAULT_DAYS
    scenario: str | None = None

    @classmethod
    def for_scenario(cls, name: str) -> PageState:
        scenario = get_scenario(name)
        return cls(scenario.parameters(), scenario.days, scenario.name)

    def to_store(self) -> dict:
        """JSON for a ``dcc.Store``: only values that differ from the defaults."""
        return {"changed": self.params.changed(), "days": self.days, "scenario": self.scenario}

    @classmethod
    def from_store(cls, data: Mapping | None) -> PageState:
        """Inverse of ``to_store``; the store is browser-side, so it is validated again."""
        if not data:
            return cls(Parameters())
        if not isinstance(data, Mapping):
            raise InvalidInput("the page state is not an object")
        return _from_mapping(data.get("changed") or {}, data.get("days"), data.get("scenario"))


def _from_mapping(values: Mapping, days: object, scenario: object) -> PageState:
    if not isinstance(values, Mapping):
        raise InvalidInput("parameters must be an object of name: value pairs")
    if scenario is not None and (not isinstance(scenario, str) or scenario not in SCENARIOS):
        raise InvalidInput(f"unknown scenario {scenario!r}; choose one of: {', '.join(SCENARIOS)}")
    span = DEFAULT_DAYS if days is None else validate_days(days)
    return PageState(Parameters(dict(values)), span, scenario)


def parse_json_int(text: str) -> int | float:
    """A JSON integer read as a browser reads it: beyond 15 digits, a double.

    JavaScript numbers are doubles, so no page sends an integer a double cannot hold exactly;
    read as Python ints, 2**64 broke 64-bit JSON encoders on the way back, 10**400 overflowed
    ``float()`` and 5,000 digits exceeded Python's int-parsing limit. As doubles they are large
    finite numbers or ``inf``, which validation refuses with its usual message.
    """
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= 15 else float(text)


def _printable(text: str) -> str:
    """``text`` safe to echo in a message: a lone surrogate (invalid UTF-8) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


# --- URL -----------------------------------------------------------------------------------


def to_query(state: PageState) -> str:
    """``?scenario=...&days=...&key=value`` with only the values that differ from the defaults."""
    pairs: list[tuple[str, str]] = []
    if state.scenario:
        pairs.append(("scenario", state.scenario))
    pairs.append(("days", value_text(state.days)))
    pairs += [(k, value_text(v)) for k, v in state.params.changed().items()]
    return "?" + urlencode(pairs, safe=".")


def from_query(search: str | None) -> PageState:
    """Parse a URL query. Keys other than parameters, ``days`` and ``scenario`` are refused.

    Parameters override the defaults (not the scenario): a link carries the full state. A
    link naming only a scenario (``?scenario=kaplan2005-anti-vegfr1``, written by hand: the
    page's own links always carry the days) opens that scenario as it was run.
    """
    if search is not None and not isinstance(search, str):
        raise InvalidInput("the link's query is not text")
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key in seen:
            raise InvalidInput(f"the link gives {key!r} twice")
        seen[key] = value
    scenario = seen.pop("scenario", None)
    days = seen.pop("days", None)
    if scenario in SCENARIOS and days is None and not seen:
        return PageState.for_scenario(scenario)
    return _from_mapping(seen, days, scenario or None)


# --- Files ------------------------------------------------------------------------------------


def to_download(state: PageState) -> str:
    """A JSON file with every parameter (not just the changed ones), units alongside, and the
    hypothesis the mechanism switches match (null for a mix); an upload ignores that name."""
    return json.dumps(
        {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "scenario": state.scenario,
            # The switches are among the parameters; this names the hypothesis they match.
            "hypothesis": hypothesis_of(state.params),
            "days": state.days,
            "parameters": dict(state.params.items()),
            "units": {spec.name: spec.unit for spec in PARAMETER_SPECS},
        },
        indent=2,
    )


def from_upload(contents: str | None, filename: str | None) -> PageState:
    """Parse an uploaded ``dcc.Upload`` data URL holding a parameter file.

    Accepts this app's own download format or a flat ``{"name": value}`` object. Refuses files
    over ``MAX_UPLOAD_BYTES``, non-JSON and anything that does not validate.
    """
    name = _printable(filename) if isinstance(filename, str) and filename else "the file"
    if not isinstance(contents, str) or "," not in contents:
        raise InvalidInput(f"{name}: nothing was uploaded")
    encoded = contents.split(",", 1)[1]
    if len(encoded) > math.ceil(MAX_UPLOAD_BYTES * 4 / 3) + 4:
        raise InvalidInput(f"{name} is larger than 1 MB: refused")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{name} could not be decoded") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{name} is larger than 1 MB: refused")
    try:
        data = json.loads(raw.decode("utf-8"), parse_int=parse_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(f"{name} is not a JSON file") from None
    except RecursionError:  # tens of thousands of nested arrays
        raise InvalidInput(f"{name} is nested too deep") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{name} must hold a JSON object of parameters")
    if "parameters" in data:
        if data.get("format") not in (None, FILE_FORMAT):
            raise InvalidInput(f"{name} is not a Seed & Soil parameter file")
        return _from_mapping(data["parameters"], data.get("days"), data.get("scenario"))
    return _from_mapping(data, None, None)


def _short(number: int | float) -> str:
    """A number for a message: an integer of hundreds of digits is not repeated whole."""
    text = repr(number)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} digits)"


# --- Sliders ----------------------------------------------------------------------------------


def slider_position(spec: ParameterSpec, value: float | None) -> float | None:
    """Where ``value`` sits on the slider: log10 of it for log-scale parameters."""
    if value is None:
        return None
    return math.log10(value) if spec.scale == "log" else value


def value_from_slider(spec: ParameterSpec, position: object) -> float:
    """Inverse of ``slider_position``, rounded to 3 significant digits on log scales."""
    if isinstance(position, bool) or not isinstance(position, int | float):
        raise InvalidInput(f"{spec.name}: slider position {position!r} is not a number")
    outside = f"{spec.name}: slider position {_short(position)} is outside the slider"
    try:
        position = float(position)
    except OverflowError:  # a JSON integer too large for a float
        raise InvalidInput(outside) from None
    if not math.isfinite(position):
        raise InvalidInput(f"{spec.name}: slider position {position!r} is not a number")
    if spec.scale != "log":
        return position
    # A position decades past the ends would overflow 10 ** position; a little past them is
    # left for the model's range check, whose message names the allowed range.
    if not math.log10(spec.low) - 1 <= position <= math.log10(spec.high) + 1:
        raise InvalidInput(f"{outside} (allowed {spec.range_text} {spec.unit})")
    # Three significant digits also undo float round-off at the ends (10**log10(x) != x).
    return float(f"{10.0 ** float(position):.3g}")
