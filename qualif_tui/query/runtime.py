"""What the query engine remembers about one open file: SQL functions, data version, caches.

One :class:`EngineState` per :class:`~qualif_tui.query.engine.QueryEngine`, so
per open connection; nothing here is global. Its life is the engine's: the
app and a CLI run hold the engine of their file, and closing the file drops it.

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
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import TYPE_CHECKING, Any

from pyroaring import BitMap

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

    def __len__(self) -> int:
        return len(self.data)

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


class EngineState:
    """The caches of one connection's query engine, and the lock that guards them.

    ``lock`` is the database's own lock: one lock for SQL and caches, so a
    thread inside a transaction (holding ``db.lock``) and one counting can
    never wait on each other.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock: threading.RLock = db.lock
        self.has_log: bool | None = None
        self.version: Version | None = None  # the data version the caches below belong to
        self.counts = LRU(512)  # counts and id lists of queries
        self.totals: dict[str, int] = {}
        self.keys: list[QualKey] | None = None  # the qualification keys at this version
        self.pinned = 0  # > 0 inside checked(): the version was just read, do not read it again
        self.indexes: dict[str, bool] = {}
        self.facets: FacetIndex | None = None  # set by warm_up(): bitmap evaluation enabled
        # bitmaps the walk plans test membership in, by token (see member_set())
        self.member_sets: dict[int, tuple[BitMap, bool]] = {}
        self._tokens = itertools.count(1)
        self._register_functions()

    # -- SQL functions ----------------------------------------------------------
    def _register_functions(self) -> None:
        with self.lock:
            self.db.conn.create_function("qualif_fold", 1, _fold, deterministic=True)
            self.db.conn.create_function("qualif_in", 2, self._member)
            # custom fields compared as numbers and dates, by the one parser (query/custom.py)
            self.db.conn.create_function("qualif_number", 1, custom.sql_number,
                                         deterministic=True)
            self.db.conn.create_function("qualif_date", 1, custom.sql_date, deterministic=True)
            self.db.conn.create_function("qualif_month", 1, custom.sql_month,
                                         deterministic=True)

    def _member(self, token: int, contact_id: int) -> int:
        found = self.member_sets.get(token)
        if found is None:
            return 0
        bitmap, complemented = found
        return int((contact_id in bitmap) != complemented)

    @contextlib.contextmanager
    def member_set(self, bitmap: BitMap, complemented: bool = False) -> Iterator[int]:
        """Make a bitmap testable in SQL as ``qualif_in(token, id)`` while in use.

        ``complemented``: the set is every contact *except* those in ``bitmap``.
        """
        token = next(self._tokens)
        self.member_sets[token] = (bitmap, complemented)
        try:
            yield token
        finally:
            self.member_sets.pop(token, None)

    # -- the data version -------------------------------------------------------
    def current_version(self) -> Version | None:
        """The data version, or None when caching is not possible right now."""
        db = self.db
        if db.conn.in_transaction:
            return None
        with self.lock:
            if self.has_log is None:
                self.has_log = bool(db.scalar(
                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'change_log'"))
            if not self.has_log:
                return None
            seq = db.scalar("SELECT max(seq) FROM change_log") or 0
            schema = db.scalar("PRAGMA schema_version")
        return int(seq), int(schema)

    def refresh(self) -> Version | None:
        """Bring the caches to the current data version; returns it (None: no caching)."""
        if self.pinned and not self.db.conn.in_transaction:
            return self.version  # checked at the start of this call (see checked())
        version = self.current_version()
        if version is None:
            return None
        if version != self.version:
            self.counts.clear()
            self.totals.clear()
            self.keys = None
            self.indexes.clear()
            if self.facets is not None:
                self.facets.catch_up(self.db, self.version, version)
            self.version = version
        return version

    @contextlib.contextmanager
    def checked(self) -> Iterator[EngineState]:
        """Hold the lock and read the data version once for a whole call.

        A page request asks for the count, the total, the keys…: one version check
        (two tiny queries) is enough for all of them, as the lock keeps this
        connection's own writers out meanwhile.
        """
        with self.lock:
            self.refresh()
            self.pinned += 1
            try:
                yield self
            finally:
                self.pinned -= 1

    # -- cached answers ---------------------------------------------------------
    def current_keys(self) -> list[QualKey]:
        """The qualification keys (cached per data version: every page decodes them)."""
        with self.lock:
            version = self.refresh()
            if version is not None and self.keys is not None:
                return self.keys
            keys = list_keys(self.db)
            if version is not None:
                self.keys = keys
            return keys

    def has_index(self, name: str) -> bool:
        """Whether the file has an index (files of an older layout may lack one)."""
        with self.lock:
            if name not in self.indexes:
                self.indexes[name] = bool(self.db.scalar(
                    "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", (name,)))
            return self.indexes[name]

    def total_contacts(self) -> int:
        """How many contacts (cached per data version)."""
        with self.lock:
            version = self.refresh()
            if version is not None and "all" in self.totals:
                return self.totals["all"]
            total = int(self.db.scalar("SELECT count(*) FROM contact_facts"))
            if version is not None:
                self.totals["all"] = total
            return total

    def forget_results(self) -> None:
        """Drop cached counts and id lists, keep the bitmaps (benchmarks: "warm, not cached")."""
        with self.lock:
            self.counts.clear()
            if self.facets is not None:
                self.facets.materialized.clear()

    def clear(self) -> None:
        """Forget everything cached, bitmaps included (they are rebuilt on demand)."""
        with self.lock:
            self.version = None
            self.counts.clear()
            self.totals.clear()
            self.keys = None
            self.indexes.clear()
            self.has_log = None
            if self.facets is not None:
                self.facets.forget()


def _fold(value: Any) -> str:
    return fold(value if isinstance(value, str) else ("" if value is None else str(value)))
