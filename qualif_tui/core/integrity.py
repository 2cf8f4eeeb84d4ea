"""A quick integrity check a face can run after opening (in the background).

``open_database`` runs ``PRAGMA quick_check`` before returning, which on a
1 000 000-contact file takes seconds. The app can instead open without it,
show the file at once, and run :func:`quick_check` in a worker while holding
writes until it passes.
"""

from __future__ import annotations

import sqlite3

from ..storage import Database


def quick_check(db: Database, limit: int = 20) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds (at most ``limit``); [] when sound."""
    try:
        rows = db.query(f"PRAGMA quick_check({int(limit)})")
    except sqlite3.DatabaseError as error:  # too damaged for the check to finish
        return [str(error)]
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found
