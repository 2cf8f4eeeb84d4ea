"""Agenda activities: calls, meetings, to-dos and user kinds, linked to contacts or not.

This module holds the stored activities and their life cycle: create, edit,
reschedule, prioritise, complete (done or not held), reopen, delete. Times
are stored as ``agenda.times`` describes (wall time + zone, '' = the file's
home zone). Occurrences of recurring series, views, roll-over and reminders
live in :mod:`qualif_tui.domain.agenda`.

Completion writes one history entry per linked contact: *done* as a call,
meeting or task entry (it counts as contact, so it moves ``last_contact``);
*not held* as an automatic note (it is on the timeline, but a meeting that
did not take place is not contact with the person).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import display_name
from qualif_tui.domain import clock
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.recurrence import check_rule
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.storage import Database

KINDS = {"call": N_("Appel"), "meeting": N_("Rendez-vous"), "todo": N_("À faire")}
PRIORITIES = {1: N_("haute"), 2: N_("normale"), 3: N_("basse")}
STATUSES = {"open": N_("à faire"), "done": N_("fait"), "cancelled": N_("non tenu")}
# Completing an activity of this kind writes this kind of history entry.
HISTORY_KIND = {"call": "call", "meeting": "meeting", "todo": "task"}
# Kinds that stay where they were when missed (the others roll over to today).
FIXED_KINDS = ("meeting",)
MAX_DURATION_MIN = 60 * 24 * 31


@dataclass(frozen=True)
class ContactRef:
    id: int
    name: str


@dataclass(frozen=True)
class Activity:
    id: int
    uid: str
    kind: str
    title: str
    notes: str
    location: str
    starts_at: str | None
    tz: str
    duration_min: int | None
    due: str | None
    priority: int
    alarm_min: int | None
    rrule: str
    exdates: str
    series_id: int | None
    recurrence_id: str | None
    status: str
    done_at: str | None
    contact_ids: tuple[int, ...] = field(default=())
    contacts: tuple[ContactRef, ...] = field(default=())

    @property
    def kind_label(self) -> str:
        return _(KINDS.get(self.kind, self.kind))

    @property
    def when(self) -> str | None:
        """The date-time that places it in the agenda: its start, else its due date."""
        return self.starts_at or self.due

    @property
    def is_series(self) -> bool:
        return bool(self.rrule)

    @property
    def rolls_over(self) -> bool:
        return self.kind not in FIXED_KINDS

    @property
    def excluded(self) -> list[str]:
        return [x for x in self.exdates.split(",") if x]


def _activity(row: sqlite3.Row, contacts: Sequence[ContactRef] = ()) -> Activity:
    return Activity(
        row["id"], row["uid"], row["kind"], row["title"], row["notes"], row["location"],
        row["starts_at"], row["tz"], row["duration_min"], row["due"], row["priority"],
        row["alarm_min"], row["rrule"], row["exdates"], row["series_id"], row["recurrence_id"],
        row["status"], row["done_at"], tuple(c.id for c in contacts), tuple(contacts),
    )


# -- validation -------------------------------------------------------------------


def _moment(value: str | date | datetime | None, name: str) -> times.Moment | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, date):
        return value
    try:
        return times.parse_stored(value.strip())
    except ValueError:
        raise ValidationError(
            _("{name} : « {value} » n'est ni une date (AAAA-MM-JJ) ni une date et une heure (AAAA-MM-JJTHH:MM)").format(name=name, value=value), name) from None


def _check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if not kind:
        return "todo"
    if len(kind) > 30 or not all(c.isalnum() or c in "-_ " for c in kind):
        raise ValidationError(_("« {kind} » n'est pas une sorte d'activité (appel, rendez-vous, tâche…)").format(kind=kind),
                              "kind")
    return kind


def _check_priority(priority: int) -> int:
    if priority not in PRIORITIES:
        raise ValidationError(_("la priorité est 1 (haute), 2 (normale) ou 3 (basse)"), "priority")
    return priority


def _check_minutes(value: int | None, name: str, maximum: int) -> int | None:
    if value is None:
        return None
    if not 0 <= int(value) <= maximum:
        raise ValidationError(_("{name} doit être entre 0 et {maximum} minutes").format(name=name, maximum=maximum), name)
    return int(value)


@dataclass(frozen=True)
class _Times:
    starts_at: str | None
    due: str | None
    tz: str
    rrule: str


def _normalise_times(db: Database, starts: times.Moment | None, due: times.Moment | None,
                     tz: str, rrule: str, *, shift_gaps: bool) -> _Times:
    """Times as stored: single activities in the home zone, series in their own zone."""
    home = times.ensure_home_zone(db) if not db.readonly else times.home_zone_name(db)
    zone_name = tz.strip() or home
    times.zone(zone_name)
    if rrule and starts is None:
        raise ValidationError(_("une activité récurrente a besoin d'un début"), "starts_at")

    def settle(value: times.Moment | None, name: str) -> times.Moment | None:
        if not isinstance(value, datetime):
            return value
        if shift_gaps:
            value = times.real_wall_time(value, zone_name)
        else:
            times.check_wall_time(value, zone_name, name)
        if not rrule and zone_name != home:
            value = times.convert(value, zone_name, home)
        return value

    starts = settle(starts, "starts_at")
    due = settle(due, "due")
    if starts is not None and due is not None and times.day_of(due) < times.day_of(starts):
        raise ValidationError(_("l'échéance est avant le début"), "due")
    rule_text = ""
    if rrule.strip():
        assert starts is not None
        rule_text = check_rule(rrule, starts).text
    stored_zone = "" if (zone_name == home or not rrule) else zone_name
    return _Times(times.format_stored(starts) if starts is not None else None,
                  times.format_stored(due) if due is not None else None,
                  stored_zone, rule_text)


# -- writing ------------------------------------------------------------------------


def add_activity(
    db: Database,
    title: str,
    *,
    kind: str = "todo",
    starts_at: str | date | datetime | None = None,
    due: str | date | datetime | None = None,
    contact_ids: Sequence[int] = (),
    priority: int = 2,
    alarm_min: int | None = None,
    duration_min: int | None = None,
    rrule: str = "",
    notes: str = "",
    location: str = "",
    tz: str = "",
    uid: str | None = None,
    status: str = "open",
    exdates: Sequence[str] = (),
    series_id: int | None = None,
    recurrence_id: str | None = None,
    shift_gaps: bool = False,
) -> int:
    """Store an activity; times are wall times ``YYYY-MM-DD[THH:MM]`` in zone ``tz``
    ('' = the file's home zone). A wall time in a DST gap is refused unless
    ``shift_gaps`` (imports), which moves it forward as RFC 5545 says."""
    if not title.strip():
        raise ValidationError(_("une activité a besoin d'un titre"), "title")
    if status not in STATUSES:
        raise ValidationError(_("l'état est l'un de {value}").format(value=', '.join(STATUSES)), "status")
    stored = _normalise_times(db, _moment(starts_at, "starts_at"), _moment(due, "due"), tz,
                              rrule, shift_gaps=shift_gaps)
    now = clock.stamp()
    with db.transaction():
        cursor = db.execute(
            "INSERT INTO activities(uid, kind, title, notes, location, starts_at, tz, duration_min,"
            " due, priority, alarm_min, rrule, exdates, series_id, recurrence_id, status, done_at,"
            " created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (uid or new_uid(), _check_kind(kind), title.strip(), notes.strip(), location.strip(),
             stored.starts_at, stored.tz, _check_minutes(duration_min, "duration_min",
                                                         MAX_DURATION_MIN),
             stored.due, _check_priority(priority),
             _check_minutes(alarm_min, "alarm_min", MAX_DURATION_MIN), stored.rrule,
             ",".join(exdates), series_id, recurrence_id, status,
             now if status == "done" else None, now, now),
        )
        activity_id = int(cursor.lastrowid or 0)
        link_contacts(db, activity_id, contact_ids)
    return activity_id


def new_uid() -> str:
    return f"{uuid.uuid4()}@qualif"


def link_contacts(db: Database, activity_id: int, contact_ids: Sequence[int]) -> None:
    with db.transaction():
        for contact_id in dict.fromkeys(contact_ids):
            if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)):
                raise NotFound(_("pas de contact n° {contact_id}").format(contact_id=contact_id))
            db.execute("INSERT OR IGNORE INTO activity_contacts(activity_id, contact_id)"
                       " VALUES (?, ?)", (activity_id, contact_id))


def update_activity(db: Database, activity_id: int, **changes: Any) -> Activity:
    """Change some fields (title, kind, notes, location, starts_at, due, tz,
    duration_min, priority, alarm_min, rrule, contact_ids) in one transaction."""
    current = get_activity(db, activity_id)
    allowed = {"title", "kind", "notes", "location", "starts_at", "due", "tz", "duration_min",
               "priority", "alarm_min", "rrule", "contact_ids", "exdates"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("impossible de modifier {value}").format(value=', '.join(sorted(unknown))), sorted(unknown)[0])
    title = str(changes.get("title", current.title))
    if not title.strip():
        raise ValidationError(_("une activité a besoin d'un titre"), "title")
    starts = _moment(changes["starts_at"], "starts_at") if "starts_at" in changes else \
        _stored_moment(current.starts_at)
    due = _moment(changes["due"], "due") if "due" in changes else _stored_moment(current.due)
    rule = str(changes.get("rrule", current.rrule))
    tz = str(changes.get("tz", current.tz))
    stored = _normalise_times(db, starts, due, tz, rule, shift_gaps=False)
    exdates = changes.get("exdates", current.exdates)
    if not isinstance(exdates, str):
        exdates = ",".join(exdates)
    priority = int(changes.get("priority", current.priority))
    with db.transaction():
        db.execute(
            "UPDATE activities SET title = ?, kind = ?, notes = ?, location = ?, starts_at = ?,"
            " tz = ?, due = ?, duration_min = ?, priority = ?, alarm_min = ?, rrule = ?,"
            " exdates = ?, updated = ? WHERE id = ?",
            (title.strip(), _check_kind(str(changes.get("kind", current.kind))),
             str(changes.get("notes", current.notes)).strip(),
             str(changes.get("location", current.location)).strip(),
             stored.starts_at, stored.tz, stored.due,
             _check_minutes(changes.get("duration_min", current.duration_min),
                            "duration_min", MAX_DURATION_MIN),
             _check_priority(priority),
             _check_minutes(changes.get("alarm_min", current.alarm_min),
                            "alarm_min", MAX_DURATION_MIN),
             stored.rrule, exdates, clock.stamp(), activity_id))
        if "contact_ids" in changes:
            wanted = list(changes["contact_ids"])
            db.execute("DELETE FROM activity_contacts WHERE activity_id = ?", (activity_id,))
            link_contacts(db, activity_id, wanted)
    return get_activity(db, activity_id)


def _stored_moment(text: str | None) -> times.Moment | None:
    return times.parse_stored(text) if text else None


def reschedule(db: Database, activity_id: int, when: str | date | datetime) -> Activity:
    """Move an activity; a bare date keeps its time of day. A to-do with only a
    due date moves its due date. Moving a rolled-over item ends its roll-over."""
    current = get_activity(db, activity_id)
    if current.is_series:
        raise ValidationError(_("c'est une série récurrente : déplacez une occurrence ou scindez-la"),
                              "starts_at")
    target = _moment(when, "starts_at")
    assert target is not None
    if current.starts_at is None and current.due is not None:
        return update_activity(db, activity_id, due=target)
    old = _stored_moment(current.starts_at)
    if isinstance(old, datetime) and not isinstance(target, datetime):
        target = datetime.combine(target, old.time())
    changes: dict[str, object] = {"starts_at": target}
    old_due = _stored_moment(current.due)
    if old is not None and old_due is not None:
        # keep the same lead time between the start and the due date
        shift = times.day_of(target) - times.day_of(old)
        changes["due"] = old_due + shift
    return update_activity(db, activity_id, **changes)


def set_priority(db: Database, activity_id: int, priority: int) -> Activity:
    return update_activity(db, activity_id, priority=priority)


def next_priority(priority: int) -> int:
    """The ``p`` key's cycle: normale → haute → basse → normale."""
    return {2: 1, 1: 3, 3: 2}.get(priority, 2)


def delete_activity(db: Database, activity_id: int) -> Activity:
    """Delete an activity (a series with its overridden occurrences); returns it."""
    activity = get_activity(db, activity_id)
    with db.transaction():
        db.execute("DELETE FROM activities WHERE id = ?", (activity_id,))
    return activity


# -- reading ------------------------------------------------------------------------


def contact_refs(db: Database, activity_ids: Sequence[int]) -> dict[int, list[ContactRef]]:
    """The linked contacts (id, display name) of many activities, in one query per 500."""
    found: dict[int, list[ContactRef]] = {}
    ids = list(dict.fromkeys(activity_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(
                "SELECT ac.activity_id, c.id, c.first_name, c.last_name, c.company"
                " FROM activity_contacts ac JOIN contacts c ON c.id = ac.contact_id"
                f" WHERE ac.activity_id IN ({marks}) ORDER BY ac.activity_id, c.sort_key, c.id",
                chunk):
            found.setdefault(row[0], []).append(
                ContactRef(row[1], display_name(row[2], row[3], row[4])))
    return found


def get_activity(db: Database, activity_id: int) -> Activity:
    rows = db.query("SELECT * FROM activities WHERE id = ?", (activity_id,))
    if not rows:
        raise NotFound(_("pas d'activité n° {activity_id}").format(activity_id=activity_id))
    return _activity(rows[0], contact_refs(db, [activity_id]).get(activity_id, []))


def get_activities(db: Database, activity_ids: Sequence[int]) -> dict[int, Activity]:
    """Many activities with their contacts, by id (missing ids are left out)."""
    ids = list(dict.fromkeys(activity_ids))
    refs = contact_refs(db, ids)
    found: dict[int, Activity] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT * FROM activities WHERE id IN ({marks})", chunk):
            found[row["id"]] = _activity(row, refs.get(row["id"], []))
    return found


def find_by_uid(db: Database, uid: str) -> Activity | None:
    row = db.scalar("SELECT id FROM activities WHERE uid = ?", (uid,))
    return None if row is None else get_activity(db, int(row))


def contact_activities(db: Database, contact_id: int, *, include_closed: bool = False
                       ) -> list[Activity]:
    """A contact's activities, soonest first (open ones only unless asked)."""
    sql = ("SELECT a.id FROM activities a JOIN activity_contacts ac ON ac.activity_id = a.id"
           " WHERE ac.contact_id = ?")
    if not include_closed:
        sql += " AND a.status = 'open'"
    sql += " ORDER BY coalesce(a.starts_at, a.due), a.id"
    ids = [row[0] for row in db.query(sql, (contact_id,))]
    found = get_activities(db, ids)
    return [found[i] for i in ids if i in found]


# -- completion -----------------------------------------------------------------------


def _history_moment(activity: Activity) -> datetime:
    """When a completed activity happened: a past meeting at its time, else now."""
    now = clock.now()
    start = _stored_moment(activity.starts_at)
    if activity.kind == "meeting" and isinstance(start, datetime) and start <= now:
        return start
    return now


def write_completion_history(db: Database, activity: Activity, outcome: str,
                             note: str = "") -> None:
    verb = "fait" if outcome == "done" else "non tenu"
    with db.transaction():
        for contact_id in activity.contact_ids:
            if outcome == "done":
                add_entry(db, contact_id, HISTORY_KIND.get(activity.kind, "task"),
                          f"{activity.title} ({verb})", note or activity.notes,
                          _history_moment(activity), activity_id=activity.id)
            else:
                add_entry(db, contact_id, "note", f"{activity.title} ({verb})", note,
                          clock.now(), automatic=True, activity_id=activity.id)


def _close(db: Database, activity_id: int, outcome: str) -> None:
    now = clock.stamp()
    db.execute("UPDATE activities SET status = ?, done_at = ?, updated = ? WHERE id = ?",
               (outcome, now, now, activity_id))


def complete_activity(db: Database, activity_id: int, *, outcome: str = "done",
                      note: str = "") -> Activity:
    """Mark done (or cancelled, "not held"); writes history on every linked contact.

    For a recurring series this completes nothing: complete one occurrence with
    :func:`qualif_tui.domain.agenda.series.complete_occurrence`.
    """
    if outcome not in ("done", "cancelled"):
        raise ValidationError(_("l'issue est « done » ou « cancelled »"), "status")
    activity = get_activity(db, activity_id)
    if activity.is_series:
        raise ValidationError(_("c'est une série récurrente : terminez l'une de ses occurrences"),
                              "status")
    if activity.status == outcome:
        return activity
    with db.transaction():
        _close(db, activity_id, outcome)
        write_completion_history(db, replace(activity, status=outcome), outcome, note)
    return get_activity(db, activity_id)


def answered_by(db: Database, contact_id: int, kind: str) -> Activity | None:
    """The planned activity a ``kind`` entry logged now on this contact answers.

    The oldest open call of this contact alone due today or late (for a call),
    or its meeting of today (for a meeting); not a recurring series (its occurrences
    are completed one by one in the agenda). None when there is none.
    """
    kinds = [a for a, h in HISTORY_KIND.items() if h == kind and a != "todo"]
    if not kinds:
        return None
    today = clock.today()
    # a late call is still to make; a missed meeting is not the one held today
    since = today.isoformat() if kind == "meeting" else ""
    marks = ", ".join("?" * len(kinds))
    row = db.query(
        "SELECT a.id FROM activities a JOIN activity_contacts ac ON ac.activity_id = a.id"
        f" WHERE ac.contact_id = ? AND a.status = 'open' AND a.kind IN ({marks})"
        " AND a.rrule = '' AND coalesce(a.starts_at, a.due) >= ?"
        " AND coalesce(a.starts_at, a.due) < ?"
        " AND (SELECT count(*) FROM activity_contacts o WHERE o.activity_id = a.id) = 1"
        " ORDER BY coalesce(a.starts_at, a.due), a.id LIMIT 1",
        (contact_id, *kinds, since, (today + timedelta(days=1)).isoformat()))
    return get_activity(db, row[0][0]) if row else None


def log_and_complete(db: Database, activity_id: int, contact_id: int, kind: str,
                     subject: str, body: str = "", happened_at: datetime | str | None = None
                     ) -> int:
    """Log what happened on the contact's timeline and close the planned activity it
    answers, in one transaction. The entry stands for the completion (linked to
    the activity): no second "(fait)" entry is written. Returns the entry's id."""
    activity = get_activity(db, activity_id)
    if activity.is_series:
        raise ValidationError(_("c'est une série récurrente : terminez l'une de ses occurrences"),
                              "status")
    if contact_id not in activity.contact_ids:
        raise ValidationError(_("« {title} » n'est pas prévu avec ce contact").format(title=activity.title),
                              "activity")
    with db.transaction():
        entry = add_entry(db, contact_id, kind, subject, body, happened_at,
                          activity_id=activity_id)
        if activity.status == "open":
            _close(db, activity_id, "done")
    return entry


def reopen_activity(db: Database, activity_id: int) -> Activity:
    """Back to open (undo of a completion); the history entries stay, as written."""
    get_activity(db, activity_id)
    with db.transaction():
        db.execute("UPDATE activities SET status = 'open', done_at = NULL, updated = ?"
                   " WHERE id = ?", (clock.stamp(), activity_id))
    return get_activity(db, activity_id)


def end_of(activity: Activity, start: times.Moment) -> times.Moment | None:
    """Where an occurrence starting at ``start`` ends (its duration), if it has one."""
    if isinstance(start, datetime) and activity.duration_min:
        return start + timedelta(minutes=activity.duration_min)
    return None
