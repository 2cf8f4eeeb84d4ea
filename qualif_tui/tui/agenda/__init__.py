"""The agenda in the TUI: :class:`AgendaScreen` and the :class:`AlarmWatcher`.

The app (``tui/app.py``) binds ``a`` and ``ctrl+o`` (``keymap.APP_KEYS``), pushes
``AgendaScreen(db)``, starts ``AlarmWatcher.start(app, db)``, and handles
``AgendaScreen.OpenContact`` (show that card) and ``AgendaScreen.Changed``
(refresh). The screen writes through ``app.writes``, the app's write queue.
"""

from qualif_tui.tui.agenda.alarms import AlarmWatcher
from qualif_tui.tui.agenda.screen import AgendaScreen

__all__ = ["AgendaScreen", "AlarmWatcher"]
