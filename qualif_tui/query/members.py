"""The contacts of a query as a test on another table's contact column.

Statements over deals, quotes or activities that must keep only the contacts
of a query (the pipeline of a segment, the deals export) take the test this
module gives for their ``contact_id`` column: a probe of the query's bitmap
when the engine runs on bitmaps (a function call per row, no join), else the
query's own clause in a sub-select. Everything: no test at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from qualif_tui.query.compiled import CompiledQuery
from qualif_tui.query.engine import QueryEngine
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.storage import Database


@contextlib.contextmanager
def members_of(db: Database, query: CompiledQuery | None, column: str
               ) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(sql, params)``: a boolean SQL test that ``column`` is a contact of ``query``,
    valid inside the ``with`` block (the bitmap it may probe lives that long)."""
    if query is None or query.is_everything:
        yield "1", ()
        return
    if query.is_nothing:
        yield "0", ()
        return
    engine = QueryEngine.of(db)
    with engine.state.checked():
        result = engine.bitmap_result(query)
    if result is not None:
        ids, complemented = result
        with engine.state.member_set(ids, complemented) as token:
            yield f"qualif_in(?, {column})", (token,)
        return
    used = plan_tables(query.plan)
    ident = "f.contact_id" if used == "f" else "c.id"
    yield (f"{column} IN (SELECT {ident} FROM {from_clause(used)} WHERE {query.where})",
           tuple(query.params))
