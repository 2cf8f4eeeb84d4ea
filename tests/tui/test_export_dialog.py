"""The export dialog (issue 11, items 4 and 6): never replaces a file without asking,
proposes a sensible folder, opens on the format used last, Enter chooses first;
``y`` puts the result's addresses on the clipboard."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from qualif_tui.base import places
from qualif_tui.services.exporting.targets import default_export_folder, missing_folder
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.transfer import ExportScreen

from .burst import burst
from .conftest import settle
from .helpers import main


def test_missing_folder(tmp_path: Path) -> None:
    assert missing_folder(tmp_path / "nope" / "x.csv") is not None
    assert missing_folder(tmp_path / "x.csv") is None


def test_default_folder(tmp_path: Path) -> None:
    documents = tmp_path / "docs"
    documents.mkdir()
    stick = tmp_path / "stick"
    stick.mkdir()
    base = stick / "contacts.db"
    assert default_export_folder(base, documents) == stick.resolve()
    assert default_export_folder(base, documents, temporary=True) == documents  # the demo
    assert default_export_folder(base, documents, remembered=str(documents)) == documents
    gone = str(tmp_path / "gone")
    assert default_export_folder(base, documents, remembered=gone) == stick.resolve()


async def open_export(pilot: object, app: QualifApp) -> ExportScreen:
    await burst(pilot, "ctrl+e")  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def test_export_asks_before_replacing_and_remembers(app: QualifApp, app_db: Database,
                                                          tmp_path: Path) -> None:
    target = tmp_path / "clients.csv"
    target.write_text("a precious export\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_export(pilot, app)
        # the file is proposed beside the database, the list has the focus
        path = screen.query_one("#export-path", Input)
        assert Path(path.value).parent == app_db.path.resolve().parent
        assert isinstance(app.focused, OptionList)
        # Enter chooses the format (CSV), it does not export
        await burst(pilot, "enter")
        assert app.screen is screen and app.focused is path
        path.value = str(target)
        await burst(pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await burst(pilot, "n")
        assert app.screen is screen
        assert target.read_text() == "a precious export\n"
        await burst(pilot, "enter", "o")
        assert app.screen is main(app)
        assert "a precious export" not in target.read_text(encoding="utf-8-sig")
    assert places.recall("export.folder") == str(tmp_path.resolve())
    assert places.recall("export.format") == "csv"


async def test_the_database_itself_is_refused(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_export(pilot, app)
        await burst(pilot, "enter")
        screen.query_one("#export-path", Input).value = str(app_db.path)
        await burst(pilot, "enter")
        assert app.screen is screen  # no question: it is never written
        assert "base de données" in str(screen.query_one("#transfer-preview").render())


async def test_export_opens_on_the_last_format_in_the_last_folder(app: QualifApp,
                                                                  tmp_path: Path) -> None:
    places.remember("export.format", "vcf")
    places.remember("export.folder", str(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_export(pilot, app)
        assert screen.query_one("#export-formats", OptionList).highlighted == 1
        assert screen.query_one("#export-path", Input).value == str(
            tmp_path / "qualif-export.vcf")
        await burst(pilot, "enter", "enter")
        assert app.screen is main(app)
    assert (tmp_path / "qualif-export.vcf").read_text().count("BEGIN:VCARD") == 300


async def test_an_empty_result_is_not_exported_without_asking(app: QualifApp,
                                                              tmp_path: Path) -> None:
    places.remember("export.folder", str(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "/", "nobody_at_all_xyz", "enter")
        await open_export(pilot, app)
        await burst(pilot, "enter", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await burst(pilot, "escape")
        assert not (tmp_path / "qualif-export.csv").exists()


async def test_y_copies_the_addresses_and_tells_who_is_left_out(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "/", "profil:client dept:31", "enter", "y")
        copied = app.clipboard
        assert copied.count("@") >= 1 and "; " in copied
        messages = [n.message for n in app._notifications]
        assert any("Dans le presse-papiers" in m and "adresse" in m for m in messages)
        await burst(pilot, "Y")
        assert "\n" in app.clipboard and "; " not in app.clipboard
