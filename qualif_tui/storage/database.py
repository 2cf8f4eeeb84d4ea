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
with their history, but 3 s at 1 000 000 (1.3 GB). So it runs on open for files
up to :data:`QUICK_CHECK_ON_OPEN_BYTES`; for bigger ones the file is opened
unchecked with ``Database.quick_check_pending`` set, and the caller runs
:func:`quick_check_file` where waiting is harmless (the TUI in a background
worker after the first paint, an import before it writes). The full
``integrity_check`` runs only in :func:`check_database` (``qualif check``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qualif_tui.storage import migrations

APPLICATION_ID = 0x51554C46  # "QULF"
SCHEMA_VERSION = migrations.LATEST_VERSION
SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_ON_OPEN_BYTES = 256 * 1024 * 1024


class StorageError(Exception):
    """A problem with the database file, told in one line a user understands."""


class NotQualifFile(StorageError):
    pass


class NewerSchema(StorageError):
    pass


class CorruptDatabase(StorageError):
    pass


def _describe_open_failure(path: Path, error: Exception) -> str:
    folder = path.parent
    if not folder.exists():
        return f"cannot open {path}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"cannot open {path}: the folder {folder} is read-only"
    return f"cannot open {path}: {error}"


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def _apply_pragmas(conn: sqlite3.Connection, *, readonly: bool) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
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
        self.lock: threading.RLock = threading.RLock()
        self._depth = 0
        self._savepoints = 0
        # True when open_database skipped the quick check (big file): run
        # quick_check_file() off the critical path.
        self.quick_check_pending = False
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
                self.conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                else:
                    self.conn.execute("COMMIT")
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
            self.companions.clear()
            self.conn.close()

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
) -> Database:
    """Open a qualif file, creating it if ``create`` and migrating it if older.

    ``quick_check``: True always checks, False never, None (default) checks
    files up to :data:`QUICK_CHECK_ON_OPEN_BYTES` and flags bigger ones.
    ``on_upgrade``: told, in one line, before an older file is upgraded (which
    copies the file and can rebuild indexes: a minute on a big file).

    Raises :class:`StorageError` (with a one-line message) for a missing file
    or folder, a file that is not SQLite, the SQLite file of another program,
    a file written by a newer qualif, or a damaged file.
    """
    path = Path(path).expanduser()
    exists = path.exists()
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    if not exists:
        if not create:
            raise StorageError(
                f"no database at {path} (create one with: qualif init {path})"
            )
        if not path.parent.exists():
            raise StorageError(f"cannot create {path}: the folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK):
            raise StorageError(f"cannot create {path}: the folder {path.parent} is read-only")
    else:
        _check_header(path)
        if not readonly and not os.access(path, os.W_OK):
            raise StorageError(f"{path} is read-only (open it read-only or copy it elsewhere)")
        if not readonly and not os.access(path.parent, os.W_OK):
            raise StorageError(
                f"the folder {path.parent} is read-only: SQLite needs to write its journal"
                " beside the file"
            )

    try:
        conn = _connect(path, readonly=readonly)
        _apply_pragmas(conn, readonly=readonly)
    except sqlite3.Error as error:
        raise StorageError(_describe_open_failure(path, error)) from None

    deferred = False
    if quick_check is None:
        deferred = exists and path.stat().st_size > QUICK_CHECK_ON_OPEN_BYTES
        quick_check = not deferred
    try:
        _adopt_or_refuse(conn, path, create=create, readonly=readonly, on_upgrade=on_upgrade)
        if quick_check:
            _quick_check(conn, path)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StorageError(f"{path}: {error}") from None
    except BaseException:
        conn.close()
        raise
    db = Database(conn, path, readonly=readonly)
    db.quick_check_pending = deferred
    return db


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise CorruptDatabase(
            f"{path} is damaged ({result}); run `qualif check {path}` and restore a backup"
        )


def quick_check_file(path: str | os.PathLike[str]) -> None:
    """Quick-check a file on a connection of its own (safe from a worker thread).

    Raises :class:`CorruptDatabase` when damaged, :class:`StorageError` if unreadable.
    """
    path = Path(path)
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as error:
        raise StorageError(_describe_open_failure(path, error)) from None
    try:
        _quick_check(conn, path)
    except sqlite3.DatabaseError as error:
        raise CorruptDatabase(f"{path}: {error}") from None
    finally:
        conn.close()


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StorageError(f"cannot read {path}: {error.strerror}") from None
    if header and header != SQLITE_HEADER:
        raise NotQualifFile(f"{path} is not a qualif database (not a SQLite file)")


def _adopt_or_refuse(
    conn: sqlite3.Connection, path: Path, *, create: bool, readonly: bool,
    on_upgrade: Callable[[str], None] | None = None,
) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        if app_id == 0 and _is_empty_database(conn):
            if not create or readonly:
                raise NotQualifFile(
                    f"{path} is an empty SQLite file (create a database with: qualif init {path})"
                )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            raise NotQualifFile(f"{path} is a SQLite file of another program, not a qualif database")
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"{path} was written by a newer qualif (schema {version}; this version knows"
            f" up to {SCHEMA_VERSION}): upgrade qualif to open it"
        )
    if version < SCHEMA_VERSION:
        if readonly:
            raise StorageError(
                f"{path} uses an older schema ({version}) and is opened read-only: open it"
                " writable once to upgrade it"
            )
        if version > 0:
            if on_upgrade is not None:
                on_upgrade(f"upgrading {path} from schema {version} to {SCHEMA_VERSION}"
                           f" (the file as it was is kept as {_backup_name(path, version)})…")
            _backup_before_migration(conn, path, version)
        migrations.migrate(conn, version)


def _backup_name(path: Path, version: int) -> Path:
    return path.with_name(f"{path.stem}.schema{version}.bak{path.suffix}")


def _backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """A schema upgrade rewrites tables: keep the file as it was, next to it."""
    destination = _backup_name(path, version)
    if not destination.exists():
        target = sqlite3.connect(str(destination))
        try:
            conn.backup(target)
        finally:
            target.close()


# -- check and backup ------------------------------------------------------


@dataclass
class CheckReport:
    path: Path
    schema_version: int
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and (
            self.schema_version == SCHEMA_VERSION
        )


def check_database(db: Database) -> CheckReport:
    """Full ``integrity_check``, ``foreign_key_check`` and the schema version."""
    report = CheckReport(db.path, db.schema_version)
    report.integrity = [row[0] for row in db.query("PRAGMA integrity_check(20)")]
    report.foreign_keys = [
        f"{row[0]} row {row[1]} → {row[2]}" for row in db.query("PRAGMA foreign_key_check")
    ][:20]
    for table in ("contacts", "history", "activities", "deals", "segments", "qual_keys"):
        report.counts[table] = int(db.scalar(f"SELECT count(*) FROM {table}"))
    return report


def default_backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}-{stamp}{path.suffix or '.db'}")


def backup_database(db: Database, destination: str | os.PathLike[str] | None = None) -> Path:
    """A consistent copy of a live file with SQLite's backup API.

    The default destination is beside the file, stamped with the time. The
    copy is written to a temporary name first, so a failed backup never
    leaves a half-written file under the final name.
    """
    target = Path(destination) if destination else default_backup_path(db.path)
    if target.is_dir():
        target = default_backup_path(target / db.path.name)
    if target.resolve() == db.path.resolve():
        raise StorageError("the backup destination is the database itself")
    if not target.parent.exists():
        raise StorageError(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.exists():
        raise StorageError(f"{target} already exists; choose another name")
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
        raise StorageError(f"backup to {target} failed: {error}") from None
    return target
