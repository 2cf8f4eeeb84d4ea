"""The engine's bitmaps kept in the file, for the cold path of one-shot commands.

A long-lived process (the app) builds per-value bitmaps once (``warm_up``, 2 s
at 1 000 000 contacts) and then counts in microseconds. A one-shot ``qualif
query --count`` cannot pay the build, and in SQL a three-criteria count scans a
few hundred thousand rows (0.1–0.7 s at 1M). So the bitmaps the app built are
written into the file when it closes (:func:`save`, table ``facet_store``: a
few MB per million contacts), and so are they after a command that changed
many contacts (:func:`refresh`: an import, an undo, a generated file).

A one-shot command then evaluates on them (:func:`enable`): each column is read
on first use (a blob, deserialised in a few ms) and brought up to date with the
writes made since it was stored, from ``change_log`` — as the app's bitmaps
are. A column the store lacks, a changed schema, or a log pruned past the
stored version makes the engine fall back to SQL, which gives the same answers.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pyroaring import BitMap

from qualif_tui.domain.keys import list_keys
from qualif_tui.query.engine import QueryEngine
from qualif_tui.query.errors import QueryError
from qualif_tui.query.facets import MAX_CATCH_UP, FacetIndex, Unsupported, read_universe
from qualif_tui.query.runtime import Version
from qualif_tui.storage import Database

UNIVERSE = ""  # the row of every contact id
# a store further behind than this many changed contacts is rebuilt by writers
REFRESH_AFTER = MAX_CATCH_UP // 2


def encode(values: dict[Any, BitMap]) -> bytes:
    """Values (JSON) and their bitmaps (roaring's portable format), in one blob."""
    blobs = [bitmap.serialize() for bitmap in values.values()]
    header = json.dumps([[value, len(blob)] for value, blob in zip(values, blobs, strict=True)],
                        ensure_ascii=False).encode()
    return len(header).to_bytes(4, "big") + header + b"".join(blobs)


def decode(data: bytes) -> dict[Any, BitMap]:
    size = int.from_bytes(data[:4], "big")
    at = 4 + size
    values: dict[Any, BitMap] = {}
    for value, length in json.loads(data[4:at]):
        values[value] = BitMap.deserialize(data[at:at + length])
        at += length
    return values


class StoredFacetIndex(FacetIndex):
    """A :class:`FacetIndex` whose columns come from the file's ``facet_store``."""

    partial = True

    def __init__(self, stored: dict[str, tuple[int, int]]) -> None:
        super().__init__()
        self.stored = stored  # column → (seq, schema) it was stored at
        self.at: Version | None = None  # the data version the engine is at

    def catch_up(self, db: Database, old: Version | None, new: Version) -> None:
        super().catch_up(db, old, new)  # columns already read follow the writes
        self.at = new

    def _build(self, db: Database, name: str) -> dict[Any, BitMap] | None:
        return self._load(db, name)  # type: ignore[return-value]

    def all_contacts(self, db: Database) -> BitMap:
        if self.universe is None:
            try:
                found = self._load(db, UNIVERSE)
            except Unsupported:
                found = read_universe(db)  # 0.1 s at 1M: rarely needed (a sparse complement)
            assert isinstance(found, BitMap)
            self.universe = found
        return self.universe

    def _load(self, db: Database, name: str) -> dict[Any, BitMap] | BitMap:
        """A stored column (or every contact id), brought to the engine's version."""
        if name not in self.stored or self.at is None:
            raise Unsupported(f"no stored bitmaps for {name!r}")
        seq, schema = self.stored[name]
        if schema != self.at[1] or seq > self.at[0]:
            raise Unsupported("the stored bitmaps belong to another version of the file")
        with db.lock:
            data = db.scalar("SELECT data FROM facet_store WHERE name = ?", (name,))
        if data is None:
            raise Unsupported(f"no stored bitmaps for {name!r}")
        if name == UNIVERSE:
            universe = BitMap.deserialize(bytes(data))
            self._apply(db, seq, name, universe)
            return universe
        values = decode(bytes(data))
        self._apply(db, seq, name, values)
        return values

    def _apply(self, db: Database, seq: int, name: str,
               found: dict[Any, BitMap] | BitMap) -> None:
        """The writes logged after ``seq``: each changed contact read again."""
        assert self.at is not None
        if seq == self.at[0]:
            return
        with db.lock:
            oldest = db.scalar("SELECT min(seq) FROM change_log")
            if oldest is None or oldest > seq + 1:
                raise Unsupported("the change log was pruned past the stored bitmaps")
            changed = [int(r[0]) for r in db.query(
                "SELECT DISTINCT contact_id FROM change_log WHERE seq > ? AND seq <= ?"
                " AND contact_id IS NOT NULL", (seq, self.at[0]))]
            if len(changed) > MAX_CATCH_UP:
                raise Unsupported("too many changes since the bitmaps were stored")
            column = "1" if name == UNIVERSE else name
            rows = {int(r[0]): r[1] for r in db.query(
                f"SELECT contact_id, {column} FROM contact_facts WHERE contact_id IN"
                " (SELECT value FROM json_each(?))", (json.dumps(changed),))}
        if isinstance(found, BitMap):
            for contact_id in changed:
                if contact_id in rows:
                    found.add(contact_id)
                else:
                    found.discard(contact_id)
            return
        gone = BitMap(changed)
        for bitmap in found.values():
            bitmap.difference_update(gone)
        for contact_id, value in rows.items():
            if value is not None:
                found.setdefault(value, BitMap()).add(contact_id)
        for value in [v for v, b in found.items() if not b]:
            del found[value]


def _stored(db: Database) -> dict[str, tuple[int, int]]:
    try:
        rows = db.query("SELECT name, seq, schema FROM facet_store")
    except sqlite3.OperationalError:  # a file before the store: SQL it is
        return {}
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


def enable(db: Database) -> bool:
    """Evaluate queries on the file's stored bitmaps from now on (a one-shot
    command); False when the file has none that fit (SQL then, as before)."""
    engine = QueryEngine.of(db)
    st = engine.state
    with st.lock:
        if st.facets is not None:
            return True
        stored = _stored(db)
        version = st.current_version()
        biggest = db.scalar("SELECT max(contact_id) FROM contact_facts") or 0
        if version is None or biggest >= 2**32:
            return False
        # even with nothing stored: bare words are then counted as bitmaps of the
        # ids FTS5 gives (every other criterion in SQL, as before)
        facets = StoredFacetIndex(stored)
        st.facets = facets
        st.version = None  # the next refresh() tells the index its version
        st.refresh()
        return True


def lag(db: Database) -> int | None:
    """How many contacts changed since the store was written (None: no usable store)."""
    stored = _stored(db).get(UNIVERSE)
    if stored is None:
        return None
    version = QueryEngine.of(db).state.current_version()
    if version is None or stored[1] != version[1]:
        return None
    oldest = db.scalar("SELECT min(seq) FROM change_log")
    if oldest is not None and oldest > stored[0] + 1:
        return None
    return int(db.scalar("SELECT count(DISTINCT contact_id) FROM change_log WHERE seq > ?",
                         (stored[0],)) or 0)


def save(db: Database) -> bool:
    """Write the engine's built bitmaps into the file (the app, when it closes)."""
    if db.readonly:
        return False
    engine = QueryEngine.of(db)
    st = engine.state
    with st.lock:
        facets = st.facets
        version = st.refresh()
        if facets is None or version is None:
            return False
        columns = {name: values for name, values in facets.columns.items()
                   if values is not None}
        if not columns:
            return False
        universe = facets.all_contacts(db)  # (built now if the app never needed it)
        if _stored(db) == {name: version for name in [UNIVERSE, *columns]}:
            return True  # already there
        with db.transaction():
            db.execute("DELETE FROM facet_store")
            db.execute("INSERT INTO facet_store(name, seq, schema, data) VALUES (?, ?, ?, ?)",
                       (UNIVERSE, version[0], version[1], universe.serialize()))
            for name, values in columns.items():
                db.execute("INSERT INTO facet_store(name, seq, schema, data) VALUES (?, ?, ?, ?)",
                           (name, version[0], version[1], encode(values)))
    return True


def refresh(db: Database, *, force: bool = False) -> bool:
    """After a command that changed many contacts: build the bitmaps (2 s at 1M)
    and store them, unless the store is close enough to catch up on reading."""
    behind = lag(db)
    if not force and behind is not None and behind <= REFRESH_AFTER:
        return False
    engine = QueryEngine.of(db)
    st = engine.state
    with st.lock:
        if isinstance(st.facets, StoredFacetIndex):
            st.facets = None  # build afresh from the rows
    engine.warm_up()
    with st.lock:
        if st.facets is None:
            return False  # ids beyond 32 bits: SQL serves such a file
        st.facets.all_contacts(db)
    # what `qualif report` reads besides the choice keys: the won-deal facts it sums
    # (revenue, won deals) and every key (completeness); a column with too many
    # values for bitmaps stays out, and the report reads it in SQL
    for column in ["deals", "revenue", *(k.column for k in list_keys(db))]:
        with st.lock:
            if st.facets is None:
                return False
            st.facets.column(db, column)
    # the columns the saved segments read (dates, amounts…): `qualif segment list`
    # counts them all on bitmaps
    for (text,) in db.query("SELECT query FROM segments WHERE kind = 'dynamic'"):
        try:
            engine.count(engine.compile(str(text)))
        except QueryError:
            continue  # a segment that no longer compiles is shown as such, in SQL
    return save(db)
