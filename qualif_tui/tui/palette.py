"""The command palette (ctrl+p) in the app's language.

Textual's palette speaks English ("Search for commands…", "No matches found") and
brings its own system commands (Keys, Maximize, Screenshot, Theme) next to ours;
in a French app that is two languages on one screen. :class:`Palette` says the
same things in French, and the app offers no system commands: its own actions
(``keymap.py``, through :class:`~qualif_tui.tui.commands.ActionsProvider`) already
cover quitting, the help and the theme.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _


class Palette(CommandPalette):
    def __init__(self) -> None:
        super().__init__(placeholder=_("Chercher une action, un segment, un contact…"),
                         id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own, with its one English line in French (the same timing)
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("Aucune commande ne correspond"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
