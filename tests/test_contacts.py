"""Contacts and their audit trail."""

from __future__ import annotations

import pytest

from qualif_tui.domain import contacts as svc
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry, list_entries
from qualif_tui.domain.keys import set_qualification
from qualif_tui.storage import Database


def test_create_and_read_with_normalised_columns(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {
        "first_name": "Hélène", "last_name": "Lefèvre", "company": "Garage Œillet",
        "email": "Helene.Lefevre@Orange.fr", "postal_code": "31 000", "city": "Toulouse",
        "mobile": "06 12 34 56 78",
    }, keys={"profil": "Client", "mise_en_service": "03/2019"})
    contact = svc.get_contact(keyed_db, cid)
    assert contact.name == "Lefèvre Hélène"
    assert contact.postal_code == "31000" and contact.dept == "31"
    assert contact.keys["Profil"] == "client"
    assert contact.keys["Mise en service"] == "2019-03"
    assert contact.qualified() == (2, 6)
    row = keyed_db.query("SELECT * FROM contacts WHERE id = ?", (cid,))[0]
    assert row["norm_name"] == "helene lefevre"
    assert row["norm_company"] == "garage oeillet"
    assert row["norm_email"] == "helene.lefevre@orange.fr"
    assert row["mobile_e164"] == "+33612345678"
    assert row["sort_key"].startswith("lefevre\x1fhelene")


@pytest.mark.parametrize("fields, field", [
    ({"last_name": "X", "email": "not-an-email"}, "email"),
    ({"last_name": "X", "postal_code": "3100"}, "postal_code"),
    ({"last_name": "X", "birthday": "31/02/1990"}, "birthday"),
    ({}, "last_name"),
    ({"last_name": "X", "shoe_size": "42"}, ""),
])
def test_invalid_fields_are_refused(keyed_db: Database, fields: dict[str, str], field: str) -> None:
    before = keyed_db.scalar("SELECT count(*) FROM contacts")
    with pytest.raises(ValidationError) as raised:
        svc.create_contact(keyed_db, fields)
    assert raised.value.field == field
    assert keyed_db.scalar("SELECT count(*) FROM contacts") == before


def test_foreign_postal_codes_are_free_form(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "Müller", "postal_code": "D-10115",
                                        "country": "Allemagne"})
    assert svc.get_contact(keyed_db, cid).dept is None


def test_birthday_forms(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "A", "birthday": "15/06/1980"})
    assert svc.get_contact(keyed_db, cid).birthday == "1980-06-15"
    svc.update_contact(keyed_db, cid, {"birthday": "15/06"})
    assert svc.get_contact(keyed_db, cid).birthday == "--06-15"


def test_every_field_change_is_audited(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"first_name": "Jean", "last_name": "Dupont",
                                        "city": "Toulouse", "postal_code": "31000"})
    changes = svc.update_contact(keyed_db, cid, {"city": "Albi", "postal_code": "81000",
                                                 "first_name": "Jean"})
    assert [c.describe() for c in changes] == ["Ville : Toulouse → Albi",
                                               "Code postal : 31000 → 81000"]
    subjects = [e.subject for e in list_entries(keyed_db, cid)]
    assert "Ville : Toulouse → Albi" in subjects
    assert "Code postal : 31000 → 81000" in subjects
    assert svc.get_contact(keyed_db, cid).dept == "81"  # the trigger followed the postal code
    # nothing changed → nothing written
    count = len(list_entries(keyed_db, cid))
    assert svc.update_contact(keyed_db, cid, {"city": "Albi"}) == []
    assert len(list_entries(keyed_db, cid)) == count


def test_qualification_change_is_audited(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "Martin"}, keys={"profil": "prospect"})
    change = set_qualification(keyed_db, cid, "Profil", "CLIENT")
    assert change is not None and change.describe() == "Profil : prospect → client"
    entries = list_entries(keyed_db, cid)
    assert entries[0].subject == "Profil : prospect → client"
    assert entries[0].automatic and entries[0].kind == "change"


