"""Finding contacts by name prefix (the palette's "go to contact")."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.lookup import find_contacts
from qualif_tui.storage import Database


def test_find_by_prefix_of_every_word_accent_insensitive(db: Database) -> None:
    create_contact(db, {"first_name": "Hélène", "last_name": "Prévost", "city": "Albi"})
    create_contact(db, {"first_name": "Henri", "last_name": "Prévert"})
    create_contact(db, {"company": "Garage Prévot"})
    create_contact(db, {"first_name": "Paul", "last_name": "Durand", "email": "prev@x.fr"})
    assert [m.name for m in find_contacts(db, "prev")] == ["Garage Prévot", "Prévert Henri",
                                                           "Prévost Hélène"]
    found = find_contacts(db, "helene prev")
    assert [(m.name, m.city) for m in found] == [("Prévost Hélène", "Albi")]
    assert find_contacts(db, "prev", limit=1)[0].name in {"Garage Prévot", "Prévert Henri",
                                                          "Prévost Hélène"}


def test_hostile_or_empty_text_finds_nothing_and_never_fails(db: Database) -> None:
    create_contact(db, {"last_name": "Martin"})
    assert find_contacts(db, "") == []
    assert find_contacts(db, '"* NEAR( -') == []
    assert find_contacts(db, 'mar" OR "') == []
    assert [m.name for m in find_contacts(db, "MAR")] == ["Martin"]
