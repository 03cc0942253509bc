"""Export the model as SBML Level 3 Version 2, with a given parameter set and the organ set.

Every state is a non-constant global parameter driven by a rate rule (COPASI and Tellurium read
that as an ODE model); every model parameter is a constant global parameter with its value, unit
and meaning; intermediate terms are assignment rules; the anti-VEGFR1 window is a piecewise
function of time and the resection an event. The formulas mirror ``model.equations.rhs`` term by
term; ``tests/model/test_sbml.py`` simulates the exported file with libRoadRunner and checks it
against our solver.

Units: time is in days (the model's ``timeUnits``). Every parameter, state and intermediate
carries a unit, and so does every literal number in the math (``sbml:units``), so libSBML's unit
checks verify each rule completely. There are no species or reactions, hence no substance or
extent units.
"""

from __future__ import annotations

import libsbml

from model.equations import ORGAN_BLOCKS, SYSTEMIC_STATES, initial_state
from model.errors import SimulationError
from model.organs import ORGAN_LABELS, ORGANS
from model.parameters import PARAMETER_SPECS, Parameters

__all__ = ["SBML_UNITS", "sbml_id", "sbml_unit", "to_sbml"]

_LEVEL, _VERSION = 3, 2

#: Unit definitions of the export: id -> [(kind, exponent, multiplier)]; SBML reads a unit as
#: (multiplier * kind) ** exponent. Cells are counted entities, so ``cell`` is SBML's ``item``
#: (not dimensionless): the unit checks then keep cell counts apart from fractions and fold
#: changes, and a sum of cells and a fraction would be reported. Expected counts below one cell
#: are population averages, still counts.
_UNIT_DEFINITIONS: dict[str, list[tuple[int, int, float]]] = {
    "day": [(libsbml.UNIT_KIND_SECOND, 1, 86400.0)],
    "per_day": [(libsbml.UNIT_KIND_SECOND, -1, 86400.0)],
    "cell": [(libsbml.UNIT_KIND_ITEM, 1, 1.0)],
    "cell_per_day": [(libsbml.UNIT_KIND_ITEM, 1, 1.0), (libsbml.UNIT_KIND_SECOND, -1, 86400.0)],
}

#: SBML unit of every unit string used in ``PARAMETER_SPECS``. Fold changes, fractions,
#: probabilities and relative weights are ratios: dimensionless.
SBML_UNITS: dict[str, str] = {
    "1/day": "per_day",
    "cells": "cell",
    "day": "day",
    "dimensionless": "dimensionless",
    "fold": "dimensionless",
    "fold of basal": "dimensionless",
    "fraction": "dimensionless",
    "probability": "dimensionless",
    "relative": "dimensionless",
}

#: Units of the states (see ``model.equations``): tumor, CTCs, dormant and proliferating cells
#: are cells; a clone is founded by one cell, so clones count in cells too. The tumor factor and
#: niche clusters are in units of their half-effect level, HPC pools are fold of healthy,
#: fibronectin the primed fraction: dimensionless.
_STATE_UNITS: dict[str, str] = {
    "tumor": "cell",
    "factor": "dimensionless",
    "marrow_hpc": "dimensionless",
    "circulating_hpc": "dimensionless",
    "ctc": "cell",
    "fibronectin": "dimensionless",
    "niche": "dimensionless",
    "dormant": "cell",
    "proliferating": "cell",
    "clones": "cell",
    "dormant_seed_only": "cell",
    "proliferating_seed_only": "cell",
}

#: Units of the assignment-rule intermediates (per-organ ones by their prefix): cell fluxes are
#: cells per day, everything else is a dimensionless factor.
_INTERMEDIATE_UNITS: dict[str, str] = {
    "f_factor": "dimensionless",
    "eps_vegfr1": "dimensionless",
    "vegfr1_open": "dimensionless",
    "mobilisation": "dimensionless",
    "homing_open": "dimensionless",
    "arrest_flux": "cell_per_day",
    "arrest_scale": "dimensionless",
    "primed_total": "dimensionless",
    "phi": "dimensionless",
    "arrivals": "cell_per_day",
    "survivors": "cell_per_day",
    "to_prolif": "cell_per_day",
    "wake": "cell_per_day",
    "founded": "cell_per_day",
}

