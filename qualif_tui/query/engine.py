"""Running a compiled query: counts, sorted pages (keyset), random access, streams.

The faces never build SQL: they call :func:`compile_query` once per query text,
then :func:`count`, :func:`fetch_page` (keyset paging forwards/backwards from a
cursor), :func:`fetch_at` (a page at an offset, for jumps in a virtual list)
and :func:`iter_rows` (exports).

Two ways to evaluate, same answers (the property tests check both against a
plain-Python reference):

* **SQL** — the compiled WHERE clause over ``c`` (contacts) and ``f``
  (contact_facts). Used by one-shot commands, where building bitmaps would
  cost more than it saves.
* **bitmaps** — after :func:`warm_up` (a long-lived process: the TUI), the
  plan is evaluated on per-value bitmaps (:mod:`.facets`): counts take a
  fraction of a millisecond at 1 000 000 contacts.

A page is fetched by one of two plans, chosen from the count (computed
anyway, and cached per data version):

* **walk** — read the sort index in order and keep matching contacts until the
  page is full (matching is a bitmap probe ``qualif_in`` or, in SQL mode, the
  WHERE clause in a correlated EXISTS). Cheap when matches are dense.
* **list** — take the (small) set of matching ids and sort only those.
  Cheap when matches are sparse.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap

from qualif_tui.base.text import display_name
from qualif_tui.domain.keys import Decoded, QualKey, list_keys
from qualif_tui.query.errors import QueryCancelled, QueryError
from qualif_tui.query.facets import FacetIndex, Unsupported, read_column, read_universe
from qualif_tui.query.plan import FALSE, TRUE, Cond, Negate, Plan, all_of, render
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.query.runtime import (
    State,
    checked,
    current_keys,
    member_set,
    refresh,
    state,
    total_contacts,
)
from qualif_tui.storage import Database, StorageError, open_database

# sort name → (SQL expression, label). Every sort ends with c.id for a total order.
SORTS: dict[str, tuple[str, str]] = {
    "name": ("c.sort_key", "nom"),
    "company": ("c.norm_company", "société"),
    "city": ("c.norm_city", "ville"),
    "last_contact": ("coalesce(f.last_contact, '')", "dernier contact"),
}

Cursor = tuple[Any, int]  # (sort value, contact id) of a row


@dataclass(frozen=True)
class _Walk:
    """How to read a sort in order from an index."""

    alias: str  # "c" or "f": the table the index belongs to
    index: str
    column: str  # the indexed column, in walk order
    ident: str  # the contact id column of that table
    nullable: bool  # NULL sorts first and stands for '' in cursors


WALKS: dict[str, _Walk] = {
    "name": _Walk("c", "contacts_sort", "c.sort_key", "c.id", False),
    "company": _Walk("c", "contacts_company", "c.norm_company", "c.id", False),
    "city": _Walk("c", "contacts_city", "c.norm_city", "c.id", False),
    "last_contact": _Walk("f", "facts_last_contact", "f.last_contact", "f.contact_id", True),
}

# Estimated cost (µs) of one walked index entry, and of one listed id.
_WALK_BITMAP_US = 0.6
_WALK_SQL_US = 1.5
_LIST_US = 3.0
LIST_MAX = 50_000


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


@dataclass(frozen=True)
class ContactRow:
    """One line of a result: what lists and exports show."""

    id: int
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    mobile: str
    postal_code: str
    city: str
    dept: str | None
    last_contact: str | None
    email_optout: bool
    cursor: Cursor
    keys: dict[str, Decoded] = field(default_factory=dict)
    revenue: float = 0.0  # sum of the won deals
    open_deals: int = 0
    last_purchase: str | None = None  # day of the latest won deal

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of ``qualif query --format json`` (DESIGN.md contract)."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "postal_code": self.postal_code,
            "city": self.city,
            "dept": self.dept,
            "last_contact": self.last_contact,
            "revenue": self.revenue,
            "open_deals": self.open_deals,
            "last_purchase": self.last_purchase,
            "keys": dict(self.keys),
        }


# -- compiling -------------------------------------------------------------------


def compile_query(db: Database, text: str, *, keys: Sequence[QualKey] | None = None,
                  inside: str | None = None) -> CompiledQuery:
    """Parse and compile ``text``; raises :class:`QueryError` with a position and hint.

    ``inside``: compiling the query of that segment (a use of it is a cycle).
    """
    from qualif_tui.query.compiler import compile_plan

    state(db)  # SQL functions the clause may call (qualif_fold)
    try:
        compiled = compile_plan(db, text, keys, inside=inside)
        where, params = render(compiled.plan)
    except RecursionError:
        raise QueryError("the query is too complex (segments nested in segments too deeply)",
                         None, "simplify the segments it uses", 1, text) from None
    return CompiledQuery(text, where, params, tuple(compiled.warnings), compiled.plan,
                         tuple(dict.fromkeys(compiled.segments)))


def refine(query: CompiledQuery, condition: Cond) -> CompiledQuery:
    """``query`` AND a condition built by code (not typed by a user): the
    derived results the faces browse (the sprint's incomplete contacts…)."""
    plan = all_of([query.plan, condition])
    where, params = render(plan)
    return CompiledQuery(query.text, where, params, query.warnings, plan, query.segments)


# -- bitmaps ----------------------------------------------------------------------------


def warm_up(db: Database, *, build: bool = True, aside: bool = False) -> None:
    """Evaluate queries on in-memory bitmaps from now on (a long-lived process).

    Builds the bitmaps of the choice keys and départements now (about 0.3 s
    per key at 1 000 000 contacts; call it from a worker thread); others are
    built on first use. Memory: a few MB per million contacts and key.

    ``aside``: read them on a connection of its own, so that the caller's
    reads on ``db`` (the app's list and card) never wait behind the build; a
    column read while a write came in is dropped and built on first use.
    """
    st = state(db)
    with st.lock:
        biggest = db.scalar("SELECT max(contact_id) FROM contact_facts") or 0
        if biggest >= 2**32:
            return  # the bitmaps hold 32-bit ids; SQL serves such a file
        if st.facets is None:
            st.facets = FacetIndex()
        refresh(db, st)
    if not build:
        return
    columns = ["dept", "flags"] + [k.column for k in list_keys(db)
                                   if k.type in ("choice", "multi", "yesno")]
    if aside:
        _warm_up_aside(db, st, columns)
        return
    for column in columns:
        # one column at a time: counts from other threads get in between
        with st.lock:
            if st.facets is None:
                return
            refresh(db, st)
            st.facets.column(db, column)


def _warm_up_aside(db: Database, st: State, columns: list[str]) -> None:
    reader = open_database(db.path, readonly=True, quick_check=False)
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
                if refresh(db, st) != seen:
                    continue
                if column is None and isinstance(built, BitMap):
                    facets.universe = facets.universe or built
                elif column is not None and not isinstance(built, BitMap):
                    facets.columns.setdefault(column, built)
    finally:
        reader.close()
        _give_back_freed_memory()


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


def use_bitmaps(db: Database, enabled: bool) -> None:
    """Switch bitmap evaluation on (lazily built) or off (SQL only)."""
    st = state(db)
    with st.lock:
        if enabled:
            warm_up(db, build=False)
        else:
            st.facets = None
        st.counts.clear()


def bitmap_result(db: Database, query: CompiledQuery) -> tuple[Any, bool] | None:
    """(ids, complemented) from the bitmaps, or None in SQL mode. Caller holds st.lock."""
    st = state(db)
    if st.facets is None:
        return None
    if refresh(db, st) is None:
        return None  # inside a write transaction: SQL sees the uncommitted rows
    key = ("result", query.where, query.params)
    found = st.facets.materialized.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    try:
        result = st.facets.evaluate(db, query.plan)
    except Unsupported:
        st.facets = None
        return None
    st.facets.materialized.put(key, result)
    return result


# -- counting ------------------------------------------------------------------------


def from_clause(tables: str) -> str:
    if tables == "f":
        return "contact_facts f"
    if tables == "c":
        return "contacts c"
    return "contacts c JOIN contact_facts f ON f.contact_id = c.id"


def _sql_count(db: Database, plan: Plan) -> int:
    if plan == TRUE:
        return total_contacts(db)
    if plan == FALSE:
        return 0
    if isinstance(plan, Negate):
        # the complement of an index-friendly condition: count it, subtract
        return total_contacts(db) - _sql_count(db, plan.child)
    where, params = render(plan)
    return int(db.scalar(f"SELECT count(*) FROM {from_clause(plan_tables(plan))} WHERE {where}",
                         params))


def interrupt(db: Database) -> None:
    """Stop the statement running on ``db`` now (from another thread).

    Search-as-you-type: a one-letter word can take a second at 1 000 000
    contacts; when the user types on, interrupt it and the count or page
    being computed raises :class:`QueryCancelled`. SQLite stops *any*
    statement of that connection, writes included: search on a connection of
    its own (``db.reopen()``).
    """
    db.conn.interrupt()


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


def count(db: Database, query: CompiledQuery) -> int:
    """How many contacts match (cached until the data changes)."""
    with _within_sqlite_limits(query):
        return _count(db, query)


def _count(db: Database, query: CompiledQuery) -> int:
    if query.is_everything:
        return total_contacts(db)
    if query.is_nothing:
        return 0
    with checked(db) as st:
        version = refresh(db, st)
        key = ("count", st.facets is not None, query.where, query.params)
        if version is not None:
            cached = st.counts.get(key)
            if cached is not None:
                return int(cached)
        result = bitmap_result(db, query)
        if result is not None:
            ids, complemented = result
            number = total_contacts(db) - len(ids) if complemented else len(ids)
        else:
            number = _sql_count(db, query.plan)
        if version is not None:
            st.counts.put(key, number)
        return number


def count_many(db: Database, queries: Sequence[CompiledQuery]) -> list[int]:
    """Several counts at once (the segments list): one data-version check, shared caches."""
    return [count(db, q) for q in queries]


# -- pages ---------------------------------------------------------------------------


def _sort(sort: str) -> str:
    try:
        return SORTS[sort][0]
    except KeyError:
        raise QueryError(f"unknown sort '{sort}' (one of {', '.join(SORTS)})") from None


def _columns(keys: Sequence[QualKey], sort_expr: str) -> str:
    key_columns = "".join(f", f.{k.column}" for k in keys)
    return ("c.id, c.first_name, c.last_name, c.company, c.email, c.phone, c.mobile,"
            " c.postal_code, c.city, c.email_optout, f.dept, f.last_contact,"
            f" {sort_expr} AS sort_value, f.revenue, f.open_deals, f.last_purchase{key_columns}")


def _decoder(key: QualKey) -> Callable[[Any], Decoded]:
    """``key.decode``, with a dict for choice codes (50 rows × 6 keys per page)."""
    if key.type != "choice":
        return key.decode
    names = {v.code: v.value for v in key.values}

    def decode(stored: Any) -> Decoded:
        return None if stored is None else names.get(int(stored))
    return decode


def _rows(db: Database, sql: str, params: Sequence[Any], keys: Sequence[QualKey]
          ) -> list[ContactRow]:
    rows = []
    decoders = [(k.name, 16 + i, _decoder(k)) for i, k in enumerate(keys)]
    for r in db.query(sql, params):
        rows.append(ContactRow(
            id=r[0], first_name=r[1], last_name=r[2], company=r[3], email=r[4], phone=r[5],
            mobile=r[6], postal_code=r[7], city=r[8], email_optout=bool(r[9]), dept=r[10],
            last_contact=r[11], cursor=(r[12], r[0]),
            keys={name: decode(r[at]) for name, at, decode in decoders},
            revenue=float(r[13] or 0), open_deals=int(r[14] or 0), last_purchase=r[15],
        ))
    return rows


def _walk_keyset(walk: _Walk, cursor: Cursor, greater: bool) -> tuple[str, list[Any]]:
    """The rows after (``greater``) or before a cursor, in a form the index can seek."""
    o, i = walk.column, walk.ident
    value, ident = cursor
    if not walk.nullable:
        return f"({o}, {i}) {'>' if greater else '<'} (?, ?)", [value, ident]
    if value in (None, ""):
        if greater:
            return f"(({o} IS NULL AND {i} > ?) OR {o} IS NOT NULL)", [ident]
        return f"({o} IS NULL AND {i} < ?)", [ident]
    if greater:
        return f"({o} >= ? AND ({o} > ? OR {i} > ?))", [value, value, ident]
    return f"({o} IS NULL OR {o} < ? OR ({o} = ? AND {i} < ?))", [value, value, ident]


@dataclass
class _Page:
    """A page request, normalised: direction, cursor, window."""

    sort: str
    cursor: Cursor | None
    greater: bool  # rows after the cursor in ascending order
    direction: str  # ASC / DESC
    backwards: bool
    limit: int
    offset: int = 0


def page_request(sort: str, after: Cursor | None, before: Cursor | None, limit: int,
                  descending: bool, offset: int = 0) -> _Page:
    _sort(sort)
    backwards = before is not None
    cursor = before if backwards else after
    greater = (not descending) != backwards
    direction = "DESC" if descending != backwards else "ASC"
    return _Page(sort, cursor, greater, direction, backwards, max(0, limit), max(0, offset))


def walk_sql(query: CompiledQuery, page: _Page, keys: Sequence[QualKey], membership: str,
              membership_params: Sequence[Any]) -> tuple[str, list[Any]]:
    walk = WALKS[page.sort]
    expr = SORTS[page.sort][0]
    table = "contacts c" if walk.alias == "c" else "contact_facts f"
    where = [membership]
    params: list[Any] = list(membership_params)
    if page.cursor is not None:
        condition, values = _walk_keyset(walk, page.cursor, page.greater)
        where.append(condition)
        params.extend(values)
    d = page.direction
    inner = (f"SELECT {walk.ident} AS pid, {walk.column} AS pv FROM {table}"
             f" INDEXED BY {walk.index} WHERE {' AND '.join(where)}"
             f" ORDER BY {walk.column} {d}, {walk.ident} {d} LIMIT ? OFFSET ?")
    params.extend([page.limit, page.offset])
    # the walked order again (NULL first when ascending, as in the index)
    outer = (f"SELECT {_columns(keys, expr)} FROM ({inner}) AS p"
             " JOIN contacts c ON c.id = p.pid JOIN contact_facts f ON f.contact_id = c.id"
             f" ORDER BY p.pv {d}, p.pid {d}")
    return outer, params


def sql_membership(query: CompiledQuery, walk: _Walk) -> str:
    """The WHERE clause as a test on the walked table (EXISTS joins the other one)."""
    needs = plan_tables(query.plan)
    if walk.alias == "c":
        if "f" not in needs:
            return f"({query.where})"
        return (f"EXISTS (SELECT 1 FROM contact_facts f WHERE f.contact_id = c.id"
                f" AND ({query.where}))")
    if "c" not in needs:
        return f"({query.where})"
    return f"EXISTS (SELECT 1 FROM contacts c WHERE c.id = f.contact_id AND ({query.where}))"


def list_sql(page: _Page, keys: Sequence[QualKey], ids_json: str) -> tuple[str, list[Any]]:
    expr = SORTS[page.sort][0]
    where = ["c.id IN (SELECT value FROM json_each(?))"]
    params: list[Any] = [ids_json]
    if page.cursor is not None:
        where.append(f"({expr}, c.id) {'>' if page.greater else '<'} (?, ?)")
        params.extend(page.cursor)
    d = page.direction
    sql = (f"SELECT {_columns(keys, expr)} FROM contacts c"
           " JOIN contact_facts f ON f.contact_id = c.id"
           f" WHERE {' AND '.join(where)} ORDER BY {expr} {d}, c.id {d} LIMIT ? OFFSET ?")
    params.extend([page.limit, page.offset])
    return sql, params


def choose_plan(db: Database, query: CompiledQuery, page: _Page, bitmaps: bool
            ) -> tuple[str, int, int]:
    """("walk" | "list" | "empty", count, total) for a page request."""
    matches = count(db, query)
    total = total_contacts(db)
    if matches == 0 or page.limit == 0:
        return "empty", matches, total
    if matches > LIST_MAX:
        return "walk", matches, total
    walked = (page.offset + page.limit) * total / matches
    walk_cost = walked * (_WALK_BITMAP_US if bitmaps else _WALK_SQL_US)
    list_cost = matches * _LIST_US
    return ("list" if list_cost < walk_cost else "walk"), matches, total


def _ids_of(db: Database, query: CompiledQuery, result: tuple[Any, bool] | None) -> list[int]:
    """The matching ids (a small set: the list plan), from bitmaps or SQL."""
    if result is not None:
        ids, complemented = result
        if complemented:
            st = state(db)
            assert st.facets is not None
            return list(st.facets.all_contacts(db) - ids)
        return list(ids)
    st = state(db)
    key = ("ids", query.where, query.params)
    cached = st.counts.get(key) if st.version is not None else None
    if cached is not None:
        return list(cached)
    tables = plan_tables(query.plan)
    ident = "f.contact_id" if tables == "f" else "c.id"
    found = [r[0] for r in db.query(f"SELECT {ident} FROM {from_clause(tables)} WHERE {query.where}",
                                    query.params)]
    if st.version is not None and not db.conn.in_transaction:
        st.counts.put(key, found)
    return found


def _fetch(db: Database, query: CompiledQuery, page: _Page, keys: Sequence[QualKey] | None
           ) -> list[ContactRow]:
    if query.is_nothing or page.limit == 0:
        return []
    with checked(db):
        keys = current_keys(db) if keys is None else keys
        result = bitmap_result(db, query)
        if query.is_everything:
            plan, result = "walk", None
        else:
            plan, _, _ = choose_plan(db, query, page, result is not None)
        if plan == "empty":
            return []
        if plan == "list":
            ids = _ids_of(db, query, result)
            sql, params = list_sql(page, keys, json.dumps(ids))
            rows = _rows(db, sql, params, keys)
        elif query.is_everything:
            sql, params = walk_sql(query, page, keys, "1", [])
            rows = _rows(db, sql, params, keys)
        elif result is not None:
            ids, complemented = result
            with member_set(ids, complemented) as token:
                sql, params = walk_sql(query, page, keys, "qualif_in(?, "
                                        f"{WALKS[page.sort].ident})", [token])
                rows = _rows(db, sql, params, keys)
        else:
            membership = sql_membership(query, WALKS[page.sort])
            sql, params = walk_sql(query, page, keys, membership, query.params)
            rows = _rows(db, sql, params, keys)
    return rows[::-1] if page.backwards else rows


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
    """Up to ``limit`` rows in sort order, after (or before) a cursor.

    Keyset paging: the cursor is the (sort value, id) of the last row seen,
    so a deep page costs the same as the first (no OFFSET scan). Rows come
    back in display order in both directions.
    """
    page = page_request(sort, after, before, limit, descending)
    with _within_sqlite_limits(query):
        return _fetch(db, query, page, keys)


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
    """Rows at a position in the sorted result (a jump: End, a scrollbar drag).

    Sequential scrolling should use :func:`fetch_page` from a neighbour's cursor.
    """
    page = page_request(sort, None, None, limit, descending, offset)
    with _within_sqlite_limits(query):
        return _fetch(db, query, page, keys)


def iter_rows(
    db: Database,
    query: CompiledQuery,
    *,
    sort: str = "name",
    batch: int = 2000,
    limit: int | None = None,
) -> Iterator[ContactRow]:
    """Every row of the result in order, fetched in keyset batches (constant memory)."""
    keys = current_keys(db)
    cursor: Cursor | None = None
    sent = 0
    while limit is None or sent < limit:
        size = batch if limit is None else min(batch, limit - sent)
        page = fetch_page(db, query, sort=sort, after=cursor, limit=size, keys=keys)
        yield from page
        sent += len(page)
        if len(page) < size:
            return
        cursor = page[-1].cursor
