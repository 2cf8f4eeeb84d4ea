"""Open, create, migrate, check and back up a qualif file.

Pragmas, chosen for one file carried on a USB stick between machines:

``journal_mode=DELETE``
    A rollback journal exists only during a write and is removed at commit, so
    a closed database is a single file. WAL would leave ``-wal``/``-shm`` files
    beside it holding committed data: a user copying only the ``.db`` file off
    the stick would lose those commits.
``synchronous=FULL``
    Every commit is flushed to the device before it returns. Sticks get pulled
    out; with FULL, kill -9 and power loss leave the last committed state.
``foreign_keys=ON``
    Deleting a contact removes its history, activities links, deals and
    segment memberships in the same transaction (nothing orphaned).
``secure_delete=ON``
    Erased contacts are overwritten with zeros, not left readable in free
    pages: the stick may be lost, and erasure is a GDPR promise.
``busy_timeout=5000``
    The TUI's worker threads and a CLI run at the same time wait for each
    other instead of failing at once with "database is locked".
``temp_store=MEMORY`` and a 16 MB page cache
    Sorting and counting do not write temporary files on the (slow) stick.
``application_id``
    Marks the file as qualif's, so a SQLite file of another program is refused
    instead of being "migrated" into ours.

``PRAGMA quick_check`` reads the whole file: about 0.4 s for 100 000 contacts
with their history, but 3 s at 1 000 000 (1.3 GB). Every open makes the cheap
checks of :mod:`.integrity` (header, page count against the file's size) and
skips the full read when the file is as qualif last knew it sound (its change
counter, recorded in ``meta``). Otherwise the quick check runs on open — for
files up to :data:`QUICK_CHECK_ON_OPEN_BYTES`, or any size with
``defer=False`` (a one-shot command); for bigger ones the file is opened with
``Database.quick_check_pending`` set, and the caller runs :func:`quick_check_file`
where waiting is harmless (the TUI in a background worker after the first
paint). A passed check is recorded in the file. The full ``integrity_check``
runs only in :func:`check_database` (``qualif check``).

Copies of the file (``qualif backup``, and the copy made before a schema
upgrade) go to one backups folder beside it, ``STEM-backups/``, where the
newest ones are kept (:mod:`.files`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.storage import files, integrity, locks, migrations, schema_check

APPLICATION_ID = 0x51554C46  # "QULF"
SCHEMA_VERSION = migrations.LATEST_VERSION
SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_ON_OPEN_BYTES = 256 * 1024 * 1024
# A passed quick check is written into files bigger than this (0.1 s of checking
# and up); smaller files are checked again on open rather than written to when
# nothing else writes (a dry run leaves the file byte for byte as it was).
RECORD_CHECK_BYTES = 64 * 1024 * 1024


class StorageError(Exception):
    """A problem with the database file, told in one line a user understands."""


class NotQualifFile(StorageError):
    pass


class NewerSchema(StorageError):
    pass


class CorruptDatabase(StorageError):
    pass


class PlantedSchema(StorageError):
    """Triggers or views qualif did not make: code another program left in the file."""


def _describe_open_failure(path: Path, error: Exception) -> str:
    folder = path.parent
    if not folder.exists():
        return _("impossible d'ouvrir {path} : le dossier {folder} n'existe pas").format(path=path, folder=folder)
    if not os.access(folder, os.W_OK):
        return _("impossible d'ouvrir {path} : le dossier {folder} est en lecture seule").format(path=path, folder=folder)
    return f"cannot open {path}: {error}"


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


BUSY_TIMEOUT_MS = 5000


def _progress() -> int:
    """SQLite's progress callback: 0 goes on; a KeyboardInterrupt raised while it
    runs (ctrl+c) makes SQLite stop the statement ("interrupted")."""
    return 0


_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


def interrupt_all() -> None:
    """Stop every statement running on any open file of this process now (from any
    thread): quitting the app must not wait for a search or a write that takes
    long, let alone one that never ends."""
    for db in list(_OPEN):
        with contextlib.suppress(sqlite3.Error):
            db.conn.interrupt()


def _apply_pragmas(conn: sqlite3.Connection, *, readonly: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # nothing in the file's schema runs code until it is verified (open_database)
    conn.execute("PRAGMA trusted_schema = OFF")
    # every 100 000 steps of a statement, a pending ctrl+c is seen (Python's signal
    # check runs in the callback): a long statement stops instead of running on
    conn.set_progress_handler(_progress, 100_000)
    if not readonly:
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -16384")


class Database:
    """One open qualif file.

    ``conn`` is in autocommit mode; group writes with :meth:`transaction`,
    which nests (inner blocks become savepoints) and rolls back on error.
    The connection may be used from worker threads; :attr:`lock` serialises
    them, and :meth:`transaction` holds it for the whole transaction.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool = False):
        self.conn = conn
        self.path = path
        self.readonly = readonly
        _OPEN.add(self)
        self.lock: threading.RLock = threading.RLock()
        self._depth = 0
        self._savepoints = 0
        # True when open_database skipped the quick check (big file): run
        # quick_check_file() off the critical path.
        self.quick_check_pending = False
        # the file was sound when opened (known, or checked): what this session
        # writes through SQLite keeps it so, and close() records that in the file
        self.opened_sound = False
        # told, in one line, when a write waits for another program holding the file
        self.on_wait: Callable[[str], None] | None = None
        # Objects of upper layers that live exactly as long as this connection,
        # by class: the query engine (``QueryEngine.of(db)``) and its caches.
        # Closing the connection drops them.
        self.companions: dict[type, object] = {}

    # -- transactions ---------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """All writes inside are one transaction: committed together or not at all."""
        with self.lock:
            if self._depth == 0:
                # another writer: wait for it (told after a second), not forever
                locks.run_waiting(self.conn, "BEGIN IMMEDIATE", self.path, self.on_wait,
                                  BUSY_TIMEOUT_MS)
                self._depth = 1
                try:
                    yield self
                    locks.run_waiting(self.conn, "COMMIT", self.path, self.on_wait,
                                      BUSY_TIMEOUT_MS)
                except BaseException:
                    self._roll_back()
                    raise
                finally:
                    self._depth = 0
            else:
                self._savepoints += 1
                name = f"sp{self._savepoints}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield self
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {name}")
                finally:
                    self._depth -= 1

    def _roll_back(self) -> None:
        """ROLLBACK after a failed write; if even that fails (a pulled stick), the
        journal stays hot and the next open rolls it back."""
        try:
            if self.conn.in_transaction:  # SQLite may have rolled back already
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if not self.readonly and integrity.hot_journal(self.path) is not None:
            # After an I/O error (a full disk) SQLite leaves the journal for the next
            # opener to replay: replay it now, so that the file is whole on its own
            # (a user copying just the .db off the stick) before anyone reopens it.
            try:
                integrity.recover_hot_journal(self.path)
            except (sqlite3.Error, OSError):
                pass

    # -- small helpers --------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))

    def reopen(self) -> Database:
        """A second connection to the same file, e.g. for a worker thread."""
        return open_database(self.path, readonly=self.readonly, quick_check=False)

    def close(self) -> None:
        with self.lock:
            try:
                if (not self.readonly and (self.opened_sound or self._checked_since_open)
                        and self._file_changed()):
                    # qualif wrote to a sound file: the next open need not read it all
                    integrity.record_sound(self.conn, self.path, "session")
            except (sqlite3.Error, integrity.Damaged):
                pass
            finally:
                self.companions.clear()
                self.conn.close()

    def _file_changed(self) -> bool:
        header = integrity.read_header(self.path)
        return header is not None and header.counter != self.counter_at_open

    counter_at_open: int | None = None

    @property
    def _checked_since_open(self) -> bool:
        # the deferred quick check ran and passed (the app clears the flag then)
        return self.deferred_check and not self.quick_check_pending

    deferred_check = False

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_empty_database(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] == 0)


