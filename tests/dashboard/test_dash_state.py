"""dashboard.state: the page state in its outside forms (URL query, JSON file, slider position),
each validated against the model's parameter declarations."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.state import (
    MAX_UPLOAD_BYTES,
    PageState,
    from_query,
    from_upload,
    parse_json_int,
    slider_position,
    to_download,
    to_query,
    value_from_slider,
)
from model import PARAMETER_SPECS, InvalidInput, Parameters, spec_for
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.scenarios import SCENARIOS
from model.solve import DEFAULT_DAYS

LOG_SPECS = [s for s in PARAMETER_SPECS if s.scale == "log"]
LINEAR_SPECS = [s for s in PARAMETER_SPECS if s.scale == "linear" and not s.optional]

CHANGED_STATES = {
    "defaults": PageState(Parameters()),
    "per-organ key": PageState(Parameters({"tropism.lung": 0.5, "arrest_share.bone": 0.3})),
    "log-scale values": PageState(Parameters(tumor_growth_rate=1.23e-3, shedding_rate=1e-5)),
    "resection on a day": PageState(Parameters(resection_day=12.5), days=40.0),
    "resection never": PageState(Parameters(resection_day=None), days=40.0),
    "scenario with edits": PageState(
        SCENARIOS["vla4-blockade"].parameters().replace(vegfr1_signalling=7.5),
        30.0,
        "vla4-blockade",
    ),
    "Dawson hypothesis": PageState(HYPOTHESES["dawson"].apply(Parameters())),
    "a mix of hypotheses": PageState(Parameters(vegfr1_dependence=0.3, organ_soil=0.5)),
}


# --- URL query --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", CHANGED_STATES.values(), ids=CHANGED_STATES.keys())
def test_query_round_trip(state: PageState) -> None:
    assert from_query(to_query(state)) == state


@pytest.mark.parametrize("name", SCENARIOS)
def test_query_round_trip_for_each_scenario(name: str) -> None:
    state = PageState.for_scenario(name)
    query = to_query(state)
    assert query.startswith(f"?scenario={name}&")
    assert from_query(query) == state


@pytest.mark.parametrize("name", HYPOTHESES)
def test_a_link_carries_the_hypothesis_as_its_switch_values(name: str) -> None:
    """Switches are ordinary parameters: a link names only those differing from the defaults
    (Kaplan-Lyden), and opening it gives the same hypothesis back."""
    state = PageState.for_scenario("kaplan2005-anti-vegfr1")
    state = PageState(HYPOTHESES[name].apply(state.params), state.days, state.scenario)
    query = to_query(state)
    back = from_query(query)
    assert back == state and hypothesis_of(back.params) == name
    if name == "kaplan-lyden":
        assert "niche_formation" not in query and "vegfr1_dependence" not in query
    if name == "dawson":
        assert "vegfr1_dependence=0" in query


def test_query_holds_only_changed_values() -> None:
    query = to_query(PageState(Parameters({"tropism.lung": 0.5})))
    assert query == "?days=30&tropism.lung=0.5"


def test_query_resection_day_none_is_the_default_and_absent() -> None:
    assert "resection_day" not in to_query(PageState(Parameters(resection_day=None)))
    assert "resection_day=12.5" in to_query(PageState(Parameters(resection_day=12.5)))
    assert from_query("?resection_day=none").params["resection_day"] is None


def test_query_round_trip_keeps_days_with_many_digits() -> None:
    state = PageState(Parameters(), days=1234.567)
    assert from_query(to_query(state)).days == 1234.567


@given(
    value=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    days=st.sampled_from([1.0, 7.5, 30.0, 365.0, 8400.0]),
)
@settings(max_examples=40, deadline=None, derandomize=True)
def test_query_round_trip_any_linear_value(value: float, days: float) -> None:
    state = PageState(Parameters({"tropism.liver": value, "bare_growth_share": 1 - value}), days)
    assert from_query(to_query(state)) == state


@pytest.mark.parametrize("search", [None, "", "?"])
def test_empty_query_gives_defaults(search: str | None) -> None:
    assert from_query(search) == PageState(Parameters(), DEFAULT_DAYS, None)


def test_query_parameters_override_the_defaults_not_the_scenario() -> None:
    state = from_query("?scenario=kaplan2005-anti-vegfr1&days=30")
    assert state.scenario == "kaplan2005-anti-vegfr1"
    assert state.params == Parameters()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_link_naming_only_a_scenario_opens_it_as_it_was_run(name: str) -> None:
    state = from_query(f"?scenario={name}")
    assert state == PageState.for_scenario(name)
    assert from_query(to_query(state)) == state  # the page's own link for it says as much


def test_a_link_naming_a_scenario_and_more_keeps_the_defaults_underneath() -> None:
    anti = SCENARIOS["kaplan2005-anti-vegfr1"]
    assert anti.parameters() != Parameters()
    state = from_query("?scenario=kaplan2005-anti-vegfr1&vegfr1_signalling=5")
    assert state.params == Parameters({"vegfr1_signalling": 5.0}) and state.days == DEFAULT_DAYS
    assert "unknown scenario 'no-such'" in _refusal("?scenario=no-such")


def _refusal(search: str) -> str:
    with pytest.raises(InvalidInput) as info:
        from_query(search)
    return str(info.value)


def test_query_refuses_unknown_key() -> None:
    assert "vegfr1_signaling" in _refusal("?vegfr1_signaling=3")


@pytest.mark.parametrize(
    "search",
    ["?vegfr1_signalling=3&vegfr1_signalling=4", "?days=3&days=3", "?scenario=a&scenario=a"],
)
def test_query_refuses_duplicate_keys(search: str) -> None:
    assert "twice" in _refusal(search)


@pytest.mark.parametrize("raw", ["abc", "", "1,5", "0x10", "nan", "NaN", "inf", "-inf"])
def test_query_refuses_values_that_are_not_finite_numbers(raw: str) -> None:
    message = _refusal(f"?vegfr1_signalling={raw}")
    assert "vegfr1_signalling" in message
    assert "number" in message


@pytest.mark.parametrize(
    ("key", "value", "range_text"),
    [
        ("vegfr1_signalling", "20.5", "[0, 20]"),
        ("vegfr1_signalling", "-1", "[0, 20]"),
        ("tropism.lung", "1.01", "[0, 1]"),
        ("tumor_growth_rate", "1e-5", "[0.0001, 0.5]"),
        ("resection_day", "-1", "[0, 36500], or none"),
    ],
)
def test_query_refuses_out_of_range_naming_key_and_range(key, value, range_text) -> None:
    message = _refusal(f"?{key}={value}")
    assert key in message
    assert range_text in message


def test_query_refuses_unknown_scenario() -> None:
    message = _refusal("?scenario=kaplan2006")
    assert "kaplan2006" in message
    assert "kaplan2005-llc" in message  # lists the choices


@pytest.mark.parametrize("days", ["0", "-5", "abc", "nan", "inf", "36501", ""])
def test_query_refuses_bad_days(days: str) -> None:
    assert "days" in _refusal(f"?days={days}")


def test_query_refuses_inconsistent_parameters() -> None:
    message = _refusal("?anti_vegfr1_start_day=20&anti_vegfr1_end_day=10")
    assert "anti_vegfr1_end_day" in message


# --- Files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", CHANGED_STATES.values(), ids=CHANGED_STATES.keys())
def test_download_upload_round_trip(state: PageState, data_url) -> None:
    text = to_download(state)
    assert from_upload(data_url(json.loads(text)), "saved.json") == state


def test_download_lists_every_parameter_with_its_unit() -> None:
    data = json.loads(to_download(PageState.for_scenario("breast-resection-dormancy")))
    assert data["format"] == "seed-soil-explorer/parameters"
    assert data["scenario"] == "breast-resection-dormancy"
    assert data["days"] == SCENARIOS["breast-resection-dormancy"].days
    assert set(data["parameters"]) == {s.name for s in PARAMETER_SPECS}
    assert data["units"]["resection_day"] == "day"
    assert data["parameters"]["resection_day"] == 1034.0
    assert data["hypothesis"] == "kaplan-lyden"


@pytest.mark.parametrize(
    ("params", "named"),
    [(HYPOTHESES["paget"].apply(Parameters()), "paget"), (Parameters(organ_soil=0.5), None)],
)
def test_download_names_the_hypothesis_the_switches_match(params, named) -> None:
    data = json.loads(to_download(PageState(params)))
    assert data["hypothesis"] == named
    assert data["parameters"]["organ_soil"] == params["organ_soil"]


def test_upload_accepts_a_flat_name_value_object(data_url) -> None:
    state = from_upload(data_url({"tropism.lung": 0.4, "resection_day": 12}), "flat.json")
    assert state == PageState(Parameters({"tropism.lung": 0.4, "resection_day": 12.0}))


def _upload_refusal(contents: str | None, filename: str | None = "bad.json") -> str:
    with pytest.raises(InvalidInput) as info:
        from_upload(contents, filename)
    return str(info.value)


def test_upload_refuses_files_over_1_mb(data_url) -> None:
    big = data_url(b" " * (MAX_UPLOAD_BYTES + 1), raw=True)
    assert "larger than 1 MB" in _upload_refusal(big)


def test_upload_accepts_a_file_of_exactly_1_mb(data_url) -> None:
    body = json.dumps({"tropism.lung": 0.5}).encode()
    padded = body + b" " * (MAX_UPLOAD_BYTES - len(body))
    assert from_upload(data_url(padded, raw=True), "big.json").params["tropism.lung"] == 0.5


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        (None, "nothing was uploaded"),
        ("", "nothing was uploaded"),
        ("data:application/json;base64", "nothing was uploaded"),
        ("data:application/json;base64,%%%not-base64", "could not be decoded"),
        ("data:application/json;base64,abc", "could not be decoded"),  # bad padding
    ],
)
def test_upload_refuses_missing_or_undecodable_contents(contents, expected) -> None:
    assert expected in _upload_refusal(contents)


@pytest.mark.parametrize("raw", [b"not json", b"{'single': 'quotes'}", b"\xff\xfe\x00"])
def test_upload_refuses_non_json(raw: bytes, data_url) -> None:
    assert "is not a JSON file" in _upload_refusal(data_url(raw, raw=True))


@pytest.mark.parametrize("obj", [[1, 2], "text", 3, None])
def test_upload_refuses_json_that_is_not_an_object(obj, data_url) -> None:
    assert "JSON object" in _upload_refusal(data_url(obj))


def test_upload_refuses_another_file_format(data_url) -> None:
    message = _upload_refusal(data_url({"format": "other-app/v2", "parameters": {}}))
    assert "not a Seed & Soil parameter file" in message


@pytest.mark.parametrize(
    ("obj", "named"),
    [
        ({"vegfr1_signalling": 99}, "vegfr1_signalling"),
        ({"vegfr1_signalling": "lots"}, "vegfr1_signalling"),
        ({"vegfr1_signalling": True}, "vegfr1_signalling"),
        ({"nonsense": 1}, "nonsense"),
        ({"parameters": {"tropism.lung": 2}}, "tropism.lung"),
        ({"parameters": [1, 2]}, "parameters"),
        ({"parameters": {}, "days": 0}, "days"),
        ({"parameters": {}, "days": "soon"}, "days"),
        ({"parameters": {}, "scenario": "unknown-one"}, "unknown-one"),
    ],
)
def test_upload_refuses_bad_values_naming_them(obj, named, data_url) -> None:
    assert named in _upload_refusal(data_url(obj))


def test_upload_message_names_the_file(data_url) -> None:
    assert "mine.json" in _upload_refusal(data_url([1]), "mine.json")


@pytest.mark.parametrize("scenario", [["kaplan2005-llc"], {"a": 1}])
def test_upload_refuses_a_scenario_that_is_not_a_string(scenario, data_url) -> None:
    _upload_refusal(data_url({"parameters": {}, "scenario": scenario}))


def test_upload_refuses_boolean_days(data_url) -> None:
    _upload_refusal(data_url({"parameters": {}, "days": True}))


# --- Sliders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", LOG_SPECS, ids=lambda s: s.name)
def test_log_slider_positions_are_log10_and_invert_to_3_digits(spec) -> None:
    for value in (spec.low, spec.default, spec.high, math.sqrt(spec.low * spec.high)):
        position = slider_position(spec, value)
        assert position == pytest.approx(math.log10(value))
        assert value_from_slider(spec, position) == float(f"{value:.3g}")


@pytest.mark.parametrize("spec", LOG_SPECS, ids=lambda s: s.name)
def test_log_slider_ends_map_back_inside_the_range(spec) -> None:
    assert value_from_slider(spec, math.log10(spec.low)) == spec.low
    assert value_from_slider(spec, math.log10(spec.high)) == spec.high


@given(data=st.data())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_any_log_slider_position_gives_a_valid_value(data) -> None:
    spec = data.draw(st.sampled_from(LOG_SPECS))
    lo, hi = math.log10(spec.low), math.log10(spec.high)
    position = data.draw(st.floats(min_value=lo, max_value=hi))
    value = value_from_slider(spec, position)
    assert spec.low <= value <= spec.high
    assert value == float(f"{value:.3g}")
    Parameters({spec.name: value})  # validates


@pytest.mark.parametrize("spec", LINEAR_SPECS, ids=lambda s: s.name)
def test_linear_slider_is_exact(spec) -> None:
    for value in (spec.low, spec.default, spec.high, (spec.low + spec.high) / 3):
        assert slider_position(spec, value) == value
        assert value_from_slider(spec, value) == value


def test_slider_position_of_none_is_none() -> None:
    assert slider_position(spec_for("resection_day"), None) is None


@pytest.mark.parametrize("name", ["tumor_growth_rate", "vegfr1_signalling"])
@pytest.mark.parametrize("position", [None, "1", True, False, [1.0], {"v": 1}])
def test_value_from_slider_refuses_non_numbers(name: str, position) -> None:
    with pytest.raises(InvalidInput, match=name):
        value_from_slider(spec_for(name), position)


@pytest.mark.parametrize("position", [math.nan, math.inf, -math.inf])
def test_value_from_slider_refuses_non_finite_on_log_scale(position: float) -> None:
    with pytest.raises(InvalidInput, match="tumor_growth_rate"):
        value_from_slider(spec_for("tumor_growth_rate"), position)


@pytest.mark.parametrize("position", [math.nan, math.inf])
def test_value_from_slider_refuses_non_finite_on_linear_scale(position: float) -> None:
    with pytest.raises(InvalidInput, match="vegfr1_signalling"):
        value_from_slider(spec_for("vegfr1_signalling"), position)


# --- The store --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", CHANGED_STATES.values(), ids=CHANGED_STATES.keys())
def test_store_round_trip(state: PageState) -> None:
    stored = json.loads(json.dumps(state.to_store()))  # as it comes back from the browser
    assert PageState.from_store(stored) == state


@pytest.mark.parametrize("stored", [None, {}])
def test_empty_store_gives_defaults(stored) -> None:
    assert PageState.from_store(stored) == PageState(Parameters())


@pytest.mark.parametrize(
    "stored",
    [
        {"changed": {"vegfr1_signalling": 99}, "days": 30, "scenario": None},
        {"changed": {"no_such_parameter": 1}, "days": 30, "scenario": None},
        {"changed": {"tropism.lung": "NaN"}, "days": 30, "scenario": None},
        {"changed": [1, 2], "days": 30, "scenario": None},
        {"changed": {}, "days": -1, "scenario": None},
        {"changed": {}, "days": 30, "scenario": "made-up"},
    ],
)
def test_forged_store_is_refused(stored) -> None:
    with pytest.raises(InvalidInput):
        PageState.from_store(stored)


@pytest.mark.parametrize(
    "stored", [[1, 2], "text", {"changed": {}, "days": 30, "scenario": ["kaplan2005-llc"]}]
)
def test_forged_store_of_the_wrong_shape_is_refused(stored) -> None:
    with pytest.raises(InvalidInput):
        PageState.from_store(stored)


# --- Input no float can hold, and text no UTF-8 can encode (issue 9) -------------------------


@pytest.mark.parametrize("position", [10**400, -(10**400), 400, -400])
def test_a_slider_position_beyond_floats_or_far_past_a_log_slider_is_refused(position) -> None:
    spec = spec_for("initial_tumor_cells")  # a log-scale slider: 10 ** 400 overflows
    with pytest.raises(InvalidInput, match="initial_tumor_cells: slider position .* outside"):
        value_from_slider(spec, position)


def test_a_linear_slider_position_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(
        InvalidInput,
        match=r"homing_rate: slider position 100000000000\.\.\. \(401 digits\) is outside",
    ):
        value_from_slider(spec_for("homing_rate"), 10**400)


@pytest.mark.parametrize("search", [5, 1.5, ["?days=40"], {"days": 40}])
def test_a_query_that_is_not_text_is_refused(search) -> None:
    with pytest.raises(InvalidInput, match="the link's query is not text"):
        from_query(search)  # type: ignore[arg-type]


@pytest.mark.parametrize("contents", [5, ["data:,"], {"a": 1}, True])
def test_upload_contents_that_are_not_text_are_refused(contents) -> None:
    with pytest.raises(InvalidInput, match="nothing was uploaded"):
        from_upload(contents, "p.json")  # type: ignore[arg-type]


def test_an_upload_nested_too_deep_is_refused(data_url) -> None:
    with pytest.raises(InvalidInput, match="^p.json is nested too deep$"):
        from_upload(data_url(b"[" * 50_000 + b"]" * 50_000, raw=True), "p.json")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"homing_rate": 1' + b"0" * 400 + b"}", "homing_rate=inf is not a finite number"),
        (b'{"parameters": {}, "days": ' + b"1" * 5000 + b"}", "days=inf is outside"),
        (b'{"homing_rate": 18446744073709551616}', "homing_rate=1.84467e+19 is outside"),
    ],
    ids=["10**400", "5000 digits", "2**64"],
)
def test_an_upload_integer_beyond_a_double_is_read_as_a_browser_reads_it(
    payload, message, data_url
) -> None:
    with pytest.raises(InvalidInput, match=message.replace("+", r"\+")):
        from_upload(data_url(payload, raw=True), "p.json")


def test_a_lone_surrogate_in_a_file_name_is_shown_as_a_replacement_character() -> None:
    with pytest.raises(InvalidInput, match="^x\ufffd.json: nothing was uploaded$"):
        from_upload(None, "x\ud800.json")
    with pytest.raises(InvalidInput) as refused:
        from_upload("data:,", "\udfff")
    refused.value.args[0].encode("utf-8")  # a message the response can carry


@pytest.mark.parametrize(
    ("text", "value"),
    [("7", 7), ("-123456789012345", -123456789012345), ("18446744073709551616", 2.0**64),
     ("1" + "0" * 400, math.inf), ("-" + "9" * 5000, -math.inf)],
)  # fmt: skip
def test_json_integers_beyond_15_digits_are_doubles(text, value) -> None:
    parsed = parse_json_int(text)
    assert parsed == value and type(parsed) is type(value)
