"""Reading what the app shows, for assertions."""

from __future__ import annotations

from textual.widgets import Static

from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.main_screen import MainScreen


def main(app: QualifApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), f"expected the main screen, got {screen!r}"
    return screen


def text_of(widget: Static) -> str:
    return str(widget.render())


def status(app: QualifApp) -> str:
    return text_of(main(app).search_bar.query_one("#status", Static))


def list_lines(app: QualifApp) -> list[str]:
    """The list's lines as painted (header first)."""
    contacts = main(app).contact_list
    return [contacts.render_line(y).text for y in range(contacts.scrollable_content_region.height)]


def card_title(app: QualifApp) -> str:
    return text_of(main(app).card.query_one("#card-title", Static))
