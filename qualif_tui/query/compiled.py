"""A compiled query: the SQL clause and the plan the engine evaluates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualif_tui.query.plan import FALSE, TRUE, Cond, Plan, all_of, render


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready to run: ``where`` is SQL over c/f, ``params`` its values."""

    text: str
    where: str = "1"
    params: tuple[Any, ...] = ()
    warnings: tuple[str, ...] = ()
    plan: Plan = field(default=TRUE, compare=False, repr=False)
    segments: tuple[str, ...] = ()  # saved segments it uses, directly or not

    @property
    def is_everything(self) -> bool:
        return self.where == "1"

    @property
    def is_nothing(self) -> bool:
        return self.plan == FALSE


def refine(query: CompiledQuery, condition: Cond) -> CompiledQuery:
    """``query`` AND a condition built by code (not typed by a user): the
    derived results the faces browse (the sprint's incomplete contacts…)."""
    plan = all_of([query.plan, condition])
    where, params = render(plan)
    return CompiledQuery(query.text, where, params, query.warnings, plan, query.segments)
