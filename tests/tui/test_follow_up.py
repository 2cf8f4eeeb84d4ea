"""Log a call and plan its follow-up in ten days, in one burst (issue 11, item 10)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Select

from qualif_tui.domain import clock
from qualif_tui.domain.activities import contact_activities
from qualif_tui.domain.history import list_entries
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ActivityForm, follow_up_title

from .burst import burst
from .conftest import settle
from .helpers import main

ADAM = 15


def test_follow_up_title() -> None:
    assert follow_up_title("Devis envoyé") == "Relance : Devis envoyé"
    assert follow_up_title("Relance : Devis envoyé") == "Relance : Devis envoyé"
    assert follow_up_title("  ") == ""


async def test_call_then_follow_up_in_ten_days(app: QualifApp, app_db: Database) -> None:
    before = {a.id for a in contact_activities(app_db, ADAM)}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert main(app).current_contact_id == ADAM
        # c ctrl+s: a call logged ("Appel" proposed); t: "Relance : Appel", the date
        # selected: +10d replaces it; ctrl+s — eight keys
        await burst(pilot, "c", "ctrl+s", "t", "+10d", "ctrl+s")
        assert app.screen is main(app)
    calls = [e for e in list_entries(app_db, ADAM) if e.kind == "call"]
    assert calls[0].subject == "Appel"
    new = [a for a in contact_activities(app_db, ADAM) if a.id not in before]
    assert [a.title for a in new] == ["Relance : Appel"]
    assert (new[0].starts_at or "")[:10] == (clock.today() + timedelta(days=10)).isoformat()


async def test_a_complete_activity_form(app: QualifApp, app_db: Database) -> None:
    before = {a.id for a in contact_activities(app_db, ADAM)}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "t")
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#field-duration", Select).value = 60
        form.query_one("#field-alarm", Select).value = 15
        form.query_one("#field-rrule", Select).value = "FREQ=WEEKLY;BYDAY=MO"
        await burst(pilot, "lundi 10h")  # the date is selected: typing replaces it
        form.query_one("#field-location").value = "Concession de Muret"  # type: ignore[attr-defined]
        form.query_one("#field-notes").text = "apporter le catalogue"  # type: ignore[attr-defined]
        await burst(pilot, "ctrl+s")
        assert app.screen is main(app)
    new = [a for a in contact_activities(app_db, ADAM) if a.id not in before]
    assert len(new) == 1
    activity = new[0]
    assert (activity.duration_min, activity.alarm_min) == (60, 15)
    assert activity.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert activity.location == "Concession de Muret"
    assert activity.notes == "apporter le catalogue"
