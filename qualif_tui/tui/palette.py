"""The command palette, with Enter that waits for the search it answers.

Textual's palette searches in a worker as the user types, and acts on Enter
at once, on whatever list is shown: typed in one burst (ctrl+p, ``nouveau
contact``, Enter), Enter ran the first hit of an older, shorter search, or
did nothing if no list was shown yet. Here an Enter that comes while the
search of the current text is still running is kept, and acted on as soon
as that search has finished: fast typing gives what slow typing gives.
"""

from __future__ import annotations

from textual import on
from textual.command import CommandPalette
from textual.widgets import Input
from textual.worker import Worker, WorkerState


class QualifPalette(CommandPalette):
    """:class:`CommandPalette` where Enter during a search applies to its result."""

    def __init__(self) -> None:
        super().__init__(id="--command-palette")
        self.enter_waiting = False  # Enter came before the search of the current text ended

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