def open_database(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    readonly: bool = False,
    quick_check: bool | None = None,
    on_upgrade: Callable[[str], None] | None = None,
    defer: bool = True,
    verify_schema: bool = True,
) -> Database:
    """Open a qualif file, creating it if ``create`` and migrating it if older.

    ``quick_check``: True always checks, False never (the cheap header checks
    still run), None (default) checks unless the file is known sound — then
    files up to :data:`QUICK_CHECK_ON_OPEN_BYTES` now, and bigger ones are
    flagged (``quick_check_pending``) unless ``defer`` is False.
    ``verify_schema``: refuse a file not known sound whose triggers or views are
    not the ones the code made (:class:`PlantedSchema`); ``qualif check`` opens
    with False to report them instead.
    ``on_upgrade``: told, in one line, of what opening does to the file: an
    older file upgraded (which copies the file and can rebuild indexes: a
    minute on a big file), a write a crash left half-done rolled back.

    Raises :class:`StorageError` (with a one-line message) for a missing file
    or folder, a file that is not SQLite, the SQLite file of another program,
    a file written by a newer qualif, or a damaged file.
    """
    path = Path(path).expanduser()
    exists = path.exists()
    if path.is_dir():
        raise StorageError(_("{path} est un dossier, pas un fichier de base").format(path=path))
    if not exists:
        if not create:
            raise StorageError(
                _("pas de base en {path} (en créer une avec : qualif init {path})").format(path=path)
            )
        if not path.parent.exists():
            raise StorageError(_("impossible de créer {path} : le dossier {parent} n'existe pas").format(path=path, parent=path.parent))
        if not os.access(path.parent, os.W_OK):
            raise StorageError(_("impossible de créer {path} : le dossier {parent} est en lecture seule").format(path=path, parent=path.parent))
    header: integrity.Header | None = None
    if exists:
        _check_header(path)
        # a crash mid-write: roll it back now (a read-only connection cannot), so
        # that the header read next is the committed one
        _recover_hot_journal(path, on_upgrade)
        try:
            # the cheap checks, before SQLite reads (another writer's commit is no damage)
            header = integrity.read_header_settled(path)
        except integrity.Damaged as damage:
            raise CorruptDatabase(integrity.damage_message(path, damage.problems)) from None
        if not readonly and not os.access(path, os.W_OK):
            raise StorageError(_("{path} est en lecture seule (ouvrez-le en lecture seule ou copiez-le ailleurs)").format(path=path))
        if not readonly and not os.access(path.parent, os.W_OK):
            raise StorageError(
                _("le dossier {parent} est en lecture seule : SQLite doit écrire son journal à côté du fichier").format(parent=path.parent)
            )

    try:
        conn = _connect(path, readonly=readonly)
    except sqlite3.Error as error:
        raise StorageError(_describe_open_failure(path, error)) from None
    try:
        _apply_pragmas(conn, readonly=readonly)
        if exists:  # a writer holding the whole file (a big import): wait for it, told
            locks.run_waiting(conn, "SELECT count(*) FROM sqlite_schema", path, on_upgrade,
                              BUSY_TIMEOUT_MS)
    except locks.Busy as busy:
        conn.close()
        raise StorageError(str(busy)) from None
    except sqlite3.Error as error:
        conn.close()
        if integrity_damage(error):
            raise _database_error(path, error) from None
        raise StorageError(_describe_open_failure(path, error)) from None

    deferred = sound = False
    try:
        upgraded = _adopt_or_refuse(conn, path, create=create, readonly=readonly,
                                    on_upgrade=on_upgrade)
        known = not upgraded and integrity.known_sound(conn, header)
        if verify_schema:
            if exists and not known:
                schema_check.refuse_planted(conn, path)
                if not readonly:
                    schema_check.remake_stale_view(conn)
            # the schema is the one the code made: its triggers may now write to the
            # full-text tables (FTS5 is not "innocuous" for an untrusted schema)
            conn.execute("PRAGMA trusted_schema = ON")
        if quick_check is None:
            sound = known
            deferred = (not sound and defer and exists
                        and path.stat().st_size > QUICK_CHECK_ON_OPEN_BYTES)
            quick_check = not sound and not deferred and exists
        if quick_check:
            _quick_check(conn, path)
            sound = verify_schema
            if upgraded:  # the upgraded file passed: older upgrade copies may go
                files.prune_backups(path, upgrade_checked=True)
            if sound and exists and path.stat().st_size > RECORD_CHECK_BYTES:
                # worth a write: the next open skips a check that takes a while
                if readonly:
                    integrity.record_sound_file(path, "quick")
                else:
                    integrity.record_sound(conn, path, "quick")
        elif not exists:
            sound = True  # made just now
    except integrity.Damaged as damage:
        conn.close()
        raise CorruptDatabase(integrity.damage_message(path, damage.problems)) from None
    except schema_check.UnexpectedSchema as planted:
        conn.close()
        raise PlantedSchema(str(planted)) from None
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _database_error(path, error) from None
    except BaseException:
        conn.close()
        raise
    db = Database(conn, path, readonly=readonly)
    db.quick_check_pending = deferred
    db.deferred_check = deferred
    db.opened_sound = sound
    db.counter_at_open = header.counter if header is not None else None
    return db


