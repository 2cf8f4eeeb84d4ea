"""Save a search as a segment and open it again, in few keys (issue 11, the fifth job)."""

from __future__ import annotations

from qualif_tui.services.segments import list_segments
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import proposed_segment_name

from .burst import burst
from .conftest import settle
from .helpers import main

SAVE = ["/", "p", "tab", "c", "tab", "enter", "ctrl+s", "enter"]
REOPEN = ["ctrl+b", "p", "enter"]


def test_proposed_name() -> None:
    assert proposed_segment_name("profil:client dept:31") == "Profil client dept 31"
    assert proposed_segment_name('source:"foire/salon",web') == "Source foire/salon ou web"
    assert proposed_segment_name("") == ""


async def test_save_then_reopen_a_segment(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, *SAVE)
        assert "Profil client" in [s.name for s in list_segments(app_db)]
        screen = main(app)
        await burst(pilot, "/", "ctrl+u", "enter")
        assert screen.query_text == ""
        await burst(pilot, *REOPEN)
        assert screen.query_text == "profil:client"  # a dynamic segment opens its query
        sidebar = screen.sidebar
        assert sidebar.segments[(sidebar.highlighted or 1) - 1].name == "Profil client"
        assert app.focused is screen.contact_list
