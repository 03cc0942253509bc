"""Clones grown to a size by a day (``model.probability``): against a closed form, and the same
for query days in any order (the compiled walk along the grid for ascending days, a binary
search otherwise)."""

from __future__ import annotations

import numpy as np
import pytest

from model.probability import clones_grown_to_detection, founded_by, grown_log_size


def test_with_one_growth_rate_clones_founded_early_enough_are_counted_exactly() -> None:
    """Net growth ``nu`` a day and clones founded at ``c`` a day: a clone reaches ``cells``
    ``ln(cells) / nu`` days after its founding, so by day ``d`` those founded by
    ``d - ln(cells) / nu`` have: ``c * (d - ln(cells) / nu)``, and none before."""
    t = np.linspace(0.0, 60.0, 601)
    nu, c, cells = 0.5, 3.0, 1e4
    net = np.full((2, t.size), nu)
    clones = np.vstack([c * t, 2 * c * t])
    got = clones_grown_to_detection(t, clones, net, cells, 0.0)
    lag = np.log(cells) / nu
    expected = np.maximum(t - lag, 0.0) * c
    np.testing.assert_allclose(got[0], expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got[1], 2 * expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("spread", [0.0, 0.4])
def test_query_days_in_any_order_give_the_same_counts(spread: float) -> None:
    rng = np.random.default_rng(7)
    t = np.linspace(0.0, 100.0, 301)
    net = rng.uniform(0.0, 0.4, (3, t.size)) * (rng.uniform(size=(3, t.size)) > 0.2)
    clones = np.cumsum(rng.uniform(0.0, 2.0, (3, t.size)), axis=-1)
    days = np.sort(rng.uniform(-5.0, 110.0, 50))  # some off the grid at both ends
    shuffled = rng.permutation(days.size)
    ascending = clones_grown_to_detection(t, clones, net, [1e3, 1e5, 1e6], spread, days)
    mixed = clones_grown_to_detection(t, clones, net, [1e3, 1e5, 1e6], spread, days[shuffled])
    assert np.array_equal(mixed, ascending[:, shuffled])
    assert np.all(np.diff(ascending, axis=-1) >= 0.0)  # they only accumulate
    # One row's days per row of clones: here the first soil's three times.
    grown = grown_log_size(t, np.vstack([net[0]] * 3))
    rows = np.vstack([days, days[shuffled], days])
    per_row = founded_by(t, grown, np.vstack([clones[0]] * 3), [2.0, 2.0, 9.0], rows)
    assert np.array_equal(per_row[1], per_row[0][shuffled])
    assert np.all(per_row[2] <= per_row[0])  # a larger size is reached later
