"""Occurrences: what the agenda shows on a day — single activities, overridden
occurrences and the occurrences of recurring series, in the local (display) zone.

A recurring series is one row (``rrule`` set); its occurrences are computed
for the visible window only. An occurrence that was completed, moved or
cancelled on its own is stored as an *override* row (``series_id``,
``recurrence_id`` = the occurrence's original start in the series' zone); the
computed occurrence it replaces is left out. ``exdates`` removes occurrences.

Single rows are fetched per day with a limit and a count (a day of the
1 000 000-contact benchmark holds thousands of activities; a view shows the
first ones and says how many more there are), series in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from qualif_tui.base.i18n import _
from qualif_tui.domain.activities import Activity, ContactRef, end_of, get_activities
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.recurrence import between, parse_rule
from qualif_tui.domain.agenda.times import Moment
from qualif_tui.storage import Database


@dataclass(frozen=True)
class Occurrence:
    """One thing on the agenda, at its local (display) time."""

    activity: Activity  # the single row, the override row, or the series row
    start: Moment | None  # display-zone wall time or a date; None: an undated to-do
    end: Moment | None = None
    series_id: int | None = None
    recurrence_id: str | None = None  # original start in the series' zone (stored form)
    original: date | None = None  # rolled over: the day it was planned for
    late_days: int = 0

    @property
    def key(self) -> str:
        """A stable identity for lists and the UI."""
        if self.activity.is_series:
            return f"s{self.activity.id}@{self.recurrence_id}"
        return f"a{self.activity.id}"

    @property
    def generated(self) -> bool:
        """A computed occurrence of a series (not stored as its own row)."""
        return self.activity.is_series

    @property
    def rolled_over(self) -> bool:
        return self.late_days > 0

    @property
    def day(self) -> date | None:
        return None if self.start is None else times.day_of(self.start)

    @property
    def all_day(self) -> bool:
        return self.start is not None and not isinstance(self.start, datetime)

    @property
    def title(self) -> str:
        return self.activity.title

    @property
    def kind(self) -> str:
        return self.activity.kind

    @property
    def status(self) -> str:
        return self.activity.status

    @property
    def priority(self) -> int:
        return self.activity.priority

    @property
    def contacts(self) -> tuple[ContactRef, ...]:
        return self.activity.contacts

    @property
    def time_label(self) -> str:
        if isinstance(self.start, datetime):
            text = f"{self.start:%H:%M}"
            if isinstance(self.end, datetime):
                text += f"–{self.end:%H:%M}"
            return text
        return _("journée")

    def sort_key(self) -> tuple[int, str, int, int]:
        timed = isinstance(self.start, datetime)
        moment = f"{self.start:%H:%M}" if isinstance(self.start, datetime) else ""
        return (0 if not self.rolled_over else -1, (moment if timed else ""),
                self.priority if not timed else 0, self.activity.id)


@dataclass(frozen=True)
class Frame:
    """The zones in play: where stored single times live, where they are shown."""

    home: str
    local: str

    @property
    def same(self) -> bool:
        return self.home == self.local

    def show(self, value: Moment, zone_name: str = "") -> Moment:
        if not isinstance(value, datetime):
            return value
        return times.convert(value, zone_name or self.home, self.local)

    def stored(self, value: datetime, zone_name: str = "") -> datetime:
        return times.convert(value, self.local, zone_name or self.home)


def frame(db: Database) -> Frame:
    return Frame(times.home_zone_name(db), times.local_zone_name())


# -- single rows, per day ---------------------------------------------------------


def _day_ranges(f: Frame, day: date) -> list[tuple[str, str, bool]]:
    """Stored-text ranges [low, high) of a local day; the flag says timed-only."""
    nxt = day + timedelta(days=1)
    if f.same:
        return [(day.isoformat(), nxt.isoformat(), False)]
    low = times.format_stored(f.stored(datetime.combine(day, time())))
    high = times.format_stored(f.stored(datetime.combine(nxt, time())))
    # a date alone sorts before "D " (space < "T"): the all-day rows of that date
    return [(day.isoformat(), day.isoformat() + " ", False), (low, high, True)]


_TIMED = " AND length({col}) > 10"


def count_day(db: Database, f: Frame, day: date) -> int:
    total = 0
    for low, high, timed in _day_ranges(f, day):
        extra = _TIMED.format(col="starts_at") if timed else ""
        total += int(db.scalar(
            "SELECT count(*) FROM activities WHERE rrule = '' AND starts_at >= ?"
            f" AND starts_at < ?{extra}", (low, high)))
        extra = _TIMED.format(col="due") if timed else ""
        total += int(db.scalar(
            "SELECT count(*) FROM activities WHERE rrule = '' AND starts_at IS NULL"
            f" AND due >= ? AND due < ?{extra}", (low, high)))
    return total


def day_ids(db: Database, f: Frame, day: date, limit: int) -> list[int]:
    """Ids of the first ``limit`` single activities of a local day, in time order."""
    found: list[tuple[str, int]] = []
    for low, high, timed in _day_ranges(f, day):
        extra = _TIMED.format(col="starts_at") if timed else ""
        found += [(r[1], r[0]) for r in db.query(
            "SELECT id, starts_at FROM activities WHERE rrule = '' AND starts_at >= ?"
            f" AND starts_at < ?{extra} ORDER BY starts_at, id LIMIT ?", (low, high, limit))]
        extra = _TIMED.format(col="due") if timed else ""
        found += [(r[1], r[0]) for r in db.query(
            "SELECT id, due FROM activities WHERE rrule = '' AND starts_at IS NULL"
            f" AND due >= ? AND due < ?{extra} ORDER BY due, id LIMIT ?", (low, high, limit))]
    found.sort()
    return [i for _, i in found[:limit]]


def single_occurrence(f: Frame, activity: Activity) -> Occurrence:
    when = activity.starts_at or activity.due
    start = f.show(times.parse_stored(when)) if when else None
    return Occurrence(activity, start, end_of(activity, start) if start is not None else None,
                      activity.series_id, activity.recurrence_id)


def singles(db: Database, f: Frame, ids: Sequence[int]) -> list[Occurrence]:
    found = get_activities(db, ids)
    return [single_occurrence(f, found[i]) for i in ids if i in found]


# -- series -----------------------------------------------------------------------


def _series_rows(db: Database, before: str) -> list[int]:
    # sorted here: an ORDER BY id makes SQLite scan the table in rowid order
    return sorted(r[0] for r in db.query(
        "SELECT id FROM activities WHERE rrule != '' AND starts_at < ?", (before,)))


def overridden(db: Database, series_ids: Sequence[int]) -> dict[int, set[str]]:
    """recurrence_id of every stored override, by series."""
    found: dict[int, set[str]] = {}
    ids = list(series_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(
                "SELECT series_id, recurrence_id FROM activities"
                f" WHERE series_id IN ({marks}) AND recurrence_id IS NOT NULL", chunk):
            found.setdefault(row[0], set()).add(row[1])
    return found


def expand(series: Activity, f: Frame, first: date, last: date,
           skip: Iterable[str] = (), limit: int = 5000) -> list[Occurrence]:
    """The computed occurrences of one series on local days ``first``..``last``."""
    if not series.starts_at:
        return []
    zone_name = series.tz or f.home
    start = times.parse_stored(series.starts_at)
    rule = parse_rule(series.rrule)
    low = datetime.combine(first - timedelta(days=1), time())
    high = datetime.combine(last + timedelta(days=2), time())
    skipped = set(skip) | set(series.excluded)
    found: list[Occurrence] = []
    for moment in between(rule, start, low, high, limit=limit):
        value: Moment = moment if isinstance(start, datetime) else moment.date()
        rid = times.format_stored(value)
        if rid in skipped:
            continue
        if isinstance(value, datetime):
            value = times.real_wall_time(value, zone_name)
        shown = f.show(value, zone_name)
        if not first <= times.day_of(shown) <= last:
            continue
        found.append(Occurrence(series, shown, end_of(series, shown), series.id, rid))
    return found


def series_between(db: Database, f: Frame, first: date, last: date) -> list[Occurrence]:
    """Occurrences of every recurring series on local days ``first``..``last``."""
    ids = _series_rows(db, (last + timedelta(days=2)).isoformat())
    if not ids:
        return []
    rows = get_activities(db, ids)
    skip = overridden(db, ids)
    found: list[Occurrence] = []
    for series_id in ids:
        found += expand(rows[series_id], f, first, last, skip.get(series_id, ()))
    return found


def occurrences_between(db: Database, first: date, last: date, *,
                        per_day: int = 100_000) -> list[Occurrence]:
    """Everything on local days ``first``..``last`` (exports, the CLI), by time."""
    f = frame(db)
    found: list[Occurrence] = []
    day = first
    while day <= last:
        found += singles(db, f, day_ids(db, f, day, per_day))
        day += timedelta(days=1)
    found += series_between(db, f, first, last)
    found.sort(key=lambda o: (o.day or date.min, o.sort_key()))
    return found


def find_occurrence(db: Database, series_id: int, recurrence_id: str) -> Occurrence:
    """The occurrence of a series known by its recurrence id (override or computed)."""
    from qualif_tui.domain.activities import get_activity
    from qualif_tui.domain.errors import NotFound

    f = frame(db)
    row = db.scalar("SELECT id FROM activities WHERE series_id = ? AND recurrence_id = ?",
                    (series_id, recurrence_id))
    if row is not None:
        return single_occurrence(f, get_activity(db, int(row)))
    series = get_activity(db, series_id)
    if not series.is_series:
        raise NotFound(_("l'activité n° {series_id} n'est pas une série récurrente").format(series_id=series_id))
    value = times.parse_stored(recurrence_id)
    if recurrence_id in series.excluded:
        raise NotFound(_("l'occurrence {recurrence_id} a été retirée de la série").format(recurrence_id=recurrence_id))
    rule = parse_rule(series.rrule)
    start = times.parse_stored(series.starts_at or recurrence_id)
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    hits = between(rule, start, moment, moment + timedelta(minutes=1))
    if not hits:
        raise NotFound(_("{recurrence_id} n'est pas une occurrence de l'activité n° {series_id}").format(recurrence_id=recurrence_id, series_id=series_id))
    zone_name = series.tz or f.home
    shown = f.show(times.real_wall_time(value, zone_name) if isinstance(value, datetime)
                   else value, zone_name)
    return Occurrence(series, shown, end_of(series, shown), series.id, recurrence_id)
