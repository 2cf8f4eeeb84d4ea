"""Erasing for real: the full-text indexes forget a deleted contact's words.

Deleting a contact (or a history entry) tells FTS5 to forget its words, but
FTS5 only *adds* a delete marker: the words stay readable in the index's
existing segments (``contacts_fts_data``, ``history_fts_data``) until those are
merged, and ``secure_delete`` cannot reach inside them. FTS5's own
``secure-delete`` option needs SQLite 3.42; the interpreter's bundled SQLite
may be older (3.40 here), and a file must open on every machine it travels to.

So a deletion is marked (``erasure.contacts`` / ``erasure.history`` in
``meta``, set by triggers whoever deletes, see ``schema.ERASURE_TRIGGERS``)
and :func:`complete_erasure` then merges each marked index into one segment
(FTS5 ``optimize``): a merge drops deleted rows' entries for good, and the old
segments' pages are zeroed by ``secure_delete``. It rewrites the whole index —
measured in the README (Reliability) — so the app runs it as a background
write after a deletion, and the command line right after ``import --undo``;
a mark left by a crash is completed by the next writable open of the CLI and
the app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from qualif_tui.base.i18n import _
from qualif_tui.storage.database import Database

# mark in meta → the full-text table whose segments hold the deleted rows' words
INDEXES = {"erasure.contacts": "contacts_fts", "erasure.history": "history_fts",
           "erasure.deals": "deals_fts"}


def pending(db: Database) -> list[str]:
    """The full-text tables still holding words of deleted rows."""
    try:
        rows = db.query(f"SELECT key FROM meta WHERE key IN ({', '.join('?' * len(INDEXES))})",
                        tuple(INDEXES))
    except sqlite3.OperationalError:  # no meta table yet: nothing pending
        return []
    return [INDEXES[str(row[0])] for row in rows]


def complete_erasure(db: Database, notify: Callable[[str], None] | None = None) -> list[str]:
    """Merge the full-text indexes that hold deleted rows' words (one transaction);
    returns the tables merged. ``notify`` is told first (it takes a while on a big
    file)."""
    tables = pending(db)
    if not tables or db.readonly:
        return []
    if notify is not None:
        notify(_("effacement définitif des contacts supprimés (index plein texte)…"))
    with db.transaction():
        for table in pending(db):  # again, inside the lock: another writer may have done it
            db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        db.execute(f"DELETE FROM meta WHERE key IN ({', '.join('?' * len(INDEXES))})",
                   tuple(INDEXES))
    return tables
