"""Errors the model raises for bad input. Messages are written for the person who typed it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["InvalidInput", "InvalidParameter", "SimulationError", "lookup"]

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
