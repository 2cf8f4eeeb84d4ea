"""The files around a qualif database: its journal, its backups folder, and
the files other commands write next to it.

A qualif file on a USB stick never travels alone in the user's mind, but it
does on disk: SQLite writes ``NAME-journal`` beside it during a write, and
qualif keeps copies in one folder, ``STEM-backups/`` (``contacts.db`` →
``contacts-backups/``), made by ``qualif backup`` and before each schema
upgrade. Everything that writes a file chosen by the user (an export) asks
:func:`inspect_target` first, so that no typo or link can turn the database,
its journal or a backup into a CSV.

Backups hold every contact as it was, erased ones too: they roll off by
:func:`prune_backups` (the newest :data:`BACKUPS_KEPT` stay; a copy made
before a schema upgrade stays until the upgraded file has passed a check).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TypeVar

from qualif_tui.base.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
APPLICATION_ID = 0x51554C46  # "QULF", at offset 68 of the header
JOURNAL_SUFFIXES = ("-journal", "-wal", "-shm")
BACKUPS_KEPT = 10
_STAMP = "%Y%m%d-%H%M%S"
_BACKUP_NAME = re.compile(r"-(?:schema(?P<schema>\d+)-)?(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?$")

T = TypeVar("T")


# -- what is beside a database ------------------------------------------------------------


def journal_paths(db_path: Path) -> list[Path]:
    """The files SQLite may keep beside ``db_path`` (rollback journal, WAL)."""
    return [db_path.with_name(db_path.name + suffix) for suffix in JOURNAL_SUFFIXES]


def backups_folder(db_path: Path) -> Path:
    """``contacts.db`` → ``contacts-backups/`` beside it."""
    return db_path.with_name(f"{db_path.stem}-backups")


@dataclass(frozen=True)
class Backup:
    path: Path
    made: datetime
    schema: int | None  # the schema version it was copied from before an upgrade, else None
    number: int = 1     # the second copy made within one second is "-2"

    @property
    def before_upgrade(self) -> bool:
        return self.schema is not None


def new_backup_path(db_path: Path, *, schema: int | None = None,
                    now: datetime | None = None) -> Path:
    """A fresh name in the backups folder, stamped with the time (and the schema
    it is copied from, for an upgrade copy)."""
    stamp = (now or datetime.now()).strftime(_STAMP)
    middle = f"schema{schema}-" if schema is not None else ""
    suffix = db_path.suffix or ".db"
    folder = backups_folder(db_path)
    base = f"{db_path.stem}-{middle}{stamp}"
    # numbered after the highest of this second, even if older ones rolled off
    # (reusing a freed name would sort a new copy among the old ones)
    taken = [b.number for b in list_backups(db_path) if b.path.name.startswith(base)]
    if not taken and not (folder / f"{base}{suffix}").exists():
        return folder / f"{base}{suffix}"
    return folder / f"{base}-{max(taken, default=1) + 1}{suffix}"


def list_backups(db_path: Path) -> list[Backup]:
    """The copies of ``db_path`` in its backups folder, newest first."""
    folder = backups_folder(db_path)
    found: list[Backup] = []
    if not folder.is_dir():
        return found
    prefix = db_path.stem
    for path in folder.iterdir():
        if not path.is_file() or not path.name.startswith(prefix + "-"):
            continue
        match = _BACKUP_NAME.search(path.stem[len(prefix):])
        if match is None or path.name.endswith(".partial"):
            continue
        try:
            made = datetime.strptime(match["stamp"], _STAMP)
        except ValueError:
            continue
        schema = int(match["schema"]) if match["schema"] else None
        found.append(Backup(path, made, schema, int(match["n"] or 1)))
    found.sort(key=lambda b: (b.made, b.number, b.path.name), reverse=True)
    return found


def prune_backups(db_path: Path, *, keep: int = BACKUPS_KEPT,
                  upgrade_checked: bool = False) -> list[Path]:
    """Delete the oldest backups beyond the newest ``keep``; returns what went.

    A copy made before a schema upgrade is kept, whatever its age, until the
    upgraded file has passed a check (``upgrade_checked``): it is the way back
    if the upgrade went wrong.
    """
    removed = []
    for backup in list_backups(db_path)[keep:]:
        if backup.before_upgrade and not upgrade_checked:
            continue
        with contextlib.suppress(OSError):
            backup.path.unlink()
            removed.append(backup.path)
    return removed


def adopt_legacy_backups(db_path: Path) -> list[Path]:
    """Move the ``STEM.schemaN.bak.db`` copies older versions left beside the
    file into the backups folder, where the retention rule applies to them."""
    moved: list[Path] = []
    pattern = re.compile(re.escape(db_path.stem) + r"\.schema(\d+)\.bak" + re.escape(db_path.suffix)
                         + "$")
    try:
        entries = list(db_path.parent.iterdir())
    except OSError:
        return moved
    for path in entries:
        match = pattern.match(path.name)
        if match is None or not path.is_file():
            continue
        made = datetime.fromtimestamp(path.stat().st_mtime)
        target = new_backup_path(db_path, schema=int(match[1]), now=made)
        try:
            target.parent.mkdir(exist_ok=True)
            os.replace(path, target)
        except OSError:
            continue
        moved.append(target)
    return moved


# -- files chosen by the user ------------------------------------------------------------


def is_qualif_file(path: Path) -> bool:
    """A SQLite file stamped with qualif's application id (a database or a backup)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(72)
    except OSError:
        return False
    return (len(header) == 72 and header.startswith(SQLITE_HEADER)
            and int.from_bytes(header[68:72], "big") == APPLICATION_ID)


