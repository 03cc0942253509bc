"""Settings read from environment variables: validated, with a one-line message when bad."""

from __future__ import annotations

import os
from collections.abc import Mapping

from model import InvalidInput

__all__ = ["whole_number"]


def whole_number(
    name: str, default: int, low: int, high: int, env: Mapping[str, str] | None = None
) -> int:
    """The environment variable ``name`` as a whole number in ``low..high`` (``default`` when
    unset); ``InvalidInput`` naming the variable and its allowed range otherwise."""
    raw = (os.environ if env is None else env).get(name, str(default))
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise InvalidInput(f"{name}={raw!r} must be a whole number {low}..{high}")
    return int(raw)
