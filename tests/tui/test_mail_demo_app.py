"""On the demo, ``i`` proposes the demo's mailbox (wherever the install keeps it): ↵
previews it; typing a path replaces the proposal. Keys in one burst."""

from __future__ import annotations

from textual.widgets import Input

from qualif_tui.services.demo import demo_mailbox
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.mail_import import MailImportScreen
from qualif_tui.tui.transfer import ImportScreen

from .burst import burst
from .test_mail_in_app import preview


async def test_the_demo_proposes_its_mailbox(app_db: Database) -> None:
    assert demo_mailbox().is_file()
    app = QualifApp(app_db, cursor_blink=False, demo=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await burst(pilot, "i", ["enter"])
        screen = app.screen
        assert isinstance(screen, MailImportScreen)
        assert screen.path == demo_mailbox()
        assert "51 message(s) lu(s)" in preview(app)


async def test_a_typed_path_replaces_the_proposal(app_db: Database) -> None:
    app = QualifApp(app_db, cursor_blink=False, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "i", "/tmp/carnet.csv")
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#import-path", Input).value == "/tmp/carnet.csv"


async def test_no_proposal_outside_the_demo(app_db: Database) -> None:
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "i")
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#import-path", Input).value == ""
