"""SVG snapshots of the main screen (small and large), a card, the help and the sprint.

Fixed terminal sizes, cursor blink off, the clock frozen (tests/conftest.py) and
the demo database, so the pictures only change when the layout does. Update
them after a deliberate change with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp

from .conftest import settle

SnapCompare = Callable[..., bool]


def steps(*keys: str) -> Callable[[Pilot[None]], object]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.fixture
def snap_app(app_db: Database, monkeypatch: pytest.MonkeyPatch) -> QualifApp:
    # the help names the key map's file: the same path wherever temporary files live
    monkeypatch.setenv("QUALIF_CONFIG_DIR", "/home/utilisateur/.config/qualif")
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


def test_main_screen_large(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=steps("j", "j"))


def test_main_screen_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("j"))


def test_card_qualification_form(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("f2", "j"))


def test_card_history(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("f3"))


def test_help_screen(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("f1"))


def test_sprint(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(120, 36), run_before=steps("Q", "0", "2"))

