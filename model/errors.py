"""Errors the model raises for bad input. Messages are written for the person who typed it."""

from __future__ import annotations

__all__ = ["InvalidInput", "InvalidParameter", "SimulationError"]


class InvalidInput(ValueError):
    """A value from a user (CLI, URL, upload, form) that the model refuses. One clear line."""


class InvalidParameter(InvalidInput):
    """A parameter key or value that does not fit its declaration."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class SimulationError(RuntimeError):
    """The integrator failed on an input the declarations allow: a bug, never the user's fault."""
