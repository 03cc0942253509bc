"""Export the model as SBML Level 3 Version 2, with a given parameter set and the organ set.

Every state is a non-constant global parameter driven by a rate rule (COPASI and Tellurium read
that as an ODE model); every model parameter is a constant global parameter with its value, unit
and meaning; intermediate terms are assignment rules; the anti-VEGFR1 window is a piecewise
function of time and the resection an event. Time is in days. The formulas mirror
``model.equations.rhs`` term by term; ``tests/model/test_sbml.py`` simulates the exported file
with libRoadRunner and checks it against our solver.
"""

from __future__ import annotations

import libsbml

from model.equations import ORGAN_BLOCKS, SYSTEMIC_STATES, initial_state
from model.errors import SimulationError
from model.organs import ORGAN_LABELS, ORGANS
from model.parameters import PARAMETER_SPECS, Parameters

__all__ = ["sbml_id", "to_sbml"]

_LEVEL, _VERSION = 3, 2


def sbml_id(name: str) -> str:
    """SBML identifier of a parameter or state name (``tropism.lung`` -> ``tropism_lung``)."""
    return name.replace(".", "_")


def _state_ids() -> list[str]:
    return [*SYSTEMIC_STATES] + [f"{block}_{organ}" for block in ORGAN_BLOCKS for organ in ORGANS]


def _systemic_rules() -> tuple[dict[str, str], dict[str, str]]:
    """(assignment rules, rate rules) for the systemic part, in dependency order."""
    arrest_sum = " + ".join(f"arrest_share_{o}" for o in ORGANS)
    assignments = {
        "f_factor": "factor / (1 + factor)",
        "eps_vegfr1": "piecewise(anti_vegfr1_efficacy, time >= anti_vegfr1_start_day && "
        "time <= anti_vegfr1_end_day, 0)",
        "vegfr1_open": "1 - eps_vegfr1",
        "mobilisation": "1 + vegfr1_signalling * vegfr1_open * f_factor",
        "homing_open": "(1 - vla4_block_efficacy) * vegfr1_open",
        "arrest_flux": "ctc_clearance_rate * ctc",
        "arrest_scale": f"piecewise(1 / ({arrest_sum}), {arrest_sum} > 1, 1)",
        "primed_total": " + ".join(f"fibronectin_{o}" for o in ORGANS),
    }
    rates = {
        "tumor": "piecewise(tumor_growth_rate * tumor * ln(tumor_capacity / tumor), tumor > 0, 0)",
        "factor": "factor_clearance_rate * (tumor / factor_reference_tumor - factor)",
        "marrow_hpc": "marrow_replenishment_rate * (1 - marrow_hpc) "
        "+ mobilisation_rate * (1 - mobilisation * marrow_hpc)",
        "circulating_hpc": "hpc_clearance_rate * (mobilisation * marrow_hpc - circulating_hpc) "
        "- hpc_homing_loss * homing_open * primed_total * circulating_hpc",
        "ctc": "shedding_rate * tumor - arrest_flux",
    }
    return assignments, rates


def _growth(cells: str, rate: str) -> str:
    """Allee-gated logistic growth, zero for an empty organ (as ``equations._growth``).

    Negative round-off is read as zero, as in ``rhs``: the term stays continuous, which
    implicit integrators (CVODE) need.
    """
    c = f"max(0, {cells})"
    return (
        f"piecewise(({rate}) * {c} * ({c} / ({c} + allee_cells)) "
        f"* (1 - {c} / organ_capacity), {cells} > 0, 0)"
    )


