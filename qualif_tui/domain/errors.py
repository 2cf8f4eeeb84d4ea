"""Errors the core raises for the faces (CLI, TUI) to show as one clear line."""

from __future__ import annotations


class QualifError(Exception):
    """Base of every error a user can cause; the message is meant for them."""


class ValidationError(QualifError, ValueError):
    """A value a user typed does not fit the field; ``field`` says which."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFound(QualifError, LookupError):
    """No such contact, key, segment…; the message may carry a suggestion."""
