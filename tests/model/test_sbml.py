"""SBML export: a valid L3V2 document that another simulator (libRoadRunner) reproduces.

Two checks of the translation: the exported rate rules, evaluated by RoadRunner at arbitrary
states, equal ``rhs`` to round-off (term by term, including the ``max(0, x)`` reads and the
zero-growth guard); and RoadRunner integrating the exported file with CVODE at rtol 1e-9 agrees
with our LSODA solver (``model.solve.integrate``) to 1e-4 relative on every state and grid day
above 1e-3 of that state's maximum (our solver alone is within ~4e-5 of a Radau reference: see
test_solve.py). Each RoadRunner model takes about a second to compile, so each case compiles
once per test worker and both checks use it.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import libsbml
import numpy as np
import pytest
import roadrunner

import model.sbml
from model import Parameters
from model.__main__ import main
from model.equations import pack, rhs, set_therapy
from model.errors import SimulationError
from model.hypotheses import HYPOTHESES
from model.organs import BLOOD_FLOW_ARREST, ORGANS
from model.parameters import PARAMETER_SPECS
from model.sbml import STATE_UNITS, sbml_id, sbml_unit, state_ids, to_sbml
from model.scenarios import SCENARIOS
from model.solve import integrate
from model.states import N_STATES, ORGAN_STATES, STATE_COLUMNS, SYSTEMIC_STATES

LLC = SCENARIOS["kaplan2005-llc"].parameters()
BREAST = SCENARIOS["breast-resection-dormancy"].parameters()
#: A therapy window that opens and closes inside a 30-day run (piecewise in time).
WINDOW = Parameters(anti_vegfr1_efficacy=0.9, anti_vegfr1_start_day=5, anti_vegfr1_end_day=18)
#: Every mechanism switch between 0 and 1, both therapies, and arrest shares that mix to more
#: than 1 in sum (so the rescaling piecewise is in effect).
MIXED = Parameters(
    {f"arrest_share.{o}": 0.3 for o in ORGANS},
    niche_formation=0.8,
    vegfr1_dependence=0.3,
    organ_soil=0.6,
    blood_flow_arrest=0.5,
    anti_vegfr1_efficacy=0.7,
    anti_vegfr1_start_day=3,
    anti_vegfr1_end_day=12,
    vla4_block_efficacy=0.4,
)

#: (id, parameters, days): every case is exported, checked by libSBML and run by RoadRunner.
CASES = [
    ("llc", LLC, 30.0),
    ("anti-vegfr1-window", WINDOW, 30.0),
    ("breast-resection", BREAST, 8400.0),  # resection event, 23 years, late outgrowth
    *((f"hypothesis-{name}", h.apply(LLC), 30.0) for name, h in HYPOTHESES.items()),
    ("mixed-switches", MIXED, 30.0),
]
CASE_PARAMS = [pytest.param(p, id=name) for name, p, _ in CASES]
CASE_RUNS = [pytest.param(p, days, id=name) for name, p, days in CASES]


def test_cases_cover_every_hypothesis_and_blood_flow_arrest() -> None:
    assert {f"hypothesis-{name}" for name in HYPOTHESES} <= {name for name, _, _ in CASES}
    assert any(p["blood_flow_arrest"] == 1.0 for _, p, _ in CASES)  # Ewing
    assert any(0.0 < p["blood_flow_arrest"] < 1.0 for _, p, _ in CASES)
    flow = MIXED["blood_flow_arrest"]
    mixed = (1 - flow) * sum(MIXED.organ_values("arrest_share")) + flow * sum(
        BLOOD_FLOW_ARREST.values()
    )
    assert mixed > 1.0  # the arrest shares of MIXED are rescaled


def _state_sid(column: str) -> str:
    """``lung.solitary`` -> ``solitary_lung`` (like ``tropism.lung`` -> ``tropism_lung``)."""
    organ, dot, block = column.partition(".")
    return f"{block}_{organ}" if dot else column


def _document(text: str) -> libsbml.SBMLDocument:
    doc = libsbml.readSBMLFromString(text)
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0, doc.getErrorLog().toString()
    return doc


def test_state_ids_follow_the_state_layout() -> None:
    ids = state_ids()
    assert len(ids) == len(set(ids)) == N_STATES
    assert ids == [_state_sid(c) for c in STATE_COLUMNS]
    assert ids[:2] == ["tumor", "factor"] and "clones_seed_only_lung" in ids


def test_export_is_a_consistent_level3_document_with_every_parameter_and_state() -> None:
    doc = _document(to_sbml(Parameters()))
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    model = doc.getModel()
    rate_rules = [model.getRule(i).getVariable() for i in range(model.getNumRules())
                  if model.getRule(i).isRate()]  # fmt: skip
    assert rate_rules == state_ids()
    # libSBML writes 15 significant digits (the default niche_survival_gain is 100/3).
    for name, value in Parameters().items():
        if value is None:
            assert model.getParameter(sbml_id(name)) is None
        else:
            assert model.getParameter(sbml_id(name)).getValue() == pytest.approx(value, rel=1e-14)
    for organ, share in BLOOD_FLOW_ARREST.items():
        assert model.getParameter(f"flow_arrest_share_{organ}").getValue() == share
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
    assert "switch" in by_unit
    for unit, name in by_unit.items():
        uid = sbml_unit(unit, name)
        definition = _units_of(model, uid)
        assert definition is not None, f"{unit!r} -> {uid!r} is neither declared nor a base unit"
        assert libsbml.UnitDefinition.areIdentical(definition, EXPECTED_UNITS[uid]), (unit, uid)
    for spec in PARAMETER_SPECS:
        assert model.getParameter(sbml_id(spec.name)).getUnits() == sbml_unit(spec.unit, spec.name)


def test_every_parameter_state_and_intermediate_has_a_declared_unit() -> None:
    model = _document(to_sbml(BREAST)).getModel()
    assert model.getCompartment("body").getUnits() == "dimensionless"
    for i in range(model.getNumParameters()):
        p = model.getParameter(i)
        assert p.isSetUnits(), p.getId()
        assert _units_of(model, p.getUnits()) is not None, (p.getId(), p.getUnits())
    units = {c: model.getParameter(_state_sid(c)).getUnits() for c in STATE_COLUMNS}
    specs = [*SYSTEMIC_STATES, *(s for s in ORGAN_STATES for _ in ORGANS)]
    assert [units[c] for c in STATE_COLUMNS] == [STATE_UNITS[s.unit] for s in specs]
    assert units["tumor"] == units["ctc"] == units["lung.solitary"] == "cell"
    assert units["lung.clones"] == units["lung.clones_seed_only"] == "cell"
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


def test_an_unknown_state_unit_fails_the_export_with_the_state_name(monkeypatch) -> None:
    specs = tuple(
        dataclasses.replace(s, unit="furlongs") if s.name == "clones" else s for s in ORGAN_STATES
    )
    monkeypatch.setattr(model.sbml, "ORGAN_STATES", specs)
    with pytest.raises(SimulationError, match="'clones'.*furlongs"):
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


@pytest.mark.parametrize("params", CASE_PARAMS)
def test_export_passes_libsbml_consistency_and_unit_checks(params: Parameters) -> None:
    """No errors at all, and no unit warnings: every literal number carries its unit, so every
    rule is checked completely (undeclared units would show up as warnings 99505/99508)."""
    log = _consistency_log(to_sbml(params))
    assert [str(e) for e in log if e.severity >= libsbml.LIBSBML_SEV_ERROR] == []
    assert _unit_issues(log) == []
    assert [str(e) for e in log] == []


def test_unit_checks_catch_a_wrong_unit(monkeypatch) -> None:
    """The check above is live: CTCs declared dimensionless break their rate rule's units."""
    specs = tuple(
        dataclasses.replace(s, unit="dimensionless") if s.name == "ctc" else s
        for s in SYSTEMIC_STATES
    )
    monkeypatch.setattr(model.sbml, "SYSTEMIC_STATES", specs)
    issues = _unit_issues(_consistency_log(to_sbml(Parameters())))
    assert issues and any("'ctc'" in issue for issue in issues), issues