def _organ_rules(o: str) -> tuple[dict[str, str], dict[str, str]]:
    nh = f"pow(max(0, niche_{o}), niche_hill)"
    assignments = {
        f"phi_{o}": f"{nh} / (1 + {nh})",
        f"arrivals_{o}": f"arrest_share_{o} * arrest_scale * arrest_flux",
        f"survivors_{o}": f"arrivals_{o} * (dtc_survival_bare "
        f"+ (dtc_survival_niche - dtc_survival_bare) * phi_{o})",
        f"to_prolif_{o}": f"survivors_{o} * niche_proliferation_share * phi_{o}",
        f"wake_{o}": f"dormancy_exit_rate * (1 + niche_wake_factor * phi_{o}) * dormant_{o}",
        f"founded_{o}": f"clone_establishment * (to_prolif_{o} + wake_{o})",
    }
    grow = _growth(
        f"proliferating_{o}", f"met_growth_rate * (bare_growth_share + (1 - bare_growth_share) "
        f"* phi_{o})"
    )  # fmt: skip
    grow0 = _growth(f"proliferating_seed_only_{o}", "met_growth_rate * bare_growth_share")
    rates = {
        f"fibronectin_{o}": f"fibronectin_induction_rate * tropism_{o} * f_factor "
        f"* (1 - fibronectin_{o}) - fibronectin_decay_rate * fibronectin_{o}",
        f"niche_{o}": f"homing_rate * homing_open * fibronectin_{o} * circulating_hpc "
        f"- niche_decay_rate * niche_{o}",
        f"dormant_{o}": f"survivors_{o} - to_prolif_{o} + dormancy_entry_rate * proliferating_{o} "
        f"- wake_{o} - dormant_death_rate * dormant_{o}",
        f"proliferating_{o}": f"founded_{o} - dormancy_entry_rate * proliferating_{o} + {grow}",
        f"clones_{o}": f"founded_{o}",
        f"dormant_seed_only_{o}": f"arrivals_{o} * dtc_survival_bare "
        f"+ dormancy_entry_rate * proliferating_seed_only_{o} "
        f"- (dormancy_exit_rate + dormant_death_rate) * dormant_seed_only_{o}",
        f"proliferating_seed_only_{o}": f"clone_establishment * dormancy_exit_rate "
        f"* dormant_seed_only_{o} - dormancy_entry_rate * proliferating_seed_only_{o} + {grow0}",
    }
    return assignments, rates


def _check(status: int, what: str) -> None:
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SimulationError(
            f"SBML export: {what}: {libsbml.OperationReturnValue_toString(status)}"
        )


def _math(formula: str) -> libsbml.ASTNode:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise SimulationError(
            f"SBML export: cannot parse {formula!r}: {libsbml.getLastParseL3Error()}"
        )
    return ast


def _parameter(model: libsbml.Model, sid: str, value: float, *, constant: bool, name: str = ""):
    p = model.createParameter()
    _check(p.setId(sid), sid)
    _check(p.setValue(float(value)), sid)
    _check(p.setConstant(constant), sid)
    if name:
        p.setName(name)
    return p


def to_sbml(params: Parameters | None = None) -> str:
    """The model with ``params`` (default: the defaults) as an SBML L3V2 document string."""
    params = Parameters() if params is None else params
    doc = libsbml.SBMLDocument(_LEVEL, _VERSION)
    model = doc.createModel()
    model.setId("seed_and_soil")
    model.setName(
        "Seed & Soil: pre-metastatic niche compartment model (time in days; organs: "
        + ", ".join(ORGAN_LABELS[o] for o in ORGANS)
        + ")"
    )
    compartment = model.createCompartment()
    compartment.setId("body")
    compartment.setConstant(True)
    compartment.setSize(1.0)

    for spec in PARAMETER_SPECS:
        value = params[spec.name]
        if value is None:  # an event that never happens: no parameter, no event
            continue
        _parameter(
            model, sbml_id(spec.name), value, constant=True, name=f"{spec.title} ({spec.unit})"
        )

    y0 = initial_state(params)
    for sid, value in zip(_state_ids(), y0, strict=True):
        _parameter(model, sid, value, constant=False)

    assignments, rates = _systemic_rules()
    for organ in ORGANS:
        organ_assign, organ_rates = _organ_rules(organ)
        assignments |= organ_assign
        rates |= organ_rates
    for sid, formula in assignments.items():
        _parameter(model, sid, 0.0, constant=False)
        rule = model.createAssignmentRule()
        _check(rule.setVariable(sid), sid)
        _check(rule.setMath(_math(formula)), sid)
    for sid in _state_ids():
        rule = model.createRateRule()
        _check(rule.setVariable(sid), sid)
        _check(rule.setMath(_math(rates[sid])), sid)

    if params["resection_day"] is not None:
        event = model.createEvent()
        event.setId("resection")
        event.setUseValuesFromTriggerTime(True)
        trigger = event.createTrigger()
        trigger.setInitialValue(False)
        trigger.setPersistent(True)
        _check(trigger.setMath(_math("time >= resection_day")), "resection trigger")
        assignment = event.createEventAssignment()
        assignment.setVariable("tumor")
        _check(assignment.setMath(_math("tumor * (1 - resection_fraction)")), "resection")

    if doc.checkInternalConsistency() or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise SimulationError(f"SBML export is inconsistent: {doc.getErrorLog().toString()}")
    return libsbml.writeSBMLToString(doc)
