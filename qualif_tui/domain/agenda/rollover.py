"""Roll-over: unfinished to-dos and calls of past days come back on today.

An open activity of any kind but a meeting (``activities.FIXED_KINDS``) whose
day (its start, else its due date) is before today is shown on today, flagged
with the day it was planned for and how many days late it is, until it is
done, cancelled or moved. A missed meeting stays where it was: it did not
take place, there is nothing to carry.

For a recurring to-do or call, only its latest missed occurrence rolls over
(the earlier ones are superseded by it), so a weekly task skipped for a
month is one late item, not four.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from qualif_tui.domain.activities import FIXED_KINDS, get_activities
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.occurrences import Frame, Occurrence, overridden, single_occurrence
from qualif_tui.domain.agenda.recurrence import last_before, parse_rule
from qualif_tui.storage import Database

_OVERDUE = ("FROM activities WHERE status = 'open' AND rrule = '' AND kind != 'meeting'"
            " AND coalesce(starts_at, due) < ?")


@dataclass(frozen=True)
class RolledOver:
    items: list[Occurrence]
    total: int


def _late(occurrence: Occurrence, today: date) -> Occurrence:
    day = occurrence.day or today
    return replace(occurrence, original=day, late_days=max(1, (today - day).days))


def _day_start_stored(f: Frame, today: date) -> str:
    if f.same:
        return today.isoformat()
    return times.format_stored(f.stored(datetime.combine(today, time())))


def rolled_over(db: Database, f: Frame, today: date, *, limit: int = 200) -> RolledOver:
    """The late items to show on ``today``: highest priority first, then oldest."""
    assert "meeting" in FIXED_KINDS
    before = _day_start_stored(f, today)
    total = int(db.scalar(f"SELECT count(*) {_OVERDUE}", (before,)))
    ids = [r[0] for r in db.query(
        f"SELECT id {_OVERDUE} ORDER BY priority, coalesce(starts_at, due), id LIMIT ?",
        (before, limit))]
    found = get_activities(db, ids)
    items = [_late(single_occurrence(f, found[i]), today) for i in ids if i in found]
    items = [o for o in items if o.day is None or o.day < today]
    series = _late_series(db, f, today)
    total += len(series)
    items = sorted(items + series, key=lambda o: (o.priority, o.original or today,
                                                  o.activity.id))[:limit]
    return RolledOver(items, total)


def _late_series(db: Database, f: Frame, today: date) -> list[Occurrence]:
    ids = [r[0] for r in db.query(
        "SELECT id FROM activities WHERE rrule != '' AND kind != 'meeting' AND status = 'open'"
        " AND starts_at < ?", (today.isoformat(),))]
    if not ids:
        return []
    rows = get_activities(db, ids)
    skip = overridden(db, ids)
    found: list[Occurrence] = []
    for series_id in ids:
        series = rows[series_id]
        assert series.starts_at is not None
        zone_name = series.tz or f.home
        start = times.parse_stored(series.starts_at)
        midnight = f.stored(datetime.combine(today, time()), zone_name)
        excluded = [times.parse_stored(x) for x in series.excluded]
        last = last_before(parse_rule(series.rrule), start, midnight, exdates=excluded)
        if last is None:
            continue
        value: times.Moment = last if isinstance(start, datetime) else last.date()
        rid = times.format_stored(value)
        if rid in skip.get(series_id, set()):
            continue  # that occurrence was completed, moved or cancelled on its own
        shown = f.show(value, zone_name)
        if times.day_of(shown) >= today:
            continue
        found.append(_late(Occurrence(series, shown, None, series.id, rid), today))
    return found


def days_late(occurrence: Occurrence, today: date) -> int:
    day = occurrence.day
    return 0 if day is None else max(0, (today - day).days)


def is_overdue(occurrence: Occurrence, today: date) -> bool:
    return (occurrence.status == "open" and occurrence.activity.rolls_over
            and occurrence.day is not None and occurrence.day < today)


def yesterday(today: date) -> date:
    return today - timedelta(days=1)
