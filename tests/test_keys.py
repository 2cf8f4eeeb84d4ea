"""Qualification keys: definition, encoding, values."""

from __future__ import annotations

import pytest

from qualif_tui.domain import keys as svc
from qualif_tui.domain.contacts import create_contact, get_contact
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.storage import Database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def test_define_key_adds_an_indexed_column(db: Database) -> None:
    key = svc.define_key(db, "Situation familiale", "choice", ["célibataire", "couple"])
    assert key.norm_name == "situation_familiale"
    columns = [r["name"] for r in db.query("PRAGMA table_info(contact_facts)")]
    assert key.column in columns
    indexes = [r["name"] for r in db.query("PRAGMA index_list(contact_facts)")]
    assert f"facts_{key.column}" in indexes


def test_key_names_are_found_any_way_they_are_written(keyed_db: Database) -> None:
    for spelling in ("mise en service", "Mise_En_Service", "MISE-EN-SERVICE"):
        assert svc.get_key(keyed_db, spelling).name == "Mise en service"
    with pytest.raises(NotFound, match="did you mean 'profil'"):
        svc.get_key(keyed_db, "profl")


def test_duplicate_and_reserved_names(keyed_db: Database) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        svc.define_key(keyed_db, "profil", "choice")
    with pytest.raises(ValidationError, match="query language"):
        svc.define_key(keyed_db, "Region", "text")


@pytest.mark.parametrize("key_type, given, stored, shown", [
    ("month", "2019-3", "2019-03", "2019-03"),
    ("month", "03/2019", "2019-03", "2019-03"),
    ("date", "15/06/2024", "2024-06-15", "2024-06-15"),
    ("number", "12 500,50", 12500.5, 12500.5),
    ("yesno", "Oui", 1, True),
    ("text", "  libre ", "libre", "libre"),
])
def test_typed_values(db: Database, key_type: str, given: str, stored: object, shown: object) -> None:
    key = svc.define_key(db, "k", key_type)
    assert key.encode(given) == stored
    assert key.decode(stored) == shown


@pytest.mark.parametrize("key_type, bad", [
    ("month", "2019-13"), ("date", "31/02/2024"), ("number", "douze"), ("yesno", "peut-être"),
])
def test_bad_typed_values(db: Database, key_type: str, bad: str) -> None:
    key = svc.define_key(db, "k", key_type)
    with pytest.raises(ValidationError):
        key.encode(bad)


def test_multi_choice_toggles(db: Database) -> None:
    key = svc.define_key(db, "Centres d'intérêt", "multi", ["golf", "voile", "ski"])
    cid = create_contact(db, {"last_name": "A"})
    svc.toggle_value(db, cid, key, "Voile")
    svc.toggle_value(db, cid, key, "ski")
    assert get_contact(db, cid).keys["Centres d'intérêt"] == ["voile", "ski"]
    svc.toggle_value(db, cid, key, "voile")
    assert get_contact(db, cid).keys["Centres d'intérêt"] == ["ski"]


def test_values_keep_codes_when_renamed_or_reordered(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "A"}, keys={"source": "web"})
    svc.rename_value(keyed_db, "source", "web", "site internet")
    svc.reorder_values(keyed_db, "source", ["site internet", "facebook"])
    key = svc.get_key(keyed_db, "source")
    assert [v.value for v in key.values][:2] == ["site internet", "facebook"]
    assert get_contact(keyed_db, cid).keys["Source"] == "site internet"


def test_remove_value_clears_contacts_with_audit(keyed_db: Database) -> None:
    cid = create_contact(keyed_db, {"last_name": "A"}, keys={"source": "facebook"})
    assert svc.remove_value(keyed_db, "source", "facebook") == 1
    assert get_contact(keyed_db, cid).keys["Source"] is None
    with pytest.raises(ValidationError):
        svc.set_qualification(keyed_db, cid, "source", "facebook")


def test_delete_key_drops_column(keyed_db: Database) -> None:
    key = svc.get_key(keyed_db, "source")
    svc.delete_key(keyed_db, key)
    assert svc.find_key(keyed_db, "source") is None
    columns = [r["name"] for r in keyed_db.query("PRAGMA table_info(contact_facts)")]
    assert key.column not in columns
