"""Parameter declarations and the validated, immutable ``Parameters`` set.

Every value that reaches the model passes ``parse_value``: these tests pin down that it refuses
bad input with a message naming key, value and range, and never silently clamps.
"""

from __future__ import annotations

import math

import pytest

from model import GROUPS, ORGANS, PARAMETER_SPECS, InvalidParameter, Parameters, spec_for
from model.errors import InvalidInput
from model.parameters import parse_value
from model.solve import validate_days

CONTRACT_KEYS = (
    "vegfr1_signalling",
    "anti_vegfr1_efficacy",
    "anti_vegfr1_start_day",
    "anti_vegfr1_end_day",
    "vla4_block_efficacy",
    "resection_day",
    "dormancy_entry_rate",
    "dormancy_exit_rate",
    "dtc_detection_threshold",
    *(f"tropism.{organ}" for organ in ORGANS),
    *(f"arrest_share.{organ}" for organ in ORGANS),
)
SPEC_IDS = [spec.name for spec in PARAMETER_SPECS]


# --- declarations --------------------------------------------------------------------------


def test_contract_keys_are_declared() -> None:
    names = {spec.name for spec in PARAMETER_SPECS}
    assert set(CONTRACT_KEYS) <= names


def test_names_are_unique() -> None:
    assert len(SPEC_IDS) == len(set(SPEC_IDS))


@pytest.mark.parametrize("spec", PARAMETER_SPECS, ids=SPEC_IDS)
def test_spec_is_documented(spec) -> None:
    assert spec.unit.strip()
    assert spec.meaning.strip()
    assert spec.source.strip()
    assert spec.group in GROUPS
    assert spec.scale in ("linear", "log")


@pytest.mark.parametrize("spec", PARAMETER_SPECS, ids=SPEC_IDS)
def test_spec_range_is_sane_and_holds_its_default(spec) -> None:
    assert math.isfinite(spec.low) and math.isfinite(spec.high)
    assert spec.low < spec.high
    if spec.scale == "log":
        assert spec.low > 0, "a log-scaled control cannot start at 0"
    if spec.default is None:
        assert spec.optional
    else:
        assert spec.low <= spec.default <= spec.high


def test_defaults_are_complete() -> None:
    params = Parameters()
    assert list(params) == SPEC_IDS
    assert len(params) == len(PARAMETER_SPECS)
    for spec in PARAMETER_SPECS:
        assert params[spec.name] == spec.default
    assert params["resection_day"] is None  # default: the primary is never removed


def test_every_group_is_used() -> None:
    assert {spec.group for spec in PARAMETER_SPECS} == set(GROUPS)


# --- Parameters: immutable value object ----------------------------------------------------


def test_parameters_are_immutable() -> None:
    params = Parameters()
    with pytest.raises(TypeError):
        params["vegfr1_signalling"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        params.vegfr1_signalling = 1.0  # type: ignore[attr-defined]
    assert params["vegfr1_signalling"] == spec_for("vegfr1_signalling").default
    copy = dict(params)
    copy["vegfr1_signalling"] = 1.0
    assert params["vegfr1_signalling"] == spec_for("vegfr1_signalling").default


def test_equal_sets_are_equal_and_hash_alike() -> None:
    a = Parameters({"tropism.lung": 0.5}, vegfr1_signalling=8)
    b = Parameters({"vegfr1_signalling": "8", "tropism.lung": "0.5"})
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, Parameters()}) == 2
    assert a != Parameters()
    assert a != dict(a)  # a plain mapping is not a parameter set


def test_values_are_floats() -> None:
    params = Parameters(vegfr1_signalling=8, resection_day="30")
    assert type(params["vegfr1_signalling"]) is float
    assert params["resection_day"] == 30.0


def test_replace_returns_a_validated_copy() -> None:
    base = Parameters()
    new = base.replace({"tropism.liver": 0.7}, vegfr1_signalling=2)
    assert new["vegfr1_signalling"] == 2.0
    assert new["tropism.liver"] == 0.7
    assert base == Parameters(), "replace must not touch the original"
    with pytest.raises(InvalidParameter):
        base.replace(vegfr1_signalling=-1)


def test_changed_lists_only_differences_from_defaults() -> None:
    assert Parameters().changed() == {}
    params = Parameters({"tropism.lung": 0.5, "resection_day": 10})
    assert params.changed() == {"tropism.lung": 0.5, "resection_day": 10.0}
    # Setting a value back to its default removes it from the diff.
    assert params.replace({"tropism.lung": spec_for("tropism.lung").default}).changed() == {
        "resection_day": 10.0
    }
    assert Parameters(params.changed()) == params


def test_organ_values_follow_organ_order() -> None:
    params = Parameters({f"tropism.{organ}": k / 10 for k, organ in enumerate(ORGANS)})
    assert params.organ_values("tropism") == [k / 10 for k in range(len(ORGANS))]


