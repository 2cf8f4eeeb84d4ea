"""Is the file sound? Cheaply on every open, fully when it may not be.

``PRAGMA quick_check`` reads the whole file: 3 s at 1 000 000 contacts, which
a one-shot ``qualif query`` cannot pay. What actually damages a file happens
while it is closed — a copy cut short, a stick pulled out mid-write, another
program — and SQLite's own writes keep it sound. So:

* every open reads the 100-byte header (magic, page size, the page count
  against the file's size: a truncated copy is caught at once);
* the file remembers, in ``meta``, the *file change counter* (header offset
  24, bumped by SQLite at every commit) it had when qualif last knew it sound:
  after a passed check, or when a qualif session that opened it sound closes.
  If the header still shows that counter, nothing but qualif wrote since, and
  the full read is skipped;
* otherwise (another program wrote, qualif was killed, a copy came from
  elsewhere) the quick check runs once — and its passing is recorded.

``qualif check`` runs the full ``integrity_check`` and records its time and
result. A hot journal left by a crash is rolled back before a read-only open
(:func:`recover_hot_journal`).
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.storage import locks
from qualif_tui.storage.files import SQLITE_HEADER, backups_folder, journal_paths, list_backups

SOUND_KEY = "integrity.sound"        # {"counter": n, "at": time, "by": "quick"|"full"|"session"}
FULL_CHECK_KEY = "integrity.full"    # {"at": time, "result": "ok"}
SHOWN_PROBLEMS = 3


class Damaged(Exception):
    """The file is damaged; ``problems`` as SQLite words them (first ones)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Header:
    page_size: int
    pages: int          # pages the header says the file has (0 when not trusted)
    counter: int        # the file change counter
    file_size: int


def read_header(path: Path) -> Header | None:
    """The header of a SQLite file (None for an empty file); :class:`Damaged` when
    the header or the file's size cannot be right."""
    try:
        with path.open("rb") as handle:
            data = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        raise Damaged([error.strerror or str(error)]) from None
    if not data:
        return None
    if len(data) < 100 or not data.startswith(SQLITE_HEADER):
        raise Damaged([_("en-tête SQLite illisible")])
    raw_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if raw_size == 1 else raw_size
    if page_size < 512 or page_size & (page_size - 1):
        raise Damaged([_("taille de page impossible ({size})").format(size=raw_size)])
    counter = int.from_bytes(data[24:28], "big")
    pages = int.from_bytes(data[28:32], "big")
    if int.from_bytes(data[92:96], "big") != counter:
        pages = 0  # written by an old SQLite: the page count is not kept up to date
    if pages and size < pages * page_size:
        raise Damaged([_("fichier tronqué : {size} octets au lieu de {expected}").format(
            size=size, expected=pages * page_size)])
    return Header(page_size, pages, counter, size)


def read_header_settled(path: Path) -> Header | None:
    """:func:`read_header` at open, before any lock is held: another program's commit
    in progress is not damage.

    A writer commits page 1 (which holds the file's new size) before the pages that
    grow the file, so for a few milliseconds the header says more pages than the
    file has: read then, a sound file looked truncated (about 1 read in 100 beside
    a busy writer) and opening it told the user to restore a backup. When the file
    looks damaged, it is read again holding a read lock, which waits for a commit
    to end; what is still wrong then is damage.
    """
    try:
        return read_header(path)
    except Damaged as first:
        damaged = first
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                               timeout=10)
    except sqlite3.Error:
        raise damaged from None
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # the read lock
        return read_header(path)
    except sqlite3.Error:
        raise damaged from None  # SQLite cannot read it either: the damage seen first
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("COMMIT")
        conn.close()


def hot_journal(path: Path) -> Path | None:
    """The rollback journal beside ``path`` if one is there, not empty."""
    journal = journal_paths(path)[0]
    try:
        return journal if journal.stat().st_size > 0 else None
    except OSError:
        return None


