"""Export the model as SBML Level 3 Version 2, with a given parameter set and the organ set.

Every state is a non-constant global parameter driven by a rate rule (COPASI and Tellurium read
that as an ODE model); every model parameter is a constant global parameter with its value, unit
and meaning, and so are the blood-flow arrest shares of ``model.organs``; intermediate terms are
assignment rules; the anti-VEGFR1 window is a piecewise function of time and the resection an
event. The formulas mirror ``model.equations.rhs_into`` and ``_organ`` term by term (the
seed-only replay is ``_organ`` with permissiveness 0, written out simplified);
``tests/model/test_sbml.py`` checks the rates against ``rhs`` and simulates the exported file with
libRoadRunner against our solver.

State ids, order and units come from ``model.states`` (``solitary_lung`` for the ``solitary``
block of the lung, like ``tropism_lung`` for ``tropism.lung``).

Units: time is in days (the model's ``timeUnits``). Every parameter, state and intermediate
carries a unit, and so does every literal number in the math (``sbml:units``), so libSBML's unit
checks verify each rule completely. There are no species or reactions, hence no substance or
extent units. libSBML writes numbers with 15 significant digits (e.g. the default
``niche_survival_gain`` 100/3 reads back 1e-15 relative off).
"""

from __future__ import annotations

from dataclasses import dataclass

import libsbml

from model.equations import initial_state
from model.errors import SimulationError
from model.organs import BLOOD_FLOW_ARREST, ORGAN_LABELS, ORGANS
from model.parameters import PARAMETER_SPECS, Parameters
from model.states import ORGAN_STATES, SYSTEMIC_STATES, StateSpec

__all__ = ["SBML_UNITS", "STATE_UNITS", "sbml_id", "sbml_unit", "state_ids", "to_sbml"]

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
#: probabilities, relative weights and mechanism switches are ratios: dimensionless.
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
    "switch": "dimensionless",
}

#: SBML unit of every ``StateSpec.unit`` in ``model.states``. A clone is founded by one cell
#: (each founding adds one clone and one proliferating cell), so clones count in cells: the
#: founding flux then has one unit in both rate rules.
STATE_UNITS: dict[str, str] = {
    "cells": "cell",
    "clones": "cell",
    "dimensionless": "dimensionless",
}

# Literal numbers with their units (L3 formula syntax ``value unit`` writes ``sbml:units``).
_ONE = "1 dimensionless"
_ZERO = "0 dimensionless"
_ONE_CELL = "1 cell"
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


def _state_unit(spec: StateSpec) -> str:
    try:
        return STATE_UNITS[spec.unit]
    except KeyError:
        raise SimulationError(
            f"SBML export: state {spec.name!r} has unit {spec.unit!r}, which has no SBML unit "
            f"(known: {', '.join(sorted(STATE_UNITS))}); add it to model.sbml.STATE_UNITS"
        ) from None


def _sid(name: str, organ: str | None = None) -> str:
    return name if organ is None else f"{name}_{organ}"


def _states() -> list[tuple[str, str]]:
    """(SBML id, SBML unit) of every state in slot order (the layout of ``model.states``)."""
    out = [(_sid(s.name), _state_unit(s)) for s in SYSTEMIC_STATES]
    out += [(_sid(s.name, o), _state_unit(s)) for s in ORGAN_STATES for o in ORGANS]
    return out


def state_ids() -> list[str]:
    """SBML ids of the states in slot order, aligned with ``model.states.STATE_COLUMNS``."""
    return [sid for sid, _ in _states()]


def _pos(sid: str, zero: str = _ZERO) -> str:
    """A state read as in ``rhs``: negative round-off is zero (``max`` keeps it continuous)."""
    return f"max({zero}, {sid})"


def _cells(sid: str) -> str:
    return _pos(sid, _NO_CELLS)


@dataclass(frozen=True)
class _Assignment:
    """An intermediate term: a non-constant parameter of ``unit`` set by an assignment rule."""

    sid: str
    unit: str
    formula: str


#: Rate rules: state id -> formula of its time derivative (the state carries the unit).
_Rates = dict[str, str]


