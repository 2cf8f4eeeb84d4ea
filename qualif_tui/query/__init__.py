"""The query engine: query text → tokens → AST → one parameterised SQL statement."""

from .engine import (
    SORTS,
    CompiledQuery,
    ContactRow,
    Cursor,
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
from .errors import QueryCancelled, QueryError
from .explain import explain

__all__ = [
    "SORTS",
    "CompiledQuery",
    "ContactRow",
    "Cursor",
    "QueryCancelled",
    "QueryError",
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
