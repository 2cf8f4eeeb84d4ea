"""Importing a mail archive from the app: the preview, the checkboxes, ctrl+s, u."""

from __future__ import annotations

import io
from pathlib import Path

from mail_helpers import FIXTURES, add_people
from rich.console import Console
from textual.widgets import Input, SelectionList, Static

from qualif_tui.query import compile_query, count
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.mail_import import MailImportScreen
from qualif_tui.tui.transfer import ImportScreen

from .conftest import settle
from .helpers import main, status


def preview(app: QualifApp) -> str:
    console = Console(width=150, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#transfer-preview", Static).content)
    return console.export_text()


async def open_mail(pilot, path: Path) -> MailImportScreen:  # type: ignore[no-untyped-def]
    await pilot.press("i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImportScreen)
    pilot.app.screen.query_one("#import-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MailImportScreen)
    return screen


async def test_preview_tick_import_undo(app: QualifApp, app_db: Database) -> None:
    add_people(app_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = await open_mail(pilot, FIXTURES / "thunderbird")
        shown = preview(app)
        assert "3 fichier(s) (mbox 3), 9 message(s) lu(s)" in shown
        assert "entrées d'historique       6" in shown
        assert screen.query_one("#mail-own", Input).value == "sophie@atelier-martin.fr"
        people = screen.query_one("#mail-correspondents", SelectionList)
        assert people.has_focus and people.option_count == 3
        assert "Marc Dubois" in str(people.get_option_at_index(0).prompt)
        assert "liste ou robot" in str(people.get_option_at_index(1).prompt)
        assert people.selected == []
        assert count(app_db, compile_query(app_db, "")) == 303  # nothing written yet
        await pilot.press("space", "ctrl+s")  # Marc ticked and the import run, in one burst
        await settle(pilot)
        assert app.screen is main(app)
        assert "304 contacts" in status(app)
        assert any("9 e-mail(s)" in n.message for n in app._notifications)
        assert count(app_db, compile_query(app_db, "menuiseries")) == 1
        await pilot.press("u")
        await settle(pilot)
        assert "303 contacts" in status(app)
        assert any("9 e-mail(s) retiré(s), 1 fiche(s) supprimée(s)" in n.message
                   for n in app._notifications)
        assert app_db.scalar("SELECT count(*) FROM history WHERE message_id IS NOT NULL") == 0


async def test_bad_messages_must_be_accepted(app: QualifApp, app_db: Database) -> None:
    add_people(app_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = await open_mail(pilot, FIXTURES / "bad" / "truncated.mbox")
        assert "message tronqué" in preview(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # refused until the box is ticked
        assert app_db.scalar("SELECT count(*) FROM history WHERE message_id IS NOT NULL") == 0
        screen.query_one("#mail-skip-bad").focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert app.screen is main(app)
        assert app_db.scalar("SELECT count(*) FROM history WHERE message_id IS NOT NULL") == 1


async def test_escape_writes_nothing(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_mail(pilot, FIXTURES / "eml")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main(app)
        assert app_db.scalar("SELECT count(*) FROM history WHERE message_id IS NOT NULL") == 0