@dataclass(frozen=True)
class TargetStatus:
    """What writing a file at ``path`` would do.

    ``forbidden``: why it must never be written (the database, a link to it,
    its journal, a backup), as a sentence for the user; ``exists``: a file is
    there and would be replaced (ask first: ``--force`` or a confirmation).
    """

    path: Path
    exists: bool
    forbidden: str | None = None


def inspect_target(db_path: Path | None, target: Path) -> TargetStatus:
    """Whether ``target`` may be written, for a database at ``db_path``.

    The app asks this before its export dialog writes (to ask "replace?"),
    the command line before ``-o`` (``--force`` to replace).
    """
    target = Path(target).expanduser()
    exists = target.exists() or target.is_symlink()
    if target.is_dir():
        return TargetStatus(target, exists, _("{target} est un dossier").format(target=target))
    if db_path is not None:
        db_path = Path(db_path)
        if _same_file(target, db_path):
            return TargetStatus(target, exists, _(
                "{target} est la base de données elle-même (ou un lien vers elle) :"
                " choisissez un autre fichier").format(target=target))
        resolved = _resolved(target)
        for journal in journal_paths(db_path):
            if resolved == _resolved(journal) or _same_file(target, journal):
                return TargetStatus(target, exists, _(
                    "{target} est le journal de la base de données : choisissez un autre"
                    " fichier").format(target=target))
        folder = _resolved(backups_folder(db_path))
        if resolved.parent == folder or folder in resolved.parents:
            return TargetStatus(target, exists, _(
                "{target} est dans le dossier des sauvegardes : choisissez un autre"
                " dossier").format(target=target))
    if exists and is_qualif_file(target):
        return TargetStatus(target, exists, _(
            "{target} est une base qualif (une sauvegarde ?) : elle ne sera pas"
            " écrasée").format(target=target))
    return TargetStatus(target, exists)


def is_same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file (same path, symlink or hard link)."""
    return _same_file(a, b)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _resolved(a) == _resolved(b)


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):
        return path.expanduser().absolute()


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``target`` only once complete.

    Written to a hidden temporary file in the target's folder, flushed to the
    device, then renamed over ``target``; on any error the temporary file is
    removed and ``target`` is untouched (a failed export never leaves half a file).
    """
    import tempfile  # (only writers need it: one-shot reads start faster without)

    folder = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                         dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a plain file is wanted
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomically(target: Path, write: Callable[[IO[bytes]], T]) -> T:
    """:func:`atomic_file` for a function that writes the whole file."""
    with atomic_file(target) as stream:
        return write(stream)