# Literal numbers with their units (L3 formula syntax ``value unit`` writes ``sbml:units``).
_ONE = "1 dimensionless"
_ZERO = "0 dimensionless"
_NO_CELLS = "0 cell"
_NO_CELL_FLUX = "0 cell_per_day"


def sbml_id(name: str) -> str:
    """SBML identifier of a parameter or state name (``tropism.lung`` -> ``tropism_lung``)."""
    return name.replace(".", "_")


def sbml_unit(unit: str, name: str) -> str:
    """SBML unit id of the unit string of parameter ``name``; an unknown unit raises."""
    try:
        return SBML_UNITS[unit]
    except KeyError:
        raise SimulationError(
            f"SBML export: parameter {name!r} has unit {unit!r}, which has no SBML unit "
            f"(known: {', '.join(sorted(SBML_UNITS))}); add it to model.sbml.SBML_UNITS"
        ) from None


def _state_units() -> dict[str, str]:
    units = {state: _STATE_UNITS[state] for state in SYSTEMIC_STATES}
    for block in ORGAN_BLOCKS:
        units |= {f"{block}_{organ}": _STATE_UNITS[block] for organ in ORGANS}
    return units


def _intermediate_unit(sid: str) -> str:
    prefix = next((sid[: -len(o) - 1] for o in ORGANS if sid.endswith(f"_{o}")), sid)
    return _INTERMEDIATE_UNITS.get(sid) or _INTERMEDIATE_UNITS[prefix]


def _state_ids() -> list[str]:
    return [*SYSTEMIC_STATES] + [f"{block}_{organ}" for block in ORGAN_BLOCKS for organ in ORGANS]


