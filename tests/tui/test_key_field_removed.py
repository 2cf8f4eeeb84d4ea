"""A key field removed while it mounts (the card rebuilt, the contact deleted, the new
contact form closed) does not crash the app."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.storage import Database
from qualif_tui.tui.key_entry import FormKeyField
from qualif_tui.tui.qualification import KeyField

from .conftest import settle


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="fields")


def card_field(key: QualKey) -> Widget:
    return KeyField(key, 1, None)


def form_field(key: QualKey) -> Widget:
    return FormKeyField(key)


@pytest.mark.parametrize("make", [card_field, form_field], ids=["card", "new contact form"])
async def test_a_field_removed_before_it_mounted(app_db: Database,
                                                 make: Callable[[QualKey], Widget]) -> None:
    keys = list_keys(app_db)
    app = Host()
    async with app.run_test() as pilot:
        fields = app.query_one("#fields", Vertical)
        fields.mount_all([make(key) for key in keys])  # not awaited: removed before
        await fields.remove_children()                  # their Mount is handled
        await settle(pilot)
        shown = [make(key) for key in keys]
        await fields.mount_all(shown)
        await settle(pilot)
        assert list(fields.children) == shown
        assert all(not field.query_one(".key-hint").display for field in shown)
