"""The command line ``python -m model``: its JSON/CSV contract and its refusals.

Most cases call ``model.__main__.main(argv)`` in-process (fast); a few run the real entry point
with ``subprocess`` to prove the module runs as a program and exits with the right status.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import model
from model import ORGANS, PARAMETER_SPECS, spec_for
from model.__main__ import main
from model.scenarios import SCENARIOS
from model.solve import day_grid

REPO_ROOT = Path(__file__).resolve().parents[2]
ORGAN_KEYS = {
    "niche_onset_day",
    "dtc_detect_day",
    "macrometastasis_day",
    "dormant_final",
    "proliferating_final",
    "burden_final",
}
DAY_KEYS = {"niche_onset_day", "dtc_detect_day", "macrometastasis_day"}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process: (exit status, stdout, stderr)."""
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse usage errors exit from inside parse_args
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv: str) -> dict:
    status, out, err = cli(capsys, "run", *argv)
    assert status == 0, err
    assert err == ""
    return json.loads(out)


# --- run: JSON ----------------------------------------------------------------------------


def test_run_scenario_prints_the_contract_json(capsys) -> None:
    answer = run_json(capsys, "--scenario", "kaplan2005-llc")
    assert {"scenario", "days", "parameters", "organs", "biomarker"} <= set(answer)
    assert answer["scenario"] == "kaplan2005-llc"
    assert answer["days"] == 30
    assert set(answer["parameters"]) == {spec.name for spec in PARAMETER_SPECS}
    assert set(answer["organs"]) == set(ORGANS)
    for organ, values in answer["organs"].items():
        assert ORGAN_KEYS <= set(values), organ
        for key in DAY_KEYS:
            assert values[key] is None or 0 <= values[key] <= 30, (organ, key)
        for key in ORGAN_KEYS - DAY_KEYS:
            assert isinstance(values[key], int | float) and values[key] >= 0, (organ, key)
    assert {"peak_fold_change", "peak_day"} <= set(answer["biomarker"])
    # The LLC timeline, read off the JSON (niche day ~13.3, DTCs ~17.9, no macrometastasis).
    lung = answer["organs"]["lung"]
    assert lung["niche_onset_day"] < lung["dtc_detect_day"]
    assert lung["macrometastasis_day"] is None


def test_days_that_never_happen_are_null_in_the_text(capsys) -> None:
    status, out, _ = cli(capsys, "run", "--scenario", "kaplan2005-llc")
    assert status == 0
    assert '"macrometastasis_day": null' in out
    assert "NaN" not in out and "Infinity" not in out


def test_run_without_scenario_uses_defaults(capsys) -> None:
    answer = run_json(capsys)
    assert answer["scenario"] is None
    assert answer["days"] == 30
    assert answer["parameters"]["resection_day"] is None


def test_scenario_overrides_reach_the_parameters(capsys) -> None:
    answer = run_json(capsys, "--scenario", "breast-resection-dormancy", "--days", "1100")
    assert answer["parameters"]["resection_day"] == 1034
    assert answer["parameters"]["tumor_growth_rate"] == 6.7e-4
    assert answer["days"] == 1100


def test_set_changes_the_output(capsys) -> None:
    default = run_json(capsys)
    weak = run_json(capsys, "--set", "vegfr1_signalling=0", "--set", "tropism.lung=0.5")
    assert weak["parameters"]["vegfr1_signalling"] == 0
    assert weak["parameters"]["tropism.lung"] == 0.5
    assert weak["biomarker"]["peak_fold_change"] < default["biomarker"]["peak_fold_change"]
    assert weak["organs"]["lung"]["burden_final"] < default["organs"]["lung"]["burden_final"]


def test_set_overrides_the_scenario(capsys) -> None:
    answer = run_json(
        capsys, "--scenario", "kaplan2005-anti-vegfr1", "--set", "anti_vegfr1_efficacy=0.5"
    )
    assert answer["parameters"]["anti_vegfr1_efficacy"] == 0.5


def test_set_accepts_none_for_resection_day(capsys) -> None:
    answer = run_json(
        capsys, "--scenario", "breast-resection-dormancy", "--days", "60", "--set",
        "resection_day=none",
    )  # fmt: skip
    assert answer["parameters"]["resection_day"] is None


def test_days_sets_the_span(capsys) -> None:
    answer = run_json(capsys, "--scenario", "kaplan2005-llc", "--days", "10")
    assert answer["days"] == 10
    # Within 10 days no organ reaches DTC detection in LLC (lung: ~day 18).
    assert all(o["dtc_detect_day"] is None for o in answer["organs"].values())


# --- run: CSV -----------------------------------------------------------------------------