def _systemic_rules() -> tuple[dict[str, str], dict[str, str]]:
    """(assignment rules, rate rules) for the systemic part, in dependency order."""
    arrest_sum = " + ".join(f"arrest_share_{o}" for o in ORGANS)
    assignments = {
        "f_factor": f"factor / ({_ONE} + factor)",
        "eps_vegfr1": "piecewise(anti_vegfr1_efficacy, time >= anti_vegfr1_start_day && "
        f"time <= anti_vegfr1_end_day, {_ZERO})",
        "vegfr1_open": f"{_ONE} - eps_vegfr1",
        "mobilisation": f"{_ONE} + vegfr1_signalling * vegfr1_open * f_factor",
        "homing_open": f"({_ONE} - vla4_block_efficacy) * vegfr1_open",
        "arrest_flux": "ctc_clearance_rate * ctc",
        "arrest_scale": f"piecewise({_ONE} / ({arrest_sum}), {arrest_sum} > {_ONE}, {_ONE})",
        "primed_total": " + ".join(f"fibronectin_{o}" for o in ORGANS),
    }
    rates = {
        "tumor": "piecewise(tumor_growth_rate * tumor * ln(tumor_capacity / tumor), "
        f"tumor > {_NO_CELLS}, {_NO_CELL_FLUX})",
        "factor": "factor_clearance_rate * (tumor / factor_reference_tumor - factor)",
        "marrow_hpc": f"marrow_replenishment_rate * ({_ONE} - marrow_hpc) "
        f"+ mobilisation_rate * ({_ONE} - mobilisation * marrow_hpc)",
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
    c = f"max({_NO_CELLS}, {cells})"
    return (
        f"piecewise(({rate}) * {c} * ({c} / ({c} + allee_cells)) "
        f"* ({_ONE} - {c} / organ_capacity), {cells} > {_NO_CELLS}, {_NO_CELL_FLUX})"
    )


def _organ_rules(o: str) -> tuple[dict[str, str], dict[str, str]]:
    nh = f"pow(max({_ZERO}, niche_{o}), niche_hill)"
    assignments = {
        f"phi_{o}": f"{nh} / ({_ONE} + {nh})",
        f"arrivals_{o}": f"arrest_share_{o} * arrest_scale * arrest_flux",
        f"survivors_{o}": f"arrivals_{o} * (dtc_survival_bare "
        f"+ (dtc_survival_niche - dtc_survival_bare) * phi_{o})",
        f"to_prolif_{o}": f"survivors_{o} * niche_proliferation_share * phi_{o}",
        f"wake_{o}": f"dormancy_exit_rate * ({_ONE} + niche_wake_factor * phi_{o}) * dormant_{o}",
        f"founded_{o}": f"clone_establishment * (to_prolif_{o} + wake_{o})",
    }
    grow = _growth(
        f"proliferating_{o}",
        f"met_growth_rate * (bare_growth_share + ({_ONE} - bare_growth_share) * phi_{o})",
    )
    grow0 = _growth(f"proliferating_seed_only_{o}", "met_growth_rate * bare_growth_share")
    rates = {
        f"fibronectin_{o}": f"fibronectin_induction_rate * tropism_{o} * f_factor "
        f"* ({_ONE} - fibronectin_{o}) - fibronectin_decay_rate * fibronectin_{o}",
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


def _parameter(
    model: libsbml.Model, sid: str, value: float, *, constant: bool, units: str, name: str = ""
):
    p = model.createParameter()
    _check(p.setId(sid), sid)
    _check(p.setValue(float(value)), sid)
    _check(p.setConstant(constant), sid)
    _check(p.setUnits(units), f"{sid} units")
    if name:
        p.setName(name)
    return p


def _unit_definitions(model: libsbml.Model) -> None:
    for uid, units in _UNIT_DEFINITIONS.items():
        definition = model.createUnitDefinition()
        _check(definition.setId(uid), uid)
        for kind, exponent, multiplier in units:
            unit = definition.createUnit()
            _check(unit.setKind(kind), uid)
            _check(unit.setExponent(exponent), uid)
            _check(unit.setScale(0), uid)
            _check(unit.setMultiplier(multiplier), uid)


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
    _unit_definitions(model)
    _check(model.setTimeUnits("day"), "timeUnits")
    # A notional container: it holds no species, so its size has no physical unit.
    compartment = model.createCompartment()
    compartment.setId("body")
    compartment.setConstant(True)
    compartment.setSize(1.0)
    _check(compartment.setUnits("dimensionless"), "body units")

    for spec in PARAMETER_SPECS:
        units = sbml_unit(spec.unit, spec.name)  # every unit checked, even an unused one
        value = params[spec.name]
        if value is None:  # an event that never happens: no parameter, no event
            continue
        _parameter(
            model,
            sbml_id(spec.name),
            value,
            constant=True,
            units=units,
            name=f"{spec.title} ({spec.unit})",
        )

    y0 = initial_state(params)
    state_units = _state_units()
    for sid, value in zip(_state_ids(), y0, strict=True):
        _parameter(model, sid, value, constant=False, units=state_units[sid])

    assignments, rates = _systemic_rules()
    for organ in ORGANS:
        organ_assign, organ_rates = _organ_rules(organ)
        assignments |= organ_assign
        rates |= organ_rates
    for sid, formula in assignments.items():
        _parameter(model, sid, 0.0, constant=False, units=_intermediate_unit(sid))
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
        _check(assignment.setMath(_math(f"tumor * ({_ONE} - resection_fraction)")), "resection")

    if doc.checkInternalConsistency() or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise SimulationError(f"SBML export is inconsistent: {doc.getErrorLog().toString()}")
    return libsbml.writeSBMLToString(doc)