def test_failed_update_writes_nothing(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "Martin", "city": "Pau"})
    before = len(list_entries(keyed_db, cid))
    with pytest.raises(ValidationError):
        svc.update_contact(keyed_db, cid, {"city": "Tarbes", "email": "nope"})
    assert svc.get_contact(keyed_db, cid).city == "Pau"
    assert len(list_entries(keyed_db, cid)) == before


def test_error_inside_a_service_rolls_back_everything(keyed_db: Database) -> None:
    with pytest.raises(ValidationError):
        svc.create_contact(keyed_db, {"last_name": "Martin"}, keys={"profil": "martien"})
    assert keyed_db.scalar("SELECT count(*) FROM contacts") == 0
    assert keyed_db.scalar("SELECT count(*) FROM history") == 0


def test_last_contact_follows_history_but_not_automatic_entries(keyed_db: Database) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "Martin"})
    assert svc.get_contact(keyed_db, cid).last_contact is None  # "Fiche créée" is automatic
    add_entry(keyed_db, cid, "call", "Appel", happened_at="2026-03-01T10:00:00")
    entry = add_entry(keyed_db, cid, "meeting", "RDV", happened_at="2026-05-02T10:00:00")
    assert svc.get_contact(keyed_db, cid).last_contact == "2026-05-02"
    keyed_db.execute("DELETE FROM history WHERE id = ?", (entry,))
    assert svc.get_contact(keyed_db, cid).last_contact == "2026-03-01"


def test_delete_erases_everything_and_undo_restores_it(demo_db: Database) -> None:
    cid = demo_db.scalar("SELECT contact_id FROM history GROUP BY contact_id"
                         " HAVING count(*) > 2 LIMIT 1")
    before = svc.get_contact(demo_db, cid)
    history_before = list_entries(demo_db, cid)
    words = history_before[0].subject.split()[0]
    snapshot = svc.delete_contact(demo_db, cid)
    assert snapshot.name == before.name
    with pytest.raises(NotFound):
        svc.get_contact(demo_db, cid)
    for table in ("history", "contact_facts", "deals", "activity_contacts"):
        column = "contact_id"
        assert demo_db.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", (cid,)) == 0
    hits = demo_db.query("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?",
                         (f'"{before.last_name.split()[0]}"',))
    assert cid not in [h[0] for h in hits]
    svc.restore_contact(demo_db, snapshot)
    after = svc.get_contact(demo_db, cid)
    assert after == before
    assert list_entries(demo_db, cid) == history_before
    assert words  # the subject had text to search for


def test_missing_contact(keyed_db: Database) -> None:
    with pytest.raises(NotFound):
        svc.get_contact(keyed_db, 999)
    with pytest.raises(NotFound):
        svc.update_contact(keyed_db, 999, {"city": "Albi"})


def test_phones_of_hand_made_and_imported_contacts_compare(keyed_db: Database) -> None:
    from qualif_tui.services.importing import phone_e164

    cid = svc.create_contact(keyed_db, {"last_name": "A", "phone": "+33 (0)5 61 00 00 00",
                                        "mobile": "06.12.34.56.78"})
    row = keyed_db.query("SELECT phone_e164, mobile_e164 FROM contacts WHERE id = ?", (cid,))[0]
    assert row["phone_e164"] == phone_e164("05 61 00 00 00") == "+33561000000"
    assert row["mobile_e164"] == "+33612345678"


@pytest.mark.parametrize("given, stored", [("0", 0), ("", 0), ("oui", 1), (True, 1), ("non", 0)])
def test_opt_out_flags_read_yes_and_no(keyed_db: Database, given: object, stored: int) -> None:
    cid = svc.create_contact(keyed_db, {"last_name": "A", "email_optout": given})
    assert keyed_db.scalar("SELECT email_optout FROM contacts WHERE id = ?", (cid,)) == stored
