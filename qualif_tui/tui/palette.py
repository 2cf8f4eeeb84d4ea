"""The command palette (ctrl+p): in the app's language, and Enter that waits for
the search it answers.

Textual's palette speaks English ("Search for commands…", "No matches found") and
brings its own system commands (Keys, Maximize, Screenshot, Theme) next to ours;
in a French app that is two languages on one screen. :class:`Palette` says the
same things in French, and the app offers no system commands: its own actions
(``keymap.py``, through :class:`~qualif_tui.tui.commands.ActionsProvider`) already
cover quitting, the help and the theme.

Textual's palette also searches in a worker as the user types, and acts on Enter
at once, on whatever list is shown: typed in one burst (ctrl+p, ``nouveau
contact``, Enter), Enter ran the first hit of an older, shorter search, or did
nothing if no list was shown yet. Here an Enter that comes while the search of the
current text is still running is kept, and acted on as soon as that search has
finished: fast typing gives what slow typing gives.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual import on
from textual.command import CommandList, CommandPalette
from textual.widgets import Input
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from qualif_tui.base.i18n import _


class Palette(CommandPalette):
    """:class:`CommandPalette` in French, where Enter during a search applies to its result."""

    def __init__(self) -> None:
        super().__init__(placeholder=_("Chercher une action, un segment, un contact…"),
                         id="--command-palette")
        self.enter_waiting = False  # Enter came before the search of the current text ended

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

    def _searching(self) -> bool:
        return any(worker.node is self and worker.group == self._GATHER_COMMANDS_GROUP
                   and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for worker in self.app.workers)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        # more typing after an Enter: that Enter was about an older text (the
        # palette's own handler, in the base class, still starts the search)
        self.enter_waiting = False

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if self._searching():
            self.enter_waiting = True
            event.stop()
            event.prevent_default()  # the base class would act on the stale list

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if (self.enter_waiting and worker.group == self._GATHER_COMMANDS_GROUP
                and event.state == WorkerState.SUCCESS and not self._searching()):
            self.enter_waiting = False
            self._select_or_command()
