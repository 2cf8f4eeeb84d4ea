"""A full disk, a file-size limit, a failing device: told in one line.

A USB stick fills up; ``ulimit -f`` caps file sizes; a pulled stick turns
every write into an I/O error. SQLite says ``database or disk is full`` or
``disk I/O error``, Python ``[Errno 28] No space left on device``: the user
needs to know which disk, that nothing was written (a transaction is all or
nothing, an export is written to a temporary file first), and what to do.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from qualif_tui.base.i18n import _

_MB = 1024 * 1024
_FULL = {errno.ENOSPC, errno.EDQUOT}
_TOO_BIG = {errno.EFBIG}


def is_space_error(error: BaseException) -> bool:
    """A full disk, a quota, a file-size limit or a write I/O error."""
    if isinstance(error, OSError):
        return error.errno in _FULL | _TOO_BIG | {errno.EIO}
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        text = str(error).lower()
        return (name.startswith(("SQLITE_FULL", "SQLITE_IOERR"))
                or "disk is full" in text or "disk i/o error" in text)
    return False


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def describe_write_error(path: Path, error: BaseException, needed: int | None = None) -> str:
    """One line for a write that failed at ``path`` (a file or a database)."""
    folder = _existing_folder(path)
    code = error.errno if isinstance(error, OSError) else None
    text = str(error).lower()
    free = free_bytes(folder)
    want = max(needed or 0, 10 * _MB)
    if code in _TOO_BIG or _file_size_limited(error):
        return _("{path} atteint la taille de fichier permise par le système (ulimit -f) :"
                 " rien n'a été écrit").format(path=path)
    low_space = free is not None and free < want
    if code in _FULL or low_space and (code == errno.EIO or isinstance(error, sqlite3.Error)):
        return _("le disque qui contient {folder} est plein : rien n'a été écrit ; libérez"
                 " {mb} Mo et recommencez").format(
            folder=folder, mb=max(1, -(-(want - (free or 0)) // _MB)))
    if isinstance(error, sqlite3.Error) and "full" in text:
        return _("{path} ne peut plus grandir (disque plein ou taille limitée) : rien n'a été"
                 " écrit").format(path=path)
    if isinstance(error, sqlite3.Error) or code == errno.EIO:
        told = _("erreur d'écriture sur le disque qui contient {folder} (clé retirée ?) :"
                 " rien n'a été écrit ; vérifiez le support et recommencez").format(folder=folder)
        # which I/O error SQLite met (SQLITE_IOERR_WRITE, _FSYNC…): for whoever helps
        name = getattr(error, "sqlite_errorname", None)
        return f"{told} ({name})" if isinstance(error, sqlite3.Error) and name else told
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return _("impossible d'écrire {path} : {reason}").format(path=path, reason=reason)


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _file_size_limited(error: BaseException) -> bool:
    """A write error under a file-size limit (``ulimit -f``): SQLite reports the
    refused write (EFBIG) as a disk I/O error, so the limit is the likely cause."""
    if _file_size_limit() is None:
        return False
    if isinstance(error, OSError):
        return error.errno in (errno.EIO, errno.EFBIG)
    return isinstance(error, sqlite3.Error)


def needed_for(db_path: Path, added_bytes: int = 0) -> int:
    """A fair guess of the room a write to ``db_path`` needs: what it adds (three
    times the source: rows, indexes, journal) and a twentieth of the file for
    the journal's copies of the pages it touches."""
    try:
        size = os.path.getsize(db_path)
    except OSError:
        size = 0
    return 3 * added_bytes + size // 20


def _existing_folder(path: Path) -> Path:
    folder = Path(path).expanduser().absolute()
    if not folder.is_dir():
        folder = folder.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
