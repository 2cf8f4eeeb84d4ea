"""What a SQLite or file-system failure means, told in one line.

The faces (CLI, app) catch what the core lets through — a page found damaged
in the middle of a query, a disk that filled up during a commit, another
program holding the file — and show :func:`describe_failure` instead of a
traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.storage import integrity, locks, space


def is_damage(error: BaseException) -> bool:
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text
            or "not a database" in text)


def is_busy(error: BaseException) -> bool:
    if not isinstance(error, sqlite3.OperationalError):
        return False
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text


def describe_failure(path: Path | None, error: BaseException) -> str:
    """One line for ``error``, met while working on the database at ``path``."""
    where = Path(path) if path is not None else Path(".")
    if isinstance(error, locks.Busy):
        return str(error)  # already says who holds the file, and for how long
    if is_damage(error):
        return integrity.damage_message(where, [str(error)])
    if space.is_space_error(error):
        return space.describe_write_error(where, error, space.needed_for(where))
    if is_busy(error):
        return locks.busy_message(where)
    if isinstance(error, sqlite3.OperationalError) and "interrupted" in str(error).lower():
        return _("interrompu : rien n'a été écrit")
    if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error).lower():
        return _("{path} ne peut pas être écrit (fichier ou dossier en lecture seule)").format(
            path=where)
    if isinstance(error, OSError):
        return space.describe_write_error(Path(error.filename or where), error)
    return _("{path} : {error}").format(path=where, error=error)
