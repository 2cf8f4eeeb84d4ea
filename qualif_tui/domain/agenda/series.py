"""Acting on what the agenda shows: complete, move, prioritise one occurrence,
or split a series ("this and following").

The faces call these with an :class:`Occurrence` whatever it is — a single
activity, a stored override, or a computed occurrence of a series — and the
right rows change:

* completing or moving one occurrence of a series stores an *override* row
  (``series_id`` + ``recurrence_id``) and leaves every other occurrence alone;
* skipping an occurrence adds it to the series' ``exdates``;
* "this and following" ends the series before the occurrence (UNTIL, or a
  smaller COUNT) and starts a new series there with the changes; later
  overrides and exclusions move to the new series;
* priority belongs to the series as a whole (``p`` on an occurrence changes
  the series).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.activities import (
    Activity,
    add_activity,
    complete_activity,
    get_activity,
    next_priority,
    reschedule,
    set_priority,
    update_activity,
    write_completion_history,
)
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.occurrences import Occurrence, find_occurrence, frame
from qualif_tui.domain.agenda.recurrence import between, parse_rule
from qualif_tui.domain.errors import ValidationError
from qualif_tui.storage import Database

OVERRIDE_SEPARATOR = "#"


def override_uid(series_uid: str, recurrence_id: str) -> str:
    return f"{series_uid}{OVERRIDE_SEPARATOR}{recurrence_id}"


def _override(db: Database, series: Activity, recurrence_id: str, *,
              starts_at: times.Moment | None = None, status: str = "open") -> int:
    """Store (or find) the override row of one occurrence; returns its id."""
    existing = db.scalar("SELECT id FROM activities WHERE series_id = ? AND recurrence_id = ?",
                         (series.id, recurrence_id))
    if existing is not None:
        return int(existing)
    f = frame(db)
    original = times.parse_stored(recurrence_id)
    zone_name = series.tz or f.home
    if starts_at is None:
        starts_at = original
        if isinstance(original, datetime):
            starts_at = times.real_wall_time(original, zone_name)
    if isinstance(starts_at, datetime) and zone_name != f.home:
        starts_at = times.convert(starts_at, zone_name, f.home)
    due = None
    if series.due and series.starts_at:
        lead = times.day_of(times.parse_stored(series.due)) - times.day_of(
            times.parse_stored(series.starts_at))
        due = times.day_of(starts_at) + lead
    return add_activity(
        db, series.title, kind=series.kind, starts_at=starts_at, due=due,
        contact_ids=series.contact_ids, priority=series.priority, alarm_min=series.alarm_min,
        duration_min=series.duration_min, notes=series.notes, location=series.location,
        uid=override_uid(series.uid, recurrence_id), status=status, series_id=series.id,
        recurrence_id=recurrence_id, shift_gaps=True)


def complete(db: Database, occurrence: Occurrence, *, outcome: str = "done",
             note: str = "") -> Activity:
    """Done (or not held) for this occurrence only; history on every linked contact."""
    if not occurrence.generated:
        return complete_activity(db, occurrence.activity.id, outcome=outcome, note=note)
    if outcome not in ("done", "cancelled"):
        raise ValidationError(_("l'issue est « done » ou « cancelled »"), "status")
    assert occurrence.recurrence_id is not None
    with db.transaction():
        override_id = _override(db, occurrence.activity, occurrence.recurrence_id)
        return complete_activity(db, override_id, outcome=outcome, note=note)


def complete_occurrence(db: Database, series_id: int, recurrence_id: str, *,
                        outcome: str = "done", note: str = "") -> Activity:
    return complete(db, find_occurrence(db, series_id, recurrence_id), outcome=outcome,
                    note=note)


def move(db: Database, occurrence: Occurrence, when: str | date | datetime, *,
         following: bool = False) -> Activity:
    """Reschedule one occurrence (or, with ``following``, it and the rest of its series).

    ``when`` is a local wall time or a date (a date keeps the time of day).
    """
    target = times.parse_stored(when) if isinstance(when, str) else when
    if not occurrence.generated and not following:
        return reschedule(db, occurrence.activity.id, target)
    if following:
        return split(db, occurrence, starts_at=target)
    assert occurrence.recurrence_id is not None
    start = occurrence.start
    if isinstance(start, datetime) and not isinstance(target, datetime):
        target = datetime.combine(target, start.time())
    f = frame(db)
    if isinstance(target, datetime):
        target = f.stored(target)
    with db.transaction():
        override_id = _override(db, occurrence.activity, occurrence.recurrence_id)
        return reschedule(db, override_id, target)


def skip(db: Database, occurrence: Occurrence) -> Activity:
    """Remove one occurrence from its series (EXDATE); nothing is written on contacts."""
    if not occurrence.generated:
        raise ValidationError(_("seule une occurrence d'une série récurrente peut être sautée"), "rrule")
    series = occurrence.activity
    assert occurrence.recurrence_id is not None
    excluded = series.excluded
    if occurrence.recurrence_id not in excluded:
        excluded.append(occurrence.recurrence_id)
    return update_activity(db, series.id, exdates=",".join(sorted(excluded)))


def cycle_priority(db: Database, occurrence: Occurrence) -> Activity:
    """``p``: normale → haute → basse → normale (a series changes as a whole)."""
    activity = occurrence.activity
    return set_priority(db, activity.id, next_priority(activity.priority))


def _before(value: times.Moment) -> times.Moment:
    if isinstance(value, datetime):
        return value - timedelta(minutes=1)
    return value - timedelta(days=1)


def split(db: Database, occurrence: Occurrence, **changes: Any) -> Activity:
    """"This and following": end the series before ``occurrence`` and start a new
    series there with ``changes`` (starts_at, title, rrule…). Returns the new series.

    On the series' first occurrence nothing needs splitting: the series itself
    changes.
    """
    series = occurrence.activity
    if occurrence.series_id is None:
        raise ValidationError(_("cette activité ne fait pas partie d'une série récurrente"), "rrule")
    if not series.is_series:
        series = get_activity(db, occurrence.series_id)
    rid = occurrence.recurrence_id
    assert rid is not None and series.starts_at is not None
    original = times.parse_stored(rid)
    start = times.parse_stored(series.starts_at)
    new_start = changes.pop("starts_at", None)
    if isinstance(new_start, str):
        new_start = times.parse_stored(new_start)
    if new_start is None:
        new_start = original
    elif isinstance(original, datetime) and not isinstance(new_start, datetime):
        new_start = datetime.combine(new_start, original.time())
    if rid == times.format_stored(start):
        return update_activity(db, series.id, starts_at=new_start, **changes)
    rule = parse_rule(series.rrule)
    new_rule = rule
    with db.transaction():
        if rule.count is not None:
            begin = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
            end = original if isinstance(original, datetime) else datetime.combine(
                original, datetime.min.time())
            done = len(between(rule, begin, begin, end, limit=rule.count))
            old_rule = rule.with_count(max(1, done))
            new_rule = rule.with_count(max(1, rule.count - done))
        else:
            old_rule = rule.with_until(_before(original))
        later = [x for x in series.excluded if x >= rid]
        earlier = [x for x in series.excluded if x < rid]
        update_activity(db, series.id, rrule=old_rule.text, exdates=",".join(earlier))
        new_rrule = changes.pop("rrule", new_rule.text)
        new_id = add_activity(
            db, str(changes.pop("title", series.title)), kind=str(changes.pop("kind", series.kind)),
            starts_at=new_start, due=changes.pop("due", None), tz=series.tz,
            contact_ids=changes.pop("contact_ids", series.contact_ids),
            priority=int(changes.pop("priority", series.priority)),
            alarm_min=changes.pop("alarm_min", series.alarm_min),
            duration_min=changes.pop("duration_min", series.duration_min),
            notes=str(changes.pop("notes", series.notes)),
            location=str(changes.pop("location", series.location)),
            rrule=new_rrule, exdates=later)
        if changes:
            raise ValidationError(_("impossible de modifier {value}").format(value=', '.join(sorted(changes))),
                                  sorted(changes)[0])
        same_times = times.format_stored(new_start) == rid
        stamp = clock.stamp()
        if same_times:
            db.execute("UPDATE activities SET series_id = ?, updated = ? WHERE series_id = ?"
                       " AND recurrence_id >= ?", (new_id, stamp, series.id, rid))
        else:
            # the occurrences moved: later overrides no longer replace any of them,
            # they stay as they are, on their own
            db.execute("UPDATE activities SET series_id = NULL, recurrence_id = NULL,"
                       " updated = ? WHERE series_id = ? AND recurrence_id >= ?",
                       (stamp, series.id, rid))
    return get_activity(db, new_id)


def end_series(db: Database, occurrence: Occurrence) -> Activity:
    """Stop a series before this occurrence (it and the following ones disappear)."""
    series = occurrence.activity if occurrence.generated else get_activity(
        db, occurrence.series_id or occurrence.activity.id)
    rid = occurrence.recurrence_id
    if not series.is_series or rid is None:
        raise ValidationError(_("cette activité ne fait pas partie d'une série récurrente"), "rrule")
    rule = parse_rule(series.rrule)
    first = times.format_stored(times.parse_stored(series.starts_at or rid))
    if rid == first:
        raise ValidationError(_("c'est la première occurrence : supprimez plutôt la série"), "rrule")
    return update_activity(db, series.id, rrule=rule.with_until(
        _before(times.parse_stored(rid))).text)


__all__ = ["complete", "complete_occurrence", "cycle_priority", "end_series", "move",
           "override_uid", "skip", "split", "write_completion_history"]
