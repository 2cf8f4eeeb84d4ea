"""The campaign screens, driven by keys: list, wizard, template editor, sending, responses."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from campaigns import conftest as campaign_fixtures
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from qualif_tui.query import compile_query, count
from qualif_tui.services.campaigns import core, responses
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.campaigns import CampaignsScreen, NewCampaignScreen
from qualif_tui.tui.campaigns.editor import TemplateEditorScreen
from qualif_tui.tui.campaigns.responses import ResponsesScreen
from qualif_tui.tui.campaigns.send import SendScreen

from .conftest import settle
from .helpers import text_of

MAILING = "Mailing Salon de l'auto 2026"
# the real SMTP server of the campaign tests
smtp_server = campaign_fixtures.smtp_server
certificate_authority = campaign_fixtures.certificate_authority


async def until(pilot: Pilot[None], ready: Callable[[], bool], what: str,
                timeout: float = 20.0) -> None:
    """Wait for ``ready()``; raise (never pass silently) after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ready():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def open_campaigns(pilot: Pilot[None]) -> CampaignsScreen:
    await settle(pilot)
    await pilot.press("C")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CampaignsScreen)
    await until(pilot, lambda: screen.loaded > 0, "the campaign list")
    return screen


async def select(pilot: Pilot[None], screen: CampaignsScreen, name: str) -> None:
    while screen.current is not None and screen.current.campaign.name != name:
        await pilot.press("down")
    assert screen.current is not None and screen.current.campaign.name == name


def table_rows(screen: Any, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_campaigns_screen_lists_the_campaigns_with_their_figures(
        app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_campaigns(pilot)
        rows = table_rows(screen, "#campaign-table")
        names = [row[0] for row in rows]
        assert names == [c.name for c in core.list_campaigns(app_db)]
        mailing = rows[names.index(MAILING)]
        campaign = core.get_campaign(app_db, MAILING)
        counted = responses.tally(app_db, campaign)
        assert mailing[1] == str(counted.recipients) == mailing[5]  # all of them sent
        assert mailing[2] == str(counted.responded) and mailing[3].startswith("+")
        assert mailing[4].endswith("€") and mailing[6] == "E-mail"
        await select(pilot, screen, MAILING)
        detail = text_of(screen.query_one("#campaign-detail", Static))
        assert "Laissés de côté" in detail and "coût 450 €" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "main"


async def _new_campaign(pilot: Pilot[None], keys: list[str]) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_ctrl_k_makes_a_campaign_of_the_current_result(app: QualifApp,
                                                              app_db: Database) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"profil:client", "enter")
        await settle(pilot)
        await pilot.press("ctrl+k")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, NewCampaignScreen) and wizard.query_text == "profil:client"
        await pilot.press(*"Relance clients", "tab", "tab", *"120", "ctrl+s")
        await settle(pilot)
        await until(pilot, lambda: wizard.created is not None, "the campaign")
        made = core.get_campaign(app_db, "Relance clients")
        assert made.query == "profil:client" and made.cost == 120 and made.channel == "email"
        result = text_of(wizard.query_one("#campaign-result", Static))
        matched = count(app_db, compile_query(app_db, "profil:client"))
        recipients = responses.tally(app_db, made).recipients
        assert f"{recipients} destinataire(s) sur {matched}" in result
        assert 0 < recipients < matched and "base légale" in result
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignsScreen)
        await until(pilot, lambda: screen.loaded > 0, "the list")
        assert screen.current is not None and screen.current.campaign.name == "Relance clients"


async def test_the_palette_offers_a_new_campaign(app: QualifApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Nouvelle campagne")

        def first_hit() -> str:
            options = app.screen.query_one(CommandList)
            return str(options.get_option_at_index(0).prompt) if options.option_count else ""

        await until(pilot, lambda: first_hit().startswith("Nouvelle campagne"), "the hit")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NewCampaignScreen)


async def test_the_wizard_refuses_a_taken_name_and_stays_open(app: QualifApp,
                                                              app_db: Database) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+k")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, NewCampaignScreen)
        await pilot.press(*MAILING, "ctrl+s")
        await settle(pilot)
        assert wizard.created is None
        assert app.screen is wizard
        assert "existe déjà" in text_of(wizard.query_one("#campaign-result", Static))
        assert len(core.list_campaigns(app_db)) == 3


async def test_template_editor_previews_each_recipient_and_refuses_unknown_fields(
        app: QualifApp, app_db: Database) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_campaigns(pilot)
        await select(pilot, screen, MAILING)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        recipients = responses.tally(app_db, core.get_campaign(app_db, MAILING)).recipients
        await until(pilot, lambda: editor.shown is not None
                    and editor.shown.total == recipients, "the first preview")
        first = editor.shown
        assert first is not None and first.position == 0
        assert first.subject.endswith("le Salon de l'auto vous attend") and not first.error
        await pilot.press("f8")
        await until(pilot, lambda: editor.shown is not None and editor.shown.position == 1,
                    "the next recipient")
        assert editor.shown is not None and editor.shown.who != first.who
        subject = editor.query_one("#template-subject", Input)
        subject.value = ""
        subject.focus()
        await pilot.press(*"Bonjour {{ prenon }}")
        await until(pilot, lambda: editor.shown is not None and bool(editor.shown.error),
                    "the error")
        assert "prenon" in editor.shown.error and "ligne 1" in editor.shown.error
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert core.get_campaign(app_db, MAILING).subject.endswith("vous attend")  # not saved
        await pilot.press(*["backspace"] * 9, *"prenom }}")
        await until(pilot, lambda: editor.shown is not None and not editor.shown.error,
                    "the corrected preview")
        assert editor.shown is not None and editor.shown.subject.startswith("Bonjour ")
        body = editor.query_one("#template-text", TextArea)
        body.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert core.get_campaign(app_db, MAILING).subject == "Bonjour {{ prenom }}"


