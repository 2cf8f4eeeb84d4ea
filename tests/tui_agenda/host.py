"""A small host app for the agenda screen and the alarm watcher (as the real app plugs them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from qualif_tui.domain import clock
from qualif_tui.storage import Database
from qualif_tui.tui.agenda import AgendaScreen, AlarmWatcher
from qualif_tui.tui.workers import WriteQueue


class HostApp(App[None]):
    BINDINGS = [
        Binding("a", "agenda", "Agenda", id="agenda"),
        Binding("ctrl+o", "open_alarm", "Fiche du rappel", id="open_alarm", show=False),
    ]

    def __init__(self, db: Database, *, open_agenda: bool = True, alarms: bool = False,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__()
        self.db = db
        self.writes = WriteQueue(self)  # as the real app: the agenda writes through it
        self.open_agenda = open_agenda
        self.with_alarms = alarms
        self.now = now
        self.opened: list[int] = []
        self.changes = 0
        self.alarms: AlarmWatcher | None = None

    def compose(self) -> ComposeResult:
        yield Static("liste des contacts", id="home")

    def on_mount(self) -> None:
        if self.with_alarms:
            self.alarms = AlarmWatcher.start(self, self.db, now=self.now, interval=3600)
        if self.open_agenda:
            self.action_agenda()

    def action_agenda(self) -> None:
        self.push_screen(AgendaScreen(self.db))

    def action_open_alarm(self) -> None:
        if self.alarms is not None:
            self.alarms.open_last()

    def on_agenda_screen_open_contact(self, message: AgendaScreen.OpenContact) -> None:
        self.opened.append(message.contact_id)

    def on_agenda_screen_changed(self, message: AgendaScreen.Changed) -> None:
        self.changes += 1
