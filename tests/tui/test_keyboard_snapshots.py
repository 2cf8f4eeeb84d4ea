"""Layout of issue 11's screens at 80×24 and 160×48: the new contact's form (it
scrolls, its keys line stays), the export dialog (the format list fits), the
sprint's key choice, the search bar's completion line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from qualif_tui.base import places
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
def snap_app(app_db: Database) -> QualifApp:
    places.remember("export.folder", "/tmp")  # a path the same on every run
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


NEW_CONTACT = ("ctrl+n", *"Zoé", "tab", *"Zyzzyva", "tab", "tab", "tab", "tab", "tab",
               *"31000", "tab", "tab", "1")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_new_contact_form(snap_compare: SnapCompare, snap_app: QualifApp,
                          size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=steps(*NEW_CONTACT))


def test_export_dialog_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("ctrl+e"))


def test_sprint_key_choice_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=steps("Q"))


def test_completion_line_small(snap_compare: SnapCompare, snap_app: QualifApp) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24),
                        run_before=steps("slash", *"profil:c"))
