"""Shared by the mail import tests: the fixture archive's people, a Paris clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import Database

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
ME = "sophie@atelier-martin.fr"


def add_people(db: Database) -> dict[str, int]:
    """The three contacts of the fixture archive (see fixtures/mail/make_fixtures.py)."""
    return {
        "jeanne": create_contact(db, {"first_name": "Jeanne", "last_name": "Exemple",
                                      "company": "Garage Durand",
                                      "email": "jeanne.exemple@garage-durand.fr"}),
        "paul": create_contact(db, {"first_name": "Paul", "last_name": "Lefèvre",
                                    "email": "paul.lefevre@orange.fr",
                                    "email2": "p.lefevre@lefevre-conseil.fr"}),
        "helene": create_contact(db, {"first_name": "Hélène", "last_name": "Prévost",
                                      "email": "Helene.Prevost@gmail.com"}),
    }


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mail dates become Paris wall time, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