async def test_send_to_eml_files_with_a_progress_bar(app: QualifApp, app_db: Database,
                                                     tmp_path: Path) -> None:
    core.create_campaign(app_db, "Clients", "profil:client", channel="email")
    core.save_template(app_db, core.get_campaign(app_db, "Clients"), "Bonjour {{ prenom }}",
                       "Bonjour {{ prenom }} !")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_campaigns(pilot)
        await select(pilot, screen, "Clients")
        await pilot.press("s")
        await settle(pilot)
        send = app.screen
        assert isinstance(send, SendScreen)
        send.query_one("#send-path", Input).value = str(tmp_path / "envoi")
        send.query_one("#send-from", Input).value = "Garage <g@garage.fr>"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: send.report is not None, "the end of the send")
        expected = responses.tally(app_db, core.get_campaign(app_db, "Clients")).recipients
        assert send.report is not None and send.report.sent == expected > 0
        assert len(list((tmp_path / "envoi").glob("*.eml"))) == expected
        assert f"{expected} message(s) envoyé(s)" in text_of(send.query_one("#send-status",
                                                                           Static))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CampaignsScreen)


async def test_send_through_smtp_can_be_paused_and_resumed(
        app: QualifApp, app_db: Database, smtp_server: Any) -> None:
    from qualif_tui.services.campaigns.transports import SmtpSettings, store_smtp
    Recorder = campaign_fixtures.Recorder

    server = smtp_server("none", recorder=Recorder(delay=0.03))
    store_smtp(app_db, SmtpSettings("127.0.0.1", server.port, "none"))
    campaign = core.create_campaign(app_db, "Clients", "profil:client", channel="email").campaign
    core.save_template(app_db, campaign, "Bonjour {{ prenom }}", "Bonjour {{ prenom }} !")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_campaigns(pilot)
        await select(pilot, screen, "Clients")
        await pilot.press("s")
        await settle(pilot)
        send = app.screen
        assert isinstance(send, SendScreen)
        send.query_one("#send-from", Input).value = "Garage <g@garage.fr>"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(server.recorder.received) >= 3, "the first messages")
        await pilot.press("space")
        assert send.control is not None and send.control.paused
        assert "en pause" in text_of(send.query_one("#send-status", Static)).lower()
        await pilot.press("space")
        await until(pilot, lambda: send.report is not None, "the end of the send")
        expected = responses.tally(app_db, campaign).recipients
        assert len(server.recorder.received) == expected == len(set(server.recorder.to()))


@pytest.mark.parametrize("burst", [False, True])
async def test_responses_one_keystroke_per_recipient(app: QualifApp, app_db: Database,
                                                     burst: bool) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_campaigns(pilot)
        await select(pilot, screen, "Courrier contrôle des 4 ans")
        await pilot.press("enter")
        await settle(pilot)
        answers = app.screen
        assert isinstance(answers, ResponsesScreen)
        await until(pilot, lambda: bool(answers.recipients), "the recipients")
        first_three = [r.contact_id for r in answers.recipients[:3]]
        keys = ["2", "d", "x", "0", "b"]
        if burst:
            await pilot.press(*keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        await settle(pilot)
        campaign = core.get_campaign(app_db, "Courrier contrôle des 4 ans")
        stored = {r.contact_id: r.response for r in responses.list_recipients(app_db, campaign)}
        order = [r.contact_id for r in answers.recipients]
        assert [stored[c] for c in order[:5]] == ["meeting", "quote", "unsubscribed", "none",
                                                  "bounced"]
        assert app_db.scalar("SELECT email_optout FROM contacts WHERE id = ?",
                             (first_three[2],)) == 1
        cells = table_rows(answers, "#responses-table")
        assert [row[1] for row in cells[:3]] == ["rendez-vous", "devis", "désinscrit"]


def _steps(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, CampaignsScreen):
            await until(pilot, lambda: screen.loaded > 0, "the list")
        if isinstance(screen, ResponsesScreen):
            await until(pilot, lambda: bool(screen.recipients), "the recipients")
        await settle(pilot)

    return run


@pytest.fixture
def snap_app(app_db: Database) -> QualifApp:
    return QualifApp(app_db, cursor_blink=False, theme="textual-dark")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_campaigns_screen_snapshot(snap_compare: Callable[..., bool], snap_app: QualifApp,
                                   size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=_steps("C", "down"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_responses_screen_snapshot(snap_compare: Callable[..., bool], snap_app: QualifApp,
                                   size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size,
                        run_before=_steps("C", "down", "enter", "2", "d"))


async def test_the_legal_basis_is_chosen_on_the_contact_form(app: QualifApp,
                                                             app_db: Database) -> None:
    from qualif_tui.domain.contacts import get_contact
    from qualif_tui.tui.forms import ContactForm

    from .helpers import main

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cid = main(app).card.contact_id
        assert cid is not None
        before = get_contact(app_db, cid).legal_basis
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        form.query_one("#field-legal_basis").focus()
        await pilot.press("enter")  # the list of bases opens on the current one
        await pilot.pause()
        await pilot.press("home", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert get_contact(app_db, cid).legal_basis == "consentement" != before
        await pilot.press("slash", *"legal_basis:consentement", "enter")
        await settle(pilot)
        total = main(app).total
        assert total is not None and total > 0
