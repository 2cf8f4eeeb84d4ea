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

from qualif_tui.query.compiled import CompiledQuery
from qualif_tui.query.engine import QueryEngine
from qualif_tui.query.facets import Unsupported
from qualif_tui.storage import Database


class BitmapView:
    """The contacts of one query as a bitmap, and per-value bitmaps of columns."""

    def __init__(self, engine: QueryEngine, population: BitMap) -> None:
        self.engine = engine
        self.population = population

    def column(self, name: str) -> dict[Any, BitMap] | None:
        """One bitmap per stored value of a ``contact_facts`` column (None: too many
        distinct values for bitmaps, or bitmaps switched off). Read only."""
        facets = self.engine.state.facets
        if facets is None:
            return None
        try:
            return facets.column(self.engine.db, name)
        except Unsupported:
            return None


@contextlib.contextmanager
def bitmap_view(db: Database, query: CompiledQuery) -> Iterator[BitmapView | None]:
    """A :class:`BitmapView` of ``query`` while the block runs, or None (use SQL)."""
    engine = QueryEngine.of(db)
    with engine.state.checked() as st:
        if st.facets is None:
            yield None
            return
        result = engine.bitmap_result(query)
        facets = st.facets
        if result is None or facets is None:  # SQL mode, or switched off by a 64-bit id
            yield None
            return
        ids, complemented = result
        population = facets.all_contacts(db) - ids if complemented else ids
        yield BitmapView(engine, population)


def data_version(db: Database) -> tuple[int, int] | None:
    """A stamp that changes with every write a report depends on (None: no caching)."""
    st = QueryEngine.of(db).state
    with st.lock:
        return st.current_version()
