"""Fixtures for the app's pilot and snapshot tests: a private demo copy, an app on it,
and :func:`settle` — wait until every worker and queued write is done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp


async def settle(pilot: Pilot[None], rounds: int = 50) -> None:
    """Let workers, queued writes and the messages they post all finish."""
    app = pilot.app
    assert isinstance(app, QualifApp)
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app shows it (an error toast); tests assert on that
        except WorkerCancelled:
            pass  # a newer request replaced it (exclusive workers): wait on
        await pilot.pause()
        if (not app.writes.pending and not any(w.is_running for w in app.workers)
                and app.typeahead.idle):
            return
    raise AssertionError("the app did not settle")


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
