"""Where a quote's PDF goes, from the app: beside the database by default, the folder
remembered, a file already there replaced only after a yes, the database never.
The PDFs are read back (pypdf)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import Input, Static

from qualif_tui.base import places
from qualif_tui.domain import quotes as Q
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.quote_editor import QuoteEditor
from qualif_tui.tui.quote_pdf_dialog import QuotePdfDialog

from .burst import burst
from .conftest import settle
from .test_deals_app import search, shown


def first_quote(db: Database) -> Q.Quote:
    return Q.get_quote(db, int(db.scalar("SELECT min(id) FROM quotes")))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


async def open_dialog(app: QualifApp, pilot: object, quote: Q.Quote) -> QuotePdfDialog:
    app.push_screen(QuoteEditor(app.db, quote.id))
    await settle(pilot)  # type: ignore[arg-type]
    await burst(pilot, "P")  # type: ignore[arg-type]
    dialog = app.screen
    assert isinstance(dialog, QuotePdfDialog)
    return dialog


def proposed(dialog: QuotePdfDialog) -> Path:
    return Path(dialog.query_one("#pdf-path", Input).value)


async def test_beside_the_database_then_remembered(app: QualifApp, app_db: Database,
                                                   tmp_path: Path) -> None:
    quote = first_quote(app_db)
    assert app_db.path is not None
    beside = Path(app_db.path).resolve().parent
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dialog = await open_dialog(app, pilot, quote)
        assert proposed(dialog) == beside / f"Devis {quote.number}.pdf"
        await burst(pilot, "enter")
        assert isinstance(app.screen, QuoteEditor)
        written = beside / f"Devis {quote.number}.pdf"
        assert quote.number in pdf_text(written)
        assert any("PDF écrit" in n.message for n in app._notifications)
        # another folder typed: it is remembered for the next PDF
        other = tmp_path / "devis"
        other.mkdir()
        await burst(pilot, "P", "home", ["ctrl+k"], str(other), "enter")
        assert (other / f"Devis {quote.number}.pdf").exists()  # a folder: the usual name in it
        assert places.recall("quotes.folder") == str(other.resolve())
        await burst(pilot, "P")
        again = app.screen
        assert isinstance(again, QuotePdfDialog)
        assert proposed(again).parent == other.resolve()


async def test_a_remembered_folder_gone_falls_back_beside_the_database(
        app: QualifApp, app_db: Database, tmp_path: Path) -> None:
    places.remember("quotes.folder", str(tmp_path / "enlevé"))
    assert app_db.path is not None
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dialog = await open_dialog(app, pilot, first_quote(app_db))
        assert proposed(dialog).parent == Path(app_db.path).resolve().parent


@pytest.mark.parametrize("fast", [False, True])
async def test_replace_only_after_yes(app: QualifApp, app_db: Database, tmp_path: Path,
                                      fast: bool) -> None:
    quote = first_quote(app_db)
    places.remember("quotes.folder", str(tmp_path))
    target = tmp_path / f"Devis {quote.number}.pdf"
    target.write_bytes(b"ancien")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_dialog(app, pilot, quote)
        if fast:
            await burst(pilot, "enter", "n")
        else:
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(pilot)
        assert isinstance(app.screen, QuotePdfDialog)
        assert target.read_bytes() == b"ancien"
        await burst(pilot, "enter", "o")
        assert isinstance(app.screen, QuoteEditor)
        assert target.read_bytes().startswith(b"%PDF")


async def test_a_qualif_file_is_never_replaced_and_a_name_gets_pdf(
        app: QualifApp, app_db: Database, tmp_path: Path) -> None:
    quote = first_quote(app_db)
    assert app_db.path is not None
    backup = tmp_path / "sauvegarde.pdf"  # a copy of a database, whatever its name
    backup.write_bytes(Path(app_db.path).read_bytes())
    before = backup.read_bytes()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dialog = await open_dialog(app, pilot, quote)
        await burst(pilot, "home", ["ctrl+k"], str(backup), "enter")
        assert app.screen is dialog
        message = " ".join(shown(dialog.query_one("#pdf-message", Static)).split())
        assert "base qualif" in message
        assert backup.read_bytes() == before
        # the database's own name: the PDF goes beside it, the database untouched
        size = Path(app_db.path).stat().st_size
        await burst(pilot, "home", ["ctrl+k"], str(app_db.path), "enter")
        assert isinstance(app.screen, QuoteEditor)
        assert Path(f"{app_db.path}.pdf").read_bytes().startswith(b"%PDF")
        assert Path(app_db.path).stat().st_size == size
        await burst(pilot, "P", "home", ["ctrl+k"], str(tmp_path / "pour-client"), "enter")
        assert (tmp_path / "pour-client.pdf").read_bytes().startswith(b"%PDF")


async def test_p_on_the_cards_quote_list(app: QualifApp, app_db: Database,
                                         tmp_path: Path) -> None:
    places.remember("quotes.folder", str(tmp_path))
    contact, number = app_db.query("SELECT contact_id, number FROM quotes ORDER BY id LIMIT 1")[0]
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await search(pilot, f"id:{contact}")
        await pilot.press("f6")
        await settle(pilot)
        await burst(pilot, "tab", "P")
        dialog = app.screen
        assert isinstance(dialog, QuotePdfDialog)
        await burst(pilot, "enter")
        assert number in pdf_text(tmp_path / f"Devis {number}.pdf")
