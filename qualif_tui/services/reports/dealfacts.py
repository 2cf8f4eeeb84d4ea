"""Deal figures per contact: buyer or not, won revenue, won deals, open pipeline, lost deals.

Two forms of one definition, for the two ways a breakdown runs:

* :func:`deal_cte` — a SQL ``WITH`` table ``d(contact_id, buyer, revenue, won,
  pipeline, weighted, lost, lost_amount)`` that a GROUP BY joins;
* :func:`deal_figures` — the same figures as bitmaps for the bitmap path, read
  once per data version and period (0.6–1 s at 1 000 000 contacts, then free).

A deal counts as *won* in a period when its stage is a won stage and its
``closed_at`` falls in the period; an *open* deal (pipeline) when its stage is
open and its expected close falls in the period (an open deal without an
expected close counts only when no period is chosen); a *lost* deal when its
stage is a lost stage and its ``closed_at`` falls in the period. The first two
are the query language's ``won:P`` and ``expected_close:P``, so a cell's query
selects exactly the contacts its deal figures come from.
"""

from __future__ import annotations

import array
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from pyroaring import BitMap

from qualif_tui.query.groups import data_version
from qualif_tui.services.reports.model import Period, pipeline_stages, stage_ids
from qualif_tui.storage import Database

DealRow = list[float]  # buyer (0/1), revenue, won deals, pipeline, weighted, lost, lost amount


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values)) or "NULL"


def deal_conditions(db: Database, period: Period) -> tuple[str, list[Any], str, list[Any]]:
    """(won condition, its params, open condition, its params) over a ``deals`` row."""
    stages = pipeline_stages(db)
    won, opened = stage_ids(stages, "won"), stage_ids(stages, "open")
    won_period, won_params = period.sql("closed_at")
    open_period, open_params = period.sql("expected_close")
    return (f"(stage IN ({_marks(won)}) AND {won_period})", [*won, *won_params],
            f"(stage IN ({_marks(opened)}) AND {open_period})", [*opened, *open_params])


def lost_condition(db: Database, period: Period) -> tuple[str, list[Any]]:
    """The lost-deal condition over a ``deals`` row, and its params."""
    lost = stage_ids(pipeline_stages(db), "lost")
    lost_period, lost_params = period.sql("closed_at")
    return f"(stage IN ({_marks(lost)}) AND {lost_period})", [*lost, *lost_params]


def _figure_sums(db: Database, period: Period, with_lost: bool = True) -> tuple[str, list[Any]]:
    """``max(won) AS buyer, … lost_amount`` over a contact's deals, and the params
    (``with_lost`` False: the lost figures are left at 0, fewer distinct rows)."""
    won, won_params, opened, open_params = deal_conditions(db, period)
    lost, lost_params = lost_condition(db, period) if with_lost else ("0", [])
    sql = (f"max({won}) AS buyer, sum(CASE WHEN {won} THEN amount ELSE 0 END) AS revenue,"
           f" sum({won}) AS won, sum(CASE WHEN {opened} THEN amount ELSE 0 END) AS pipeline,"
           f" sum(CASE WHEN {opened} THEN amount * probability / 100.0 ELSE 0 END)"
           f" AS weighted, sum({lost}) AS lost,"
           f" sum(CASE WHEN {lost} THEN amount ELSE 0 END) AS lost_amount")
    return sql, [*won_params, *won_params, *won_params, *open_params, *open_params,
                 *lost_params, *lost_params]


def deal_cte(db: Database, period: Period, with_lost: bool = True) -> tuple[str, list[Any]]:
    """``d AS (SELECT contact_id, buyer, revenue, won, pipeline, weighted, lost,
    lost_amount …)``."""
    sums, params = _figure_sums(db, period, with_lost)
    return f"d AS (SELECT contact_id, {sums} FROM deals GROUP BY contact_id)", params


MAX_SHAPES = 2000  # distinct figure rows beyond which each figure is summed per contact


@dataclass
class DealFigures:
    """The deal figures of every contact with a deal that counts, in one of two forms:
    ``shapes`` — each distinct figure row with the bitmap of the contacts that have it
    (generated or round amounts: a few hundred rows, and a group's figures are
    Σ row × |group ∩ contacts|), else ``columns`` — per figure, contact id → its
    non-zero value and the bitmap of those contacts (real amounts: 140 000 distinct
    rows at 1M), so that a group's figure is one sum over ``group ∩ bitmap`` run by
    ``map`` in C rather than a Python loop over the group's contacts."""

    shapes: list[tuple[DealRow, BitMap]] | None = None
    columns: list[tuple[dict[int, float], BitMap]] | None = None


_CACHE: weakref.WeakKeyDictionary[Database, dict[Any, DealFigures]] = \
    weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def deal_figures(db: Database, period: Period, with_lost: bool = False) -> DealFigures:
    """The deal figures per contact (cached per data version and period); the lost
    figures only when asked (``with_lost``)."""
    version = data_version(db)
    key = (version, period.start, period.end, with_lost)
    with _LOCK:
        cached = _CACHE.get(db, {}).get(key) if version is not None else None
    if cached is not None:
        return cached
    won, won_params, opened, open_params = deal_conditions(db, period)
    lost, lost_params = lost_condition(db, period) if with_lost else ("0", [])
    sums, sum_params = _figure_sums(db, period, with_lost)
    sql = (f"SELECT contact_id, {sums} FROM deals WHERE {won} OR {opened} OR {lost}"
           f" GROUP BY contact_id")
    params = [*sum_params, *won_params, *open_params, *lost_params]
    with db.lock:
        rows = db.conn.execute(sql, params).fetchall()
    by_shape: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        by_shape.setdefault(tuple(row[1:]), []).append(row[0])
    found = DealFigures()
    if len(by_shape) <= MAX_SHAPES:
        found.shapes = [([float(v) for v in shape], BitMap(array.array("I", ids)))
                        for shape, ids in by_shape.items()]
    else:
        found.columns = []
        for i in range(1, 8):
            values = {int(r[0]): float(r[i]) for r in rows if r[i]}
            found.columns.append((values, BitMap(array.array("I", values))))
    if version is not None and not db.conn.in_transaction:
        with _LOCK:
            _CACHE[db] = {key: found}  # one period kept: the one on screen
    return found
