"""The compiled form of a query: a boolean tree of conditions, two ways to run it.

Each leaf (:class:`Cond`) carries

* ``sql``: a boolean SQL expression over ``c`` (contacts) and ``f``
  (contact_facts) with ``?`` parameters — user values are always parameters,
  never pasted into the text. It may be NULL for a contact without a value;
  :func:`render` wraps negations in ``ifnull(…, 0)`` so that
  ``-profil:client`` includes contacts with no profile.
* for a condition on one column of ``contact_facts``: that ``column`` and a
  Python ``test`` of the stored value, which :mod:`.facets` evaluates on
  per-value bitmaps without touching SQL;
* otherwise ``ids_sql``: a SELECT of the matching contact ids, which the
  bitmap evaluator runs (and caches) to get the leaf's set.

``render`` gives the WHERE clause of the whole tree; the engine chooses
between running that clause in SQLite and evaluating the tree on bitmaps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Cond:
    sql: str
    params: tuple[Any, ...] = ()
    tables: str = "f"  # which of c (contacts) and f (contact_facts) ``sql`` reads: "c", "f", "cf"
    column: str | None = None  # a contact_facts column the test reads (or "deals.amount")
    test: Callable[[Any], bool] | None = field(default=None, repr=False)
    ids_sql: str | None = None  # SELECT of matching contact ids (when there is no column test)
    ids_params: tuple[Any, ...] = ()
    label: str = ""  # the criterion as typed, for --explain
    # a range test (low, low included, high, high included), None = open: the bitmaps
    # then take a slice of the sorted values instead of testing each one
    bounds: tuple[Any, bool, Any, bool] | None = None
    # a criterion on deals: its condition over one ``deals`` row (parameters:
    # ``ids_params``), so that ``deal:( … )`` can ask it of the same deal as others
    deal_sql: str | None = None

    @property
    def facet(self) -> bool:
        return self.column is not None and self.test is not None

    def ids_query(self) -> tuple[str, tuple[Any, ...]]:
        """A SELECT of the contact ids this condition holds for."""
        if self.ids_sql is not None:
            return self.ids_sql, self.ids_params
        if self.tables == "f":
            return f"SELECT f.contact_id FROM contact_facts f WHERE {self.sql}", self.params
        if self.tables == "c":
            return f"SELECT c.id FROM contacts c WHERE {self.sql}", self.params
        return (f"SELECT c.id FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
                f" WHERE {self.sql}", self.params)

    @property
    def cache_key(self) -> tuple[Any, ...]:
        sql, params = self.ids_query()
        return (sql, *params)


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class AllOf:
    children: tuple[Plan, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Plan, ...]


@dataclass(frozen=True)
class Negate:
    child: Plan


Plan = Cond | Const | AllOf | AnyOf | Negate
TRUE = Const(True)
FALSE = Const(False)


def all_of(children: list[Plan]) -> Plan:
    """AND, flattened, with constants folded."""
    flat: list[Plan] = []
    for child in children:
        if isinstance(child, AllOf):
            flat.extend(child.children)
        elif child == TRUE:
            continue
        elif child == FALSE:
            return FALSE
        else:
            flat.append(child)
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def any_of(children: list[Plan]) -> Plan:
    """OR, flattened, with constants folded."""
    flat: list[Plan] = []
    for child in children:
        if isinstance(child, AnyOf):
            flat.extend(child.children)
        elif child == FALSE:
            continue
        elif child == TRUE:
            return TRUE
        else:
            flat.append(child)
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


def negate(child: Plan) -> Plan:
    if isinstance(child, Const):
        return Const(not child.value)
    if isinstance(child, Negate):
        return child.child
    return Negate(child)


def render(plan: Plan) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of a plan over ``c``/``f`` and its parameters, in order."""
    params: list[Any] = []
    sql = _render(plan, params)
    return sql, tuple(params)


def _render(plan: Plan, params: list[Any]) -> str:
    if isinstance(plan, Const):
        return "1" if plan.value else "0"
    if isinstance(plan, Cond):
        params.extend(plan.params)
        return f"({plan.sql})"
    if isinstance(plan, Negate):
        # NULL (no value) is "does not match", so its negation matches
        return f"NOT ifnull({_render(plan.child, params)}, 0)"
    joiner = " AND " if isinstance(plan, AllOf) else " OR "
    return "(" + joiner.join(_render(c, params) for c in plan.children) + ")"


def deal_clause(plan: Plan) -> tuple[str, tuple[Any, ...]]:
    """The condition over one ``deals`` row of a plan whose leaves are all
    criteria on deals (``deal_sql``), and its parameters, in order."""
    params: list[Any] = []
    sql = _deal_clause(plan, params)
    return sql, tuple(params)


def _deal_clause(plan: Plan, params: list[Any]) -> str:
    if isinstance(plan, Const):
        return "1" if plan.value else "0"
    if isinstance(plan, Cond):
        assert plan.deal_sql is not None, plan
        params.extend(plan.ids_params)
        return f"({plan.deal_sql})"
    if isinstance(plan, Negate):
        # a deal without the value (NULL) does not match, so its negation does
        return f"NOT ifnull({_deal_clause(plan.child, params)}, 0)"
    joiner = " AND " if isinstance(plan, AllOf) else " OR "
    return "(" + joiner.join(_deal_clause(c, params) for c in plan.children) + ")"


def leaves(plan: Plan) -> Iterator[Cond]:
    if isinstance(plan, Cond):
        yield plan
    elif isinstance(plan, Negate):
        yield from leaves(plan.child)
    elif isinstance(plan, AllOf | AnyOf):
        for child in plan.children:
            yield from leaves(child)


def tables(plan: Plan) -> str:
    """Which tables the rendered clause reads: "" (none), "c", "f" or "cf"."""
    used: set[str] = set()
    for leaf in leaves(plan):
        used.update(leaf.tables)
    return "".join(t for t in "cf" if t in used)


def describe(plan: Plan, indent: str = "", *, bitmaps: bool = False) -> list[str]:
    """The plan as an indented outline, for ``--explain``."""
    if isinstance(plan, Const):
        return [indent + ("every contact" if plan.value else "no contact")]
    if isinstance(plan, Cond):
        if plan.facet:
            column = plan.column or ""
            how = (f"bitmaps of {column}" if bitmaps
                   else column if "." in column else f"contact_facts.{column}")
        else:
            how = "ids from SQL" if bitmaps else "SQL"
        return [f"{indent}{plan.label or plan.sql}  [{how}]"]
    if isinstance(plan, Negate):
        return [indent + "NOT", *describe(plan.child, indent + "  ", bitmaps=bitmaps)]
    title = "AND" if isinstance(plan, AllOf) else "OR"
    lines = [indent + title]
    for child in plan.children:
        lines.extend(describe(child, indent + "  ", bitmaps=bitmaps))
    return lines
