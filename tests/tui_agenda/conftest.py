"""Fixtures of the agenda's pilot and snapshot tests: Paris time, a small agenda."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualif_tui.domain.activities import add_activity, complete_activity
from qualif_tui.domain.agenda import times
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.storage import Database


@pytest.fixture(autouse=True)
def paris() -> Iterator[None]:
    times.set_local_zone("Europe/Paris")
    yield
    times.set_local_zone(None)


@pytest.fixture
def agenda_db(db: Database) -> Database:
    """A week around Friday 20 November 2026, as a salesperson's agenda looks."""
    key = define_key(db, "Mise en service", "month", remind=True, remind_lead_days=30,
                     remind_after_months=48)
    helene = create_contact(db, {"first_name": "Hélène", "last_name": "Durand",
                                 "birthday": "1980-11-20"})
    marc = create_contact(db, {"first_name": "Marc", "last_name": "Lefèvre",
                               "company": "Garage du Canal"})
    zoe = create_contact(db, {"first_name": "Zoé", "last_name": "Ferrand"})
    set_qualification(db, zoe, key, "2022-12")
    add_activity(db, "Réunion commerciale", kind="meeting", starts_at="2026-11-02T08:30",
                 duration_min=45, rrule="FREQ=WEEKLY;BYDAY=MO", location="Blagnac")
    add_activity(db, "Rappeler pour le devis", kind="call", starts_at="2026-11-17T11:00",
                 contact_ids=[helene])
    add_activity(db, "Envoyer la proposition", kind="todo", due="2026-11-12", priority=1,
                 contact_ids=[marc])
    add_activity(db, "Essai du nouveau modèle", kind="meeting", starts_at="2026-11-20T14:00",
                 duration_min=60, contact_ids=[marc], alarm_min=15)
    add_activity(db, "Confirmer la livraison", kind="call", starts_at="2026-11-20T09:00",
                 contact_ids=[zoe])
    done = add_activity(db, "Point stock", kind="todo", starts_at="2026-11-18", priority=3)
    complete_activity(db, done)
    add_activity(db, "Salon de l'auto", kind="meeting", starts_at="2026-11-26",
                 priority=1)
    add_activity(db, "Relance mailing", kind="call", starts_at="2026-12-03T10:00",
                 contact_ids=[helene, zoe])
    return db
