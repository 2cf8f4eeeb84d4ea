"""The palette typed in one burst: Enter waits for the search of what was typed.

A pilot waits for the app to be idle after each key, which a search waiting on a
thread (the contact lookup) does not count as busy; holding that lookup until
Enter has been pressed gives the burst a fast typist gives in a terminal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.command import CommandPalette

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.lookup import find_contacts
from qualif_tui.storage import Database
from qualif_tui.tui import commands
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.forms import ContactForm

from .conftest import settle
from .helpers import main


@pytest.fixture
def held_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Contact lookups wait until the returned event is set."""
    release = threading.Event()
    real = find_contacts

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(commands, "find_contacts", held)
    yield release
    release.set()


async def test_enter_typed_during_the_search_runs_its_first_hit(
        app: QualifApp, held_lookup: threading.Event) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"nouveau contact", "enter")
        assert isinstance(app.screen, CommandPalette)  # the search is not over: Enter waits
        held_lookup.set()
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))


async def test_enter_typed_during_the_search_goes_to_the_contact(
        app: QualifApp, app_db: Database, held_lookup: threading.Event) -> None:
    cid = create_contact(app_db, {"first_name": "Hélène", "last_name": "Zygmunt"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"zygm hel", "enter")
        held_lookup.set()
        await settle(pilot, lambda: main(app).card.contact_id == cid)


async def test_typing_on_after_enter_forgets_that_enter(
        app: QualifApp, held_lookup: threading.Event) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"nouveau", "enter", *" contact")
        held_lookup.set()
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)  # nothing ran: the user typed on
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
