"""The bitmaps a breakdown reads: a query's contacts and each stored value's contacts.

Reports (``services/reports``) group the contacts of a query by a key, the
département… and count them per group. In a long-lived process (the app,
after :func:`~qualif_tui.query.engine.warm_up`) the fastest way is bitmap
algebra: the query's result is a bitmap, each stored value of a
``contact_facts`` column has one, and a group's count is the cardinality of
an intersection (microseconds, where SQLite scans the table).

This module is the one door from the reports to the engine's in-memory
state, so that the reports never reach into its internals: open a
:func:`bitmap_view` (which holds the engine's lock for a few milliseconds),
read :attr:`BitmapView.population` and :meth:`BitmapView.column`, close it.
Outside a warmed-up process, or inside a write transaction, there is no view
(``None``) and the reports use SQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pyroaring import BitMap

from qualif_tui.query.engine import CompiledQuery, bitmap_result
from qualif_tui.query.facets import Unsupported
from qualif_tui.query.runtime import checked, current_version, state
from qualif_tui.storage import Database


class BitmapView:
    """The contacts of one query as a bitmap, and per-value bitmaps of columns."""

    def __init__(self, db: Database, population: BitMap) -> None:
        self.db = db
        self.population = population

    def column(self, name: str) -> dict[Any, BitMap] | None:
        """One bitmap per stored value of a ``contact_facts`` column (None: too many
        distinct values for bitmaps, or bitmaps switched off). Read only."""
        facets = state(self.db).facets
        if facets is None:
            return None
        try:
            return facets.column(self.db, name)
        except Unsupported:
            return None


@contextlib.contextmanager
def bitmap_view(db: Database, query: CompiledQuery) -> Iterator[BitmapView | None]:
    """A :class:`BitmapView` of ``query`` while the block runs, or None (use SQL)."""
    with checked(db) as st:
        if st.facets is None:
            yield None
            return
        result = bitmap_result(db, query)
        if result is None:
            yield None
            return
        ids, complemented = result
        facets = st.facets
        if facets is None:  # switched off by an id beyond 32 bits
            yield None
            return
        population = facets.all_contacts(db) - ids if complemented else ids
        yield BitmapView(db, population)


def data_version(db: Database) -> tuple[int, int] | None:
    """A stamp that changes with every write a report depends on (None: no caching)."""
    st = state(db)
    with st.lock:
        return current_version(db, st)