def _systemic_rules() -> tuple[list[_Assignment], _Rates]:
    """(assignment rules, rate rules) for the systemic part, in dependency order."""
    S, M, H = (_pos(s) for s in ("factor", "marrow_hpc", "circulating_hpc"))
    C, T = _cells("ctc"), _cells("tumor")
    one = "dimensionless"
    assignments = [
        _Assignment("f_factor", one, f"{S} / ({_ONE} + {S})"),
        # The anti-VEGFR1 antibody blocks a share of VEGFR1 signalling inside its window.
        _Assignment(
            "eps_vegfr1",
            one,
            "piecewise(anti_vegfr1_efficacy, time >= anti_vegfr1_start_day && "
            f"time <= anti_vegfr1_end_day, {_ZERO})",
        ),
        _Assignment("vegfr1_open", one, f"{_ONE} - eps_vegfr1"),
        _Assignment("mobilisation", one, f"{_ONE} + vegfr1_signalling * vegfr1_open * f_factor"),
        # Niche-building cells: VEGFR1+ HPCs (share vegfr1_dependence) and myeloid cells
        # recruited by the factor without VEGFR1, all homing through VLA-4.
        _Assignment("vla4_open", one, f"{_ONE} - vla4_block_efficacy"),
        _Assignment("hpc_homing", one, f"vegfr1_dependence * vegfr1_open * {H}"),
        _Assignment(
            "myeloid_homing",
            one,
            f"({_ONE} - vegfr1_dependence) * ({_ONE} + myeloid_recruitment * f_factor)",
        ),
        _Assignment("recruits", one, "vla4_open * (hpc_homing + myeloid_homing)"),
        _Assignment("arrest_flux", "cell_per_day", f"ctc_clearance_rate * {C}"),
        # Survival in a full niche: the niche multiplies the odds of survival.
        _Assignment(
            "survival_niche",
            one,
            "niche_survival_gain * dtc_survival_bare / "
            f"({_ONE} - dtc_survival_bare + niche_survival_gain * dtc_survival_bare)",
        ),
        # Arrest shares: declared and blood-flow shares mixed, scaled to sum 1 if above.
        *(
            _Assignment(
                f"arrest_mix_{o}",
                one,
                f"({_ONE} - blood_flow_arrest) * arrest_share_{o} "
                f"+ blood_flow_arrest * flow_arrest_share_{o}",
            )
            for o in ORGANS
        ),
        _Assignment("arrest_total", one, " + ".join(f"arrest_mix_{o}" for o in ORGANS)),
        _Assignment(
            "arrest_scale", one, f"piecewise({_ONE} / arrest_total, arrest_total > {_ONE}, {_ONE})"
        ),
        _Assignment("primed_total", one, " + ".join(_pos(f"fibronectin_{o}") for o in ORGANS)),
    ]
    rates = {
        # Gompertz growth; inside the branch tumor > 0, so it equals max(0, tumor).
        "tumor": "piecewise(tumor_growth_rate * tumor * ln(primary_capacity / tumor), "
        f"tumor > {_NO_CELLS} && primary_capacity > {_NO_CELLS}, {_NO_CELL_FLUX})",
        "factor": f"factor_clearance_rate * ({T} / factor_reference_tumor - {S})",
        "marrow_hpc": f"marrow_replenishment_rate * ({_ONE} - {M}) "
        f"+ mobilisation_rate * ({_ONE} - mobilisation * {M})",
        "circulating_hpc": f"hpc_clearance_rate * (mobilisation * {M} - {H}) "
        f"- hpc_homing_loss * vla4_open * vegfr1_dependence * vegfr1_open * primed_total * {H}",
        "ctc": f"shedding_rate * {T} - arrest_flux",
    }
    return assignments, rates


def _seed_rules(
    o: str, suffix: str, survival: str, phi: str | None
) -> tuple[list[_Assignment], _Rates]:
    """``equations._organ`` for organ ``o`` on the states ``<block><suffix>_<o>``. ``phi=None``
    is bare soil (permissiveness 0, the seed-only replay): the terms that vanish are left out.
    """
    D, P, Q, A = (
        _cells(f"{block}{suffix}_{o}")
        for block in ("solitary", "proliferating", "quiescent", "clones")
    )
    survivors, founding = f"survivors{suffix}_{o}", f"founding{suffix}_{o}"
    capacity, growth = f"capacity{suffix}_{o}", f"growth{suffix}_{o}"
    assignments = [_Assignment(survivors, "cell_per_day", f"arrivals_{o} * {survival}")]
    if phi is None:
        wake_rate, started, lost = "dormancy_exit_rate", f"dormancy_exit_rate * {D}", ""
        rate = "met_growth_rate * bare_growth_share"
    else:
        to_prolif, wake_rate = f"to_prolif{suffix}_{o}", f"wake_rate{suffix}_{o}"
        started, lost = f"{to_prolif} + {wake_rate} * {D}", f" - {to_prolif}"
        rate = f"met_growth_rate * (bare_growth_share + ({_ONE} - bare_growth_share) * {phi})"
        assignments += [
            _Assignment(
                to_prolif, "cell_per_day", f"{survivors} * niche_proliferation_share * {phi}"
            ),
            _Assignment(
                wake_rate, "per_day", f"dormancy_exit_rate * ({_ONE} + niche_wake_factor * {phi})"
            ),
        ]
    assignments += [
        _Assignment(founding, "cell_per_day", f"clone_establishment * ({started})"),
        # Organ capacity times the chance that the organ holds a clone, 1 - exp(-clones)
        # (rhs: -expm1(-clones); SBML has no expm1).
        _Assignment(capacity, "cell", f"organ_capacity * ({_ONE} - exp(-{A} / ({_ONE_CELL})))"),
        # Logistic growth, none without proliferating cells or without capacity.
        _Assignment(
            growth,
            "cell_per_day",
            f"piecewise({rate} * {P} * ({_ONE} - ({P} + {Q}) / {capacity}), "
            f"{P} > {_NO_CELLS} && {capacity} > {_NO_CELLS}, {_NO_CELL_FLUX})",
        ),
    ]
    rates = {
        f"solitary{suffix}_{o}": f"{survivors}{lost} - {wake_rate} * {D} "
        f"- dormant_death_rate * {D}",
        f"proliferating{suffix}_{o}": f"{founding} - dormancy_entry_rate * {P} "
        f"+ {wake_rate} * {Q} + {growth}",
        f"quiescent{suffix}_{o}": f"dormancy_entry_rate * {P} - {wake_rate} * {Q} "
        f"- dormant_death_rate * {Q}",
        f"clones{suffix}_{o}": founding,
    }
    return assignments, rates


