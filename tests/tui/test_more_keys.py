"""The remaining keys: refresh, the value picker, the coordinates, j/k in every pane, clicks."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import contact_values
from qualif_tui.storage import Database
from qualif_tui.tui.agenda_pane import AgendaPane
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import PickValue
from qualif_tui.tui.forms import ContactForm
from qualif_tui.tui.qualification import CoordsView, KeyField
from qualif_tui.tui.timeline import EntryList

from .conftest import settle
from .helpers import main, status


async def test_f5_refreshes_from_the_file(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        create_contact(app_db, {"last_name": "Écrit par un autre outil"})
        assert "300 contacts" in status(app)
        await pilot.press("f5")
        await settle(pilot)
        assert "301 contacts" in status(app)


async def test_enter_on_a_choice_key_opens_the_picker(app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main(app).go_to_contact(cid)
        await settle(pilot)
        await pilot.press("f2", "j")  # Métier: twelve values, more than digits reach
        await settle(pilot)
        assert isinstance(app.focused, KeyField) and app.focused.key.name == "Métier"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PickValue)
        await pilot.press("escape")
        await settle(pilot)
        assert contact_values(app_db, cid)["Métier"] is None
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(10):
            await pilot.press("j")
        await pilot.press("k", "enter")  # the tenth value, "enseignant"
        await settle(pilot)
        assert contact_values(app_db, cid)["Métier"] == "enseignant"


async def test_enter_on_the_coordinates_opens_the_form(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2", "k")
        await settle(pilot)
        assert isinstance(app.focused, CoordsView)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)


async def test_j_and_k_move_in_the_sidebar_timeline_and_agenda(app: QualifApp,
                                                               app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron"})
    add_entry(app_db, cid, "note", "Un", happened_at="2026-01-01T09:00")
    from qualif_tui.domain.activities import add_activity

    add_activity(app_db, "A", starts_at="2026-12-01", contact_ids=[cid])
    add_activity(app_db, "B", starts_at="2026-12-02", contact_ids=[cid])
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.go_to_contact(cid)
        await settle(pilot)
        await pilot.press("shift+tab")
        assert app.focused is screen.sidebar
        start = screen.sidebar.highlighted or 0
        await pilot.press("j")
        assert screen.sidebar.highlighted == start + 1
        await pilot.press("k")
        assert screen.sidebar.highlighted == start
        await pilot.press("f3")
        await settle(pilot)
        timeline = screen.card.query_one(EntryList)
        assert app.focused is timeline and timeline.highlighted == 0
        await pilot.press("j")
        assert timeline.highlighted == 1
        await pilot.press("k")
        assert timeline.highlighted == 0
        await pilot.press("f4")
        await settle(pilot)
        agenda = screen.card.query_one(AgendaPane)
        assert app.focused is agenda and agenda.highlighted == 0
        await pilot.press("j")
        assert agenda.selected is not None and agenda.selected.title == "B"
        await pilot.press("k")
        assert agenda.selected is not None and agenda.selected.title == "A"


async def test_clicks_move_the_cursor_and_a_double_click_edits(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        contacts = main(app).contact_list
        await pilot.click(contacts, offset=(5, 4))  # the header is line 0
        await settle(pilot)
        assert contacts.cursor == 3
        await pilot.double_click(contacts, offset=(5, 2))
        await settle(pilot)
        assert contacts.cursor == 1
        assert isinstance(app.screen, ContactForm)


async def test_an_empty_file_opens_and_takes_a_first_contact(db: Database) -> None:
    app = QualifApp(db, cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "0 contact" in status(app)
        from .helpers import card_title, list_lines

        assert "Aucun contact" in list_lines(app)[1]
        assert "Aucun contact" in card_title(app)
        await pilot.press("n")  # nothing to log on: says so
        await settle(pilot)
        assert app.screen is main(app)
        await pilot.press("Q")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+n", *"Premier", "ctrl+s")
        await settle(pilot)
        assert "1 contact" in status(app)
        assert card_title(app).startswith("Premier")


async def test_every_key_type_in_the_form(keyed_db: Database) -> None:
    from qualif_tui.domain.keys import define_key

    define_key(keyed_db, "Newsletter", "yesno")
    define_key(keyed_db, "Budget", "number")
    define_key(keyed_db, "Relance", "date")
    define_key(keyed_db, "Remarque", "text")
    cid = create_contact(keyed_db, {"last_name": "Aaron"})
    app = QualifApp(keyed_db, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        main(app).go_to_contact(cid)
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        while not (isinstance(app.focused, KeyField) and app.focused.key.name == "Newsletter"):
            await pilot.press("j")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("j", *"12 500,50", "enter")
        await settle(pilot)
        await pilot.press("j", *"15/01/2027", "enter")
        await settle(pilot)
        await pilot.press("j", *"Préfère le matin", "enter")
        await settle(pilot)
        values = contact_values(keyed_db, cid)
        assert values["Newsletter"] is True
        assert values["Budget"] == 12500.5
        assert values["Relance"] == "2027-01-15"
        assert values["Remarque"] == "Préfère le matin"
        assert "qualifié 4/10" in str(main(app).card.query_one("#card-title").render())
