"""SVG snapshots of the day, week and month views on Friday 20 November 2026."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from qualif_tui.storage import Database
from qualif_tui.tui.agenda import AgendaScreen

from .host import HostApp


async def _settled(pilot: Pilot[None]) -> None:
    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, AgendaScreen) and screen.loaded and \
                not [w for w in pilot.app.workers if w.is_running]:
            break
    await pilot.pause()


@pytest.mark.parametrize("keys", [(), ("w",), ("M",)], ids=["day", "week", "month"])
def test_agenda_views(agenda_db: Database, snap_compare: Any, keys: tuple[str, ...]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _settled(pilot)
        for key in keys:
            await pilot.press(key)
            screen = pilot.app.screen
            assert isinstance(screen, AgendaScreen)
            before = screen.loaded
            for _ in range(200):
                await pilot.pause(0.02)
                if screen.loaded > before:
                    break
        await _settled(pilot)

    assert snap_compare(HostApp(agenda_db), terminal_size=(120, 36), run_before=run_before)
