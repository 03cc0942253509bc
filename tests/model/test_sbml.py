"""SBML export: a valid L3V2 document that another simulator (libRoadRunner) reproduces.

RoadRunner integrates the exported file with CVODE at rtol 1e-9; its states must agree with our
LSODA solver to 1e-4 relative on every state and grid day above 1e-3 of that state's maximum
(our solver alone is within ~4e-5 of a Radau reference: see test_solve.py).
"""

from __future__ import annotations

import libsbml
import numpy as np
import pytest
import roadrunner

from model import Parameters, simulate
from model.__main__ import main
from model.equations import ORGAN_BLOCKS, SYSTEMIC_STATES
from model.organs import ORGANS
from model.sbml import sbml_id, to_sbml
from model.scenarios import SCENARIOS

STATE_COLUMNS = [*SYSTEMIC_STATES] + [f"{o}.{b}" for b in ORGAN_BLOCKS for o in ORGANS]


def _state_sid(column: str) -> str:
    organ, _, block = column.rpartition(".")
    return f"{block}_{organ}" if organ else block


def _document(text: str) -> libsbml.SBMLDocument:
    doc = libsbml.readSBMLFromString(text)
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0, doc.getErrorLog().toString()
    return doc


def test_export_is_a_consistent_level3_document_with_every_parameter_and_state() -> None:
    doc = _document(to_sbml(Parameters()))
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    assert doc.checkConsistency() == 0 or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    model = doc.getModel()
    rate_rules = {model.getRule(i).getVariable() for i in range(model.getNumRules())
                  if model.getRule(i).isRate()}  # fmt: skip
    assert rate_rules == {_state_sid(c) for c in STATE_COLUMNS}
    defaults = Parameters()
    for name, value in defaults.items():
        if value is None:
            assert model.getParameter(sbml_id(name)) is None
        else:
            assert model.getParameter(sbml_id(name)).getValue() == value
    assert model.getNumEvents() == 0  # no resection by default


def test_changed_parameters_and_resection_are_exported() -> None:
    params = Parameters({"tropism.liver": 0.7}, resection_day=12.5, resection_fraction=0.9)
    model = _document(to_sbml(params)).getModel()
    assert model.getParameter("tropism_liver").getValue() == 0.7
    assert model.getNumEvents() == 1
    event = model.getEvent(0)
    assert libsbml.formulaToL3String(event.getTrigger().getMath()) == "time >= resection_day"
    assert model.getParameter("resection_day").getValue() == 12.5


def _roadrunner_states(params: Parameters, times: np.ndarray) -> np.ndarray:
    rr = roadrunner.RoadRunner(to_sbml(params))
    rr.integrator.relative_tolerance = 1e-9
    rr.integrator.absolute_tolerance = 1e-11
    rr.integrator.maximum_num_steps = 200_000
    rr.timeCourseSelections = ["time"] + [_state_sid(c) for c in STATE_COLUMNS]
    result = np.asarray(rr.simulate(times=list(times)))
    np.testing.assert_allclose(result[:, 0], times)
    return result[:, 1:]


@pytest.mark.parametrize(
    "params, days",
    [
        (SCENARIOS["kaplan2005-llc"].parameters(), 30.0),
        # A therapy window that opens and closes inside the run (piecewise in time).
        (
            Parameters(anti_vegfr1_efficacy=0.9, anti_vegfr1_start_day=5, anti_vegfr1_end_day=18),
            30.0,
        ),
        # Resection event, 23 years, dormancy and late outgrowth.
        (SCENARIOS["breast-resection-dormancy"].parameters(), 8400.0),
    ],
    ids=["llc", "anti-vegfr1-window", "breast-resection"],
)
def test_roadrunner_reproduces_our_solver(params: Parameters, days: float) -> None:
    ours = simulate(params, days).frame
    theirs = _roadrunner_states(params, ours["day"].to_numpy())
    mine = ours[STATE_COLUMNS].to_numpy()
    floor = np.maximum(1e-3 * np.abs(mine).max(axis=0), 1e-9)
    significant = np.abs(mine) > floor
    rel = np.abs(theirs - mine)[significant] / np.abs(mine)[significant]
    assert rel.max() < 1e-4, f"max relative difference {rel.max():.3g}"


def test_cli_writes_the_scenario_as_sbml(tmp_path, capsys) -> None:
    out = tmp_path / "breast.xml"
    assert (
        main(["export-sbml", "--scenario", "breast-resection-dormancy", "--output", str(out)]) == 0
    )
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    model = _document(out.read_text()).getModel()
    assert model.getParameter("resection_day").getValue() == 1034.0


def test_cli_export_refuses_bad_input(capsys) -> None:
    assert main(["export-sbml", "--set", "vegfr1_signalling=99"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "vegfr1_signalling=99" in captured.err
