"""SVG snapshots of the day, week and month views on Friday 20 November 2026."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from textual.pilot import Pilot

from qualif_tui.storage import Database
from qualif_tui.tui.agenda import AgendaScreen

from .host import HostApp
from settling import settle


def _shown(pilot: Pilot[None], loads: int = 1) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, AgendaScreen) and screen.loaded >= loads


@pytest.mark.parametrize("keys", [(), ("w",), ("M",)], ids=["day", "week", "month"])
def test_agenda_views(agenda_db: Database, snap_compare: Any, keys: tuple[str, ...]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot, lambda: _shown(pilot))
        for key in keys:
            screen = pilot.app.screen
            assert isinstance(screen, AgendaScreen)
            before = screen.loaded
            await pilot.press(key)
            await settle(pilot, partial(_shown, pilot, before + 1))

    assert snap_compare(HostApp(agenda_db), terminal_size=(120, 36), run_before=run_before)