def integrity_damage(error: BaseException) -> bool:
    """A SQLite error that says the file is damaged."""
    text = str(error)
    return isinstance(error, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text
        or getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT",
                                                              "SQLITE_NOTADB")))


def _database_error(path: Path, error: sqlite3.Error) -> StorageError:
    """A SQLite error met while opening, as one line (damage → the way back)."""
    if integrity_damage(error):
        return CorruptDatabase(integrity.damage_message(path, [str(error)]))
    return StorageError(f"{path}: {error}")


def _recover_hot_journal(path: Path, notify: Callable[[str], None] | None) -> None:
    """Before a read-only open: roll back what a crash left half-written."""
    try:
        rolled_back = integrity.recover_hot_journal(path, notify)
    except locks.Busy as busy:
        raise StorageError(str(busy)) from None
    except PermissionError:
        raise StorageError(_(
            "{path} a été interrompu en pleine écriture (son journal {journal} est resté) et"
            " il est en lecture seule : ouvrez-le une fois là où il peut être écrit, SQLite"
            " annulera l'écriture inachevée").format(
            path=path, journal=files.journal_paths(path)[0].name)) from None
    except sqlite3.Error as error:
        raise _database_error(path, error) from None
    if rolled_back and notify is not None:
        notify(_("{path} avait été interrompu en pleine écriture : l'écriture inachevée a été"
                 " annulée, le fichier est tel qu'après sa dernière écriture réussie").format(
            path=path))


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Raises :class:`integrity.Damaged` with the first problems found."""
    integrity.quick_check(conn)


def quick_check_file(path: str | os.PathLike[str]) -> None:
    """Quick-check a file on a connection of its own (safe from a worker thread),
    and record in the file that it passed.

    Raises :class:`CorruptDatabase` when damaged, :class:`StorageError` if unreadable.
    """
    path = Path(path)
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as error:
        raise StorageError(_describe_open_failure(path, error)) from None
    try:
        _quick_check(conn, path)
    except integrity.Damaged as damage:
        raise CorruptDatabase(integrity.damage_message(path, damage.problems)) from None
    except sqlite3.DatabaseError as error:
        raise _database_error(path, error) from None
    finally:
        conn.close()
    integrity.record_sound_file(path, "quick")


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StorageError(_("impossible de lire {path} : {strerror}").format(path=path, strerror=error.strerror)) from None
    if header and header != SQLITE_HEADER:
        raise NotQualifFile(_("{path} n'est pas une base qualif (pas un fichier SQLite)").format(path=path))


def _adopt_or_refuse(
    conn: sqlite3.Connection, path: Path, *, create: bool, readonly: bool,
    on_upgrade: Callable[[str], None] | None = None,
) -> bool:
    """Refuse a file that is not ours or too new, upgrade an older one (True)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        if app_id == 0 and _is_empty_database(conn):
            if not create or readonly:
                raise NotQualifFile(
                    _("{path} est un fichier SQLite vide (créer une base avec : qualif init {path})").format(path=path)
                )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            raise NotQualifFile(_("{path} est un fichier SQLite d'un autre programme, pas une base qualif").format(path=path))
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            _("{path} a été écrit par un qualif plus récent (schéma {version} ; cette version connaît jusqu'au {SCHEMA_VERSION}) : mettez qualif à jour pour l'ouvrir").format(path=path, version=version, SCHEMA_VERSION=SCHEMA_VERSION)
        )
    if not readonly and version > 0:
        files.adopt_legacy_backups(path)
    if version < SCHEMA_VERSION:
        if readonly:
            raise StorageError(
                _("{path} utilise un ancien schéma ({version}) et est ouvert en lecture seule : ouvrez-le une fois en écriture pour le mettre à niveau").format(path=path, version=version)
            )
        if version > 0:
            destination = files.new_backup_path(path, schema=version)
            if on_upgrade is not None:
                on_upgrade(_("mise à niveau de {path} du schéma {version} au {SCHEMA_VERSION} (le fichier tel qu'il était est gardé en {destination})…").format(path=path, version=version, SCHEMA_VERSION=SCHEMA_VERSION, destination=destination))
            _backup_before_migration(conn, destination)
        migrations.migrate(conn, version)
        return bool(version > 0)
    return False


