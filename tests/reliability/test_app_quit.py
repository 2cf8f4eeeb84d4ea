"""Issue 9, item 9 (end): the app quits with ctrl+q even while a statement runs on.

A statement that takes long (a one-letter search at 1M contacts) or never ends
kept the process alive after the screen was gone: ctrl+q did not quit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from qualif_tui.storage import open_database
from qualif_tui.tui.app import QualifApp

ENDLESS = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
           " SELECT count(*) FROM r")


async def test_ctrl_q_stops_a_statement_still_running(demo_copy: Path) -> None:
    db = open_database(demo_copy)
    searching = db.reopen()  # as the app's searches run: a connection of their own
    outcome: list[str] = []
    started = threading.Event()

    def search() -> None:
        started.set()
        try:
            searching.scalar(ENDLESS)
        except Exception as error:  # noqa: BLE001 - what stopped it is the point
            outcome.append(str(error))

    app = QualifApp(db, cursor_blink=False, verify=False)
    try:
        await _quit_while_searching(app, search, started, outcome)
    finally:
        searching.conn.interrupt()  # (without the fix the thread would run forever)
    assert outcome == ["interrupted"]
    searching.close()
    db.close()


async def _quit_while_searching(app: QualifApp, search: Callable[[], None],
                                started: threading.Event, outcome: list[str]) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):  # the app ready first (keys typed while it loads wait for it)
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                break
        app.run_worker(search, thread=True, group="search")
        for _ in range(100):
            if started.is_set():
                break
            await pilot.pause(0.05)
        assert started.is_set()
        await pilot.pause(0.2)  # the statement runs (no event to wait on inside SQLite)
        await pilot.press("ctrl+q")
        for _ in range(100):  # until the worker tells how it ended (asserted after)
            if outcome:
                break
            await pilot.pause(0.05)