def _organ_rules(o: str) -> tuple[list[_Assignment], _Rates]:
    F, N = _pos(f"fibronectin_{o}"), _pos(f"niche_{o}")
    nh = f"pow({N}, niche_hill)"
    assignments = [
        # Permissiveness: the dynamic niche (half-maximal at N = 1) and a fixed organ soil,
        # each weighted by its mechanism switch.
        _Assignment(
            f"phi_{o}",
            "dimensionless",
            f"{_ONE} - ({_ONE} - niche_formation * {nh} / ({_ONE} + {nh})) "
            f"* ({_ONE} - organ_soil * tropism_{o})",
        ),
        _Assignment(
            f"arrivals_{o}", "cell_per_day", f"arrest_mix_{o} * arrest_scale * arrest_flux"
        ),
        _Assignment(
            f"survival_{o}",
            "dimensionless",
            f"dtc_survival_bare + (survival_niche - dtc_survival_bare) * phi_{o}",
        ),
    ]
    rates = {
        f"fibronectin_{o}": f"fibronectin_induction_rate * tropism_{o} * f_factor "
        f"* ({_ONE} - {F}) - fibronectin_decay_rate * {F}",
        f"niche_{o}": f"homing_rate * recruits * {F} - niche_decay_rate * {N}",
    }
    for suffix, survival, phi in (
        ("", f"survival_{o}", f"phi_{o}"),
        ("_seed_only", "dtc_survival_bare", None),  # the same arrivals on bare soil
    ):
        seed_assignments, seed_rates = _seed_rules(o, suffix, survival, phi)
        assignments += seed_assignments
        rates |= seed_rates
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
    if model.getElementBySId(sid) is not None:
        raise SimulationError(f"SBML export: id {sid!r} is used twice")
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
    for organ in ORGANS:  # fixed data of the organ set, mixed in by ``blood_flow_arrest``
        _parameter(
            model,
            f"flow_arrest_share_{organ}",
            BLOOD_FLOW_ARREST[organ],
            constant=True,
            units="dimensionless",
            name=f"Arrest share by blood flow alone: {ORGAN_LABELS[organ]} (fraction)",
        )

    # The primary's capacity drops at resection to K_T times the chance any cell is left
    # (``model.equations.resect``): a parameter that only the resection event changes.
    _parameter(
        model,
        "primary_capacity",
        params["tumor_capacity"],
        constant=False,
        units="cell",
        name="Capacity of the primary: tumor_capacity, after resection times P(a cell is left)",
    )

    states = _states()
    for (sid, units), value in zip(states, initial_state(params), strict=True):
        _parameter(model, sid, value, constant=False, units=units)

    assignments, rates = _systemic_rules()
    for organ in ORGANS:
        organ_assignments, organ_rates = _organ_rules(organ)
        assignments += organ_assignments
        rates |= organ_rates
    for rule in assignments:
        _parameter(model, rule.sid, 0.0, constant=False, units=rule.unit)
        assignment = model.createAssignmentRule()
        _check(assignment.setVariable(rule.sid), rule.sid)
        _check(assignment.setMath(_math(rule.formula)), rule.sid)
    if set(rates) != {sid for sid, _ in states}:
        raise SimulationError("SBML export: the rate rules do not match the states one to one")
    for sid, _ in states:
        rate_rule = model.createRateRule()
        _check(rate_rule.setVariable(sid), sid)
        _check(rate_rule.setMath(_math(rates[sid])), sid)

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
        residue = f"tumor * ({_ONE} - resection_fraction)"
        _check(assignment.setMath(_math(residue)), "resection")
        capacity = event.createEventAssignment()
        capacity.setVariable("primary_capacity")
        _check(
            capacity.setMath(_math(f"tumor_capacity * ({_ONE} - exp(-({residue}) / 1 cell))")),
            "resection capacity",
        )

    if doc.checkInternalConsistency() or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise SimulationError(f"SBML export is inconsistent: {doc.getErrorLog().toString()}")
    return libsbml.writeSBMLToString(doc)