@functools.lru_cache(maxsize=len(CASES))
def _compiled(params: Parameters) -> roadrunner.RoadRunner:
    rr = roadrunner.RoadRunner(to_sbml(params))
    rr.integrator.relative_tolerance = 1e-9
    rr.integrator.absolute_tolerance = 1e-11
    rr.integrator.maximum_num_steps = 200_000
    return rr


def _roadrunner(params: Parameters) -> roadrunner.RoadRunner:
    """The exported model of ``params`` in RoadRunner, at time 0 with its initial values (one
    compile per case and test worker: the rate and trajectory checks share it)."""
    rr = _compiled(params)
    rr.resetAll()
    return rr


def _random_states(rng: np.random.Generator) -> np.ndarray:
    """States over six decades, some exactly zero and some slightly negative (round-off that
    ``rhs`` reads as zero): every branch of every rule is taken somewhere."""
    y = 10.0 ** rng.uniform(-3.0, 3.0, N_STATES)
    y[rng.random(N_STATES) < 0.1] = 0.0
    negative = rng.random(N_STATES) < 0.1
    y[negative] = -1e-6 * y[negative]
    return y


@pytest.mark.slow
@pytest.mark.parametrize("params", CASE_PARAMS)
def test_exported_rates_equal_rhs_term_by_term(params: Parameters) -> None:
    """RoadRunner's rates of the exported rules at arbitrary states and times (inside and
    outside the therapy window) are ``rhs``'s to round-off."""
    rr = _roadrunner(params)
    ids = state_ids()
    c = pack(params)
    rng = np.random.default_rng(20240611)
    t_on, t_off = params["anti_vegfr1_start_day"], params["anti_vegfr1_end_day"]
    for t in (0.0, 0.5 * (t_on + min(t_off, 1e3)), t_off + 1.0):
        anti_vegfr1 = params["anti_vegfr1_efficacy"] if t_on <= t <= t_off else 0.0
        coeffs = set_therapy(c, anti_vegfr1=anti_vegfr1, vla4=params["vla4_block_efficacy"])
        for _ in range(3):
            y = _random_states(rng)
            rr.model.setTime(t)
            for sid, value in zip(ids, y, strict=True):
                rr[sid] = value
            named = rr.getRatesOfChangeNamedArray()
            rates = dict(zip(named.colnames, named[0], strict=True))
            theirs = np.array([rates[f"{sid}'"] for sid in ids])
            np.testing.assert_allclose(theirs, rhs(t, y, coeffs), rtol=1e-10, atol=0.0)


@pytest.mark.parametrize("params, days", CASE_RUNS)
def test_roadrunner_reproduces_our_solver(params: Parameters, days: float) -> None:
    t, mine = integrate(params, days)
    rr = _roadrunner(params)
    rr.timeCourseSelections = ["time", *state_ids()]
    result = np.asarray(rr.simulate(times=list(t)))
    np.testing.assert_allclose(result[:, 0], t)
    theirs = result[:, 1:]
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
