"""Import and export from the app: preview before writing, undo, broken files refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Input, Static

from qualif_tui.query import compile_query, count
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.newvalues import NewValuesList
from qualif_tui.tui.transfer import ExportScreen, ImportScreen

from .conftest import settle
from .helpers import main, status

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def preview(app: QualifApp) -> str:
    """The preview as a terminal shows it (it holds rich tables)."""
    console = Console(width=150, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#transfer-preview", Static).content)
    return console.export_text()


async def open_import(pilot, path: Path) -> ImportScreen:  # type: ignore[no-untyped-def]
    await pilot.press("i")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_import_previews_then_writes_and_u_undoes_it(app: QualifApp,
                                                           app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_import(pilot, FIXTURES / "excel_fr.csv")
        shown = preview(app)
        assert "cp1252" in shown and "';'" in shown and "5 contact(s) lus" in shown
        assert "à créer" in shown and "Hélène Dupré" in shown
        assert count(app_db, compile_query(app_db, "")) == 300  # nothing written yet
        # "Ancien client" is no value of Profil: nothing is imported before a decision
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen) and "Ancien client" in str(
            app.screen.query_one(NewValuesList).get_option_at_index(0).prompt)
        await pilot.press("a")  # the focus went to the new values: add it to the list
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is main(app)
        assert "305 contacts" in status(app)
        assert count(app_db, compile_query(app_db, "dupré")) == 1
        assert any("5 créé(s)" in n.message for n in app._notifications)
        await pilot.press("u")  # the import was one batch: undone at once
        await settle(pilot)
        assert "300 contacts" in status(app)
        assert count(app_db, compile_query(app_db, "dupré")) == 0


async def test_a_broken_file_is_refused_with_where_and_nothing_written(
        app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = await open_import(pilot, FIXTURES / "ragged.csv")
        assert "Import refusé" in preview(app) and "ligne" in preview(app)
        await pilot.press("ctrl+s")  # no plan: previews again, writes nothing
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main(app)
        assert count(app_db, compile_query(app_db, "")) == 300


async def test_a_missing_file_says_so(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_import(pilot, Path("/nowhere/contacts.csv"))
        assert "/nowhere/contacts.csv" in preview(app)


async def test_export_writes_the_current_result(app: QualifApp, app_db: Database,
                                                tmp_path: Path) -> None:
    target = tmp_path / "clients.csv"
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        main(app).run_search("profil:client")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        await pilot.press("down")  # the formats list has the focus: vCard
        assert screen.query_one("#export-path", Input).value.endswith("qualif-export.vcf")
        await pilot.press("up", "enter")  # CSV chosen: the focus goes to the file name
        screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is main(app)
    clients = count(app_db, compile_query(app_db, "profil:client"))
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";")) or []
    if len(rows[0]) == 1:  # not ';': the default separator
        with target.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    assert len(rows) == clients + 1


async def test_export_into_a_missing_folder_fails_clearly(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-path", Input).value = "/nowhere/at/all/x.csv"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "n'existe pas" in preview(app)
