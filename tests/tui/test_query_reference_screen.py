"""The app's query help (F1 in the search bar) shows the reference of docs/query-language.md."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Label, Static

from qualif_tui.query.reference import sections
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.query_reference import QueryReference

from .conftest import settle


def plain(static: Static) -> str:
    """What a Static holding a rich table says, as text (wider than any screen)."""
    buffer = io.StringIO()
    Console(width=200, file=buffer, color_system=None).print(static.content)
    return buffer.getvalue()


async def test_the_help_shows_every_section_of_the_reference(app: QualifApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "f1")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueryReference)
        titles = [str(label.render()) for label in screen.query(Label)]
        for section in sections():
            assert section.title in titles
        shown = " ".join(plain(static) for static in screen.query(Static))
        assert "budget:10000..20000" in shown and "segment cycle" in shown
        assert "profil" in shown  # this file's own keys follow
