"""Running a compiled query: counts, sorted pages (keyset), random access, streams.

A :class:`QueryEngine` serves one open file (one connection): the app holds
the engine of its file (``app.engine``), a CLI run the one of the file it
opened. ``QueryEngine.of(db)`` is that engine, made on first use; closing the
file drops it with its caches and bitmaps. The module functions
(:func:`count`, :func:`fetch_page`…, taking the database) are the same calls
on ``QueryEngine.of(db)``.

The faces never build SQL: they compile a query text once
(:meth:`QueryEngine.compile`), then ask :meth:`~QueryEngine.count`,
:meth:`~QueryEngine.fetch_page` (keyset paging forwards/backwards from a
cursor), :meth:`~QueryEngine.fetch_at` (a page at an offset, for jumps in a
virtual list) and :meth:`~QueryEngine.iter_rows` (exports).

Two ways to evaluate, same answers (the property tests check both against a
plain-Python reference):

* **SQL** — the compiled WHERE clause over ``c`` (contacts) and ``f``
  (contact_facts). Used by one-shot commands, where building bitmaps would
  cost more than it saves.
* **bitmaps** — after :meth:`~QueryEngine.warm_up` (a long-lived process: the
  TUI), the plan is evaluated on per-value bitmaps (:mod:`.facets`): counts
  take a fraction of a millisecond at 1 000 000 contacts.

A page is fetched by one of two plans (:mod:`.pages`), chosen from the count
(computed anyway, and cached per data version): **walk** the sort index and
keep matches (cheap when matches are dense), or **list** the matching ids and
sort only those (cheap when they are sparse).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import sqlite3
from collections.abc import Iterator, Sequence

from pyroaring import BitMap

from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.query.compiled import CompiledQuery, refine
from qualif_tui.query.errors import QueryCancelled, QueryError
from qualif_tui.query.facets import (
    DEAL_COLUMNS,
    FacetIndex,
    Unsupported,
    read_column,
    read_universe,
)
from qualif_tui.query.pages import (
    SORTS,
    WALKS,
    ContactRow,
    Cursor,
    PageRequest,
    from_clause,
    list_sql,
    page_request,
    read_rows,
    sql_membership,
    walk_sql,
)
from qualif_tui.query.plan import FALSE, TRUE, Negate, Plan, render
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.query.runtime import EngineState
from qualif_tui.storage import Database, StorageError, open_database

__all__ = [
    "SORTS",
    "CompiledQuery",
    "ContactRow",
    "Cursor",
    "QueryEngine",
    "compile_query",
    "count",
    "count_many",
    "fetch_at",
    "fetch_page",
    "interrupt",
    "iter_rows",
    "refine",
    "use_bitmaps",
    "warm_up",
]

# Estimated cost (µs) of one walked index entry, and of one listed id.
_WALK_BITMAP_US = 0.6
_WALK_SQL_US = 1.5
_LIST_US = 3.0
LIST_MAX = 50_000

Result = tuple[BitMap, bool]  # (ids, complemented), as the bitmaps answer


class QueryEngine:
    """Queries over one open file, with the caches that make them fast.

    One engine per connection (SQLite functions are registered on it):
    use :meth:`of`. The lock is the database's (``db.lock``), held while a
    count or a page is computed, so caches and SQL never disagree.
    """

    def __init__(self, db: Database) -> None:
        with db.lock:
            if QueryEngine in db.companions:
                raise ValueError(f"{db.path} already has a query engine: use QueryEngine.of(db)")
            self.db = db
            self.state = EngineState(db)
            db.companions[QueryEngine] = self

    @classmethod
    def of(cls, db: Database) -> QueryEngine:
        """The engine of this connection, made on first use."""
        found = db.companions.get(QueryEngine)
        if isinstance(found, QueryEngine):
            return found
        with db.lock:
            found = db.companions.get(QueryEngine)
            return found if isinstance(found, QueryEngine) else cls(db)

    def close(self) -> None:
        """Forget the caches and bitmaps; the next use of the file makes a new engine."""
        with self.db.lock:
            self.state.clear()
            self.state.facets = None
            if self.db.companions.get(QueryEngine) is self:
                del self.db.companions[QueryEngine]

    @property
    def bitmaps(self) -> bool:
        """Whether queries are evaluated on bitmaps (after :meth:`warm_up`)."""
        return self.state.facets is not None

    # -- compiling -------------------------------------------------------------
    def compile(self, text: str, *, keys: Sequence[QualKey] | None = None,
                inside: str | None = None) -> CompiledQuery:
        """Parse and compile ``text``; raises :class:`QueryError` with a position and hint.

        ``inside``: compiling the query of that segment (a use of it is a cycle).
        """
        from qualif_tui.query.compiler import compile_plan

        try:
            compiled = compile_plan(self.db, text, keys, inside=inside)
            where, params = render(compiled.plan)
        except RecursionError:
            raise QueryError("the query is too complex (segments nested in segments too deeply)",
                             None, "simplify the segments it uses", 1, text) from None
        return CompiledQuery(text, where, params, tuple(compiled.warnings), compiled.plan,
                             tuple(dict.fromkeys(compiled.segments)))

    # -- bitmaps ---------------------------------------------------------------
    def warm_up(self, *, build: bool = True, aside: bool = False) -> None:
        """Evaluate queries on in-memory bitmaps from now on (a long-lived process).

        Builds the bitmaps of the choice keys and départements now (about 0.3 s
        per key at 1 000 000 contacts; call it from a worker thread); others are
        built on first use. Memory: a few MB per million contacts and key.

        ``aside``: read them on a connection of its own, so that the caller's
        reads on the file (the app's list and card) never wait behind the build;
        a column read while a write came in is dropped and built on first use.
        """
        db, st = self.db, self.state
        with st.lock:
            biggest = db.scalar("SELECT max(contact_id) FROM contact_facts") or 0
            if biggest >= 2**32:
                return  # the bitmaps hold 32-bit ids; SQL serves such a file
            if st.facets is None:
                st.facets = FacetIndex()
            st.refresh()
        if not build:
            return
        columns = ["dept", "flags"] + [k.column for k in list_keys(db)
                                       if k.type in ("choice", "multi", "yesno")]
        columns += sorted(DEAL_COLUMNS)  # deal_amount>5000: a slice of amounts
        if aside:
            self._warm_up_aside(columns)
            return
        for column in columns:
            # one column at a time: counts from other threads get in between
            with st.lock:
                if st.facets is None:
                    return
                st.refresh()
                st.facets.column(db, column)

    def _warm_up_aside(self, columns: list[str]) -> None:
        st = self.state
        reader = open_database(self.db.path, readonly=True, quick_check=False)
        # one pass over contact_facts: a page cache would only keep tens of MB resident
        reader.execute("PRAGMA cache_size = -2048")
        try:
            for column in [None, *columns]:  # None: every contact id
                with reader.lock:
                    # one snapshot for the version and the ids read
                    reader.conn.execute("BEGIN")
                    try:
                        seen = (int(reader.scalar("SELECT max(seq) FROM change_log") or 0),
                                int(reader.scalar("PRAGMA schema_version")))
                        built = read_universe(reader) if column is None else \
                            read_column(reader, column)
                    finally:
                        reader.conn.execute("COMMIT")
                with st.lock:
                    facets = st.facets
                    if facets is None:
                        return  # bitmaps switched off meanwhile
                    if st.refresh() != seen:
                        continue
                    if column is None and isinstance(built, BitMap):
                        facets.universe = facets.universe or built
                    elif column is not None and not isinstance(built, BitMap):
                        facets.columns.setdefault(column, built)
        finally:
            reader.close()
            _give_back_freed_memory()

    def use_bitmaps(self, enabled: bool) -> None:
        """Switch bitmap evaluation on (lazily built) or off (SQL only)."""
        st = self.state
        with st.lock:
            if enabled:
                self.warm_up(build=False)
            else:
                st.facets = None
            st.counts.clear()

    def bitmap_result(self, query: CompiledQuery) -> Result | None:
        """(ids, complemented) from the bitmaps, or None in SQL mode. Caller holds the lock."""
        st = self.state
        if st.facets is None:
            return None
        if st.refresh() is None:
            return None  # inside a write transaction: SQL sees the uncommitted rows
        key = ("result", query.where, query.params)
        found = st.facets.materialized.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        try:
            result = st.facets.evaluate(self.db, query.plan)
        except Unsupported:
            if not st.facets.partial:
                st.facets = None
            return None  # (stored bitmaps lacking a column: SQL for this query only)
        st.facets.materialized.put(key, result)
        return result

    # -- counting --------------------------------------------------------------
    def total(self) -> int:
        """How many contacts in the file (cached per data version)."""
        return self.state.total_contacts()

    def count(self, query: CompiledQuery) -> int:
        """How many contacts match (cached until the data changes)."""
        with _within_sqlite_limits(query):
            return self._count(query)

    def count_many(self, queries: Sequence[CompiledQuery]) -> list[int]:
        """Several counts (the segments list), sharing the caches.

        Each count takes the lock on its own, so a page the list asks for meanwhile
        does not wait behind all of them."""
        return [self.count(q) for q in queries]

    def _count(self, query: CompiledQuery) -> int:
        if query.is_everything:
            return self.state.total_contacts()
        if query.is_nothing:
            return 0
        with self.state.checked() as st:
            version = st.refresh()
            key = ("count", st.facets is not None, query.where, query.params)
            if version is not None:
                cached = st.counts.get(key)
                if cached is not None:
                    return int(cached)
            result = self.bitmap_result(query)
            if result is not None:
                ids, complemented = result
                number = st.total_contacts() - len(ids) if complemented else len(ids)
            else:
                number = self._sql_count(query.plan)
            if version is not None:
                st.counts.put(key, number)
            return number

    def _sql_count(self, plan: Plan) -> int:
        if plan == TRUE:
            return self.state.total_contacts()
        if plan == FALSE:
            return 0
        if isinstance(plan, Negate):
            # the complement of an index-friendly condition: count it, subtract
            return self.state.total_contacts() - self._sql_count(plan.child)
        where, params = render(plan)
        return int(self.db.scalar(
            f"SELECT count(*) FROM {from_clause(plan_tables(plan))} WHERE {where}", params))

    def interrupt(self) -> None:
        """Stop the statement running on the file now (from another thread).

        Search-as-you-type: a one-letter word can take a second at 1 000 000
        contacts; when the user types on, interrupt it and the count or page
        being computed raises :class:`QueryCancelled`. SQLite stops *any*
        statement of that connection, writes included: search on a connection of
        its own (``db.reopen()``).
        """
        self.db.conn.interrupt()

    # -- pages -----------------------------------------------------------------
    def choose_plan(self, query: CompiledQuery, page: PageRequest, bitmaps: bool
                    ) -> tuple[str, int, int]:
        """("walk" | "list" | "empty", count, total) for a page request."""
        matches = self.count(query)
        total = self.state.total_contacts()
        if matches == 0 or page.limit == 0:
            return "empty", matches, total
        if matches > LIST_MAX:
            return "walk", matches, total
        walked = (page.offset + page.limit) * total / matches
        walk_cost = walked * (_WALK_BITMAP_US if bitmaps else _WALK_SQL_US)
        list_cost = matches * _LIST_US
        return ("list" if list_cost < walk_cost else "walk"), matches, total

    def _ids_of(self, query: CompiledQuery, result: Result | None) -> list[int]:
        """The matching ids (a small set: the list plan), from bitmaps or SQL."""
        st, db = self.state, self.db
        if result is not None:
            ids, complemented = result
            if complemented:
                assert st.facets is not None
                return list(st.facets.all_contacts(db) - ids)
            return list(ids)
        key = ("ids", query.where, query.params)
        cached = st.counts.get(key) if st.version is not None else None
        if cached is not None:
            return list(cached)
        tables = plan_tables(query.plan)
        ident = "f.contact_id" if tables == "f" else "c.id"
        found = [r[0] for r in db.query(
            f"SELECT {ident} FROM {from_clause(tables)} WHERE {query.where}", query.params)]
        if st.version is not None and not db.conn.in_transaction:
            st.counts.put(key, found)
        return found

    def _fetch(self, query: CompiledQuery, page: PageRequest, keys: Sequence[QualKey] | None
               ) -> list[ContactRow]:
        if query.is_nothing or page.limit == 0:
            return []
        db = self.db
        with self.state.checked() as st:
            keys = st.current_keys() if keys is None else keys
            result = self.bitmap_result(query)
            if query.is_everything:
                plan, result = "walk", None
            else:
                plan, _, _ = self.choose_plan(query, page, result is not None)
            if plan == "empty":
                return []
            if plan == "list":
                ids = self._ids_of(query, result)
                sql, params = list_sql(page, keys, json.dumps(ids))
                rows = read_rows(db, sql, params, keys)
            elif query.is_everything:
                sql, params = walk_sql(query, page, keys, "1", [])
                rows = read_rows(db, sql, params, keys)
            elif result is not None:
                bitmap, complemented = result
                with st.member_set(bitmap, complemented) as token:
                    sql, params = walk_sql(query, page, keys, "qualif_in(?, "
                                           f"{WALKS[page.sort].ident})", [token])
                    rows = read_rows(db, sql, params, keys)
            else:
                membership = sql_membership(query, WALKS[page.sort])
                sql, params = walk_sql(query, page, keys, membership, query.params)
                rows = read_rows(db, sql, params, keys)
        return rows[::-1] if page.backwards else rows

    def fetch_page(self, query: CompiledQuery, *, sort: str = "name",
                   after: Cursor | None = None, before: Cursor | None = None,
                   limit: int = 50, descending: bool = False,
                   keys: Sequence[QualKey] | None = None) -> list[ContactRow]:
        """Up to ``limit`` rows in sort order, after (or before) a cursor.

        Keyset paging: the cursor is the (sort value, id) of the last row seen,
        so a deep page costs the same as the first (no OFFSET scan). Rows come
        back in display order in both directions.
        """
        page = page_request(sort, after, before, limit, descending)
        with _within_sqlite_limits(query):
            return self._fetch(query, page, keys)

    def fetch_at(self, query: CompiledQuery, offset: int, limit: int = 50, *,
                 sort: str = "name", descending: bool = False,
                 keys: Sequence[QualKey] | None = None) -> list[ContactRow]:
        """Rows at a position in the sorted result (a jump: End, a scrollbar drag).

        Sequential scrolling should use :meth:`fetch_page` from a neighbour's cursor.
        """
        page = page_request(sort, None, None, limit, descending, offset)
        with _within_sqlite_limits(query):
            return self._fetch(query, page, keys)

    def iter_rows(self, query: CompiledQuery, *, sort: str = "name", batch: int = 2000,
                  limit: int | None = None) -> Iterator[ContactRow]:
        """Every row of the result in order, fetched in keyset batches (constant memory)."""
        keys = self.state.current_keys()
        cursor: Cursor | None = None
        sent = 0
        while limit is None or sent < limit:
            size = batch if limit is None else min(batch, limit - sent)
            page = self.fetch_page(query, sort=sort, after=cursor, limit=size, keys=keys)
            yield from page
            sent += len(page)
            if len(page) < size:
                return
            cursor = page[-1].cursor


@contextlib.contextmanager
def _within_sqlite_limits(query: CompiledQuery) -> Iterator[None]:
    """SQLite refusing a statement as too big is a query error, not a crash."""
    try:
        yield
    except RecursionError:
        raise QueryError("the query is too complex to run", None,
                         "split it into saved segments and combine them with segment:\"name\"",
                         1, query.text) from None
    except sqlite3.OperationalError as error:
        text = str(error)
        if text == "interrupted":
            raise QueryCancelled(query.text) from None
        if text.startswith(("no such column", "no such table", "no such index")):
            # a file made before a column the engine reads was added to the layout
            raise StorageError(f"this file cannot answer the query ({text}): it was made by"
                               " an older development version of qualif; create it again") from None
        if not any(word in text for word in ("too large", "too many", "too complex",
                                             "stack overflow", "too deep")):
            raise
        raise QueryError(f"the query is too complex to run ({text})", None,
                         "split it into saved segments and combine them with segment:\"name\"",
                         1, query.text) from None


def _give_back_freed_memory() -> None:
    """Return the heap the build freed to the system (glibc keeps it otherwise).

    The id lists SQLite and Python build for the bitmaps are big and short-lived;
    after them glibc holds ~50 MB at 1 000 000 contacts that the app never uses
    again. Elsewhere than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


# -- the same calls, by database: QueryEngine.of(db) ------------------------------


def compile_query(db: Database, text: str, *, keys: Sequence[QualKey] | None = None,
                  inside: str | None = None) -> CompiledQuery:
    """:meth:`QueryEngine.compile` on the file's engine."""
    return QueryEngine.of(db).compile(text, keys=keys, inside=inside)


def warm_up(db: Database, *, build: bool = True, aside: bool = False) -> None:
    """:meth:`QueryEngine.warm_up` on the file's engine."""
    QueryEngine.of(db).warm_up(build=build, aside=aside)


def use_bitmaps(db: Database, enabled: bool) -> None:
    """:meth:`QueryEngine.use_bitmaps` on the file's engine."""
    QueryEngine.of(db).use_bitmaps(enabled)


def count(db: Database, query: CompiledQuery) -> int:
    """:meth:`QueryEngine.count` on the file's engine."""
    return QueryEngine.of(db).count(query)


def count_many(db: Database, queries: Sequence[CompiledQuery]) -> list[int]:
    """:meth:`QueryEngine.count_many` on the file's engine."""
    return QueryEngine.of(db).count_many(queries)


def interrupt(db: Database) -> None:
    """:meth:`QueryEngine.interrupt` on the file's engine."""
    QueryEngine.of(db).interrupt()


def fetch_page(
    db: Database,
    query: CompiledQuery,
    *,
    sort: str = "name",
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = 50,
    descending: bool = False,
    keys: Sequence[QualKey] | None = None,
) -> list[ContactRow]:
    """:meth:`QueryEngine.fetch_page` on the file's engine."""
    return QueryEngine.of(db).fetch_page(query, sort=sort, after=after, before=before,
                                         limit=limit, descending=descending, keys=keys)


def fetch_at(
    db: Database,
    query: CompiledQuery,
    offset: int,
    limit: int = 50,
    *,
    sort: str = "name",
    descending: bool = False,
    keys: Sequence[QualKey] | None = None,
) -> list[ContactRow]:
    """:meth:`QueryEngine.fetch_at` on the file's engine."""
    return QueryEngine.of(db).fetch_at(query, offset, limit, sort=sort, descending=descending,
                                       keys=keys)


def iter_rows(
    db: Database,
    query: CompiledQuery,
    *,
    sort: str = "name",
    batch: int = 2000,
    limit: int | None = None,
) -> Iterator[ContactRow]:
    """:meth:`QueryEngine.iter_rows` on the file's engine."""
    return QueryEngine.of(db).iter_rows(query, sort=sort, batch=batch, limit=limit)


def forget_results(db: Database) -> None:
    """Drop cached counts and id lists, keep the bitmaps (benchmarks: "warm, not cached")."""
    QueryEngine.of(db).state.forget_results()
