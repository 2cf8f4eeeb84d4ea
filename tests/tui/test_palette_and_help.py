"""Command palette (actions, segments, go to contact) and the help screen in context."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from qualif_tui.domain.contacts import create_contact
from qualif_tui.services.segments import save_segment
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ContactForm
from qualif_tui.tui.help import HelpScreen
from qualif_tui.tui.keymap import MAIN_KEYS
from qualif_tui.tui.sprint import SprintScreen

from .conftest import settle
from .helpers import card_title, main


def _options(pilot: Pilot[None]) -> CommandList:
    return pilot.app.screen.query_one(CommandList)


async def palette_choices(pilot: Pilot[None], text: str) -> list[str]:
    """The palette's hits for ``text``, once its search has ended."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*text)
    await settle(pilot, lambda: _options(pilot).option_count > 0)
    options = _options(pilot)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_offers_every_action_with_its_key(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        # every action is offered once the palette's discovery has ended
        await settle(pilot, lambda: _options(pilot).option_count > 0)
        options = app.screen.query_one(CommandList)
        shown = " | ".join(str(options.get_option_at_index(i).prompt)
                           for i in range(options.option_count))
        for key in MAIN_KEYS:
            if key.palette:
                assert key.description in shown, key.id
        await pilot.press("escape")


async def test_palette_runs_an_action(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        choices = await palette_choices(pilot, "nouveau contact")
        assert choices[0].startswith("Nouveau contact")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)


async def test_palette_opens_a_segment(app: QualifApp, app_db: Database) -> None:
    save_segment(app_db, "Tout le monde", "")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        choices = await palette_choices(pilot, "tout le monde")
        assert any("Segment : Tout le monde" in c for c in choices)
        await pilot.press("enter")
        await settle(pilot)
        screen = main(app)
        assert screen.query_text == "" and screen.contact_list.cursor == 0


async def test_palette_goes_to_a_contact_by_name(app: QualifApp, app_db: Database) -> None:
    cid = create_contact(app_db, {"first_name": "Hélène", "last_name": "Zygmunt"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        choices = await palette_choices(pilot, "zygm hel")
        assert any("Aller à : Zygmunt Hélène" in c for c in choices)
        await pilot.press("enter")
        await settle(pilot)
        screen = main(app)
        assert screen.card.contact_id == cid
        assert card_title(app).startswith("Zygmunt Hélène")
        assert screen.contact_list.current_row is not None
        assert screen.contact_list.current_row.id == cid


async def test_help_shows_the_keys_of_the_focused_pane(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {line.description for line in help_screen.lines}
        assert {"Nouveau contact", "Chercher", "Contact suivant", "Quitter",
                "Sprint de qualification", "Aide (touches)"} <= described
        keys = {line.description: line.keys for line in help_screen.lines}
        assert "j" in keys["Contact suivant"] and "↓" in keys["Contact suivant"]
        other_groups = {line.group for line in help_screen.others}
        assert "Historique" in other_groups and "Liste des contacts" not in other_groups
        await pilot.press("escape")
        await settle(pilot)
        # in the form, F1 shows the field keys and how to answer a key
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {line.description for line in help_screen.lines}
        assert "Effacer la valeur" in described and "Champ suivant" in described
        assert "1–9" in help_screen.note
        await pilot.press("escape")


async def test_help_in_the_sprint(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("Q", "0")
        await settle(pilot)
        assert isinstance(app.screen, SprintScreen)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        described = {line.description for line in help_screen.lines}
        assert {"Annuler la dernière réponse", "Passer cette clé", "Quitter le sprint"} <= described
        assert help_screen.others == []
