"""The organ set: data, not code.

Every per-organ quantity (tropism weight, arrest share, state block) is indexed by position in
``ORGANS``. Adding an organ means adding a row here and a default to each per-organ parameter.
"""

from __future__ import annotations

__all__ = ["ORGANS", "ORGAN_LABELS"]

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
