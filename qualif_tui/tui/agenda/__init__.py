"""The agenda in the TUI: :class:`AgendaScreen` and the :class:`AlarmWatcher`.

Plugging them into the app::

    BINDINGS = [Binding("a", "agenda", "Agenda", id="agenda"),
                Binding("ctrl+o", "open_alarm", "Fiche du rappel", id="open_alarm", show=False)]

    def on_mount(self):
        self.alarms = AlarmWatcher.start(self, self.db)

    def action_agenda(self):
        self.push_screen(AgendaScreen(self.db))

    def action_open_alarm(self):
        self.alarms.open_last()

    def on_agenda_screen_open_contact(self, message: AgendaScreen.OpenContact):
        ...  # open the card of message.contact_id
"""

from .alarms import AlarmWatcher
from .screen import AgendaScreen

__all__ = ["AgendaScreen", "AlarmWatcher"]
