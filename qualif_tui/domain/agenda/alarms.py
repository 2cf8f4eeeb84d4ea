"""Alarms: which activities ring between two moments.

An activity with ``alarm_min`` rings that many minutes before its start (an
all-day item: before midnight of its day); only open ones ring. The TUI's
watcher asks every half minute for the alarms since its last check, and on
launch for those missed since the last run (kept in ``meta``,
:data:`LAST_CHECK_META`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from qualif_tui.domain.activities import get_activities
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.occurrences import (
    Occurrence,
    frame,
    series_between,
    single_occurrence,
)
from qualif_tui.storage import Database

LAST_CHECK_META = "agenda.last_alarm_check"
MAX_MISSED_DAYS = 7  # on launch after a long absence, look back at most a week
_RING = "datetime(starts_at, '-' || alarm_min || ' minutes')"


@dataclass(frozen=True)
class Alarm:
    occurrence: Occurrence
    at: datetime  # local wall time it rings

    @property
    def key(self) -> str:
        return f"{self.occurrence.key}@{self.at:%Y-%m-%dT%H:%M}"


def ring_time(occurrence: Occurrence) -> datetime | None:
    minutes = occurrence.activity.alarm_min
    if minutes is None or occurrence.start is None:
        return None
    start = occurrence.start
    moment = start if isinstance(start, datetime) else datetime.combine(start, time())
    return moment - timedelta(minutes=minutes)


def alarms_between(db: Database, since: datetime, until: datetime) -> list[Alarm]:
    """Alarms ringing in ``(since, until]`` (local wall times), in ringing order."""
    if until <= since:
        return []
    f = frame(db)
    low, high = f.stored(since), f.stored(until)
    with db.lock:
        ids = [r[0] for r in db.query(
            f"SELECT id FROM activities WHERE alarm_min IS NOT NULL AND status = 'open'"
            f" AND rrule = '' AND starts_at IS NOT NULL AND {_RING} > ? AND {_RING} <= ?"
            " ORDER BY id", (low.strftime("%Y-%m-%d %H:%M:%S"),
                             high.strftime("%Y-%m-%d %H:%M:%S")))]
        rows = get_activities(db, ids)
        found = [single_occurrence(f, rows[i]) for i in ids if i in rows]
        # recurring series: expand the days that can ring in the window
        horizon = max(0, int(db.scalar(
            "SELECT max(alarm_min) FROM activities WHERE rrule != ''") or 0))
        first: date = since.date()
        last: date = (until + timedelta(minutes=horizon)).date() + timedelta(days=1)
        found += [o for o in series_between(db, f, first, last) if o.activity.alarm_min is not None]
    alarms = []
    for occurrence in found:
        at = ring_time(occurrence)
        if at is not None and since < at <= until and occurrence.status == "open":
            alarms.append(Alarm(occurrence, at))
    alarms.sort(key=lambda a: (a.at, a.occurrence.key))
    return alarms


def missed_alarms(db: Database, now: datetime) -> list[Alarm]:
    """Alarms that rang while the app was closed (since the last recorded check)."""
    text = db.get_meta(LAST_CHECK_META)
    if not text:
        return []
    try:
        last = times.parse_stored(text)
    except ValueError:
        return []
    if not isinstance(last, datetime):
        return []
    since = max(last, now - timedelta(days=MAX_MISSED_DAYS))
    return alarms_between(db, since, now)


def record_check(db: Database, now: datetime) -> None:
    if not db.readonly:
        db.set_meta(LAST_CHECK_META, now.strftime("%Y-%m-%dT%H:%M:%S"))
