"""SQL typed by a user, read-only: ``qualif sql DB "SELECT …"``; and what the file holds.

A power user may read the file with any SELECT; nothing they type may change
it, nor write another file. Three locks, each enough for most statements:

* the connection is opened read-only (``mode=ro``): SQLite refuses every write
  to the file;
* ``PRAGMA query_only``: no CREATE, INSERT, UPDATE, DELETE, not even of a
  temporary table;
* an authorizer refuses ATTACH and DETACH — ``ATTACH 'x.db'`` and
  ``VACUUM INTO 'x.db'`` would otherwise *create* a file even on a read-only
  connection — and every PRAGMA that sets something (``query_only = OFF``).

:func:`describe_file` lists the tables and views with their columns, through
sqlite-utils' introspection.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.storage.database import Database, StorageError, open_database

# PRAGMAs that only read, even when given an argument (a table's name…).
_READING_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
})


class SqlRefused(StorageError):
    """The statement would change the file or write another one."""


class SqlFailed(StorageError):
    """SQLite could not run the statement (a syntax error, an unknown table…)."""


@dataclass
class SqlResult:
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def _authorize(action: int, first: str | None, second: str | None, _db: str | None,
               _source: str | None) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and second is not None and \
            (first or "").lower() not in _READING_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[Database]:
    """The file opened for reading only, locked as the module says."""
    db = open_database(path, readonly=True, quick_check=False)
    try:
        with db.lock:
            db.conn.execute("PRAGMA query_only = ON")
            db.conn.set_authorizer(_authorize)
        yield db
    finally:
        db.close()


def run_sql(db: Database, sql: str, params: Sequence[Any] = ()) -> SqlResult:
    """Run one statement on a file opened with :func:`reading`; rows come as they are read."""
    try:
        cursor = db.conn.execute(sql, params)
    except sqlite3.DatabaseError as error:
        text = str(error)
        if "not authorized" in text or "authorization denied" in text or \
                "readonly" in text or "read-only" in text:
            raise SqlRefused(_("qualif sql ne fait que lire le fichier ({error}) ; pour le "
                               "modifier, passez par l'application ou les commandes")
                             .format(error=text)) from None
        raise SqlFailed(_("SQL : {error}").format(error=text)) from None
    except (sqlite3.ProgrammingError, sqlite3.Warning) as error:  # several statements
        raise SqlFailed(_("SQL : {error}").format(error=error)) from None
    columns = [description[0] for description in cursor.description or ()]
    return SqlResult(columns, iter(cursor))


@dataclass(frozen=True)
class Relation:
    """A table or a view of the file, and its columns (name, declared type)."""

    name: str
    kind: str  # "table" or "view"
    columns: tuple[tuple[str, str], ...]


def describe_file(db: Database) -> list[Relation]:
    """The tables and views a SELECT can read (SQLite's own and FTS shadow tables left out)."""
    import sqlite_utils  # here: it imports click, which the core must not load (test_layers)

    tools = sqlite_utils.Database(db.conn, recursive_triggers=False)
    tables = tools.table_names()
    shadows = {f"{name}_{part}" for name in tables if tools.table(name).virtual_table_using
               for part in ("data", "idx", "docsize", "config", "content")}
    found: list[Relation] = []
    for name in tables:
        if not name.startswith("sqlite_") and name not in shadows:
            columns = tools.table(name).columns
            found.append(Relation(name, "table", tuple((c.name, c.type) for c in columns)))
    for name in tools.view_names():
        columns = tools.view(name).columns
        found.append(Relation(name, "view", tuple((c.name, c.type) for c in columns)))
    return found
