"""The query engine: query text → tokens → AST → one parameterised SQL statement.

:class:`QueryEngine` serves one open file (``QueryEngine.of(db)``); the functions
taking a database are the same calls on that engine.
"""

from qualif_tui.query.engine import (
    SORTS,
    CompiledQuery,
    ContactRow,
    Cursor,
    QueryEngine,
    compile_query,
    count,
    count_many,
    fetch_at,
    fetch_page,
    interrupt,
    iter_rows,
    use_bitmaps,
    warm_up,
)
from qualif_tui.query.errors import QueryCancelled, QueryError, SegmentCycle
from qualif_tui.query.explain import explain

__all__ = [
    "SORTS",
    "CompiledQuery",
    "ContactRow",
    "Cursor",
    "QueryCancelled",
    "QueryEngine",
    "QueryError",
    "SegmentCycle",
    "compile_query",
    "count",
    "count_many",
    "explain",
    "fetch_at",
    "fetch_page",
    "interrupt",
    "iter_rows",
    "use_bitmaps",
    "warm_up",
]
