"""bench/ab_first_figure.py's summary: medians over the cold visits and the ratios old / new."""

from bench.ab_first_figure import summary
from bench.bench_browser import PageLoad


def test_the_summary_gives_medians_and_ratios_old_over_new() -> None:
    old = [PageLoad(2400.0, 1300.0, 3000.0, 2000.0), PageLoad(2000.0, 1100.0, 2600.0, 1500.0),
           PageLoad(3000.0, 1500.0, 3300.0, 2500.0)]  # fmt: skip
    new = [PageLoad(1900.0, 1200.0, 3300.0, 2200.0), PageLoad(1600.0, 1000.0, 2800.0, 1800.0),
           PageLoad(2500.0, 1000.0, 3600.0, 2600.0)]  # fmt: skip
    assert summary(old, new) == (
        "median       2400       1900   1300 / 1000   3000 / 3300   2000 / 2200\n"
        "ratio old / new: first figure 1.26, main thread before it 1.30, every figure 0.91, "
        "controls 0.91"
    )
