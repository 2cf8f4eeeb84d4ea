"""Type-ahead: keys pressed in one burst, with no pause, land where slow typing would.

Each test sends a whole burst at once (:func:`burst`) and asserts which contact got
which value, against the file itself. Issue 11, item 1.
"""

from __future__ import annotations

from textual.widgets import Input

from qualif_tui.domain import clock
from qualif_tui.domain.activities import answered_by
from qualif_tui.domain.agenda.views import build_view
from qualif_tui.domain.contacts import get_contact
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import list_keys
from qualif_tui.query import compile_query, fetch_page
from qualif_tui.query.derived import missing_any
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import EntryForm
from qualif_tui.tui.qualification import KeyField
from qualif_tui.tui.sprint import SprintScreen

from .burst import burst
from .conftest import settle
from .helpers import main

ADAM, AUBERT = 15, 40  # the first two contacts of the demo by name


async def test_f2_navigation_and_values_reach_the_contact_shown(app: QualifApp,
                                                               app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.current_contact_id == ADAM
        before = get_contact(app_db, AUBERT).keys
        # F2, down to "Situation familiale", 3, down to "Mise en service", a month
        await burst(pilot, "f2", "jj", "3", "jj", "2019-05", "enter")
        adam = get_contact(app_db, ADAM).keys
        assert adam["Situation familiale"] == "couple avec enfants"
        assert adam["Mise en service"] == "2019-05"
        assert get_contact(app_db, AUBERT).keys == before  # nobody else touched
        assert screen.contact_list.cursor == 0
        focused = app.focused
        assert isinstance(focused, KeyField) and focused.key.name == "Mise en service"


async def test_j_then_f2_at_once_qualifies_the_contact_under_the_cursor(
        app: QualifApp, app_db: Database) -> None:
    """The card of the next contact is still loading when F2 and the value come."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = get_contact(app_db, ADAM).keys
        await burst(pilot, "j", "f2", "j", "2")  # Aubert, Métier: artisan
        assert get_contact(app_db, AUBERT).keys["Métier"] == "artisan"
        assert get_contact(app_db, ADAM).keys == before


async def test_month_typed_at_full_speed_keeps_every_character(app: QualifApp,
                                                               app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "f2", "jjjj")
        await burst(pilot, "2021-11", "enter")
        assert get_contact(app_db, ADAM).keys["Mise en service"] == "2021-11"


async def test_slash_ctrl_u_replaces_the_query(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"profil:client", "enter")
        await settle(pilot)
        assert screen.query_text == "profil:client"
        # a new query over the old one, then on to the second contact and qualify it
        await burst(pilot, "/", "ctrl+u", "profil:partenaire", "enter", "f2", "j", "2")
        assert screen.query_text == "profil:partenaire"
        assert screen.search_bar.input.value == "profil:partenaire"
        assert screen.current_contact_id == AUBERT  # the first partenaire by name
        assert get_contact(app_db, AUBERT).keys["Métier"] == "artisan"
        assert isinstance(app.focused, KeyField)


async def test_agenda_enter_call_save_logs_on_the_agenda_contact(app: QualifApp,
                                                                 app_db: Database) -> None:
    day = build_view(app_db, "day", clock.today(), per_day=50, reminders_per_day=5).days[0]
    first = day.items[0]
    contact_id = first.contacts[0].id
    calls_before = [e.id for e in list_entries(app_db, contact_id) if e.kind == "call"]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "a", "enter", "c", "Devis envoyé", "ctrl+s")
        screen = main(app)
        assert screen.current_contact_id == contact_id
        calls = [e for e in list_entries(app_db, contact_id) if e.kind == "call"
                 and e.id not in calls_before]
        # the subject proposed from the planned call is selected: typing replaces it
        assert [e.subject for e in calls] == ["Devis envoyé"]
        assert answered_by(app_db, contact_id, "call") is None  # the planned call closed


async def test_c_after_j_logs_on_the_new_contact(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "j", "c")
        form = app.screen
        assert isinstance(form, EntryForm)
        assert "Aubert" in form.TITLE_TEXT
        assert isinstance(app.focused, Input)
        await burst(pilot, "Appel rapide", "ctrl+s")
        assert [e.subject for e in list_entries(app_db, AUBERT) if e.kind == "call"][:1] == [
            "Appel rapide"]


async def test_sprint_on_one_key_at_full_speed(app: QualifApp, app_db: Database) -> None:
    """Q, the key's number, then ten digits with no pause: ten contacts in twelve keys,
    each value on the contact the sprint showed for it."""
    keys = list_keys(app_db)
    metier = next(k for k in keys if k.name == "Métier")
    expected = fetch_page(app_db, missing_any(compile_query(app_db, ""), [metier]),
                          sort="name", limit=10, keys=keys)
    digits = "1234567891"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, "Q", str(keys.index(metier) + 1), digits)
        sprint = app.screen
        assert isinstance(sprint, SprintScreen)
        assert sprint.answered == 10
    for row, digit in zip(expected, digits, strict=True):
        assert get_contact(app_db, row.id).keys["Métier"] == metier.values[int(digit) - 1].value
