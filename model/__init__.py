"""Seed & Soil model: a compartment ODE model of the pre-metastatic niche. No UI imports here.

Public API::

    from model import Parameters, simulate, simulate_batch, SCENARIOS, PARAMETER_SPECS

``__version__`` is the model's version (equations, defaults, readouts), not the software's: "2.0"
is model v2 of docs/model.md (no Allee gate). Exports carry it so a number can be traced to the
model that made it; raise it whenever a change moves results.
"""

__version__ = "2.0"

from model.batch import simulate_batch
from model.errors import InvalidInput, InvalidParameter, SimulationError
from model.hypotheses import HYPOTHESES, Hypothesis, hypothesis_of
from model.organs import ORGAN_LABELS, ORGANS
from model.parameters import GROUPS, PARAMETER_SPECS, Parameters, ParameterSpec, spec_for
from model.readouts import OrganReadout, Readouts
from model.result import SimulationResult
from model.scenarios import SCENARIOS, Scenario
from model.solve import simulate

__all__ = [
    "__version__",
    "GROUPS",
    "HYPOTHESES",
    "ORGANS",
    "ORGAN_LABELS",
    "PARAMETER_SPECS",
    "SCENARIOS",
    "Hypothesis",
    "InvalidInput",
    "InvalidParameter",
    "OrganReadout",
    "ParameterSpec",
    "Parameters",
    "Readouts",
    "Scenario",
    "SimulationError",
    "SimulationResult",
    "hypothesis_of",
    "simulate",
    "simulate_batch",
    "spec_for",
]
