"""Every download says where its numbers came from (issue 10, item 3).

CSV files start with ``#`` comment lines (tool, model version, UTC time, scenario, hypothesis,
changed parameters with units, days, and a sweep's or an analysis's settings), then the data;
they read back with ``pandas.read_csv(path, comment="#")``. The parameter file carries the model
version and the export time and still uploads.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import model
from dashboard.callbacks import _csv_file, _parameters_file
from dashboard.sensitivity import indices_csv, start_analysis
from dashboard.state import PageState, from_upload
from dashboard.sweeps import _result_csv, parse_request, run_request
from model import Parameters, spec_for
from model.__main__ import main
from model.export import provenance
from model.hypotheses import get_hypothesis, hypothesis_of

STAMP = re.compile(r"^# exported \(UTC\): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", re.MULTILINE)
LLC = PageState.for_scenario("kaplan2005-llc")
#: LLC under Dawson's hypothesis with VEGFR1 signalling doubled and a shorter run.
LLC_DAWSON = PageState(
    get_hypothesis("dawson").apply(LLC.params).replace(vegfr1_signalling=8.0), 20.0, LLC.scenario
)
VEGFR1_LINE = f"#   vegfr1_signalling = 8 {spec_for('vegfr1_signalling').unit}"


def read_back(text: str, tmp_path: Path) -> tuple[str, pd.DataFrame]:
    """(the comment lines, the data) of a CSV file, as a user would load it."""
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert comments and lines[: len(comments)] == comments  # every comment line comes first
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return "\n".join(comments), pd.read_csv(path, comment="#")


def assert_names_the_run(header: str) -> None:
    """Version, time, scenario (changed since loading), Dawson and the doubled VEGFR1 line."""
    assert header.startswith("# Seed & Soil Explorer: ")
    assert f"# model version: {model.__version__}\n" in header
    assert STAMP.search(header)
    assert (
        "# scenario: kaplan2005-llc (LLC in mice: the niche comes first); "
        "settings changed since it was loaded" in header
    )
    assert "# hypothesis: dawson (Dawson: niche without VEGFR1)" in header
    assert "# days: 20\n" in header
    assert VEGFR1_LINE in header.splitlines()


def test_the_model_has_a_version() -> None:
    assert model.__version__ == "2.0"


def test_the_header_of_an_unchanged_default_run_reads_in_full() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert provenance("time series", Parameters(), 30.0, None, now=now) == (
        "# Seed & Soil Explorer: time series\n"
        f"# model version: {model.__version__}\n"
        "# exported (UTC): 2026-01-02T03:04:05Z\n"
        "# scenario: none (custom settings)\n"
        f"# hypothesis: {hypothesis_of(Parameters())} "
        f"({get_hypothesis(hypothesis_of(Parameters())).title})\n"
        "# days: 30\n"
        "# parameters: all at the model defaults\n"
    )


def test_the_time_series_csv_names_its_run_and_keeps_its_columns(tmp_path) -> None:
    text, filename = _csv_file(LLC_DAWSON)
    assert filename == "seed-soil-kaplan2005-llc-dawson.csv"
    header, frame = read_back(text, tmp_path)
    assert_names_the_run(header)
    assert header.startswith("# Seed & Soil Explorer: time series\n")
    expected = model.simulate(LLC_DAWSON.params, LLC_DAWSON.days).frame
    assert list(frame.columns) == list(expected.columns)
    assert frame["tumor"].to_numpy() == pytest.approx(expected["tumor"].to_numpy(), rel=1e-5)
    assert frame["day"].iloc[-1] == 20


def test_the_dashboard_and_the_command_line_write_the_same_time_series(capsys) -> None:
    dashboard_text, _ = _csv_file(LLC_DAWSON)
    main(["run", "--scenario", "kaplan2005-llc", "--hypothesis", "dawson", "--days", "20",
          "--set", "vegfr1_signalling=8", "--format", "csv"])  # fmt: skip
    cli_text = capsys.readouterr().out

    def without_time(text: str) -> str:
        return STAMP.sub("", text)

    assert without_time(cli_text) == without_time(dashboard_text)


def test_a_custom_mix_without_scenario_says_so(tmp_path) -> None:
    state = PageState(LLC.params.replace(vegfr1_dependence=0.3), 10.0, None)
    header, _ = read_back(_csv_file(state)[0], tmp_path)
    assert "# scenario: none (custom settings)" in header
    assert "# hypothesis: custom mix (the mechanism switches match no named hypothesis)" in header
    unit = spec_for("vegfr1_dependence").unit
    assert f"#   vegfr1_dependence = 0.3 {unit}" in header.splitlines()


def test_the_parameter_file_carries_version_and_time_and_still_uploads() -> None:
    text, filename = _parameters_file(LLC_DAWSON)
    assert filename == "seed-soil-kaplan2005-llc-dawson-parameters.json"
    data = json.loads(text)
    assert data["model_version"] == model.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["exported"])
    assert data["hypothesis"] == "dawson" and data["units"]["vegfr1_signalling"]
    url = "data:application/json;base64," + base64.b64encode(text.encode()).decode()
    assert from_upload(url, filename) == LLC_DAWSON


def test_a_2d_sweep_csv_carries_its_axes_outcome_and_base(tmp_path) -> None:
    x, y = ("vegfr1_signalling", 0.0, 20.0, 4), ("homing_rate", None, None, 3)
    result = run_request(parse_request("2d", x, y, "burden.lung", 2500), LLC_DAWSON)
    text = _result_csv(result)
    header, frame = read_back(text, tmp_path)
    assert_names_the_run(header)
    assert header.startswith("# Seed & Soil Explorer: parameter sweep\n")
    homing = spec_for("homing_rate")
    vegfr1 = spec_for("vegfr1_signalling")
    assert (
        f"# swept:\n#   vegfr1_signalling ({vegfr1.unit}) from 0 to 20; 4 points; linear scale\n"
        in header
    )
    assert (
        f"#   homing_rate ({homing.unit}) from {homing.low:g} to {homing.high:g}; 3 points; "
        "log scale" in header
    )
    assert "# outcome: burden.lung = DTC burden in lung, final (cells)" in header
    assert "# runs: 12 " in header
    assert list(frame.columns) == ["vegfr1_signalling", "homing_rate", "burden.lung"]
    assert len(frame) == 12
    # Values to 6 significant digits: 20/3 is written 6.66667, never 6.666666666666667.
    assert "\n6.66667," in text and "6.6666666" not in text


def test_a_1d_sweep_csv_names_its_axis_and_keeps_empty_cells(tmp_path) -> None:
    x = ("vegfr1_signalling", 2.0, 8.0, 4)
    result = run_request(parse_request("1d", x, x, "niche_onset_day.each_organ", 2500), LLC)
    header, frame = read_back(_result_csv(result), tmp_path)
    unit = spec_for("vegfr1_signalling").unit
    assert f"#   vegfr1_signalling ({unit}) from 2 to 8; 4 points; linear scale" in header
    assert "# outcome: niche_onset_day.each_organ = Niche onset, each organ (day)" in header
    assert "# parameters: all at the model defaults" in header
    assert frame["vegfr1_signalling"].tolist() == [2, 4, 6, 8]
    assert frame.isna().any().any()  # a niche that never forms is an empty cell


def test_a_sobol_csv_carries_its_settings(tmp_path) -> None:
    names = ["homing_rate", "met_growth_rate"]
    stored = LLC_DAWSON.to_store()
    result = start_analysis(names, "burden.lung", 64, "log10", stored)
    json.dumps(result, allow_nan=False)  # still a plain JSON store
    text, filename = indices_csv(result)
    assert filename == "seed-soil-sobol-burden.lung-log10.csv"
    header, frame = read_back(text, tmp_path)
    assert_names_the_run(header)
    assert header.startswith("# Seed & Soil Explorer: Sobol sensitivity indices\n")
    for name in names:
        spec = spec_for(name)
        line = f"#   {name} ({spec.unit}) from {spec.low:g} to {spec.high:g}; log scale"
        assert line in header.splitlines()
    for line in (
        "# outcome: burden.lung = DTC burden in lung, final (cells)",
        "# scale: log10(1 + outcome)",
        "# base samples: 64",
        "# runs: 256",
        "# seed: 0",
        "# censored runs: 0 ",
    ):
        assert line in header
    assert list(frame.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert sorted(frame["parameter"]) == sorted(names)


def test_a_sobol_result_without_its_base_downloads_nothing() -> None:
    """A forged or stale store: the download is refused (the view keeps no_update)."""
    result = start_analysis(["homing_rate", "met_growth_rate"], "burden.lung", 64, "linear",
                            LLC.to_store())  # fmt: skip
    with pytest.raises(KeyError):
        indices_csv({k: v for k, v in result.items() if k != "base"})
    forged = {**result, "base": {"changed": {"no_such_parameter": 1}}}
    with pytest.raises(model.InvalidInput):
        indices_csv(forged)
