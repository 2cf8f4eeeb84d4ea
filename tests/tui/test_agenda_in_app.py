"""The agenda inside the real app: `a` opens it, Enter goes to the contact's card,
changes made there show on the card, alarms ring and ctrl+o opens their contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from qualif_tui.domain.activities import add_activity, get_activity
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import list_entries
from qualif_tui.query import QueryEngine
from qualif_tui.storage import Database
from qualif_tui.tui.agenda import AgendaScreen
from qualif_tui.tui.agenda.screen import AgendaList
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ActivityForm, EntryForm
from qualif_tui.tui.timeline import EntryList

from .conftest import settle
from .helpers import card_title, main


async def agenda_shown(pilot: Pilot[None], loads: int = 1) -> AgendaScreen:
    def shown() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, AgendaScreen) and screen.loaded >= loads

    await settle(pilot, shown)
    screen = pilot.app.screen
    assert isinstance(screen, AgendaScreen)
    return screen


def day_lines(screen: AgendaScreen) -> list[str]:
    return [str(o.prompt) for o in screen.query_one("#agenda-day", AgendaList).options]


def highlight(screen: AgendaScreen, text: str) -> None:
    """Put the day view's cursor on the first item showing ``text``."""
    day = screen.query_one("#agenda-day", AgendaList)
    day.highlighted = next(i for i, line in enumerate(day_lines(screen)) if text in line)


async def test_a_opens_the_agenda_and_enter_opens_the_contact(
        app: QualifApp, app_db: Database) -> None:
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    add_activity(app_db, "Rappeler Zélie pour l'essai", kind="call",
                 starts_at="2026-11-20T11:00", contact_ids=[who])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = await agenda_shown(pilot)
        assert any("Rappeler Zélie pour l'essai" in line for line in day_lines(screen))
        highlight(screen, "Rappeler Zélie")
        await pilot.press("a")  # already there: nothing stacks up
        assert app.screen is screen
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is main(app)
        assert main(app).card.contact_id == who
        assert "Zwiller" in card_title(app)


async def test_done_in_the_agenda_shows_on_the_card(app: QualifApp, app_db: Database) -> None:
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    call = add_activity(app_db, "Rappeler Zélie", kind="call",
                        starts_at="2026-11-20T11:00", contact_ids=[who])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        main(app).go_to_contact(who)
        await settle(pilot)
        await pilot.press("a")
        screen = await agenda_shown(pilot)
        highlight(screen, "Rappeler Zélie")
        await pilot.press("x")
        screen = await agenda_shown(pilot, 2)
        assert get_activity(app_db, call).status == "done"
        await pilot.press("escape")
        await settle(pilot)
        assert main(app).card.contact_id == who
        await pilot.press("f3")  # the timeline has the entry the completion wrote
        await settle(pilot)
        timeline = main(app).card.query_one(EntryList)
        prompts = [str(timeline.get_option_at_index(i).prompt)
                   for i in range(timeline.option_count)]
        assert "Rappeler Zélie" in prompts[0]


async def test_an_alarm_rings_and_ctrl_o_opens_its_contact(
        app: QualifApp, app_db: Database) -> None:
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    add_activity(app_db, "Essai du modèle", kind="meeting", starts_at="2026-11-20T10:40",
                 contact_ids=[who], alarm_min=15)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        watcher = app.alarms
        assert watcher is not None
        # ten minutes later by the watcher's clock: the 10:25 alarm has rung
        watcher.last_check = datetime(2026, 11, 20, 10, 20)
        watcher.now = lambda: datetime(2026, 11, 20, 10, 30) + timedelta(minutes=1)
        watcher.check()
        await settle(pilot)
        assert any("Essai du modèle" in n.message for n in app._notifications)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert main(app).card.contact_id == who


async def test_the_search_bitmaps_are_built_after_launch(app: QualifApp,
                                                         app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        facets = QueryEngine.of(app_db).state.facets
        assert facets is not None and "dept" in facets.columns


async def test_ctrl_n_in_the_agenda_plans_an_activity_of_no_contact(
        app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = await agenda_shown(pilot)
        await pilot.press("right_square_bracket")  # tomorrow, Saturday 21
        screen = await agenda_shown(pilot, 2)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActivityForm)
        assert form.query_one("#field-when", Input).value == "2026-11-21 09:00"
        form.query_one("#field-kind", Select).value = "meeting"
        await pilot.press(*"Salon de l'occasion", "ctrl+s")
        screen = await agenda_shown(pilot, 3)
        assert app.screen is screen
        assert any("Salon de l'occasion" in line for line in day_lines(screen))
        planned = app_db.query("SELECT id FROM activities WHERE title = ?",
                               ("Salon de l'occasion",))
        activity = get_activity(app_db, planned[0][0])
        assert activity.starts_at == "2026-11-21T09:00" and activity.contact_ids == ()


async def test_the_daily_loop_agenda_card_call_logged_closes_the_planned_call(
        app: QualifApp, app_db: Database) -> None:
    """Agenda of the day → the contact's card → `c` → ctrl+s: the call is logged
    (subject from the plan) and the planned call is closed, one entry only."""
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    call = add_activity(app_db, "Rappeler Zélie pour le devis", kind="call",
                        starts_at="2026-11-18T11:00", contact_ids=[who])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = await agenda_shown(pilot)
        highlight(screen, "Rappeler Zélie")  # rolled over from the 18th
        await pilot.press("enter")
        await settle(pilot)
        assert main(app).card.contact_id == who
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryForm)
        assert form.query_one("#field-subject", Input).value == "Rappeler Zélie pour le devis"
        assert form.query_one("#field-closes", Checkbox).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is main(app)
        assert get_activity(app_db, call).status == "done"
        logged = [e for e in list_entries(app_db, who) if not e.automatic]
        assert [(e.kind, e.subject, e.activity_id) for e in logged] == [
            ("call", "Rappeler Zélie pour le devis", call)]


async def test_a_call_logged_can_leave_the_planned_call_open(
        app: QualifApp, app_db: Database) -> None:
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    call = add_activity(app_db, "Rappeler Zélie", kind="call",
                        starts_at="2026-11-20T16:00", contact_ids=[who])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        main(app).go_to_contact(who)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryForm)
        form.query_one("#field-closes", Checkbox).value = False
        form.query_one("#field-subject", Input).value = "Messagerie, rappellera"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_activity(app_db, call).status == "open"
        assert [e.subject for e in list_entries(app_db, who) if not e.automatic] == [
            "Messagerie, rappellera"]


async def test_agenda_changes_go_through_the_write_queue(app: QualifApp,
                                                         app_db: Database) -> None:
    """A file found damaged refuses every write: the agenda's too."""
    who = create_contact(app_db, {"first_name": "Zélie", "last_name": "Zwiller"})
    call = add_activity(app_db, "Rappeler Zélie", kind="call",
                        starts_at="2026-11-20T11:00", contact_ids=[who])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.writes.refuse("demo.db is damaged: nothing will be written")
        await pilot.press("a")
        screen = await agenda_shown(pilot)
        highlight(screen, "Rappeler Zélie")
        await pilot.press("x")
        await settle(pilot)
        assert get_activity(app_db, call).status == "open"
        assert any(n.severity == "error" and "damaged" in n.message
                   for n in app._notifications)
