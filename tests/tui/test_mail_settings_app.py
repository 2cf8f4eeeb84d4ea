"""The mail settings screen (``M``): the user's addresses and the excerpt length, typed
slowly or in one burst, kept in the file; a bad address stays in the dialog.

Snapshots: update after a deliberate change with ``--snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from qualif_tui.services.mailimport import MailSettings, load_mail_settings, save_mail_settings
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.mail_settings import MailSettingsScreen

from .burst import burst
from .conftest import settle
from .helpers import main

SnapCompare = Callable[..., bool]

KEYS = ("M", ["ctrl+u"], "Moi@Atelier.fr, Perso <moi@gmail.com>", ["tab", "ctrl+u"], "600",
        ["enter"])


async def _slowly(pilot: Pilot[None]) -> None:
    for part in KEYS:
        for key in ([part] if part == "M" else part if isinstance(part, list) else list(part)):
            await pilot.press(key)
            await settle(pilot)


@pytest.mark.parametrize("typing", ["slowly", "burst"])
async def test_addresses_and_excerpt_kept(app: QualifApp, app_db: Database, typing: str) -> None:
    save_mail_settings(app_db, ["ancienne@exemple.fr"], 2000)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if typing == "burst":
            await burst(pilot, *KEYS)
        else:
            await _slowly(pilot)
        assert app.screen is main(app)
        assert any("moi@atelier.fr, moi@gmail.com" in n.message for n in app._notifications)
    assert load_mail_settings(app_db) == MailSettings(("moi@atelier.fr", "moi@gmail.com"), 600)


async def test_fields_show_the_file_settings_and_escape_keeps_them(
        app: QualifApp, app_db: Database) -> None:
    save_mail_settings(app_db, ["moi@atelier.fr", "moi@gmail.com"], 750)
    async with app.run_test(size=(160, 48)) as pilot:
        await burst(pilot, "M")
        screen = app.screen
        assert isinstance(screen, MailSettingsScreen)
        assert screen.query_one("#mail-settings-own", Input).value == (
            "moi@atelier.fr, moi@gmail.com")
        assert screen.query_one("#mail-settings-excerpt", Input).value == "750"
        assert screen.query_one("#mail-settings-own", Input).has_focus
        await burst(pilot, "x", ["escape"])
        assert app.screen is main(app)
    assert load_mail_settings(app_db) == MailSettings(("moi@atelier.fr", "moi@gmail.com"), 750)


async def test_a_bad_address_stays_in_the_dialog(app: QualifApp, app_db: Database) -> None:
    save_mail_settings(app_db, ["moi@atelier.fr"], 2000)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "M", ["ctrl+u"], "moi@atelier.fr, jean dupont", ["enter"])
        screen = app.screen
        assert isinstance(screen, MailSettingsScreen)
        error = str(screen.query_one("#mail-settings-error", Static).content)
        assert error == "« jean dupont » n'est pas une adresse e-mail"
        # corrected, then kept
        await burst(pilot, ["ctrl+u"], "moi@atelier.fr", ["ctrl+s"])
        assert app.screen is main(app)
    assert load_mail_settings(app_db).own == ("moi@atelier.fr",)


async def test_reached_from_the_palette(app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await burst(pilot, ["ctrl+p"], "vos adresses")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MailSettingsScreen)


async def _open_settings(pilot: Pilot[None]) -> None:
    db = pilot.app.db  # type: ignore[attr-defined]
    save_mail_settings(db, ["moi@atelier-exemple.fr"], 2000)
    await settle(pilot)
    await pilot.press("M")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_mail_settings_snapshot(snap_compare: SnapCompare, app_db: Database,
                                size: tuple[int, int]) -> None:
    app = QualifApp(app_db, cursor_blink=False, theme="textual-dark")
    assert snap_compare(app, terminal_size=size, run_before=_open_settings)
