"""The organ set: data, not code.

Every per-organ quantity (tropism weight, arrest share, state block) is indexed by position in
``ORGANS``. Adding an organ means adding a row here and a default to each per-organ parameter.
"""

from __future__ import annotations

__all__ = ["BLOOD_FLOW_ARREST", "ORGANS", "ORGAN_LABELS"]

#: Organ keys in state and parameter order. ``other`` lumps spleen, kidney, adrenal and gonads:
#: the sites that B16 conditioned medium opened up for LLC cells in Kaplan et al. 2005.
ORGANS: tuple[str, ...] = ("lymph_node", "lung", "liver", "bone", "brain", "other")

ORGAN_LABELS: dict[str, str] = {
    "lymph_node": "Lymph node",
    "lung": "Lung",
    "liver": "Liver",
    "bone": "Bone",
    "brain": "Brain",
    "other": "Other (spleen, kidney, adrenal, gonads)",
}

#: Arrest shares of cleared circulating tumor cells if blood flow alone decided where they stop
#: (Ewing's mechanical view, used by the ``ewing`` hypothesis through ``blood_flow_arrest``).
#: A tumor draining into the systemic veins meets the lung capillaries first, so most cells stop
#: there; cells that pass the lung are spread by each organ's share of cardiac output (liver
#: about 25 %, kidneys 19 %, brain 12 %, skeleton 5 % of resting cardiac output, ICRP 89 /
#: Williams & Leggett 1989 [M]); lymph nodes receive almost no arterial seeding. [E] Rounded
#: so that the total (0.9) equals the default arrest shares: only the pattern changes.
BLOOD_FLOW_ARREST: dict[str, float] = {
    "lymph_node": 0.01,
    "lung": 0.60,
    "liver": 0.10,
    "bone": 0.03,
    "brain": 0.05,
    "other": 0.11,
}
