"""The one place that reads the time, so tests (and the demo) can fix it.

Set ``QUALIF_TODAY=YYYY-MM-DD`` (or call :func:`freeze`) to make "today"
a given date: generated data, relative query dates (``last_contact<6m``)
and the agenda then all agree on it.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time

_frozen: datetime | None = None


def freeze(moment: datetime | None) -> None:
    """Fix the clock at ``moment`` (None lets it run again)."""
    global _frozen
    _frozen = moment


def now() -> datetime:
    """Local wall time, to the second, without a zone."""
    if _frozen is not None:
        return _frozen
    override = os.environ.get("QUALIF_TODAY")
    if override:
        current = datetime.now().time().replace(microsecond=0)
        return datetime.combine(date.fromisoformat(override), current)
    return datetime.now().replace(microsecond=0)


def today() -> date:
    return now().date()


def stamp(moment: datetime | None = None) -> str:
    """The text form every timestamp column uses: ``YYYY-MM-DDTHH:MM:SS``."""
    return (moment or now()).replace(microsecond=0).isoformat(timespec="seconds")


def start_of(day: date) -> datetime:
    return datetime.combine(day, time())
