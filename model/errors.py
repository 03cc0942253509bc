"""Errors the model raises for bad input. Messages are written for the person who typed it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["InvalidInput", "InvalidParameter", "SimulationError", "lookup", "shown"]

T = TypeVar("T")


class InvalidInput(ValueError):
    """A value from a user (CLI, URL, upload, form) that the model refuses. One clear line."""


class InvalidParameter(InvalidInput):
    """A parameter key or value that does not fit its declaration."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class SimulationError(RuntimeError):
    """The integrator failed on an input the declarations allow: a bug, never the user's fault."""


def lookup(table: Mapping[str, T], name: str, kind: str) -> T:
    """``table[name]``, or an ``InvalidInput`` naming the ``kind`` and listing the choices."""
    try:
        return table[name]
    except (KeyError, TypeError):
        raise InvalidInput(f"unknown {kind} {name!r}; choose one of: {', '.join(table)}") from None


def shown(raw: object, limit: int = 40) -> str:
    """``repr(raw)`` for a message, cut to ``limit`` characters (a 5,000-digit integer has no
    repr at all in Python 3.11, and a message should fit on a line anyway)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**limit:
        return f"an integer of over {limit} digits"
    text = repr(raw)
    return text if len(text) <= limit else text[: limit - 1] + "…"
