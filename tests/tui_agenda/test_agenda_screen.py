"""Pilot tests of the agenda screen: views, moving, acting on items, opening cards."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from qualif_tui.domain.activities import get_activity
from qualif_tui.storage import Database
from qualif_tui.tui.agenda import AgendaScreen
from qualif_tui.tui.agenda.dialogs import ContactChoice
from qualif_tui.tui.agenda.screen import AgendaList, MonthCell

from .host import HostApp
from settling import settle


async def agenda_settled(pilot: Pilot[None], loads: int = 1) -> AgendaScreen:
    """The agenda screen once it has shown ``loads`` views and its workers are done."""

    def loaded() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, AgendaScreen) and screen.loaded >= loads

    await settle(pilot, loaded)
    screen = pilot.app.screen
    assert isinstance(screen, AgendaScreen)
    return screen


def lines(widget: OptionList) -> list[str]:
    return [str(option.prompt) for option in widget.options]


def title(screen: AgendaScreen) -> str:
    return str(screen.query_one("#agenda-title", Static).render())


async def test_today_first_with_late_items(agenda_db: Database) -> None:
    app = HostApp(agenda_db)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await agenda_settled(pilot)
        assert title(screen) == "vendredi 20 novembre 2026"
        day = screen.query_one("#agenda-day", AgendaList)
        text = lines(day)
        assert text[0] == "En retard (2)"
        assert text[1].startswith("⟲ 8 j (12/11)") and "Envoyer la proposition" in text[1]
        assert text[2].startswith("⟲ 3 j (17/11)")
        assert text[4].startswith("09:00") and text[5].startswith("14:00–15:00")
        assert "Anniversaire de Durand Hélène (46 ans)" in text[-1]
        assert screen.focused is day and day.highlighted == 1


async def test_views_and_moving(agenda_db: Database) -> None:
    app = HostApp(agenda_db)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await agenda_settled(pilot)
        await pilot.press("w")
        screen = await agenda_settled(pilot, 2)
        assert title(screen) == "semaine 47 — du 16/11 au 22/11/2026"
        columns = list(screen.query(".week-list").results(AgendaList))
        assert len(columns) == 7 and columns[0].day == date(2026, 11, 16)
        assert "Réunion commerciale" in lines(columns[0])[0]
        assert screen.focused is columns[4]  # today's column
        await pilot.press("right_square_bracket")
        screen = await agenda_settled(pilot, 3)
        assert title(screen) == "semaine 48 — du 23/11 au 29/11/2026"
        await pilot.press("M")
        screen = await agenda_settled(pilot, 4)
        assert title(screen) == "novembre 2026"
        cells = list(screen.query(MonthCell))
        assert len(cells) == 42 and cells[0].day == date(2026, 10, 26)
        await pilot.press("full_stop")
        screen = await agenda_settled(pilot, 5)
        selected = [c.day for c in screen.query(MonthCell) if c.has_class("selected")]
        assert selected == [date(2026, 11, 20)]
        await pilot.press("right", "down")  # 21/11 then a week later
        selected = [c.day for c in screen.query(MonthCell) if c.has_class("selected")]
        assert selected == [date(2026, 11, 28)]
        await pilot.press("enter")  # open that day
        screen = await agenda_settled(pilot, 6)
        assert title(screen) == "samedi 28 novembre 2026"
        await pilot.press("left_square_bracket", "left_square_bracket")
        screen = await agenda_settled(pilot, 8)
        assert title(screen) == "jeudi 26 novembre 2026"
        assert any("Salon de l'auto" in line for line in lines(screen.query_one("#agenda-day",
                                                                                 AgendaList)))
        await pilot.press("t")
        screen = await agenda_settled(pilot, 9)
        assert title(screen) == "Tâches à faire (4)"
        tasks = lines(screen.query_one("#agenda-tasks", AgendaList))
        assert "Envoyer la proposition" in tasks[0] and "Relance mailing" in tasks[-1]


async def test_enter_opens_the_contact_card(agenda_db: Database) -> None:
    app = HostApp(agenda_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await agenda_settled(pilot)
        await pilot.press("enter")  # "Envoyer la proposition" → Marc
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # skip the header → "Confirmer…" → Zoé
        await pilot.pause()
        assert app.opened == [2, 3]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AgendaScreen)
        await pilot.press("a")  # the app's binding pushes it again
        await agenda_settled(pilot)
        assert isinstance(app.screen, AgendaScreen)


async def test_done_priority_and_reschedule(agenda_db: Database) -> None:
    app = HostApp(agenda_db)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await agenda_settled(pilot)
        await pilot.press("x")  # "Envoyer la proposition" done: it leaves the late items
        screen = await agenda_settled(pilot, 2)
        assert get_activity(agenda_db, 3).status == "done"
        assert agenda_db.scalar("SELECT count(*) FROM history WHERE activity_id = 3") == 1
        assert app.changes == 1
        day = screen.query_one("#agenda-day", AgendaList)
        assert lines(day)[0] == "En retard (1)"
        await pilot.press("p")  # priority of the late call: normale → haute
        screen = await agenda_settled(pilot, 3)
        assert get_activity(agenda_db, 2).priority == 1
        await pilot.press("r")
        await pilot.pause()
        dialog_input = app.screen.query_one(Input)
        await pilot.press(*"vendredi")  # today is a Friday: ambiguous, it asks
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#reschedule-error", Static).render())
        assert "Ambigu" in error and "20/11/2026" in error and "27/11/2026" in error
        dialog_input.value = "lundi 16h"
        await pilot.press("enter")
        screen = await agenda_settled(pilot, 4)
        assert get_activity(agenda_db, 2).starts_at == "2026-11-23T16:00"
        assert "En retard" not in " ".join(lines(screen.query_one("#agenda-day", AgendaList)))


async def test_occurrence_of_a_series_alone(agenda_db: Database) -> None:
    app = HostApp(agenda_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await agenda_settled(pilot)
        await pilot.press("w")
        screen = await agenda_settled(pilot, 2)
        await pilot.press("left", "left", "left", "left")  # Monday's column
        monday = screen.query_one("#week-0", AgendaList)
        assert screen.focused is monday
        await pilot.press("x")  # this Monday's meeting only
        screen = await agenda_settled(pilot, 3)
        override = agenda_db.query("SELECT status, recurrence_id FROM activities"
                                   " WHERE series_id = 1")
        assert [tuple(r) for r in override] == [("done", "2026-11-16T08:30")]
        await pilot.press("right_square_bracket")
        screen = await agenda_settled(pilot, 4)
        next_monday = lines(screen.query_one("#week-0", AgendaList))
        assert "✓" not in next_monday[0] and "Réunion commerciale" in next_monday[0]


async def test_enter_on_an_activity_of_two_contacts_asks_which_card(
        agenda_db: Database) -> None:
    app = HostApp(agenda_db, open_agenda=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(AgendaScreen(agenda_db, anchor=date(2026, 12, 3)))
        screen = await agenda_settled(pilot)
        day = screen.query_one("#agenda-day", AgendaList)
        day.highlighted = next(i for i, line in enumerate(lines(day))
                               if "Relance mailing" in line)
        await pilot.press("enter")
        await pilot.pause()
        choice = app.screen
        assert isinstance(choice, ContactChoice)
        names = lines(choice.query_one(OptionList))
        assert names == ["Durand Hélène", "Ferrand Zoé"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == [3]  # Zoé Ferrand, the third contact made
        assert app.screen is screen
