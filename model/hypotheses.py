"""Competing hypotheses of organ choice as named sets of mechanism switches.

Each hypothesis is a value for every switch parameter (group "Mechanisms (hypothesis)" in
``model.parameters``); the switches are ordinary parameters, so a hypothesis travels through
links, caches, sweeps and exports like any other setting, and values between 0 and 1 describe
mixed views (e.g. a niche that depends partly on VEGFR1, model_spec's χ ≈ 0.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from model.errors import lookup
from model.parameters import Parameters

__all__ = ["HYPOTHESES", "SWITCHES", "Hypothesis", "get_hypothesis", "hypothesis_of"]

#: The switch parameters, in the order the table in docs/model.md lists them.
SWITCHES: tuple[str, ...] = (
    "niche_formation",
    "vegfr1_dependence",
    "organ_soil",
    "blood_flow_arrest",
)


@dataclass(frozen=True)
class Hypothesis:
    name: str
    short: str  # for legends and table brackets
    title: str
    claim: str  # what the hypothesis says, in one sentence
    source: str
    switches: Mapping[str, float]

    def apply(self, params: Parameters) -> Parameters:
        """``params`` with this hypothesis's switches (every other value kept)."""
        return params.replace(self.switches)


def _switches(niche: float, vegfr1: float, soil: float, flow: float) -> Mapping[str, float]:
    return MappingProxyType(dict(zip(SWITCHES, (niche, vegfr1, soil, flow), strict=True)))


HYPOTHESES: Mapping[str, Hypothesis] = MappingProxyType(
    {
        h.name: h
        for h in (
            Hypothesis(
                name="kaplan-lyden",
                short="Kaplan-Lyden",
                title="Kaplan-Lyden: VEGFR1+ pre-metastatic niche",
                claim="Tumor factors mobilise VEGFR1+ marrow cells that build niches in primed "
                "organs before tumor cells arrive; cells survive and grow where a niche exists.",
                source="Kaplan et al., Nature 2005; Psaila & Lyden, Nat Rev Cancer 2009.",
                switches=_switches(1.0, 1.0, 0.0, 0.0),
            ),
            Hypothesis(
                name="dawson",
                short="Dawson",
                title="Dawson: niche without VEGFR1",
                claim="Niches form through VEGFR1-independent myeloid routes (S100A8/A9, LOX), "
                "so blocking VEGFR1 changes neither niches nor metastasis.",
                source="Dawson et al., PLoS One 2009; Hiratsuka et al., Nat Cell Biol 2006; "
                "Erler et al., Cancer Cell 2009.",
                switches=_switches(1.0, 0.0, 0.0, 0.0),
            ),
            Hypothesis(
                name="paget",
                short="Paget",
                title="Paget: seed and soil, no niche",
                claim="Organs differ in a lasting compatibility with the tumor's cells (the "
                "tropism weights); nothing is prepared in advance.",
                source="Paget, Lancet 1889; Fidler, Nat Rev Cancer 2003.",
                switches=_switches(0.0, 1.0, 1.0, 0.0),
            ),
            Hypothesis(
                name="ewing",
                short="Ewing",
                title="Ewing: blood flow decides",
                claim="Tumor cells stop in the first capillary beds downstream of the tumor and "
                "in proportion to blood flow; every organ is equally good soil.",
                source="Ewing, Neoplastic Diseases 1928; Weiss, Cancer Metastasis Rev 1992.",
                switches=_switches(0.0, 1.0, 0.0, 1.0),
            ),
        )
    }
)


def get_hypothesis(name: str) -> Hypothesis:
    """The hypothesis called ``name``; a clear ``InvalidInput`` listing the names otherwise."""
    return lookup(HYPOTHESES, name, "hypothesis")


def hypothesis_of(params: Parameters) -> str | None:
    """Name of the hypothesis whose switches ``params`` hold exactly, or None (a mixed view).

    Under Paget and Ewing no niche forms, so the VEGFR1 dependence of a niche does not matter.
    """
    for hypothesis in HYPOTHESES.values():
        relevant = [
            k
            for k in SWITCHES
            if not (k == "vegfr1_dependence" and hypothesis.switches["niche_formation"] == 0)
        ]
        if all(params[k] == hypothesis.switches[k] for k in relevant):
            return hypothesis.name
    return None
