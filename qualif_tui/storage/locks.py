"""Two programs on one file: wait for the other writer, visibly and not forever.

SQLite lets one writer at a time in. A second ``qualif import`` used to die
after five seconds with a ``database is locked`` traceback. Now a write waits
for its turn: after :data:`NOTICE_AFTER` seconds the user is told who holds
the file (found in ``/proc/locks`` on Linux: the process and its command
line), and after :func:`wait_limit` seconds (``QUALIF_LOCK_TIMEOUT``, 60 by
default) the write gives up with one line — nothing written, nothing lost.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from qualif_tui.base.i18n import _

NOTICE_AFTER = 1.0
_DEFAULT_LIMIT = 60.0
_STEP_MS = 200


def wait_limit() -> float:
    """Seconds a write waits for another writer before giving up."""
    try:
        return max(0.0, float(os.environ.get("QUALIF_LOCK_TIMEOUT", _DEFAULT_LIMIT)))
    except ValueError:
        return _DEFAULT_LIMIT


def holders(path: Path) -> list[tuple[int, str]]:
    """Other processes holding a lock on ``path``: (pid, command line), Linux only."""
    try:
        inode = os.stat(path).st_ino
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found: dict[int, str] = {}
    for line in lines:
        parts = line.split()
        # "1: POSIX  ADVISORY  WRITE 4242 fd:01:1234 1073741824 1073741824"
        if "->" in parts:
            continue
        try:
            pid = int(parts[4])
            file_inode = int(parts[5].rsplit(":", 1)[1])
        except (IndexError, ValueError):
            continue
        if file_inode != inode or pid == os.getpid() or pid in found:
            continue
        found[pid] = _command_line(pid)
    return sorted(found.items())


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:
        return ""
    text = [w.decode("utf-8", "replace") for w in words if w]
    # "python …/bin/qualif import x.db" → "qualif import x.db"
    for index, word in enumerate(text):
        if os.path.basename(word) == "qualif":
            text = ["qualif", *text[index + 1:]]
            break
    line = " ".join(" ".join(text).split())  # one line, whatever `python -c` held
    return line if len(line) <= 80 else line[:79] + "…"


def who(path: Path) -> str:
    """``qualif import big.csv (pid 4242)``, or '' when unknown."""
    found = holders(path)
    return ", ".join(f"{command or '?'} (pid {pid})" for pid, command in found)


def busy_message(path: Path, waited: float | None = None) -> str:
    other = who(path)
    if waited is None:
        waited = wait_limit()
    if other:
        return _("{path} est occupé par un autre programme depuis {s:.0f} s : {other} ; rien"
                 " n'a été écrit, recommencez quand il aura fini").format(
            path=path, s=waited, other=other)
    return _("{path} est occupé par un autre programme depuis {s:.0f} s ; rien n'a été écrit,"
             " recommencez quand il aura fini").format(path=path, s=waited)


class Busy(sqlite3.OperationalError):
    """The other writer kept the file longer than the wait limit."""


def run_waiting(conn: sqlite3.Connection, sql: str, path: Path,
                on_wait: Callable[[str], None] | None, busy_timeout_ms: int) -> None:
    """``conn.execute(sql)`` (``BEGIN IMMEDIATE``, ``COMMIT``), retried while
    another connection holds the lock, up to :func:`wait_limit` seconds."""
    limit = wait_limit()
    started = time.monotonic()
    told = False
    conn.execute(f"PRAGMA busy_timeout = {_STEP_MS}")
    try:
        while True:
            try:
                conn.execute(sql)
                return
            except sqlite3.OperationalError as error:
                text = str(error).lower()
                if "locked" not in text and "busy" not in text:
                    raise
            waited = time.monotonic() - started
            if waited >= limit:
                raise Busy(busy_message(path, waited))
            if not told and waited >= NOTICE_AFTER and on_wait is not None:
                other = who(path)
                on_wait(_("{path} est en cours d'écriture par {other} : j'attends mon tour"
                          " (au plus {limit:.0f} s)…").format(
                    path=path, other=other or _("un autre programme"), limit=limit))
                told = True
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
