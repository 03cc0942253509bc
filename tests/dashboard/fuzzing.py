"""What the fuzzing tests share: random JSON values for callback inputs and states, the names of
a callback's input and state items, and hypothesis settings that draw the same examples every
run (tests/dashboard/test_dash_fuzz.py, tests/dashboard/test_direct.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from model import PARAMETER_SPECS
from model.outcomes import OUTCOMES
from model.scenarios import SCENARIOS
from tests.dash_requests import CallbackRequests

#: Strings the page knows (names, links), so that the fuzzer also gets past the first checks.
KNOWN_TEXT = [
    *SCENARIOS,
    *(s.name for s in PARAMETER_SPECS[:6]),
    *list(OUTCOMES)[:4],
    "1d",
    "2d",
    "log",
    "linear",
    "png",
    "?days=40&vegfr1_signalling=8",
    "?days=1e400",
    "#tab=sweep&sweep-x=homing_rate&sweep-x-n=10",
    "#sweep-x-n=1e30",
    "data:application/json;base64,e30=",
    "nan",
    "inf",
    "-inf",
    "\ud800",
    "a\udfffb",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    # Read as a browser reads JSON: 2**64 (once too large for a 64-bit encoder) and 10**400
    # (once an OverflowError) arrive as doubles, the latter as inf.
    st.sampled_from([0, 1, 400, -400, 2**64, -(2**64), 10**400, -(10**400)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(KNOWN_TEXT),
)
#: Keys the callbacks look up in objects (clickData, stores, sweep results), and any others.
KEYS = st.sampled_from(["x", "y", "points", "changed", "days", "base", "x_name", "hypothesis"])
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=8,
)


def item_names(requests: CallbackRequests, dependency: dict) -> tuple[list[str], list[str]]:
    """The ``id.property`` of every input item and of every state item."""

    def names(entries):
        return [n for e in entries for n in requests._resolve(e["id"], e["property"])[1]]

    return names(dependency["inputs"]), names(dependency["state"])


def derandomized(examples: int) -> settings:
    """Hypothesis settings: ``examples`` examples, the same every run, none kept between runs;
    module-scoped apps are shared across examples, and a request may take a while."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
