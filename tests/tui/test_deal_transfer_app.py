"""Deals import and export from the app: the pipeline's ``i`` and ``ctrl+e``, a deals
file given to the contacts import (``i`` on the list), and ``u`` taking an import back.

Typed slowly and in one burst alike; a refused file writes nothing and says the
line, the column and why.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from textual.widgets import Static

from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.deal_transfer import DealExportScreen, DealImportScreen
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.pipeline_screen import PipelineScreen

from .burst import burst
from .conftest import settle
from .helpers import main
from .test_deals_app import shown, type_text


def deals_count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM deals"))


def write_deals_file(db: Database, folder: Path, *, bad: bool = False) -> tuple[Path, list[int]]:
    people = [int(r[0]) for r in db.query("SELECT id FROM contacts ORDER BY id LIMIT 3")]
    path = folder / "affaires.csv"
    rows = ["N° fiche;Affaire;Montant HT;Étape;Clôture prévue"]
    rows += [f"{p};Import {n};{1000 * (n + 1)};Proposition;15/01/2027"
             for n, p in enumerate(people)]
    if bad:
        rows[2] = f"{people[1]};Import 1;mille euros;Proposition;15/01/2027"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, people


def preview_text(app: QualifApp) -> str:
    screen = app.screen
    assert isinstance(screen, DealImportScreen)
    return " ".join(shown(screen.query_one("#transfer-preview", Static)).split())


@pytest.mark.parametrize("fast", [False, True])
async def test_import_from_the_pipeline_then_u(app: QualifApp, app_db: Database,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               fast: bool) -> None:
    monkeypatch.chdir(tmp_path)
    write_deals_file(app_db, tmp_path)
    before = deals_count(app_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        if fast:
            await burst(pilot, "p", "i", "affaires.csv", "enter", ["ctrl+s"])
        else:
            await pilot.press("p", "i")
            await settle(pilot)
            await type_text(pilot, "affaires.csv")
            await pilot.press("enter")
            await settle(pilot)
            assert "3 affaire(s) (3 par n° de fiche)" in preview_text(app)
            await pilot.press("ctrl+s")
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert deals_count(app_db) == before + 3
        assert any("u pour annuler" in n.message for n in app._notifications)
        assert screen.data is not None
        proposal = next(t for t in screen.data.stages if t.stage.id == "proposal")
        imported = int(app_db.scalar("SELECT count(*) FROM deals WHERE stage = 'proposal'"))
        assert proposal.count == imported
        if fast:
            await burst(pilot, "u")
        else:
            await pilot.press("u")
            await settle(pilot)
        assert deals_count(app_db) == before
        assert screen.data is not None
        proposal = next(t for t in screen.data.stages if t.stage.id == "proposal")
        assert proposal.count == imported - 3


async def test_a_deals_file_given_to_the_contacts_import(app: QualifApp, app_db: Database,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.chdir(tmp_path)
    _path, people = write_deals_file(app_db, tmp_path)
    before = deals_count(app_db)
    contacts = int(app_db.scalar("SELECT count(*) FROM contacts"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await burst(pilot, "i", "affaires.csv", "enter")
        assert isinstance(app.screen, DealImportScreen)
        assert "3 affaire(s)" in preview_text(app)
        await burst(pilot, ["ctrl+s"])
        main(app)  # both dialogs closed
        assert deals_count(app_db) == before + 3
        assert int(app_db.scalar("SELECT count(*) FROM contacts")) == contacts
        titles = {r[0] for r in app_db.query(
            "SELECT title FROM deals WHERE contact_id = ?", (people[0],))}
        assert "Import 0" in titles
        await burst(pilot, "u")
        assert deals_count(app_db) == before


async def test_a_refused_file_says_where_and_writes_nothing(app: QualifApp, app_db: Database,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(tmp_path)
    write_deals_file(app_db, tmp_path, bad=True)
    before = deals_count(app_db)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await burst(pilot, "p", "i", "affaires.csv", "enter", ["ctrl+s"])
        assert isinstance(app.screen, DealImportScreen)
        shown = preview_text(app)
        assert "Import refusé, rien ne serait écrit" in shown
        # the line, the column by letter and header, and why
        assert "affaires.csv, line 3, column C (Montant HT): " in shown
        assert deals_count(app_db) == before
        await burst(pilot, "escape")
        assert isinstance(app.screen, PipelineScreen)
        assert deals_count(app_db) == before


def read_csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


async def test_export_the_deals_of_the_result_and_replace_only_when_asked(
        app: QualifApp, app_db: Database, tmp_path: Path) -> None:
    from qualif_tui.base import places

    places.remember("export.folder", str(tmp_path))
    expected = int(app_db.scalar(
        "SELECT count(*) FROM deals d JOIN contact_facts f ON f.contact_id = d.contact_id"
        " JOIN contacts c ON c.id = d.contact_id"
        " WHERE c.id IN (SELECT contact_id FROM deals WHERE stage = 'won')"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await burst(pilot, "slash", "has:won", "enter")
        await burst(pilot, "p", ["ctrl+e"])
        screen = app.screen
        assert isinstance(screen, DealExportScreen)
        await burst(pilot, "enter", "enter")  # CSV, then the proposed file
        assert isinstance(app.screen, PipelineScreen)
        target = tmp_path / "affaires.csv"
        rows = read_csv_rows(target)
        assert rows[0][:2] == ["N° affaire", "N° fiche"] and len(rows) - 1 == expected
        assert any("affaire(s) écrite(s)" in n.message for n in app._notifications)
        target.write_text("ancien")
        # again: asked first; n keeps the old file, o replaces it
        await burst(pilot, ["ctrl+e"], "enter", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await burst(pilot, "n")
        assert isinstance(app.screen, DealExportScreen)
        assert target.read_text() == "ancien"
        await burst(pilot, "enter", "o")
        assert isinstance(app.screen, PipelineScreen)
        assert len(read_csv_rows(target)) - 1 == expected
        # xlsx: the second format, the file name follows
        await burst(pilot, ["ctrl+e"], "down", "enter", "enter")
        assert (tmp_path / "affaires.xlsx").stat().st_size > 0
