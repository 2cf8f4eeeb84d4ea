"""A new contact, qualified on its six keys, in one burst (issue 11, item 8)."""

from __future__ import annotations

from textual.widgets import Input, Static

from qualif_tui.domain.contacts import get_contact
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ContactForm
from qualif_tui.tui.key_entry import FormKeyField

from .burst import burst
from .conftest import settle
from .helpers import card_title, main, text_of

NEW_CONTACT = ["ctrl+n", "Zoé", "tab", "Zyzzyva", "tab", "tab", "zoe@exemple.fr", "tab",
               "0612345678", "tab", "tab", "31000", "tab", "tab"]
SIX_KEYS = ["1", "2", "2", "3", "2019-05", "enter", "f"]


async def test_new_contact_with_its_keys_in_one_burst(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, *NEW_CONTACT, *SIX_KEYS, "ctrl+s", "f2", "jjjj", "delete")
        screen = main(app)
        created = get_contact(app_db, screen.current_contact_id or 0)
        assert created.name == "Zyzzyva Zoé" and created.email == "zoe@exemple.fr"
        assert created.city == "Toulouse"  # proposed from the postal code
        assert created.keys == {
            "Profil": "client", "Métier": "artisan", "Situation familiale": "couple",
            "Véhicule actuel": "berline", "Mise en service": None, "Source": "foire/salon"}
        # Delete on the card's Mise en service (2019-05 in the form), reached with F2 and
        # j after the form closed: the new contact is the one shown, the keys go to it
        assert card_title(app).startswith("Zyzzyva Zoé")


async def test_the_form_proposes_the_town_and_checks_the_postal_code(app: QualifApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "ctrl+n", "Zoé", "tab", "Zyzzyva", "tab", "tab", "tab", "tab",
                    "tab", "00100")
        form = app.screen
        assert isinstance(form, ContactForm)
        assert "département" in text_of(form.query_one("#error-postal_code", Static))
        await burst(pilot, "backspace", "backspace", "backspace", "backspace", "backspace",
                    "31000")
        assert text_of(form.query_one("#error-postal_code", Static)) == ""
        assert form.query_one("#field-city", Input).value == "Toulouse"
        await burst(pilot, "tab", "tab")
        focused = app.focused
        assert isinstance(focused, FormKeyField) and focused.key.name == "Profil"
        assert "client" in text_of(focused.query_one(".key-hint", Static))
        # the keys line stays on screen at 80×24 while the fields scroll
        keys_line = form.query_one(".dialog-keys", Static)
        assert keys_line.region.bottom <= 24 and keys_line.region.height >= 1
