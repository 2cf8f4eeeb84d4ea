"""Create, edit, delete with confirmation, undo; unsaved edits; a failed write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Static

from qualif_tui.domain.contacts import contact_count, get_contact
from qualif_tui.domain.errors import NotFound
from qualif_tui.domain.history import list_entries
from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.dialogs import ConfirmScreen
from qualif_tui.tui.forms import ContactForm

from .conftest import settle
from .helpers import card_title, main, status, text_of


async def test_ctrl_n_creates_a_contact_with_inline_validation(app: QualifApp,
                                                                app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.press(*"Zoé", "tab", *"Zyzzyva", "tab", "tab", *"zoe@")  # e-mail 4th
        await settle(pilot)
        error = form.query_one("#error-email", Static)
        assert "not an e-mail address" in text_of(error)  # shown while typing
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused, nothing written
        assert contact_count(app_db) == 300
        await pilot.press(*"exemple.fr")
        await settle(pilot)
        assert text_of(error) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert contact_count(app_db) == 301
        assert "301 contacts" in status(app)
        assert card_title(app).startswith("Zyzzyva Zoé")
        created = get_contact(app_db, screen.card.contact_id or 0)
        assert created.email == "zoe@exemple.fr"
        # the list's cursor is on the new contact (last by name)
        assert screen.contact_list.cursor == 300


async def test_enter_edits_and_changes_are_audited(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        cid = screen.card.contact_id
        assert cid is not None
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        city = form.query_one("#field-city")
        city.focus()
        await pilot.pause()
        city.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"Albi", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert get_contact(app_db, cid).city == "Albi"
        assert list_entries(app_db, cid)[0].subject.startswith("Ville : ")
        assert screen.card.contact_id == cid


async def test_bad_postal_code_is_shown_at_its_field(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        postal = form.query_one("#field-postal_code")
        postal.focus()
        postal.value = "3100"  # type: ignore[attr-defined]
        await settle(pilot)
        assert "postal code" in text_of(form.query_one("#error-postal_code", Static))


async def test_unsaved_edits_ask_before_leaving(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        cid = screen.card.contact_id or 0
        name = get_contact(app_db, cid).first_name
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.press("end", *"xx")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: keep editing
        await settle(pilot)
        assert app.screen is form
        await pilot.press("escape", "o")  # yes: throw the edits away
        await settle(pilot)
        assert app.screen is screen
        assert get_contact(app_db, cid).first_name == name
        # quitting with a dirty form asks too
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end", *"yy", "ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)


async def test_ctrl_d_deletes_after_confirmation_and_u_undoes(app: QualifApp,
                                                              app_db: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j")
        await settle(pilot)
        cid = screen.card.contact_id or 0
        entries = len(list_entries(app_db, cid))
        name = get_contact(app_db, cid).name
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert name in text_of(app.screen.query_one(".dialog-title", Static))
        await pilot.press("n")
        await settle(pilot)
        assert contact_count(app_db) == 300
        await pilot.press("ctrl+d", "o")
        await settle(pilot)
        assert contact_count(app_db) == 299
        assert "299 contacts" in status(app)
        assert screen.card.contact_id != cid
        try:
            get_contact(app_db, cid)
            raise AssertionError("the contact should be gone")
        except NotFound:
            pass
        await pilot.press("u")
        await settle(pilot)
        assert contact_count(app_db) == 300
        assert "300 contacts" in status(app)
        assert len(list_entries(app_db, cid)) == entries
        assert screen.card.contact_id == cid
        await pilot.press("u")  # nothing left to undo: says so, changes nothing
        await settle(pilot)
        assert contact_count(app_db) == 300


async def test_a_failed_write_toasts_and_leaves_the_screen_consistent(demo_copy: Path) -> None:
    readonly = open_database(demo_copy, readonly=True)
    app = QualifApp(readonly, cursor_blink=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = main(app)
            await pilot.press("f2")
            await settle(pilot)
            profil = app.focused
            before = text_of(profil.query_one(".key-line", Static))  # type: ignore[union-attr]
            await pilot.press("3")
            await settle(pilot)
            toasts = list(app._notifications)
            assert any(t.severity == "error" and "readonly" in t.message for t in toasts)
            assert text_of(profil.query_one(".key-line", Static)) == before  # type: ignore[union-attr]
            assert "300 contacts" in status(app)
            assert app.screen is screen
    finally:
        readonly.close()


async def test_background_check_holds_writes_until_the_file_passes(demo_copy: Path) -> None:
    database = open_database(demo_copy, quick_check=False)
    app = QualifApp(database, cursor_blink=False, verify=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("f2", "3")  # Profil: suspect, once the check has passed
            await settle(pilot)
            cid = main(app).card.contact_id or 0
            from qualif_tui.domain.keys import contact_values

            assert contact_values(database, cid)["Profil"] == "suspect"
            assert not any(t.severity == "error" for t in app._notifications)
    finally:
        database.close()


async def test_a_damaged_file_is_shown_but_never_written(demo_copy: Path) -> None:
    # pages of the history (not of the schema, without which nothing can be shown)
    conn = sqlite3.connect(demo_copy)
    pages = [r[0] for r in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'history' ORDER BY pageno")][1::4]
    conn.close()
    data = bytearray(demo_copy.read_bytes())
    for number in pages:
        data[(number - 1) * 4096:(number - 1) * 4096 + 64] = b"\xff" * 64
    demo_copy.write_bytes(bytes(data))
    database = open_database(demo_copy, quick_check=False)
    app = QualifApp(database, cursor_blink=False, verify=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert any(t.severity == "error" and "endommagé" in t.message
                       for t in app._notifications)
            before = demo_copy.read_bytes()
            await pilot.press("f2", "3")
            await settle(pilot)
            assert demo_copy.read_bytes() == before
            assert app.screen is main(app)
    finally:
        database.close()