def _backup_before_migration(conn: sqlite3.Connection, destination: Path) -> None:
    """A schema upgrade rewrites tables: keep the file as it was, in the backups
    folder (it stays until the upgraded file has passed a check)."""
    destination.parent.mkdir(exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    target = sqlite3.connect(str(partial))
    try:
        conn.backup(target)
    finally:
        target.close()
    os.replace(partial, destination)


# -- check and backup ------------------------------------------------------


@dataclass
class CheckReport:
    path: Path
    schema_version: int
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    schema: list[str] = field(default_factory=list)  # tables, triggers… the code does not expect
    last_full_check: str | None = None  # when a full check last passed, before this one

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and not self.schema and (
            self.schema_version == SCHEMA_VERSION
        )

    @property
    def problems(self) -> list[str]:
        """The integrity problems, one per line (SQLite may pack many in a row)."""
        return [] if self.integrity == ["ok"] else integrity.problems_of(self.integrity)


def check_database(db: Database) -> CheckReport:
    """Full ``integrity_check``, ``foreign_key_check``, the schema (against the one
    the code makes: planted triggers and views, missing indexes) and its version.

    A file too damaged for the check to run (``database disk image is
    malformed``) is reported as damaged, never raised. A sound file has the
    time of this check recorded in it, and its backups rolled (the copy made
    before an upgrade may go once the upgraded file has passed).
    """
    report = CheckReport(db.path, 0)
    try:
        report.schema_version = db.schema_version
        report.last_full_check = integrity.last_full_check(db.conn)
        report.integrity = [str(row[0]) for row in db.query("PRAGMA integrity_check(20)")]
        report.foreign_keys = [
            f"{row[0]} row {row[1]} → {row[2]}" for row in db.query("PRAGMA foreign_key_check")
        ][:20]
    except sqlite3.DatabaseError as error:
        report.integrity = [str(error)]
        return report
    try:
        if report.schema_version == SCHEMA_VERSION:
            report.schema = [d.describe() for d in schema_check.compare(db.conn)]
    except sqlite3.DatabaseError as error:
        report.schema = [str(error)]
    for table in ("contacts", "history", "activities", "deals", "segments", "qual_keys"):
        try:
            report.counts[table] = int(db.scalar(f"SELECT count(*) FROM {table}"))
        except sqlite3.DatabaseError:
            report.counts[table] = -1
    if report.ok:
        if db.readonly:
            integrity.record_sound_file(db.path, "full")
        else:
            integrity.record_sound(db.conn, db.path, "full")
        files.prune_backups(db.path, upgrade_checked=True)
    return report


def default_backup_path(path: Path, now: datetime | None = None) -> Path:
    """A new name in the file's backups folder, stamped with the time."""
    return files.new_backup_path(path, now=now)


def backup_database(db: Database, destination: str | os.PathLike[str] | None = None) -> Path:
    """A consistent copy of a live file with SQLite's backup API.

    The default destination is the file's backups folder (``STEM-backups/``,
    made if needed), stamped with the time; the oldest copies there beyond
    :data:`files.BACKUPS_KEPT` are then deleted. The copy is written to a
    temporary name first, so a failed backup never leaves a half-written file
    under the final name.
    """
    in_folder = destination is None
    target = Path(destination) if destination else default_backup_path(db.path)
    if target.is_dir():
        target = target / f"{db.path.stem}-{datetime.now():%Y%m%d-%H%M%S}{db.path.suffix or '.db'}"
    if files.is_same_file(target, db.path):
        raise StorageError(_("la destination de la sauvegarde est la base elle-même"))
    if files.journal_paths(db.path)[0] == target:
        raise StorageError(files.inspect_target(db.path, target).forbidden or str(target))
    if in_folder:
        target.parent.mkdir(exist_ok=True)
    if not target.parent.exists():
        raise StorageError(_("impossible d'écrire {target} : le dossier {parent} n'existe pas").format(target=target, parent=target.parent))
    if target.exists():
        raise StorageError(_("{target} existe déjà ; choisissez un autre nom").format(target=target))
    from qualif_tui.storage import space

    partial = target.with_name(target.name + ".partial")
    try:
        copy = sqlite3.connect(str(partial))
        try:
            with db.lock:
                db.conn.backup(copy)
        finally:
            copy.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise StorageError(_("la sauvegarde vers {target} a échoué : {reason}").format(
            target=target, reason=space.describe_write_error(target, error))) from None
    if in_folder:
        files.prune_backups(db.path)
    return target
