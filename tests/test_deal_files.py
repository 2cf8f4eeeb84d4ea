"""What the app's deals dialogs call: recognising a deals file among the files the
contacts import is given, and writing an export to a file (guarded, replaced only
when asked, an old file left whole when the export fails)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import QualifError
from qualif_tui.query import compile_query
from qualif_tui.services import deals_io
from qualif_tui.services.deals_io import export_deals_to_file, looks_like_deals
from qualif_tui.storage import Database


@pytest.fixture
def two(db: Database) -> Database:
    a = create_contact(db, {"last_name": "Arnaud", "email": "a@example.fr"})
    b = create_contact(db, {"last_name": "Bernard", "company": "Bois SA"})
    D.add_deal(db, a, "Audit", 1200, stage="proposal", expected_close="2026-12-10")
    D.add_deal(db, b, "Formation", 800, stage="lead")
    return db


def test_an_export_is_a_deals_file(two: Database, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"affaires.{fmt}"
        assert export_deals_to_file(two, None, fmt, target) == 2
        assert looks_like_deals(target)


@pytest.mark.parametrize("header", [
    "Affaire;E-mail;Montant", "N° fiche;Opportunité;Étape", "deal,email,amount"])
def test_hand_made_deals_files(tmp_path: Path, header: str) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(header + "\n" + ";".join(["x"] * 3) + "\n", encoding="utf-8")
    assert looks_like_deals(path)


@pytest.mark.parametrize("header", [
    "Nom;Prénom;Titre;E-mail", "Name,Title,Company,Stage", "Société;Montant;Ville", ""])
def test_contacts_files_are_not_deals(tmp_path: Path, header: str) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\nDupont;Jean;Directeur;j@d.fr\n", encoding="utf-8")
    assert not looks_like_deals(path)


def test_a_contacts_workbook_and_missing_files_are_not_deals(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nom", "Titre", "E-mail"])
    sheet.append(["Dupont", "Gérant", "d@x.fr"])
    book.save(tmp_path / "c.xlsx")
    assert not looks_like_deals(tmp_path / "c.xlsx")
    assert not looks_like_deals(tmp_path / "absent.csv")
    assert not looks_like_deals(tmp_path)


def test_export_to_a_file_of_a_query(two: Database, tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    written = export_deals_to_file(two, compile_query(two, "Arnaud"), "csv", target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert written == 1 and len(rows) == 2 and "Audit" in rows[1]
    assert not (tmp_path / "a.csv.partial").exists()


def test_an_existing_file_is_replaced_only_when_asked(two: Database, tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old")
    with pytest.raises(QualifError, match="existe déjà"):
        export_deals_to_file(two, None, "json", target)
    assert target.read_text() == "old"
    export_deals_to_file(two, None, "json", target, overwrite=True)
    assert '"Formation"' in target.read_text(encoding="utf-8")


def test_the_database_itself_is_never_written(two: Database) -> None:
    assert two.path is not None
    before = Path(two.path).read_bytes()
    with pytest.raises(QualifError, match="base de données"):
        export_deals_to_file(two, None, "csv", Path(two.path), overwrite=True)
    assert Path(two.path).read_bytes() == before


def test_a_failed_export_leaves_the_old_file(two: Database, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.csv"
    target.write_text("old")

    def broken(*_args: object, **_kwargs: object) -> int:
        raise OSError("disque plein")

    monkeypatch.setattr(deals_io, "export_deals", broken)
    with pytest.raises(OSError):
        export_deals_to_file(two, None, "csv", target, overwrite=True)
    assert target.read_text() == "old"
    assert not (tmp_path / "a.csv.partial").exists()
