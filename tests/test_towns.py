"""Postal code → town from the file, and the postal code check (issue 11, item 8)."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.towns import postal_code_problem, towns_of_postal_code
from qualif_tui.storage import Database


def test_towns_come_from_the_contacts_most_used_first(db: Database) -> None:
    for city in ("Toulouse", "TOULOUSE", "toulouse", "Blagnac"):
        create_contact(db, {"last_name": "X", "postal_code": "31000", "city": city})
    create_contact(db, {"last_name": "Y", "postal_code": "31700", "city": "Blagnac"})
    assert towns_of_postal_code(db, "31000") == ["Toulouse", "Blagnac"]
    assert towns_of_postal_code(db, "31 700") == ["Blagnac"]
    assert towns_of_postal_code(db, "81000") == []
    assert towns_of_postal_code(db, "3100") == []


def test_postal_code_problem() -> None:
    assert postal_code_problem("31000") is None
    assert postal_code_problem("20090") is None  # Corse-du-Sud
    assert postal_code_problem("97400") is None  # La Réunion
    assert postal_code_problem("") is None
    assert postal_code_problem("3100") is not None
    assert postal_code_problem("00100") is not None
    assert postal_code_problem("96000") is not None
