"""bench/ab_first_figure.py's summary: medians over the cold visits and the ratios old / new."""

from bench.ab_first_figure import summary


def test_the_summary_gives_medians_and_ratios_old_over_new() -> None:
    old = [(2400.0, 1300.0), (2000.0, 1100.0), (3000.0, 1500.0)]
    new = [(1900.0, 1200.0), (1600.0, 1000.0), (2500.0, 1000.0)]
    assert summary(old, new) == (
        "median       2400       1900   1300 / 1000\n"
        "ratio old / new: first figure 1.26, main thread before it 1.30"
    )