def test_csv_is_the_time_series(capsys) -> None:
    status, out, err = cli(capsys, "run", "--scenario", "kaplan2005-llc", "--format", "csv")
    assert status == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert frame.columns[0] == "day"
    for organ in ORGANS:
        for quantity in ("niche", "dormant", "proliferating", "burden"):
            assert f"{organ}.{quantity}" in frame.columns
    assert {"tumor", "circulating_hpc"} <= set(frame.columns)
    assert frame["day"].tolist() == pytest.approx(day_grid(30.0).tolist())
    assert frame.notna().all().all()


def test_csv_honours_days_and_set(capsys) -> None:
    _, out, _ = cli(capsys, "run", "--format", "csv", "--days", "5")
    short = pd.read_csv(io.StringIO(out), comment="#")
    assert short["day"].iloc[-1] == 5
    _, out, _ = cli(capsys, "run", "--format", "csv", "--days", "5", "--set",
                    "initial_tumor_cells=1e7")  # fmt: skip
    assert pd.read_csv(io.StringIO(out), comment="#")["tumor"].iloc[0] == pytest.approx(1e7)


def test_csv_starts_with_its_provenance(capsys) -> None:
    """Comment lines name the tool, model version, time, scenario, hypothesis and every
    changed parameter with its unit; then the same columns as before."""
    argv = ["--scenario", "kaplan2005-llc", "--hypothesis", "dawson", "--days", "12.346"]
    _, out, _ = cli(capsys, "run", *argv, "--set", "vegfr1_signalling=8", "--format", "csv")
    comments = [line for line in out.splitlines() if line.startswith("#")]
    assert out.splitlines()[: len(comments)] == comments  # all of them first
    header = "\n".join(comments)
    assert comments[0] == "# Seed & Soil Explorer: time series"
    assert f"# model version: {model.__version__}" in header
    assert re.search(r"^# exported \(UTC\): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", header, re.M)
    assert "# scenario: kaplan2005-llc (LLC in mice: the niche comes first)" in header
    assert "# hypothesis: dawson (Dawson: niche without VEGFR1)" in header
    assert "# days: 12.346" in header
    assert f"#   vegfr1_signalling = 8 {spec_for('vegfr1_signalling').unit}" in header
    frame = pd.read_csv(io.StringIO(out), comment="#")
    assert frame["day"].iloc[-1] == 12.35  # days to 0.01


# --- listings -----------------------------------------------------------------------------


def test_scenarios_json_lists_the_scenarios(capsys) -> None:
    status, out, err = cli(capsys, "scenarios", "--format", "json")
    assert status == 0 and err == ""
    listed = json.loads(out)
    assert [s["name"] for s in listed] == list(SCENARIOS)
    for entry in listed:
        assert entry["expected"] and entry["days"] > 0


def test_scenarios_text_names_each_scenario(capsys) -> None:
    status, out, _ = cli(capsys, "scenarios")
    assert status == 0
    for name in SCENARIOS:
        assert name in out


def test_params_json_lists_every_spec(capsys) -> None:
    status, out, err = cli(capsys, "params", "--format", "json")
    assert status == 0 and err == ""
    listed = json.loads(out)
    assert [p["name"] for p in listed] == [spec.name for spec in PARAMETER_SPECS]
    for entry in listed:
        spec = spec_for(entry["name"])
        assert (entry["default"], entry["low"], entry["high"]) == (
            spec.default,
            spec.low,
            spec.high,
        )
        assert entry["unit"] == spec.unit and entry["meaning"] == spec.meaning


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_params_text_and_markdown_name_every_spec(capsys, fmt: str) -> None:
    status, out, _ = cli(capsys, "params", "--format", fmt)
    assert status == 0
    for spec in PARAMETER_SPECS:
        assert spec.name in out


# --- refusals -----------------------------------------------------------------------------

VEGFR1_RANGE = spec_for("vegfr1_signalling").range_text
BAD_INPUTS = {
    "unknown key": (
        ["run", "--set", "vegfr1_signaling=2"],
        ["vegfr1_signaling", "vegfr1_signalling"],
    ),
    "non-number": (["run", "--set", "vegfr1_signalling=abc"], ["vegfr1_signalling", "abc"]),
    "nan": (["run", "--set", "vegfr1_signalling=nan"], ["vegfr1_signalling", "nan"]),
    "infinity": (["run", "--set", "vegfr1_signalling=inf"], ["vegfr1_signalling", "inf"]),
    "empty value": (["run", "--set", "vegfr1_signalling="], ["vegfr1_signalling", VEGFR1_RANGE]),
    "above range": (
        ["run", "--set", "vegfr1_signalling=25"],
        ["vegfr1_signalling", "25", VEGFR1_RANGE],
    ),
    "below range": (["run", "--set", "tropism.lung=-0.1"], ["tropism.lung", "-0.1", "[0, 1]"]),
    "window reversed": (
        ["run", "--set", "anti_vegfr1_start_day=10", "--set", "anti_vegfr1_end_day=5"],
        ["anti_vegfr1_end_day", "anti_vegfr1_start_day"],
    ),
    "unknown scenario": (["run", "--scenario", "kaplan"], ["kaplan", "kaplan2005-llc"]),
    "days 0": (["run", "--days", "0"], ["days", "0", "36500"]),
    "days -1": (["run", "--days", "-1"], ["days", "-1", "36500"]),
    "days 1e9": (["run", "--days", "1e9"], ["days", "1e9", "36500"]),
    "days abc": (["run", "--days", "abc"], ["days", "abc"]),
    "malformed set": (["run", "--set", "vegfr1_signalling"], ["vegfr1_signalling", "KEY=VALUE"]),
    "set without key": (["run", "--set", "=3"], ["=3", "KEY=VALUE"]),
    "unknown flag": (["run", "--bogus"], ["--bogus"]),
    "unknown format": (["run", "--format", "xml"], ["xml"]),
    "missing days value": (["run", "--days"], ["--days"]),
    "no command": ([], ["command"]),
    "unknown command": (["simulate"], ["simulate"]),
}


