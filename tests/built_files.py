"""Small files built once per test process, and a private copy of one per test.

Building a file through the product's own functions (a create with its migrations,
then contacts, deals, history, each write a commit) costs 50-80 ms; copying the
finished file costs 1 ms. A module whose hundreds of tests read the same small
file builds it once and gives each test its own copy, so a test that writes
still cannot disturb the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from qualif_tui.domain import clock
from qualif_tui.storage import Database, open_database

FIXED_NOW = datetime(2026, 11, 20, 10, 30, 0)  # every test's "today" (conftest.fixed_clock)


def build_once(path: Path, fill: Callable[[Database], None]) -> Path:
    """Create the file at ``path`` and ``fill`` it on the tests' "today" (session and
    module fixtures run before conftest's per-test clock is set)."""
    clock.freeze(FIXED_NOW)
    database = open_database(path, create=True)
    try:
        fill(database)
    finally:
        database.close()
        clock.freeze(None)
    return path


def private_copy(template: Path, folder: Path) -> Database:
    """A copy of ``template`` in ``folder``, opened; the caller closes it."""
    copy = folder / template.name
    copy.write_bytes(template.read_bytes())
    return open_database(copy)
