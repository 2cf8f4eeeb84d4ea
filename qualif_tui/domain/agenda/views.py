"""Day, week, month and task views as plain data, for the TUI and the CLI.

Each day holds its first items (rolled-over ones first on today, then
all-day items, then by time), how many there are in all, and its automatic
reminders. Weeks start on Monday; a month grid is the whole weeks that cover
the month (5 or 6 rows). Nothing here draws: the faces decide how much of a
day fits and say "+ N autres" for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain import clock
from qualif_tui.domain.activities import Activity, get_activities
from qualif_tui.domain.agenda.occurrences import (
    Frame,
    Occurrence,
    count_day,
    day_ids,
    frame,
    series_between,
    single_occurrence,
    singles,
)
from qualif_tui.domain.agenda.reminders import Reminder, reminder_keys, reminders_on
from qualif_tui.domain.agenda.rollover import rolled_over
from qualif_tui.storage import Database

VIEW_KINDS = ("day", "week", "month")
# How many items of a day each view keeps (a terminal shows fewer still).
PER_DAY = {"day": 500, "week": 40, "month": 6}
# written in French, translated where shown (_(FR_MONTHS[i]))
FR_MONTHS = (N_("janvier"), N_("février"), N_("mars"), N_("avril"), N_("mai"), N_("juin"),
             N_("juillet"), N_("août"), N_("septembre"), N_("octobre"), N_("novembre"),
             N_("décembre"))
FR_WEEKDAYS = (N_("lundi"), N_("mardi"), N_("mercredi"), N_("jeudi"), N_("vendredi"),
               N_("samedi"), N_("dimanche"))


@dataclass
class DayAgenda:
    day: date
    items: list[Occurrence] = field(default_factory=list)
    total: int = 0  # items on the day in all (rolled-over ones included)
    reminders: list[Reminder] = field(default_factory=list)
    reminder_total: int = 0
    rolled_total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))

    @property
    def more_reminders(self) -> int:
        return max(0, self.reminder_total - len(self.reminders))


@dataclass
class AgendaView:
    kind: str  # day, week, month
    anchor: date
    first: date
    last: date
    today: date
    days: list[DayAgenda]

    @property
    def title(self) -> str:
        if self.kind == "day":
            return _("{weekday} {day} {month} {year}").format(
                weekday=_(FR_WEEKDAYS[self.anchor.weekday()]), day=self.anchor.day,
                month=_(FR_MONTHS[self.anchor.month - 1]), year=self.anchor.year)
        if self.kind == "week":
            number = self.first.isocalendar()[1]
            return _("semaine {number} — du {first} au {last}").format(
                number=number, first=f"{self.first:%d/%m}", last=f"{self.last:%d/%m/%Y}")
        return f"{_(FR_MONTHS[self.anchor.month - 1])} {self.anchor.year}"

    def day_of(self, day: date) -> DayAgenda | None:
        for entry in self.days:
            if entry.day == day:
                return entry
        return None


def window(kind: str, anchor: date) -> tuple[date, date]:
    """The first and last days a view of ``kind`` around ``anchor`` shows."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if kind == "month":
        start = anchor.replace(day=1)
        first = start - timedelta(days=start.weekday())
        following = (start + timedelta(days=32)).replace(day=1)
        end = following - timedelta(days=1)
        last = end + timedelta(days=6 - end.weekday())
        return first, last
    raise ValueError(_("vue inconnue « {kind} » (l'une de {value})").format(kind=kind, value=', '.join(VIEW_KINDS)))


def step(kind: str, anchor: date, direction: int) -> date:
    """``[`` / ``]``: the anchor of the previous or next view."""
    if kind == "day":
        return anchor + timedelta(days=direction)
    if kind == "week":
        return anchor + timedelta(days=7 * direction)
    month = anchor.month - 1 + direction
    year = anchor.year + month // 12
    month = month % 12 + 1
    return anchor.replace(year=year, month=month, day=1)


def build_view(db: Database, kind: str, anchor: date | None = None, *,
               per_day: int | None = None, reminders: bool = True,
               reminders_per_day: int | None = None, today: date | None = None) -> AgendaView:
    """The agenda of a day, a week or a month around ``anchor`` (default today).

    ``per_day`` items of each day are kept (the totals count them all), and
    ``reminders_per_day`` reminders (default: as many as items)."""
    today = today or clock.today()
    anchor = anchor or today
    first, last = window(kind, anchor)
    limit = per_day or PER_DAY[kind]
    f = frame(db)
    with db.lock:
        days = _days(db, f, first, last, limit, today, reminders,
                     reminders_per_day or limit)
    return AgendaView(kind, anchor, first, last, today, days)


def _days(db: Database, f: Frame, first: date, last: date, limit: int, today: date,
          with_reminders: bool, reminder_limit: int) -> list[DayAgenda]:
    per_day: dict[date, list[Occurrence]] = {}
    totals: dict[date, int] = {}
    ids: dict[date, list[int]] = {}
    day = first
    while day <= last:
        totals[day] = count_day(db, f, day)
        ids[day] = day_ids(db, f, day, limit) if totals[day] else []
        day += timedelta(days=1)
    every = [i for chunk in ids.values() for i in chunk]
    rows = get_activities(db, every)
    for day, chunk in ids.items():
        per_day[day] = singles_from(f, rows, chunk)
    for occurrence in series_between(db, f, first, last):
        assert occurrence.day is not None
        per_day.setdefault(occurrence.day, []).append(occurrence)
        totals[occurrence.day] = totals.get(occurrence.day, 0) + 1
    keys = reminder_keys(db) if with_reminders else []
    result: list[DayAgenda] = []
    day = first
    while day <= last:
        items = sorted(per_day.get(day, []), key=Occurrence.sort_key)
        entry = DayAgenda(day, items, totals.get(day, 0))
        if day == today:
            late = rolled_over(db, f, today, limit=limit)
            entry.items = late.items + items
            entry.total += late.total
            entry.rolled_total = late.total
        entry.items = entry.items[:limit]
        if with_reminders:
            found = reminders_on(db, day, limit=reminder_limit, keys=keys)
            entry.reminders, entry.reminder_total = found.items, found.total
        result.append(entry)
        day += timedelta(days=1)
    return result


def singles_from(f: Frame, rows: Mapping[int, Activity], ids: list[int]) -> list[Occurrence]:
    return [single_occurrence(f, rows[i]) for i in ids if i in rows]


# -- the task list ------------------------------------------------------------------


@dataclass
class TaskList:
    items: list[Occurrence]
    total: int


_TASKS = "FROM activities WHERE status = 'open' AND rrule = '' AND kind != 'meeting'"


def task_list(db: Database, *, limit: int = 500, today: date | None = None) -> TaskList:
    """Open to-dos, calls and user kinds (not meetings): by priority, then due date
    (undated last). Late ones carry how many days late they are."""
    today = today or clock.today()
    f = frame(db)
    with db.lock:
        total = int(db.scalar(f"SELECT count(*) {_TASKS}"))
        ids = [r[0] for r in db.query(
            f"SELECT id {_TASKS} ORDER BY priority, coalesce(due, starts_at) IS NULL,"
            " coalesce(due, starts_at), id LIMIT ?", (limit,))]
        items = singles(db, f, ids)
    marked: list[Occurrence] = []
    for occurrence in items:
        day = occurrence.day
        if day is not None and day < today:
            occurrence = replace(occurrence, original=day, late_days=(today - day).days)
        marked.append(occurrence)
    return TaskList(marked, total)
