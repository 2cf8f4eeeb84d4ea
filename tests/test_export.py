"""Exports: CSV for Excel, vCard for phones, xlsx, JSON, a BCC list; and round trips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact, get_contact
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query
from qualif_tui.services.exporting import ExportOptions, export_contacts, mailbox
from qualif_tui.services.exporting.vcard import fold
from qualif_tui.services.importing import apply_plan, plan_import
from qualif_tui.storage import Database, open_database


def export(db: Database, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    export_contacts(db, compile_query(db, ""), fmt, out, ExportOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


def sample(db: Database) -> int:
    define_key(db, "Intérêts", "multi", ["Foire, salon", "web"])
    define_key(db, "Budget", "number")
    return create_contact(
        db,
        {"first_name": "Hélène", "last_name": "Dupré", "company": "Café; de \"la\" Gare",
         "email": "helene@cafe.fr", "phone": "+33 5 61 23 45 67", "mobile": "06 12 34 56 78",
         "address": "12 allée des Chênes", "address2": "Bât. B", "postal_code": "31000",
         "city": "Toulouse", "birthday": "--06-15", "title": "=SOMME(A1)", "email_optout": True,
         "legal_basis": "consentement"},
        {"Profil": "client", "Intérêts": ["Foire, salon", "web"], "Budget": "12 500,50"},
        custom={"Civilité": "Mme", "Note, longue": "ligne 1\nligne 2; fin"})


def test_csv_utf8_bom_semicolons_formula_guard(keyed_db: Database) -> None:
    sample(keyed_db)
    data = export(keyed_db, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    header, row = text.split("\r\n")[:2]
    assert header.startswith("Prénom;Nom;Société;Fonction;E-mail;")
    assert header.endswith(";Profil (clé : choix);Métier (clé : choix);Situation familiale"
                           " (clé : choix);Véhicule actuel (clé : choix);Mise en service (clé :"
                           " mois);Source (clé : choix);Intérêts (clé : choix multiple);Budget"
                           " (clé : nombre);Civilité;Note, longue")
    assert row.startswith('Hélène;Dupré;"Café; de ""la"" Gare";\'=SOMME(A1);helene@cafe.fr;;'
                          "'+33 5 61 23 45 67;06 12 34 56 78;")
    assert ";'--06-15;;oui;;consentement;client;;;;;;Foire, salon, web;12500,5;Mme;" in row


def test_csv_excel_fr_is_cp1252(keyed_db: Database) -> None:
    sample(keyed_db)
    create_contact(keyed_db, {"first_name": "Łucja", "last_name": "Kowalczyk"})
    out = io.BytesIO()
    result = export_contacts(keyed_db, compile_query(keyed_db, ""), "csv", out,
                             ExportOptions(excel_fr=True))
    text = out.getvalue().decode("cp1252")
    assert "Hélène;Dupré" in text and "Lucja;Kowalczyk" in text
    assert result.messages and "1 character" in result.messages[0]


def test_vcard_lines_are_folded_and_escaped(keyed_db: Database) -> None:
    sample(keyed_db)
    text = export(keyed_db, "vcf", vcard_version="4.0").decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nX-QUALIF-KEYDEF;X-KIND=choice:Profil;")
    assert "\r\nN:Dupré;Hélène;;;\r\n" in text
    assert "ORG:Café\\; de \"la\" Gare\r\n" in text and "BDAY:--0615\r\n" in text
    assert "X-QUALIF-KEY;X-KIND=multi:Intérêts;Foire\\, salon,web\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "BDAY:--06-15" in export(keyed_db, "vcf").decode("utf-8")
    long = "NOTE:" + "é" * 100
    folded = fold(long)
    assert folded.replace("\r\n ", "") == long
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_xlsx_header_keys_and_text_cells(keyed_db: Database, tmp_path: Path) -> None:
    sample(keyed_db)
    path = tmp_path / "x.xlsx"
    path.write_bytes(export(keyed_db, "xlsx"))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Prénom", "Nom", "Société") and "Profil (clé : choix)" in rows[0]
    assert rows[1][3] == "=SOMME(A1)"  # stored as text, not run as a formula
    assert rows[1][rows[0].index("Budget (clé : nombre)")] == 12500.5
    assert sheet.freeze_panes == "A2"


def test_json_shape(keyed_db: Database) -> None:
    contact = sample(keyed_db)
    [item] = json.loads(export(keyed_db, "json"))
    assert item["id"] == contact and item["first_name"] == "Hélène"
    assert item["keys"]["Intérêts"] == ["Foire, salon", "web"] and item["keys"]["Budget"] == 12500.5
    assert item["keys"]["Métier"] is None and item["email_optout"] is True
    assert item["custom"]["Civilité"] == "Mme" and item["dept"] == "31"


def test_emails_for_a_bcc_field(db: Database) -> None:
    create_contact(db, {"first_name": "Jean", "last_name": "Dupont", "email": "jean@d.fr"})
    create_contact(db, {"first_name": "Anne", "last_name": "O'Neil, Jr.", "email": "anne@o.fr"})
    create_contact(db, {"company": "Garage Müller", "email": "contact@muller.fr"})
    create_contact(db, {"last_name": "Sans", "phone": "05 00 00 00 00"})
    create_contact(db, {"last_name": "Refus", "email": "refus@x.fr", "email_optout": True})
    create_contact(db, {"last_name": "Double", "email": "JEAN@d.fr"})
    out = io.BytesIO()
    result = export_contacts(db, compile_query(db, ""), "emails", out)
    assert out.getvalue().decode().splitlines() == [
        "Jean Dupont <jean@d.fr>", '"Anne O\'Neil, Jr." <anne@o.fr>',
        "Garage Müller <contact@muller.fr>"]
    assert result.messages == ["left out 3: 1 without an e-mail address, 1 who opted out of"
                               " e-mails, 1 repeating an address already listed"]
    assert mailbox("", "a@b.fr") == "a@b.fr"


def copy_keys(source: Database, target: Database) -> None:
    from qualif_tui.domain.keys import list_keys

    for key in list_keys(source):
        define_key(target, key.name, key.type, [v.value for v in key.values])


def contacts_of(db: Database) -> list[tuple[object, ...]]:
    ids = [r[0] for r in db.query("SELECT id FROM contacts ORDER BY id")]
    seen: list[tuple[object, ...]] = []
    for contact_id in ids:
        c = get_contact(db, contact_id)
        fields = {k: v for k, v in vars(c).items()
                  if k not in ("id", "created", "updated", "last_contact", "next_activity",
                               "deals", "revenue", "open_deals")}
        seen.append(tuple(sorted((k, json.dumps(v, ensure_ascii=False, sort_keys=True))
                                 for k, v in fields.items())))
    return seen


def round_trip(db: Database, tmp_path: Path, fmt: str, **options: object) -> Database:
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(export(db, fmt, **options))
    fresh = open_database(tmp_path / f"fresh-{fmt}-{len(list(tmp_path.iterdir()))}.db",
                          create=True)
    copy_keys(db, fresh)
    apply_plan(fresh, plan_import(fresh, [path]))
    return fresh


def test_round_trips_of_the_demo_lose_nothing(demo_db: Database, tmp_path: Path) -> None:
    sample(demo_db)
    expected = contacts_of(demo_db)
    for fmt, options in (("csv", {}), ("csv", {"excel_fr": True}), ("csv", {"separator": ","}),
                         ("vcf", {}), ("vcf", {"vcard_version": "4.0"}), ("xlsx", {})):
        fresh = round_trip(demo_db, tmp_path, fmt, **options)
        assert contacts_of(fresh) == expected, (fmt, options)
        fresh.close()


def test_cli_export(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "d.db")
    assert runner.invoke(main, ["init", db, "--demo"]).exit_code == 0
    result = runner.invoke(main, ["export", db, "-o", str(tmp_path / "all.vcf")])
    assert result.exit_code == 0, result.stderr
    assert "300 contact(s) written" in result.stderr
    assert (tmp_path / "all.vcf").read_text(encoding="utf-8").count("BEGIN:VCARD") == 300
    assert oct((tmp_path / "all.vcf").stat().st_mode & 0o777) != "0o600"
    with open_database(db) as database:
        create_contact(database, {"first_name": "Zoé", "last_name": "Bénard",
                                  "email": "zoe@benard.fr"})
    result = runner.invoke(main, ["export", db, "--format", "emails"])
    assert result.exit_code == 0 and "Zoé Bénard <zoe@benard.fr>" in result.stdout
    assert "left out" in result.stderr
    result = runner.invoke(main, ["export", db])
    assert result.exit_code == 2 and "choose a --format" in result.stderr
    clients = runner.invoke(main, ["query", db, "profil:client", "--count"]).stdout.strip()
    result = runner.invoke(main, ["export", db, "profil:client", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    exported = json.loads(result.stdout)
    assert len(exported) == int(clients) > 0
    assert {row["keys"]["Profil"] for row in exported} == {"client"}
    result = runner.invoke(main, ["export", db, "profil:(client", "--format", "csv"])
    assert result.exit_code == 2 and "^" in result.stderr  # a bad query: caret, exit 2
    result = runner.invoke(main, ["export", db, "-o", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 1 and "n'existe pas" in result.stderr  # French since issue 9


def test_a_new_format_is_one_table_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """How the agenda's iCalendar import/export plugs in: one entry in each table."""
    from qualif_tui.services import exporting, importing


    def write_names(stream: exporting.ContactStream, out: object,
                    options: ExportOptions) -> exporting.ExportResult:
        count = 0
        for row in stream:
            out.write((row.field("last_name") + "\n").encode())  # type: ignore[attr-defined]
            count += 1
        return exporting.ExportResult(count)

    monkeypatch.setitem(exporting.EXPORT_FORMATS, "names",
                  exporting.ExportFormat("names", "names", ".names", write_names))
    seen: list[object] = []

    def run_calendar(db: Database, paths: object, options: dict[str, object]
                     ) -> importing.ImportOutcome:
        seen.append((paths, options["dry_run"]))
        return importing.ImportOutcome("Agenda", [("events", "2")])

    monkeypatch.setattr(importing.formats, "IMPORT_FORMATS", [importing.ImportFormat(
        "ics", "iCalendar", (".ics",), sniff=lambda s: s.data.startswith(b"BEGIN:VCALENDAR"),
        run=run_calendar), *importing.IMPORT_FORMATS])
    runner = CliRunner()
    db = str(tmp_path / "d.db")
    runner.invoke(main, ["init", db])
    with open_database(db) as database:
        create_contact(database, {"last_name": "Dupré"})
    result = runner.invoke(main, ["export", db, "--format", "names"])
    assert result.exit_code == 0 and result.stdout == "Dupré\n"
    calendar = tmp_path / "agenda.ics"
    calendar.write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    result = runner.invoke(main, ["import", db, str(calendar), "--dry-run"])
    assert result.exit_code == 0 and "events" in result.stdout
    assert seen == [([calendar], True)]


def test_export_to_a_file_tells_its_progress_and_never_leaves_half_a_file(
        demo_db: Database, tmp_path: Path) -> None:
    from qualif_tui.services.exporting import ExportError, export_to_file

    everyone = compile_query(demo_db, "")
    read: list[int] = []
    target = tmp_path / "all.csv"
    result = export_to_file(demo_db, everyone, "csv", target, progress=read.append)
    assert result.written == 300 and read and read[-1] == 300
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(ExportError, match="n'existe pas"):
        export_to_file(demo_db, everyone, "csv", tmp_path / "nowhere" / "x.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.csv", "demo.db"]
