"""Per-database state of the query engine: SQL functions, data version, caches.

Caches are only as good as their invalidation. The file's ``change_log``
table (kept by triggers, see ``storage/schema.py``) gets a row for every
write a query result depends on, whoever writes — this program, another
process, the sqlite3 shell. ``(max(seq), PRAGMA schema_version)`` is then the
*data version*: a cached count or bitmap is reused only while it is
unchanged. Inside an open write transaction nothing is cached (a rollback
would make the cache lie).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualif_tui.base.text import fold
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.query import custom
from qualif_tui.storage import Database

if TYPE_CHECKING:
    from qualif_tui.query.facets import FacetIndex

Version = tuple[int, int]


class LRU:
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        if key in self.data:
            self.data.move_to_end(key)
            return self.data[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)

    def clear(self) -> None:
        self.data.clear()


@dataclass
class State:
    has_log: bool | None = None
    version: Version | None = None  # the data version the caches below belong to
    counts: LRU = field(default_factory=lambda: LRU(512))
    totals: dict[str, int] = field(default_factory=dict)
    keys: list[QualKey] | None = None  # the qualification keys at this data version
    pinned: int = 0  # > 0 inside checked(): the version was just read, do not read it again
    indexes: dict[str, bool] = field(default_factory=dict)
    facets: FacetIndex | None = None  # set by warm_up(): bitmap evaluation enabled
    # the database's own lock: one lock for SQL and caches, so a thread inside a
    # transaction (holding db.lock) and one counting can never wait on each other
    lock: Any = None


_STATES: weakref.WeakKeyDictionary[Database, State] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()

# Bitmaps the walk plans test membership in, by token (see member()).
_MEMBER_SETS: dict[int, Any] = {}
_TOKENS = itertools.count(1)


def state(db: Database) -> State:
    with _STATES_LOCK:
        found = _STATES.get(db)
        if found is None:
            found = _STATES[db] = State(lock=db.lock)
            _register_functions(db)
        return found


def _register_functions(db: Database) -> None:
    with db.lock:
        db.conn.create_function("qualif_fold", 1, _fold, deterministic=True)
        db.conn.create_function("qualif_in", 2, _member)
        # custom fields compared as numbers and dates, by the one parser (query/custom.py)
        db.conn.create_function("qualif_number", 1, custom.sql_number, deterministic=True)
        db.conn.create_function("qualif_date", 1, custom.sql_date, deterministic=True)
        db.conn.create_function("qualif_month", 1, custom.sql_month, deterministic=True)


def _fold(value: Any) -> str:
    return fold(value if isinstance(value, str) else ("" if value is None else str(value)))


def _member(token: int, contact_id: int) -> int:
    found = _MEMBER_SETS.get(token)
    if found is None:
        return 0
    bitmap, complemented = found
    return int((contact_id in bitmap) != complemented)


class member_set:  # noqa: N801 — used as a context manager, reads like a function
    """Make a bitmap testable in SQL as ``qualif_in(token, id)`` while in use.

    ``complemented``: the set is every contact *except* those in ``bitmap``.
    """

    def __init__(self, bitmap: Any, complemented: bool = False) -> None:
        self.token = next(_TOKENS)
        self.entry = (bitmap, complemented)

    def __enter__(self) -> int:
        _MEMBER_SETS[self.token] = self.entry
        return self.token

    def __exit__(self, *exc: object) -> None:
        _MEMBER_SETS.pop(self.token, None)


def current_version(db: Database, st: State) -> Version | None:
    """The data version, or None when caching is not possible right now."""
    if db.conn.in_transaction:
        return None
    with db.lock:
        if st.has_log is None:
            st.has_log = bool(db.scalar(
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'change_log'"))
        if not st.has_log:
            return None
        seq = db.scalar("SELECT max(seq) FROM change_log") or 0
        schema = db.scalar("PRAGMA schema_version")
    return int(seq), int(schema)


def refresh(db: Database, st: State) -> Version | None:
    """Bring the caches to the current data version; returns it (None: no caching)."""
    if st.pinned and not db.conn.in_transaction:
        return st.version  # checked at the start of this call (see checked())
    version = current_version(db, st)
    if version is None:
        return None
    if version != st.version:
        st.counts.clear()
        st.totals.clear()
        st.keys = None
        st.indexes.clear()
        if st.facets is not None:
            st.facets.catch_up(db, st.version, version)
        st.version = version
    return version


@contextlib.contextmanager
def checked(db: Database) -> Iterator[State]:
    """Hold the state lock and read the data version once for a whole call.

    A page request asks for the count, the total, the keys…: one version check
    (two tiny queries) is enough for all of them, as the lock keeps this
    connection's own writers out meanwhile.
    """
    st = state(db)
    with st.lock:
        refresh(db, st)
        st.pinned += 1
        try:
            yield st
        finally:
            st.pinned -= 1


def current_keys(db: Database) -> list[QualKey]:
    """The qualification keys (cached per data version: every page decodes them)."""
    st = state(db)
    with st.lock:
        version = refresh(db, st)
        if version is not None and st.keys is not None:
            return st.keys
        keys = list_keys(db)
        if version is not None:
            st.keys = keys
        return keys


def has_index(db: Database, name: str) -> bool:
    """Whether the file has an index (files of an older layout may lack one)."""
    st = state(db)
    with st.lock:
        if name not in st.indexes:
            st.indexes[name] = bool(db.scalar(
                "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", (name,)))
        return st.indexes[name]


def forget_results(db: Database) -> None:
    """Drop cached counts and id lists, keep the bitmaps (benchmarks: "warm, not cached")."""
    st = state(db)
    with st.lock:
        st.counts.clear()
        if st.facets is not None:
            st.facets.materialized.clear()


def total_contacts(db: Database) -> int:
    """How many contacts (cached per data version)."""
    st = state(db)
    with st.lock:
        version = refresh(db, st)
        if version is not None and "all" in st.totals:
            return st.totals["all"]
        total = int(db.scalar("SELECT count(*) FROM contact_facts"))
        if version is not None:
            st.totals["all"] = total
        return total
