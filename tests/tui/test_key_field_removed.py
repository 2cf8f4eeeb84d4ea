"""A key field removed while it mounts (the card rebuilt, the contact deleted) does not
crash the app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical

from qualif_tui.domain.keys import list_keys
from qualif_tui.storage import Database
from qualif_tui.tui.qualification import KeyField

from .conftest import settle


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="fields")


async def test_a_field_removed_before_it_mounted(app_db: Database) -> None:
    keys = list_keys(app_db)
    app = Host()
    async with app.run_test() as pilot:
        fields = app.query_one("#fields", Vertical)
        for _ in range(5):
            batch = [KeyField(key, 1, None) for key in keys]
            fields.mount_all(batch)  # not awaited: removed before their Mount is handled
            fields.remove_children()
        await settle(pilot)
        shown = [KeyField(key, 1, None) for key in keys]
        await fields.mount_all(shown)
        await settle(pilot)
        assert len(app.query(KeyField)) == len(keys)
        assert all(not f.query_one(".key-hint").display for f in shown)
