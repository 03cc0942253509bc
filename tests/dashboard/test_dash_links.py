"""The link's #fragment: the open tab and the Sweep and Sensitivity settings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.links import DEFAULTS, TABS, from_fragment, to_fragment
from dashboard.sensitivity import BASE_SAMPLES
from dashboard.sweeps import SWEEPABLE
from model import InvalidInput
from model.hypotheses import HYPOTHESES
from model.outcomes import FAMILIES, OUTCOMES
from model.sweep import MAX_POINTS

NAMES = [s.name for s in SWEEPABLE]


def test_defaults_make_an_empty_fragment_and_back() -> None:
    assert to_fragment(dict(DEFAULTS)) == ""
    assert from_fragment("") == DEFAULTS
    assert from_fragment(None) == DEFAULTS
    assert from_fragment("#") == DEFAULTS


def test_only_changed_settings_are_written() -> None:
    fragment = to_fragment({**DEFAULTS, "tab": "sweep", "sweep-x-n": 10.0})
    assert fragment == "#tab=sweep&sweep-x-n=10"


@st.composite
def page_settings(draw) -> dict:
    chosen = dict(DEFAULTS)
    chosen["tab"] = draw(st.sampled_from(TABS))
    chosen["compare-hypothesis"] = draw(st.none() | st.sampled_from(list(HYPOTHESES)))
    chosen["sweep-mode"] = draw(st.sampled_from(["1d", "2d"]))
    for axis in ("x", "y"):
        spec = draw(st.sampled_from(SWEEPABLE))
        chosen[f"sweep-{axis}"] = spec.name
        chosen[f"sweep-{axis}-from"] = draw(st.none() | st.floats(spec.low, spec.high,
                                                                 exclude_max=True))  # fmt: skip
        chosen[f"sweep-{axis}-to"] = None
        chosen[f"sweep-{axis}-n"] = draw(st.integers(2, MAX_POINTS))
    families = [*FAMILIES] if chosen["sweep-mode"] == "1d" else []  # a map shows one outcome
    chosen["sweep-outcome"] = draw(st.sampled_from([*OUTCOMES, *families]))
    chosen["sens-params"] = draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True))
    chosen["sens-outcome"] = draw(st.sampled_from(list(OUTCOMES)))
    chosen["sens-n"] = draw(st.sampled_from(BASE_SAMPLES))
    chosen["sens-scale"] = draw(st.sampled_from(["linear", "log10"]))
    return chosen


@settings(max_examples=200, deadline=None)
@given(page_settings())
def test_every_valid_setting_survives_the_link(chosen) -> None:
    assert from_fragment(to_fragment(chosen)) == chosen


@pytest.mark.parametrize(
    "fragment, message",
    [
        ("#colour=red", "#colour is not a setting"),
        ("#tab=sweep&tab=explore", "gives #tab twice"),
        ("#tab=admin", "#tab='admin' is not one of: explore, sweep, sensitivity"),
        ("#sweep-mode=3d", "#sweep-mode='3d'"),
        ("#sweep-x=resection_day", "#sweep-x='resection_day' is not a known choice"),
        ("#sweep-outcome=burden.moon", "#sweep-outcome='burden.moon'"),
        ("#sweep-x-from=abc", "#sweep-x-from='abc' is not a number"),
        ("#sweep-x-from=nan", "not a finite number"),
        ("#sweep-x-to=inf", "not a finite number"),
        ("#sweep-x-n=2.5", "not a whole number"),
        ("#sweep-x-n=500", "points"),
        ("#sweep-y-n=1", "points"),
        ("#sweep-x=homing_rate&sweep-x-from=-3", "leaves its allowed range [0.001, 5]"),
        ("#sens-n=100", "#sens-n='100' is not one of: 64, 128, 256, 512, 1024"),
        ("#sens-params=homing_rate,homing_rate", "unknown or repeated"),
        ("#sens-scale=ln", "#sens-scale='ln' is not one of: linear, log10"),
        ("#sweep-outcome=burden.each_organ", "a 2-D map of every organ"),  # 2-D by default
        ("#sens-params=homing_rate,warp_drive", "unknown or repeated"),
        ("#compare-hypothesis=lamarck", "#compare-hypothesis='lamarck' is not one of: kaplan"),
    ],
)
def test_a_bad_fragment_is_refused_naming_the_setting(fragment, message) -> None:
    with pytest.raises(InvalidInput) as refused:
        from_fragment(fragment)
    assert message in str(refused.value)


def test_the_hypothesis_to_compare_with_travels_in_the_fragment() -> None:
    fragment = to_fragment({**DEFAULTS, "compare-hypothesis": "dawson"})
    assert fragment == "#compare-hypothesis=dawson"
    assert from_fragment(fragment)["compare-hypothesis"] == "dawson"
    assert from_fragment("#compare-hypothesis=")["compare-hypothesis"] is None


@pytest.mark.parametrize("fragment", [5, 1.5, ["#tab=sweep"], {"tab": "sweep"}])
def test_a_fragment_that_is_not_text_is_refused(fragment) -> None:
    with pytest.raises(InvalidInput, match="the link's #fragment is not text"):
        from_fragment(fragment)  # type: ignore[arg-type]


def test_a_lone_surrogate_in_a_setting_is_written_as_a_question_mark_and_refused() -> None:
    fragment = to_fragment({**DEFAULTS, "sweep-x": "\ud800"})
    assert fragment == "#sweep-x=%3F"
    with pytest.raises(InvalidInput, match="sweep-x"):
        from_fragment(fragment)
