"""What the reliability tests share: crashed copies, damaged pages, the CLI in a
process of its own, and the one-line rule for errors."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from qualif_tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str | Path) -> tuple[int, str, str]:
    """The command line in this process (fast): exit status, stdout, stderr."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def cli_process(*args: str | Path, timeout: float = 120, env: dict[str, str] | None = None,
                limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it: its own process (kill, limits, locks)."""

    def limits() -> None:
        if limit_file_size is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-m", "qualif_tui", *[str(a) for a in args]],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})},
                          preexec_fn=limits if limit_file_size is not None else None)


def assert_one_line_error(stderr: str) -> None:
    """The contract: one line on stderr, ``qualif:`` in front, never a traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("qualif: "), stderr
    assert len([line for line in lines if not line.startswith("qualif: ")]) == 0, stderr


def crashed_copy(source: Path, target: Path) -> Path:
    """``target``: ``source`` as a crash mid-write leaves it — pages already
    written over, and the hot journal that holds the old ones beside it."""
    if source != target:
        shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA cache_size = 4")  # spill to the file before the commit
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE contacts SET address = address || printf('%.200c', 'x')")
    conn.execute("UPDATE history SET body = body || printf('%.200c', 'y')")
    frozen = target.with_name(target.name + ".crash")
    shutil.copyfile(target, frozen)
    journal = target.with_name(target.name + "-journal")
    shutil.copyfile(journal, frozen.with_name(frozen.name + "-journal"))
    conn.execute("ROLLBACK")
    conn.close()
    os.replace(frozen, target)
    os.replace(frozen.with_name(frozen.name + "-journal"), journal)
    assert journal.stat().st_size > 0
    return target


def page_of(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?",
                                (table,)).fetchone()[0])
    finally:
        conn.close()


def damage(path: Path, page: int, offset: int = 0, data: bytes = b"\x07",
           page_size: int = 4096) -> None:
    """Write ``data`` over page ``page`` (1-based) at ``offset``, as a bad copy would."""
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size + offset)
        handle.write(data)