@pytest.mark.parametrize(("argv", "mentions"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_with_one_line_on_stderr(capsys, argv, mentions) -> None:
    status, out, err = cli(capsys, *argv)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    for word in mentions:
        assert word in err, (word, err)


@pytest.mark.parametrize("value", ["abc", "nan"])
def test_non_number_refusal_names_the_range(capsys, value: str) -> None:
    status, _, err = cli(capsys, "run", "--set", f"vegfr1_signalling={value}")
    assert status == 2
    assert VEGFR1_RANGE in err


def test_valid_run_with_fractional_event_day_keeps_stderr_clean(capsys) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        status, out, err = cli(capsys, "run", "--set", "resection_day=3.3")
    assert status == 0 and err == ""
    assert json.loads(out)["parameters"]["resection_day"] == 3.3


# --- the real entry point -----------------------------------------------------------------


def python_m_model(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "model", *argv],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_hypothesis_sets_the_switches_before_set(capsys) -> None:
    status, out, _ = cli(
        capsys, "run", "--scenario", "kaplan2005-llc", "--hypothesis", "dawson",
        "--set", "organ_soil=0.5",
    )  # fmt: skip
    assert status == 0
    data = json.loads(out)
    assert data["parameters"]["vegfr1_dependence"] == 0.0
    assert data["parameters"]["organ_soil"] == 0.5
    assert data["hypothesis"] is None  # a mixed view once a switch is moved
    _, out, _ = cli(capsys, "run", "--hypothesis", "paget")
    assert json.loads(out)["hypothesis"] == "paget"


def test_compare_puts_hypotheses_side_by_side(capsys) -> None:
    argv = ["compare", "--scenario", "kaplan2005-anti-vegfr1"]
    argv += ["--hypothesis", "kaplan-lyden", "--hypothesis", "dawson"]
    status, out, err = cli(capsys, *argv, "--format", "json")
    assert status == 0 and err == ""
    runs = json.loads(out)["hypotheses"]
    assert list(runs) == ["kaplan-lyden", "dawson"]
    lung = {name: run["organs"]["lung"]["burden_final"] for name, run in runs.items()}
    assert lung["dawson"] > 100 * lung["kaplan-lyden"]
    status, text, _ = cli(capsys, *argv)
    assert status == 0
    header = text.splitlines()[1]
    assert "kaplan-lyden" in header and "dawson" in header
    assert any(line.startswith("lung: burden") for line in text.splitlines())


def test_unknown_hypothesis_is_refused_with_the_names(capsys) -> None:
    status, out, err = cli(capsys, "run", "--hypothesis", "lamarck")
    assert status == 2 and out == ""
    assert "unknown hypothesis 'lamarck'" in err and "dawson" in err
    assert len(err.strip().splitlines()) == 1


def test_hypotheses_lists_the_switches(capsys) -> None:
    status, out, _ = cli(capsys, "hypotheses", "--format", "json")
    assert status == 0
    table = {h["name"]: h for h in json.loads(out)}
    assert table["ewing"]["switches"]["blood_flow_arrest"] == 1.0
    assert set(table) == {"kaplan-lyden", "dawson", "paget", "ewing"}


@pytest.mark.slow
def test_entry_point_runs_a_scenario() -> None:
    done = python_m_model("run", "--scenario", "kaplan2005-llc")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    answer = json.loads(done.stdout)
    assert answer["scenario"] == "kaplan2005-llc"
    assert set(answer["organs"]) == set(ORGANS)


@pytest.mark.slow
def test_entry_point_refuses_out_of_range_with_status_2() -> None:
    done = python_m_model("run", "--set", "vegfr1_signalling=25")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "vegfr1_signalling=25" in done.stderr and VEGFR1_RANGE in done.stderr


@pytest.mark.slow
def test_entry_point_reports_usage_errors_in_one_line() -> None:
    done = python_m_model("run", "--bogus")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--bogus" in done.stderr
    assert "Traceback" not in done.stderr
