"""The contact card: one-keystroke qualification, the timeline and the contact's agenda."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input, Static, TabbedContent

from qualif_tui.domain.activities import add_activity, contact_activities, get_activity
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import contact_values, define_key
from qualif_tui.storage import Database
from qualif_tui.tui.agenda_pane import AgendaPane
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ActivityForm, EntryForm
from qualif_tui.tui.qualification import KeyField
from qualif_tui.tui.timeline import EntryList

from .conftest import settle
from .helpers import card_title, main, text_of


async def open_contact(pilot, contact_id: int) -> None:  # type: ignore[no-untyped-def]
    main(pilot.app).go_to_contact(contact_id)
    await settle(pilot)
    assert main(pilot.app).card.contact_id == contact_id


def field(app: QualifApp, name: str) -> KeyField:
    return next(f for f in main(app).card.query(KeyField) if f.key.name == name)


async def focus_key(pilot, name: str) -> KeyField:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await settle(pilot)
    for _ in range(12):
        if isinstance(pilot.app.focused, KeyField) and pilot.app.focused.key.name == name:
            return pilot.app.focused
        await pilot.press("j")
    raise AssertionError(f"no field {name}")


async def test_choice_key_by_digit_letter_and_cycling(app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron", "first_name": "Zoé"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_contact(pilot, cid)
        assert "qualifié 0/6" in card_title(app)
        profil = await focus_key(pilot, "Profil")
        hint = text_of(profil.query_one(".key-hint", Static))
        assert "1 client" in hint and "2 prospect" in hint
        await pilot.press("2")
        await settle(pilot)
        assert contact_values(app_db, cid)["Profil"] == "prospect"
        assert "prospect" in text_of(profil.query_one(".key-line", Static))
        assert "qualifié 1/6" in card_title(app)
        assert list_entries(app_db, cid)[0].subject == "Profil : — → prospect"
        await pilot.press("c")
        await settle(pilot)
        assert contact_values(app_db, cid)["Profil"] == "client"
        await pilot.press("c")  # again: the next value starting with c
        await settle(pilot)
        assert contact_values(app_db, cid)["Profil"] == "concurrent"
        await pilot.press("delete")
        await settle(pilot)
        assert contact_values(app_db, cid)["Profil"] is None
        # the focus stayed on the field through the reloads
        assert app.focused is field(app, "Profil")


async def test_month_key_is_typed_and_validated(app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_contact(pilot, cid)
        month = await focus_key(pilot, "Mise en service")
        await pilot.press(*"2024-13")
        assert month.query_one(".key-input").value == "2024-13"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert "pas un mois" in text_of(month.query_one(".key-hint", Static))
        assert contact_values(app_db, cid)["Mise en service"] is None
        await pilot.press(*["backspace"] * 7, *"03/2024", "enter")
        await settle(pilot)
        assert contact_values(app_db, cid)["Mise en service"] == "2024-03"
        assert app.focused is field(app, "Mise en service")
        await pilot.press("escape")  # back to the list
        assert app.focused is main(app).contact_list


async def test_multi_choice_toggles(app: QualifApp, app_db: Database) -> None:
    define_key(app_db, "Intérêts", "multi", ["golf", "voile", "ski"])
    cid = create_contact(app_db, {"last_name": "Aaron"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_contact(pilot, cid)
        await focus_key(pilot, "Intérêts")
        await pilot.press("2", "3")
        await settle(pilot)
        assert contact_values(app_db, cid)["Intérêts"] == ["voile", "ski"]
        await pilot.press("2")
        await settle(pilot)
        assert contact_values(app_db, cid)["Intérêts"] == ["ski"]
        await pilot.press("u")  # undo the last answer
        await settle(pilot)
        assert contact_values(app_db, cid)["Intérêts"] == ["voile", "ski"]


async def test_tab_cycles_panes_and_the_card_follows(app: QualifApp) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        tabs = screen.card.query_one(TabbedContent)
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, KeyField) and tabs.active == "tab-form"
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, EntryList) and tabs.active == "tab-timeline"
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, AgendaPane) and tabs.active == "tab-agenda"
        await pilot.press("tab")  # the deals, then the quotes (issue 12)
        await settle(pilot)
        assert tabs.active == "tab-deals" and app.focused is not None
        assert app.focused.id == "deals"
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "quotes"
        await pilot.press("tab")
        assert app.focused is screen.search_bar.input
        await pilot.press("tab")
        assert app.focused is screen.sidebar
        await pilot.press("tab")
        assert app.focused is screen.contact_list
        await pilot.press("shift+tab")
        assert app.focused is screen.sidebar


async def test_logging_a_call_with_c(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        cid = screen.card.contact_id
        assert cid is not None
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EntryForm)
        assert form.values()["kind"] == "call"
        assert form.values()["when"] == "2026-11-20 10:30"  # now (frozen clock)
        await pilot.press(*"Rappel devis", "tab", "tab", *"Intéressé par un SUV", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        newest = list_entries(app_db, cid)[0]
        assert (newest.kind, newest.subject, newest.body) == ("call", "Rappel devis",
                                                              "Intéressé par un SUV")
        assert newest.happened_at == "2026-11-20T10:30:00"
        assert screen.card.query_one(TabbedContent).active == "tab-timeline"
        timeline = screen.card.query_one(EntryList)
        first = timeline.get_option_at_index(0).prompt
        assert "Rappel devis" in str(first) and "Appel" in str(first)


async def test_note_email_meeting_keys_open_their_form(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, kind in (("n", "note"), ("e", "email"), ("m", "meeting")):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, EntryForm)
            assert app.screen.values()["kind"] == kind
            await pilot.press("escape")  # nothing typed: closes without asking
            await settle(pilot)
            assert app.screen is main(app)


async def test_timeline_newest_first_dims_automatic_entries_and_filters(
        app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron"})
    from qualif_tui.domain.history import add_entry

    add_entry(app_db, cid, "call", "Premier appel", happened_at="2026-10-01T09:00")
    add_entry(app_db, cid, "note", "Aime la voile", happened_at="2026-11-01T09:00")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_contact(pilot, cid)
        await pilot.press("f3")
        await settle(pilot)
        timeline = main(app).card.query_one(EntryList)
        prompts = [timeline.get_option_at_index(i).prompt for i in range(timeline.option_count)]
        # newest first: the card was created "now", after both entries
        assert "Aime la voile" in str(prompts[1]) and "Premier appel" in str(prompts[2])
        automatic = prompts[0]
        assert "Fiche créée" in str(automatic)
        assert isinstance(automatic, Text)
        assert any("dim" in str(span.style) for span in automatic.spans)
        await pilot.press("f", *"voil")
        await settle(pilot)
        assert timeline.option_count == 1
        assert "Aime la voile" in str(timeline.get_option_at_index(0).prompt)


async def test_agenda_pane_marks_overdue_adds_with_t_and_x_marks_done(
        app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"last_name": "Aaron"})
    late = add_activity(app_db, "Rappeler pour l'essai", kind="call",
                        starts_at="2026-11-19T14:00", contact_ids=[cid])
    add_activity(app_db, "Livraison", kind="meeting", starts_at="2026-11-25T10:00",
                 contact_ids=[cid])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_contact(pilot, cid)
        await pilot.press("f4")
        await settle(pilot)
        pane = main(app).card.query_one(AgendaPane)
        lines = [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]
        assert "Rappeler pour l'essai" in lines[0] and "en retard" in lines[0]
        assert "⚠" in lines[0]
        assert "Livraison" in lines[1] and "en retard" not in lines[1]
        # t plans a new activity for this contact
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ActivityForm)
        await pilot.press(*"Envoyer l'offre", "ctrl+s")
        await settle(pilot)
        titles = [a.title for a in contact_activities(app_db, cid)]
        assert "Envoyer l'offre" in titles
        planned = next(a for a in contact_activities(app_db, cid) if a.title == "Envoyer l'offre")
        assert planned.starts_at == "2026-11-21T09:00" and planned.kind == "call"
        # the date field takes the agenda's natural input
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActivityForm)
        await pilot.press(*"Relancer")
        form.query_one("#field-when", Input).value = "lundi 14h30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        relance = next(a for a in contact_activities(app_db, cid) if a.title == "Relancer")
        assert relance.starts_at == "2026-11-23T14:30"
        # x marks the highlighted (overdue) one done, which writes history
        await pilot.press("f4")
        await settle(pilot)
        pane.highlighted = 0
        await pilot.press("x")
        await settle(pilot)
        assert get_activity(app_db, late).status == "done"
        assert list_entries(app_db, cid)[0].subject == "Rappeler pour l'essai (fait)"
        lines = [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]
        assert not any("Rappeler" in line for line in lines)
