"""Alarms while the app runs: a toast when an activity's alarm time comes.

Start it once from the app (``AlarmWatcher.start(app, db)``). Every
``interval`` seconds a thread worker asks the core which alarms rang since the
last check and the watcher shows one toast per alarm (time, title, contact,
and the key that opens the contact's card). On launch it lists once the
alarms missed since the last run, which is kept in the file's ``meta`` table.

The app binds the key shown in the toast to :meth:`AlarmWatcher.open_last`,
which posts :class:`AgendaScreen.OpenContact` for the last alarm's contact
(the same message the agenda screen posts on Enter).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.timer import Timer

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.agenda.alarms import Alarm, alarms_between, missed_alarms, record_check
from qualif_tui.domain.errors import QualifError
from qualif_tui.storage import Database, StorageError
from qualif_tui.tui.agenda.render import contacts_text
from qualif_tui.tui.agenda.screen import AgendaScreen

OPEN_KEY = "ctrl+o"
MISSED_SHOWN = 5


class AlarmWatcher:
    """Rings the agenda's alarms in a running app (see the module's doc)."""

    def __init__(self, app: App[Any], db: Database, *, interval: float = 30.0,
                 now: Callable[[], datetime] = clock.now, open_key: str = OPEN_KEY) -> None:
        self.app = app
        self.db = db
        self.interval = interval
        self.now = now
        self.open_key = open_key
        self.last_check: datetime | None = None
        self.last_alarm: Alarm | None = None
        self.rung: list[Alarm] = []
        self.missed: list[Alarm] = []
        self._timer: Timer | None = None
        self._seen: set[str] = set()

    @classmethod
    def start(cls, app: App[Any], db: Database, **options: object) -> AlarmWatcher:
        """Create the watcher, list missed alarms once, and check every ``interval`` s."""
        watcher = cls(app, db, **options)  # type: ignore[arg-type]
        watcher.begin()
        return watcher

    def begin(self) -> None:
        self.app.run_worker(self._launch, thread=True, group="agenda-alarms",
                            exit_on_error=False)
        self._timer = self.app.set_interval(self.interval, self.check, name="agenda-alarms")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def check(self) -> None:
        """Look for alarms due since the last check (from the timer, or a test)."""
        self.app.run_worker(self._check, thread=True, group="agenda-alarms",
                            exit_on_error=False)

    # -- in the worker thread -------------------------------------------------------
    def _launch(self) -> None:
        now = self.now()
        try:
            missed = missed_alarms(self.db, now)
            record_check(self.db, now)
        except (QualifError, StorageError) as error:
            self.app.call_from_thread(self.app.notify, _("Alarmes : {error}").format(error=error), severity="error")
            return
        self.last_check = now
        if missed:
            self.app.call_from_thread(self._show_missed, missed)

    def _check(self) -> None:
        now = self.now()
        since = self.last_check or now
        if now <= since:
            return
        try:
            due = alarms_between(self.db, since, now)
            record_check(self.db, now)
        except (QualifError, StorageError) as error:
            self.app.call_from_thread(self.app.notify, _("Alarmes : {error}").format(error=error), severity="error")
            return
        self.last_check = now
        fresh = [a for a in due if a.key not in self._seen]
        if fresh:
            self.app.call_from_thread(self._ring, fresh)

    # -- on the UI thread -------------------------------------------------------------
    def _describe(self, alarm: Alarm) -> str:
        occurrence = alarm.occurrence
        when = occurrence.time_label if occurrence.time_label != _("journée") else \
            f"{occurrence.day:%d/%m}"
        line = f"{when} {occurrence.title}"
        people = contacts_text(occurrence)
        return f"{line} — {people}" if people else line

    def _ring(self, alarms: list[Alarm]) -> None:
        for alarm in alarms:
            self._seen.add(alarm.key)
            self.rung.append(alarm)
            self.last_alarm = alarm
            message = self._describe(alarm)
            if alarm.occurrence.contacts:
                message += f"\n{self.open_key} : ouvrir la fiche"
            self.app.notify(message, title=_("Rappel"), timeout=60, markup=False)

    def _show_missed(self, alarms: list[Alarm]) -> None:
        self.missed = alarms
        for alarm in alarms:
            self._seen.add(alarm.key)
        self.last_alarm = alarms[-1]
        lines = [f"{a.at:%d/%m %H:%M}  {self._describe(a)}" for a in alarms[:MISSED_SHOWN]]
        if len(alarms) > MISSED_SHOWN:
            lines.append(_("… et {value} autres").format(value=len(alarms) - MISSED_SHOWN))
        self.app.notify("\n".join(lines), title=_("{n} rappel(s) manqué(s)").format(n=len(alarms)),
                        severity="warning", timeout=120, markup=False)

    def open_last(self) -> bool:
        """Open the card of the last alarm's contact; False when there is none."""
        alarm = self.last_alarm
        if alarm is None or not alarm.occurrence.contacts:
            return False
        self.app.post_message(AgendaScreen.OpenContact(alarm.occurrence.contacts[0].id))
        return True
