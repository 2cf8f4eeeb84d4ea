"""Fixtures for the app's pilot and snapshot tests: a private demo copy, an app on it,
and :func:`settle` (from ``tests/settling.py``) — wait until every worker and queued
write is done, or fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp

from settling import settle

__all__ = ["settle"]


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    return copy


@pytest.fixture
def app_db(demo_copy: Path) -> Iterator[Database]:
    database = open_database(demo_copy)
    yield database
    database.close()


@pytest.fixture
def app(app_db: Database) -> QualifApp:
    return QualifApp(app_db, cursor_blink=False)
