"""Writing an import: one batch, duplicates, merges, notes, undo, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact, get_contact, update_contact
from qualif_tui.domain.history import add_entry, list_entries
from qualif_tui.domain.keys import get_key
from qualif_tui.services.importing import (
    ImportOptions,
    ImportRefused,
    WorkedOn,
    apply_plan,
    list_batches,
    plan_import,
    undo_batch,
)
from qualif_tui.storage import Database

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def run(db: Database, *names: str, merge: bool = False) -> int | None:
    paths = [FIXTURES / n for n in names]
    # "Ancien client" is not a value of Profil: these tests take it in (issue 16 decides)
    options = ImportOptions(on_duplicate="merge" if merge else "skip", new_values="add")
    return apply_plan(db, plan_import(db, paths, options)).batch_id


def dump(db: Database) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in ("contacts", "contact_facts", "history", "key_values", "import_batches",
                  "import_merges"):
        rows += [(table, *r) for r in db.query(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


def test_import_writes_contacts_keys_custom_notes_and_one_history_entry(keyed_db: Database) -> None:
    batch = run(keyed_db, "excel_fr.csv")
    assert batch is not None
    ids = [r[0] for r in keyed_db.query("SELECT id FROM contacts ORDER BY id")]
    assert len(ids) == 5
    helene = get_contact(keyed_db, ids[0])
    assert (helene.first_name, helene.last_name, helene.city) == ("Hélène", "Dupré", "Toulouse")
    assert helene.keys["Profil"] == "client" and helene.keys["Source"] == "foire/salon"
    assert helene.custom == {"Civilité": "Mme", "Budget": "12 500,50"}
    assert helene.dept == "31" and helene.last_contact is None  # an import is not a meeting
    entries = list_entries(keyed_db, ids[0])
    assert sorted((e.kind, e.subject) for e in entries) == [
        ("import", "Importé depuis excel_fr.csv"), ("note", "Note importée")]
    # notes are found by full-text search, accents or not
    assert [e.kind for e in list_entries(keyed_db, ids[0], text="interessee")] == ["note"]
    row = keyed_db.query("SELECT norm_email, phone_e164, mobile_e164, import_batch FROM contacts"
                         " WHERE id = ?", (ids[0],))[0]
    assert tuple(row) == ("helene.dupre@cafe-gare.fr", "+33561234567", "+33612345678", batch)
    assert "Ancien client" in get_key(keyed_db, "Profil").allowed()
    assert keyed_db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'oeuvray'")
    assert keyed_db.scalar("PRAGMA integrity_check") == "ok"


def test_reimporting_the_same_files_adds_nothing(keyed_db: Database) -> None:
    run(keyed_db, "excel_fr.csv", "outlook_fr.csv", "google.csv", "apple_30.vcf")
    before = dump(keyed_db)
    plan = plan_import(keyed_db, [FIXTURES / n for n in ("excel_fr.csv", "outlook_fr.csv",
                                                          "google.csv", "apple_30.vcf")])
    assert not plan.creates and len(plan.skips) == 12
    assert apply_plan(keyed_db, plan).batch_id is None
    merged = plan_import(keyed_db, [FIXTURES / "excel_fr.csv"], ImportOptions(on_duplicate="merge",
                                                                                        new_values="add"))
    assert not merged.creates and not merged.merges
    assert dump(keyed_db) == before


def test_duplicates_by_email_name_and_company_then_phone(db: Database, tmp_path: Path) -> None:
    existing = create_contact(db, {"first_name": "Jean", "last_name": "Dupont",
                                   "email": "Jean.Dupont@Exemple.fr", "company": "Acme"})
    create_contact(db, {"first_name": "Marie", "last_name": "Martin", "mobile": "06 12 34 56 78"})
    path = tmp_path / "d.csv"
    path.write_text(
        "Prénom;Nom;Société;E-mail;Portable;Téléphone\n"
        "J.;Dupont;;jean.dupont@exemple.fr;;\n"          # same e-mail, case aside
        "Jean;DUPONT;ACME;;;\n"                           # same name and company
        "M.;Martin;;;;+33 6 12 34 56 78\n"                 # same phone, names agree
        "Paul;Standard;;;;06 12 34 56 78\n"                # same phone, another person
        "Luc;Petit;;luc@petit.fr;;\n"
        "Luc;Petit;;luc@petit.fr;;05 00 00 00 00\n",      # repeats the row above
        encoding="utf-8")
    plan = plan_import(db, [path])
    assert [r.label for r in plan.creates] == ["Paul Standard", "Luc Petit"]
    assert [(s.record.line, s.reason.split(" as ")[0]) for s in plan.skips] == [
        (2, "same e-mail"), (3, "same name and company"), (4, "same phone"), (7, "same e-mail")]
    assert plan.skips[0].reason.endswith(f"#{existing} Dupont Jean")


def test_homonyms_in_other_towns_are_not_duplicates(db: Database, tmp_path: Path) -> None:
    create_contact(db, {"first_name": "Jean", "last_name": "Martin", "postal_code": "59000",
                        "email": "jean.martin@nord.fr"})
    path = tmp_path / "h.csv"
    path.write_text("Prénom;Nom;CP;E-mail\nJean;Martin;06000;jm@nice.fr\nJean;Martin;59000;\n",
                    encoding="utf-8")
    plan = plan_import(db, [path])
    assert [r.line for r in plan.creates] == [2] and [s.record.line for s in plan.skips] == [3]


def test_merge_fills_empty_fields_and_undo_reverts_it(keyed_db: Database, tmp_path: Path) -> None:
    contact = create_contact(keyed_db, {"first_name": "Hélène", "last_name": "Dupré",
                                        "email": "helene.dupre@cafe-gare.fr", "city": "Albi"},
                             {"Profil": "prospect"})
    before = dump(keyed_db)
    batch = run(keyed_db, "excel_fr.csv", merge=True)
    merged = get_contact(keyed_db, contact)
    assert merged.city == "Albi"                        # never overwritten
    assert merged.company == "Café de la Gare"          # empty: filled
    assert merged.birthday == "1975-06-15" and merged.keys["Profil"] == "prospect"
    assert merged.keys["Source"] == "foire/salon"
    assert merged.custom == {"Civilité": "Mme", "Budget": "12 500,50"}
    subjects = [e.subject for e in list_entries(keyed_db, contact)]
    assert any(s.startswith("Complété depuis excel_fr.csv : Société") for s in subjects)
    assert "Note importée" in subjects
    changes = json.loads(keyed_db.scalar("SELECT changes FROM import_merges"))
    assert changes["fields"]["company"] == ["", "Café de la Gare"]
    # the user changes one merged value afterwards: undo keeps that one
    update_contact(keyed_db, contact, {"mobile": "07 00 00 00 00"})
    keyed_db.execute("DELETE FROM history WHERE subject LIKE 'Portable%'")
    result = undo_batch(keyed_db, batch or 0)
    assert result.deleted == 4 and result.reverted == 1
    assert result.kept_changes == [f"#{contact} Portable"]
    assert result.removed_values == {"Profil": ["Ancien client"]}
    after = get_contact(keyed_db, contact)
    assert (after.company, after.birthday, after.custom, after.mobile) == ("", "", {},
                                                                            "07 00 00 00 00")
    assert after.keys["Source"] is None
    update_contact(keyed_db, contact, {"mobile": ""})
    keyed_db.execute("DELETE FROM history WHERE subject LIKE 'Portable%'")
    now = [r for r in dump(keyed_db) if r[0] not in ("import_batches", "contacts")]
    assert now == [r for r in before if r[0] not in ("import_batches", "contacts")]


def test_undo_last_and_listing(keyed_db: Database) -> None:
    first = run(keyed_db, "excel_fr.csv")
    second = run(keyed_db, "apple_30.vcf")
    batches = list_batches(keyed_db)
    assert [b.id for b in batches] == [second, first]
    assert batches[0].counts == (2, 0, 0) and batches[0].format == "vcard"
    assert undo_batch(keyed_db, "last").batch_id == second
    assert undo_batch(keyed_db, "last").batch_id == first
    assert keyed_db.scalar("SELECT count(*) FROM contacts") == 0
    with pytest.raises(Exception, match="no import to undo"):
        undo_batch(keyed_db, "last")
    with pytest.raises(Exception, match="already undone"):
        undo_batch(keyed_db, first or 0)
    with pytest.raises(Exception, match="no import batch #99"):
        undo_batch(keyed_db, 99)


def test_undo_refuses_to_erase_later_work_unless_forced(keyed_db: Database) -> None:
    batch = run(keyed_db, "apple_30.vcf")
    contact = int(keyed_db.scalar("SELECT min(id) FROM contacts"))
    add_entry(keyed_db, contact, "call", "Appel : devis accepté")
    with pytest.raises(WorkedOn, match="1 contact"):
        undo_batch(keyed_db, batch or 0)
    assert keyed_db.scalar("SELECT count(*) FROM contacts") == 2
    assert undo_batch(keyed_db, batch or 0, force=True).deleted == 2


def test_refused_import_leaves_the_file_byte_for_byte(keyed_db: Database) -> None:
    run(keyed_db, "excel_fr.csv")
    keyed_db.close()
    before = keyed_db.path.read_bytes()
    from qualif_tui.storage import open_database

    reopened = open_database(keyed_db.path)
    with pytest.raises(ImportRefused):
        plan_import(reopened, [FIXTURES / "google.csv", FIXTURES / "ragged.csv"])
    reopened.close()
    assert keyed_db.path.read_bytes() == before


def test_failure_while_writing_rolls_everything_back(keyed_db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from qualif_tui.services.importing import batch as batch_module

    before = dump(keyed_db)
    plan = plan_import(keyed_db, [FIXTURES / "excel_fr.csv"], ImportOptions(new_values="add"))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(batch_module, "_apply_merges", broken)
    with pytest.raises(RuntimeError):
        apply_plan(keyed_db, plan)
    assert dump(keyed_db) == before
    triggers = {r[0] for r in keyed_db.query("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"contacts_ai", "history_ai"} <= triggers


def test_bulk_path_into_a_file_with_contacts_keeps_indexes_and_facts(demo_db: Database) -> None:
    indexes = {r[0] for r in demo_db.query("SELECT name FROM sqlite_master WHERE type='index'")}
    run(demo_db, "excel_fr.csv", "google.csv")
    assert {r[0] for r in demo_db.query("SELECT name FROM sqlite_master WHERE type='index'")} \
        == indexes
    assert demo_db.scalar("SELECT count(*) FROM contacts c LEFT JOIN contact_facts f"
                          " ON f.contact_id = c.id WHERE f.contact_id IS NULL") == 0
    assert demo_db.scalar("PRAGMA integrity_check") == "ok"
    # the triggers are back: a contact created afterwards gets its facts row
    new = create_contact(demo_db, {"last_name": "Après", "postal_code": "81000"})
    assert get_contact(demo_db, new).dept == "81"