def writable(path: Path) -> bool:
    """The file and its folder (where SQLite writes its journal) can be written."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def recover_hot_journal(path: Path, notify: Callable[[str], None] | None = None) -> bool:
    """Roll back what a crash left half-written, before a read-only open.

    A read-only connection cannot replay the journal, and every read then
    fails ("attempt to write a readonly database"). A read-write connection
    does it on its first read — if the journal is hot: a journal whose writer
    is still at work is left alone. True when the journal was rolled back.
    Raises :class:`PermissionError` when the file or its folder is read-only.
    """
    journal = hot_journal(path)
    if journal is None:
        return False
    if not writable(path):
        raise PermissionError(path)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        # a writer at work holds the file: wait for it like any reader would
        locks.run_waiting(conn, "SELECT count(*) FROM sqlite_schema", path, notify, 5000)
    finally:
        conn.close()
    return not journal.exists()


# -- the record of soundness kept in the file ------------------------------------------------


def _read_record(conn: sqlite3.Connection, key: str) -> dict[str, object] | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no meta table (yet)
        return None
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def known_sound(conn: sqlite3.Connection, header: Header | None) -> bool:
    """The file is as qualif, on this machine, last knew it sound (nothing else
    wrote since). The record is sealed with a secret of this machine: a file made
    elsewhere (or by someone forging the record to slip a trigger past the
    schema check) is checked in full."""
    if header is None:
        return False
    record = _read_record(conn, SOUND_KEY)
    if record is None or record.get("counter") != header.counter:
        return False
    seal = _seal(header.counter)
    return seal is not None and hmac.compare_digest(str(record.get("seal", "")), seal)


def _seal(counter: int) -> str | None:
    secret = _machine_secret()
    if secret is None:
        return None
    return hmac.new(secret, f"qualif-sound:{counter}".encode(), "sha256").hexdigest()


@functools.lru_cache(maxsize=1)
def _machine_secret() -> bytes | None:
    """32 random bytes kept in the machine's state folder (base/places.py, made on
    first use); None when it cannot be kept (every open then checks in full)."""
    from qualif_tui.base.places import state_dir

    folder = state_dir()
    path = folder / "secret"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fresh = os.urandom(32)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(fresh)
        return fresh
    except FileExistsError:  # another process made it just now
        try:
            return path.read_bytes() or None
        except OSError:
            return None
    except OSError:
        return None


def record_sound(conn: sqlite3.Connection, path: Path, by: str) -> bool:
    """Remember that the file, as it is now, is sound (on a writable connection
    with no transaction open). The record's own commit bumps the change counter
    by one: the counter stored is the one the file has after it."""
    if conn.in_transaction:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            header = read_header(path)
            if header is None:
                conn.execute("ROLLBACK")
                return False
            seal = _seal(header.counter + 1)
            if seal is None:
                conn.execute("ROLLBACK")
                return False
            value = json.dumps({"counter": header.counter + 1, "by": by, "seal": seal,
                                "at": datetime.now().isoformat(timespec="seconds")})
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key)"
                         " DO UPDATE SET value = excluded.value", (SOUND_KEY, value))
            if by == "full":
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key)"
                             " DO UPDATE SET value = excluded.value",
                             (FULL_CHECK_KEY, json.dumps(
                                 {"at": datetime.now().isoformat(timespec="seconds"),
                                  "result": "ok"})))
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except (sqlite3.Error, Damaged):
        return False  # a busy or read-only file: the check simply runs again next time
    return True


def record_sound_file(path: Path, by: str) -> bool:
    """:func:`record_sound` on a short connection of its own, for a check made
    read-only (``qualif query``, ``qualif check``); skipped on a read-only file."""
    if not writable(path):
        return False
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=2)
    except sqlite3.Error:
        return False
    try:
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        return record_sound(conn, path, by)
    finally:
        conn.close()


def last_full_check(conn: sqlite3.Connection) -> str | None:
    """When ``qualif check`` last found the file sound (ISO time), if ever."""
    record = _read_record(conn, FULL_CHECK_KEY)
    return str(record["at"]) if record and "at" in record else None


# -- checks and what to tell -----------------------------------------------------------------


def problems_of(rows: list[str]) -> list[str]:
    """``integrity_check`` rows (one may hold many lines) → one problem per line."""
    found: list[str] = []
    for row in rows:
        for line in str(row).splitlines():
            line = line.strip()
            if line and not line.startswith("*** in database"):
                found.append(line)
    return found


def quick_check(conn: sqlite3.Connection) -> None:
    """``PRAGMA quick_check``; :class:`Damaged` with its first problems."""
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({SHOWN_PROBLEMS + 2})")]
    except sqlite3.DatabaseError as error:
        raise Damaged([str(error)]) from None
    if rows != ["ok"]:
        raise Damaged(problems_of(rows) or rows)


def damage_message(path: Path, problems: list[str]) -> str:
    """One line: the file is damaged, the first problems, and the way back."""
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown += _(" (et {n} autres)").format(n=more)
    return _("{path} est endommagé ({problems}) : {advice}").format(
        path=path, problems=shown, advice=restore_advice(path))


def restore_advice(path: Path) -> str:
    """What to do with a damaged file: the backups there are, newest first."""
    backups = list_backups(path)
    if not backups:
        return _("aucune sauvegarde dans {folder} ; restaurez une copie de {name} faite"
                 " ailleurs (qualif check la vérifie)").format(
            folder=backups_folder(path), name=path.name)
    newest = backups[0]
    names = ", ".join(b.path.name for b in backups[:3])
    return _("restaurez la plus récente de vos {n} sauvegardes ({names}) : cp {backup} {path}"
             ).format(n=len(backups), names=names, backup=newest.path, path=path)
