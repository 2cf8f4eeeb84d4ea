"""Automatic reminders computed from contact data, never stored as copies.

* **Birthdays** from ``contacts.birthday`` (``YYYY-MM-DD``, or ``--MM-DD`` when
  the year is unknown), on the day itself; a 29 February birthday shows on
  28 February in other years.
* **Date and month qualification keys declared "remind"** (``qual_keys.remind``):
  the date the value points to is the value plus ``remind_after_months``
  (a month value counts from its first day), and the reminder shows
  ``remind_lead_days`` before it. The demo's "Mise en service" (48 months,
  30 days lead) reminds of a vehicle's 4-year check a month ahead.

A reminder turned into an activity (:func:`reminder_to_activity`) gets a
uid made from the reminder's key, so the reminder stops showing and a second
conversion finds the first.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from qualif_tui.base.text import display_name
from qualif_tui.domain.activities import ContactRef, add_activity, find_by_uid
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.storage import Database


@dataclass(frozen=True)
class Reminder:
    kind: str  # "birthday" or "key"
    contact: ContactRef
    day: date  # the day it shows in the agenda
    due: date  # the date it is about
    title: str
    key_id: int | None = None

    @property
    def key(self) -> str:
        if self.kind == "birthday":
            return f"birthday-{self.contact.id}-{self.due.isoformat()}"
        return f"key{self.key_id}-{self.contact.id}-{self.due.isoformat()}"

    @property
    def uid(self) -> str:
        return f"reminder-{self.key}@qualif"


@dataclass(frozen=True)
class DayReminders:
    items: list[Reminder]
    total: int


def _month_days(day: date) -> list[str]:
    """The 'MM-DD' birthdays that fall on ``day`` (29/02 on 28/02 of common years)."""
    days = [day.strftime("%m-%d")]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        days.append("02-29")
    return days


def birthdays(db: Database, day: date, limit: int) -> tuple[list[Reminder], int]:
    keys = _month_days(day)
    marks = ",".join("?" * len(keys))
    where = f"birthday != '' AND substr(birthday, -5) IN ({marks})"
    total = int(db.scalar(f"SELECT count(*) FROM contacts WHERE {where}", keys))
    found: list[Reminder] = []
    if total:
        for row in db.query(
                f"SELECT id, first_name, last_name, company, birthday FROM contacts WHERE {where}"
                " ORDER BY id LIMIT ?", (*keys, limit)):
            name = display_name(row[1], row[2], row[3])
            title = f"Anniversaire de {name}"
            year = row[4][:4]
            if year.isdigit() and int(year) < day.year:
                title += f" ({day.year - int(year)} ans)"
            found.append(Reminder("birthday", ContactRef(row[0], name), day, day, title))
    return found, total


def reminder_keys(db: Database) -> list[QualKey]:
    return [k for k in list_keys(db) if k.remind and k.type in ("date", "month")]


def _due(key: QualKey, value: str) -> date | None:
    try:
        if key.type == "month":
            base = date(int(value[:4]), int(value[5:7]), 1)
        else:
            base = date.fromisoformat(value)
    except ValueError:
        return None
    due: date = base + relativedelta(months=key.remind_after_months)
    return due


def _values_for(key: QualKey, due: date) -> list[str]:
    """Every stored value whose reminder date is ``due``."""
    months = key.remind_after_months
    if key.type == "month":
        if due.day != 1:
            return []
        source = due - relativedelta(months=months)
        return [f"{source.year:04d}-{source.month:02d}"]
    source = due - relativedelta(months=months)
    values = [source.isoformat()]
    # month ends: 31/01 + 1 month = 28/02, so 29, 30 and 31/01 also land on 28/02
    last_due = calendar.monthrange(due.year, due.month)[1]
    if due.day == last_due:
        last_source = calendar.monthrange(source.year, source.month)[1]
        values += [source.replace(day=d).isoformat() for d in range(source.day + 1,
                                                                     last_source + 1)]
    return values


def key_reminders(db: Database, key: QualKey, day: date, limit: int
                  ) -> tuple[list[Reminder], int]:
    due = day + timedelta(days=key.remind_lead_days)
    values = _values_for(key, due)
    if not values:
        return [], 0
    marks = ",".join("?" * len(values))
    column = key.column
    total = int(db.scalar(f"SELECT count(*) FROM contact_facts WHERE {column} IN ({marks})",
                          values))
    found: list[Reminder] = []
    if total:
        for row in db.query(
                f"SELECT c.id, c.first_name, c.last_name, c.company, f.{column}"
                f" FROM contact_facts f JOIN contacts c ON c.id = f.contact_id"
                f" WHERE f.{column} IN ({marks}) ORDER BY f.contact_id LIMIT ?",
                (*values, limit)):
            name = display_name(row[1], row[2], row[3])
            after = f" + {key.remind_after_months} mois" if key.remind_after_months else ""
            title = f"{key.display_name} {row[4]}{after} → {due:%d/%m/%Y} : {name}"
            found.append(Reminder("key", ContactRef(row[0], name), day, due, title, key.id))
    return found, total


def reminders_on(db: Database, day: date, *, limit: int = 50,
                 keys: Sequence[QualKey] | None = None) -> DayReminders:
    """The reminders that show on ``day``: birthdays then key dates, ``limit`` of them."""
    keys = reminder_keys(db) if keys is None else keys
    items, total = birthdays(db, day, limit)
    for key in keys:
        more, count = key_reminders(db, key, day, limit)
        items += more
        total += count
    converted = _converted(db, items)
    if converted:
        items = [r for r in items if r.uid not in converted]
        total -= len(converted)
    return DayReminders(items[:limit], total)


def _converted(db: Database, items: Sequence[Reminder]) -> set[str]:
    uids = [r.uid for r in items]
    found: set[str] = set()
    for start in range(0, len(uids), 500):
        chunk = uids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found |= {r[0] for r in db.query(
            f"SELECT uid FROM activities WHERE uid IN ({marks})", chunk)}
    return found


def reminders_between(db: Database, first: date, last: date, *, limit: int = 50
                      ) -> dict[date, DayReminders]:
    keys = reminder_keys(db)
    found: dict[date, DayReminders] = {}
    day = first
    while day <= last:
        found[day] = reminders_on(db, day, limit=limit, keys=keys)
        day += timedelta(days=1)
    return found


def reminder_to_activity(db: Database, reminder: Reminder, *, kind: str = "todo",
                         when: date | None = None, priority: int = 2) -> int:
    """A real to-do for the reminder, linked to its contact (once: a second call
    returns the first activity's id)."""
    existing = find_by_uid(db, reminder.uid)
    if existing is not None:
        return existing.id
    return add_activity(db, reminder.title, kind=kind, due=when or reminder.due,
                        contact_ids=[reminder.contact.id], priority=priority,
                        uid=reminder.uid)
