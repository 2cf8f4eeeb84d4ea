"""The background quick check: a sound file passes, a damaged one is reported."""

from __future__ import annotations

from pathlib import Path

from qualif_tui.core.integrity import quick_check
from qualif_tui.storage import Database, open_database


def test_a_sound_file_passes(demo_db: Database) -> None:
    assert quick_check(demo_db) == []


def test_a_damaged_file_is_reported(demo_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "damaged.db"
    data = bytearray(demo_file.read_bytes())
    page = 4096
    for number in range(100, 150, 7):  # scribble over a few data pages, not the schema
        start = number * page
        data[start:start + 64] = b"\xff" * 64
    copy.write_bytes(bytes(data))
    database = open_database(copy, quick_check=False)
    try:
        problems = quick_check(database)
    finally:
        database.close()
    assert problems and all(isinstance(p, str) for p in problems)