# --- parse errors ------------------------------------------------------------------------


def test_unknown_key_names_it_and_suggests_a_close_match() -> None:
    with pytest.raises(InvalidParameter) as info:
        Parameters(vegfr1_signaling=2)
    message = str(info.value)
    assert "vegfr1_signaling" in message
    assert "did you mean 'vegfr1_signalling'" in message
    assert info.value.key == "vegfr1_signaling"


def test_unknown_key_without_close_match_has_no_suggestion() -> None:
    with pytest.raises(InvalidParameter, match="unknown parameter 'zzzz'") as info:
        spec_for("zzzz")
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize("raw", ["abc", "1,5", "2 cells", [1.0], {"a": 1}, object()])
def test_non_number_is_refused(raw) -> None:
    with pytest.raises(InvalidParameter, match="vegfr1_signalling") as info:
        parse_value("vegfr1_signalling", raw)
    assert "not a number" in str(info.value)


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf, "nan", "inf", "-inf", "NaN"])
def test_nan_and_infinity_are_refused(raw) -> None:
    with pytest.raises(InvalidParameter, match="not a finite number") as info:
        Parameters(vegfr1_signalling=raw)
    assert "vegfr1_signalling" in str(info.value)


@pytest.mark.parametrize("raw", [True, False])
def test_bool_is_refused(raw) -> None:
    with pytest.raises(InvalidParameter, match="not a number"):
        Parameters(anti_vegfr1_efficacy=raw)


@pytest.mark.parametrize("spec", PARAMETER_SPECS, ids=SPEC_IDS)
def test_out_of_range_names_key_value_and_range_and_never_clamps(spec) -> None:
    width = spec.high - spec.low
    for bad in (spec.low - 0.01 * width - 1e-3, spec.high + 0.01 * width + 1e-3):
        with pytest.raises(InvalidParameter) as info:
            Parameters({spec.name: bad})
        message = str(info.value)
        assert spec.name in message
        assert f"{bad:g}" in message
        assert spec.range_text in message
        assert info.value.key == spec.name


@pytest.mark.parametrize("spec", PARAMETER_SPECS, ids=SPEC_IDS)
def test_bounds_are_inclusive(spec) -> None:
    for edge in (spec.low, spec.high):
        values = {spec.name: edge}
        if spec.name == "anti_vegfr1_start_day":
            values["anti_vegfr1_end_day"] = spec.high  # the window must stay ordered
        if spec.name == "anti_vegfr1_end_day":
            values["anti_vegfr1_start_day"] = spec.low
        assert Parameters(values)[spec.name] == edge


def test_numeric_text_with_spaces_is_accepted() -> None:
    assert Parameters(vegfr1_signalling=" 2.5 ")["vegfr1_signalling"] == 2.5


@pytest.mark.parametrize("raw", [None, "none", "None", "", "  ", "never"])
def test_optional_resection_day_accepts_none_words(raw) -> None:
    assert Parameters(resection_day=raw)["resection_day"] is None


@pytest.mark.parametrize("raw", [None, "", "none"])
def test_required_value_refuses_none_and_names_range(raw) -> None:
    with pytest.raises(InvalidParameter) as info:
        Parameters(vegfr1_signalling=raw)
    assert "vegfr1_signalling" in str(info.value)
    assert spec_for("vegfr1_signalling").range_text in str(info.value)


def test_therapy_window_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidParameter) as info:
        Parameters(anti_vegfr1_start_day=10, anti_vegfr1_end_day=5)
    assert info.value.key == "anti_vegfr1_end_day"
    assert "anti_vegfr1_start_day=10" in str(info.value)
    assert "anti_vegfr1_end_day=5" in str(info.value)
    # A one-day window (start == end) is allowed.
    assert Parameters(anti_vegfr1_start_day=5, anti_vegfr1_end_day=5)["anti_vegfr1_end_day"] == 5


def test_invalid_parameter_is_a_value_error() -> None:
    """Callers that only know ValueError (e.g. generic form handlers) still catch it."""
    with pytest.raises(ValueError):
        Parameters(vegfr1_signalling=-1)


@pytest.mark.parametrize("huge", [10**400, -(10**400), 10**5000], ids=["1e400", "-1e400", "1e5000"])
def test_integers_beyond_any_float_are_refused_in_one_short_line(huge: int) -> None:
    """Python ints have no size limit (a JSON upload or a caller may hold 10**400)."""
    with pytest.raises(InvalidParameter, match="not a finite number") as info:
        Parameters(homing_rate=huge)
    assert len(str(info.value)) < 200
    with pytest.raises(InvalidInput, match="outside the allowed range") as info:
        validate_days(huge)
    assert len(str(info.value)) < 200
