"""SBML export: a valid L3V2 document that another simulator (libRoadRunner) reproduces.

RoadRunner integrates the exported file with CVODE at rtol 1e-9; its states must agree with our
LSODA solver to 1e-4 relative on every state and grid day above 1e-3 of that state's maximum
(our solver alone is within ~4e-5 of a Radau reference: see test_solve.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import libsbml
import numpy as np
import pytest
import roadrunner

import model.sbml
from model import Parameters, simulate
from model.__main__ import main
from model.equations import ORGAN_BLOCKS, SYSTEMIC_STATES
from model.errors import SimulationError
from model.organs import ORGANS
from model.parameters import PARAMETER_SPECS
from model.sbml import sbml_id, sbml_unit, to_sbml
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


def _units_of(model: libsbml.Model, uid: str) -> libsbml.UnitDefinition | None:
    """The unit definition ``uid`` names: declared in the model, or an SBML base unit."""
    if model.getUnitDefinition(uid) is not None:
        return model.getUnitDefinition(uid)
    if libsbml.UnitKind_isValidUnitKindString(uid, 3, 2):
        return _unit(libsbml.UnitKind_forName(uid))
    return None


def _unit(kind: int, exponent: int = 1, multiplier: float = 1.0) -> libsbml.UnitDefinition:
    ud = libsbml.UnitDefinition(3, 2)
    unit = ud.createUnit()
    unit.initDefaults()
    unit.setKind(kind)
    unit.setExponent(exponent)
    unit.setMultiplier(multiplier)
    return ud


#: What each SBML unit of the export means, in SI base units.
EXPECTED_UNITS = {
    "per_day": _unit(libsbml.UNIT_KIND_SECOND, -1, 86400.0),  # 1/(86400 s)
    "day": _unit(libsbml.UNIT_KIND_SECOND, 1, 86400.0),
    "cell": _unit(libsbml.UNIT_KIND_ITEM),
    "dimensionless": _unit(libsbml.UNIT_KIND_DIMENSIONLESS),
}


def test_every_parameter_unit_string_maps_to_a_declared_sbml_unit() -> None:
    """Derived from the specs: a new unit string fails here until it is mapped."""
    params = Parameters(resection_day=100)  # every parameter present
    model = _document(to_sbml(params)).getModel()
    assert model.getTimeUnits() == "day"
    by_unit = {spec.unit: spec.name for spec in PARAMETER_SPECS}
    for unit, name in by_unit.items():
        uid = sbml_unit(unit, name)
        definition = _units_of(model, uid)
        assert definition is not None, f"{unit!r} -> {uid!r} is neither declared nor a base unit"
        assert libsbml.UnitDefinition.areIdentical(definition, EXPECTED_UNITS[uid]), (unit, uid)
    for spec in PARAMETER_SPECS:
        assert model.getParameter(sbml_id(spec.name)).getUnits() == sbml_unit(spec.unit, spec.name)


def test_every_parameter_state_and_intermediate_has_a_declared_unit() -> None:
    model = _document(to_sbml(SCENARIOS["breast-resection-dormancy"].parameters())).getModel()
    assert model.getCompartment("body").getUnits() == "dimensionless"
    for i in range(model.getNumParameters()):
        p = model.getParameter(i)
        assert p.isSetUnits(), p.getId()
        assert _units_of(model, p.getUnits()) is not None, (p.getId(), p.getUnits())
    units = {c: model.getParameter(_state_sid(c)).getUnits() for c in STATE_COLUMNS}
    assert units["tumor"] == units["ctc"] == units["lung.dormant"] == units["lung.clones"] == "cell"
    assert units["circulating_hpc"] == units["lung.niche"] == "dimensionless"


@pytest.mark.parametrize("name", ["tumor_growth_rate", "resection_day"])  # resection_day: None
def test_an_unknown_unit_string_fails_the_export_with_the_parameter_name(
    monkeypatch, name: str
) -> None:
    specs = tuple(
        dataclasses.replace(s, unit="furlongs/fortnight") if s.name == name else s
        for s in PARAMETER_SPECS
    )
    monkeypatch.setattr(model.sbml, "PARAMETER_SPECS", specs)
    with pytest.raises(SimulationError, match=f"{name}.*furlongs/fortnight"):
        to_sbml(Parameters())


@dataclass(frozen=True)
class Issue:
    """One libSBML consistency message, copied out: an SBMLError proxy dangles (reads freed
    memory) once its document is garbage-collected."""

    error_id: int
    category: int
    severity: int
    message: str

    def __str__(self) -> str:
        return f"{self.error_id}: {self.message}"


def _consistency_log(text: str) -> list[Issue]:
    doc = _document(text)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_GENERAL_CONSISTENCY, True)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_IDENTIFIER_CONSISTENCY, True)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    errors = (doc.getError(i) for i in range(doc.getNumErrors()))
    return [
        Issue(e.getErrorId(), e.getCategory(), e.getSeverity(), e.getMessage().strip())
        for e in errors
    ]


def _unit_issues(log: list[Issue]) -> list[str]:
    return [str(e) for e in log if e.category == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY]


@pytest.mark.parametrize(
    "params",
    [
        Parameters(),
        Parameters(anti_vegfr1_efficacy=0.9, anti_vegfr1_start_day=5, anti_vegfr1_end_day=18),
        SCENARIOS["breast-resection-dormancy"].parameters(),  # with the resection event
    ],
    ids=["defaults", "anti-vegfr1-window", "breast-resection"],
)
def test_export_passes_libsbml_consistency_and_unit_checks(params: Parameters) -> None:
    """No errors at all, and no unit warnings: every literal number carries its unit, so every
    rule is checked completely (undeclared units would show up as warnings 99505/99508)."""
    log = _consistency_log(to_sbml(params))
    assert [str(e) for e in log if e.severity >= libsbml.LIBSBML_SEV_ERROR] == []
    assert _unit_issues(log) == []
    assert [str(e) for e in log] == []


def test_unit_checks_catch_a_wrong_unit(monkeypatch) -> None:
    """The check above is live: CTCs declared dimensionless break their rate rule's units."""
    monkeypatch.setitem(model.sbml._STATE_UNITS, "ctc", "dimensionless")
    issues = _unit_issues(_consistency_log(to_sbml(Parameters())))
    assert issues and any("'ctc'" in issue for issue in issues), issues


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
