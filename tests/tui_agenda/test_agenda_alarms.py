"""The alarm watcher with a fake clock: toasts when alarms come, missed ones on launch."""

from __future__ import annotations

from datetime import datetime

from textual.widgets._toast import Toast

from qualif_tui.domain.agenda.alarms import LAST_CHECK_META
from qualif_tui.storage import Database

from .host import HostApp
from settling import settle


class FakeClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def toasts(app: HostApp) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query(Toast)]


async def test_alarm_rings_when_its_time_comes(agenda_db: Database) -> None:
    now = FakeClock(datetime(2026, 11, 20, 10, 30))
    app = HostApp(agenda_db, open_agenda=False, alarms=True, now=now)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        watcher = app.alarms
        assert watcher is not None and watcher.missed == []  # first run: nothing to catch up
        assert agenda_db.get_meta(LAST_CHECK_META) == "2026-11-20T10:30:00"
        now.moment = datetime(2026, 11, 20, 13, 40)
        watcher.check()
        await settle(pilot)
        assert watcher.rung == []  # "Essai du nouveau modèle" rings at 13:45
        now.moment = datetime(2026, 11, 20, 13, 45)
        watcher.check()
        await settle(pilot)
        assert [a.occurrence.title for a in watcher.rung] == ["Essai du nouveau modèle"]
        shown = " ".join(toasts(app))
        assert "14:00–15:00 Essai du nouveau modèle — Lefèvre Marc" in shown
        assert "ctrl+o : ouvrir la fiche" in shown
        watcher.check()  # the same alarm never rings twice
        await settle(pilot)
        assert len(watcher.rung) == 1
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.opened == [2]
        assert agenda_db.get_meta(LAST_CHECK_META) == "2026-11-20T13:45:00"


async def test_missed_alarms_are_listed_once_on_launch(agenda_db: Database) -> None:
    agenda_db.set_meta(LAST_CHECK_META, "2026-11-20T09:00:00")
    now = FakeClock(datetime(2026, 11, 20, 16, 0))
    app = HostApp(agenda_db, open_agenda=False, alarms=True, now=now)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert app.alarms is not None
        assert [a.occurrence.title for a in app.alarms.missed] == ["Essai du nouveau modèle"]
        assert any("1 rappel(s) manqué(s)" in t for t in toasts(app))
    again = HostApp(agenda_db, open_agenda=False, alarms=True, now=now)
    async with again.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        assert again.alarms is not None and again.alarms.missed == []
