"""iCalendar (RFC 5545) files: export the agenda, import events and to-dos back.

Export (:func:`export_ics`): meetings and calls become VEVENTs, to-dos VTODOs;
times carry their zone (TZID, with the VTIMEZONE definitions phones and
Outlook need), recurring series their RRULE (UNTIL in UTC, as the RFC asks)
and EXDATEs, overridden occurrences a RECURRENCE-ID under the series' UID,
alarms a VALARM, linked contacts an ATTENDEE with their name. qualif's own
fields (kind, status, contact ids) travel as X-QUALIF-* properties, so a
round trip loses nothing.

Import (:func:`import_ics`) matches activities by UID (an occurrence by UID +
RECURRENCE-ID), so importing the same file twice changes nothing. It is one
transaction: by default (``strict``) any event that cannot be read aborts the
whole import with every problem listed; with ``strict=False`` those are
skipped and listed in the report. Times in other zones are converted to the
home zone (recurring series keep their zone), wall times in a DST gap move
forward, attendees are matched to contacts by e-mail.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from icalendar import Alarm as VAlarm
from icalendar import Calendar, Event, Todo, vCalAddress, vRecur

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.activities import (
    Activity,
    add_activity,
    find_by_uid,
    get_activities,
    update_activity,
)
from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.recurrence import Rule, check_rule, format_until, parse_rule
from qualif_tui.domain.agenda.series import override_uid
from qualif_tui.domain.errors import QualifError, ValidationError
from qualif_tui.storage import Database

PRODID = "-//qualif//agenda//FR"
_PRIORITY_OUT = {1: 1, 2: 5, 3: 9}


class IcsError(QualifError):
    """A file that cannot be imported; the message names the file and the events."""


@dataclass
class IcsExportReport:
    destination: str
    events: int = 0
    todos: int = 0

    @property
    def total(self) -> int:
        return self.events + self.todos


@dataclass
class IcsImportReport:
    path: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# -- export ------------------------------------------------------------------------


def _selected(db: Database, date_from: date | None, date_to: date | None) -> list[Activity]:
    low = date_from.isoformat() if date_from else ""
    high = (date_to + timedelta(days=1)).isoformat() if date_to else "9999"
    ids = [r[0] for r in db.query(
        "SELECT id FROM activities WHERE rrule = '' AND coalesce(starts_at, due) >= ?"
        " AND coalesce(starts_at, due) < ? ORDER BY coalesce(starts_at, due), id", (low, high))]
    if date_from is None:
        ids += [r[0] for r in db.query(
            "SELECT id FROM activities WHERE rrule = '' AND starts_at IS NULL AND due IS NULL")]
    # series that have begun by the end of the range, and every override of them
    series = sorted(r[0] for r in db.query(
        "SELECT id FROM activities WHERE rrule != '' AND starts_at < ?", (high,)))
    if series:
        marks = ",".join("?" * len(series))
        ids += [r[0] for r in db.query(
            f"SELECT id FROM activities WHERE series_id IN ({marks})", series)]
    rows = get_activities(db, list(dict.fromkeys(ids + series)))
    return [rows[i] for i in dict.fromkeys(series + ids) if i in rows]


def _aware(value: times.Moment, zone_name: str) -> times.Moment:
    if isinstance(value, datetime):
        return value.replace(tzinfo=ZoneInfo(zone_name))
    return value


def _rule_out(rule: Rule, zone_name: str, timed: bool) -> vRecur:
    text = rule.text
    if rule.until is not None:
        until = rule.until
        if timed:
            moment = until if isinstance(until, datetime) else datetime.combine(until,
                                                                                 time(23, 59, 59))
            utc = times.to_utc(moment, zone_name)
            text = text.replace(f"UNTIL={format_until(until)}",
                                f"UNTIL={utc:%Y%m%dT%H%M%S}Z")
        elif isinstance(until, datetime):
            text = text.replace(f"UNTIL={format_until(until)}", f"UNTIL={until:%Y%m%d}")
    recur: vRecur = vRecur.from_ical(text)
    return recur


def _contact_emails(db: Database, ids: tuple[int, ...]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in db.query(
        f"SELECT id, email FROM contacts WHERE id IN ({marks})", ids)}


def _component(db: Database, activity: Activity, home: str, series: dict[int, Activity],
               stamp: datetime) -> Event | Todo:
    is_todo = activity.kind == "todo" or activity.starts_at is None
    item: Event | Todo = Todo() if is_todo else Event()
    master = series.get(activity.series_id or 0)
    uid = activity.uid
    if master is not None and activity.recurrence_id:
        uid = master.uid
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("summary", activity.title)
    zone_name = (activity.tz or home) if activity.is_series else home
    start = times.parse_stored(activity.starts_at) if activity.starts_at else None
    if start is not None:
        item.add("dtstart", _aware(start, zone_name))
        if not is_todo:
            if isinstance(start, datetime):
                if activity.duration_min:
                    end = start + timedelta(minutes=activity.duration_min)
                    item.add("dtend", _aware(end, zone_name))
            else:
                days = max(1, (activity.duration_min or 0) // (24 * 60))
                item.add("dtend", start + timedelta(days=days))
        elif activity.duration_min and isinstance(start, datetime) and not activity.due:
            item.add("duration", timedelta(minutes=activity.duration_min))
    if activity.due and is_todo:
        item.add("due", _aware(times.parse_stored(activity.due), zone_name))
    if activity.notes:
        item.add("description", activity.notes)
    if activity.location:
        item.add("location", activity.location)
    item.add("priority", _PRIORITY_OUT.get(activity.priority, 5))
    item.add("categories", [activity.kind_label])
    item.add("x-qualif-kind", activity.kind)
    item.add("x-qualif-status", activity.status)
    if is_todo:
        item.add("status", {"open": "NEEDS-ACTION", "done": "COMPLETED",
                            "cancelled": "CANCELLED"}[activity.status])
        if activity.status == "done" and activity.done_at:
            item.add("completed", times.to_utc(datetime.fromisoformat(activity.done_at), home))
    else:
        item.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
    if activity.rrule and start is not None:
        item.add("rrule", _rule_out(parse_rule(activity.rrule), zone_name,
                                    isinstance(start, datetime)))
        for text in activity.excluded:
            item.add("exdate", _aware(times.parse_stored(text), zone_name))
    if master is not None and activity.recurrence_id:
        master_zone = master.tz or home
        item.add("recurrence-id", _aware(times.parse_stored(activity.recurrence_id),
                                         master_zone))
    emails = _contact_emails(db, activity.contact_ids)
    for contact in activity.contacts:
        email = emails.get(contact.id, "")
        address = vCalAddress(f"mailto:{email}" if email else
                              f"urn:x-qualif:contact:{contact.id}")
        address.params["cn"] = contact.name
        address.params["role"] = "REQ-PARTICIPANT"
        item.add("attendee", address, encode=False)
    if activity.contact_ids:
        item.add("x-qualif-contacts", ",".join(str(i) for i in activity.contact_ids))
    if activity.alarm_min is not None and (start is not None or activity.due):
        alarm = VAlarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", activity.title)
        alarm.add("trigger", timedelta(minutes=-activity.alarm_min))
        item.add_component(alarm)
    return item


def export_ics(db: Database, destination: str | os.PathLike[str] | IO[bytes] | IO[str],
               date_from: date | None = None, date_to: date | None = None) -> IcsExportReport:
    """Write the activities of ``date_from``..``date_to`` (all when None) as iCalendar.

    Recurring series that have begun by ``date_to`` are written whole (their
    RRULE), with their overridden occurrences. ``destination`` is a path
    (written through a temporary name, so a failure leaves no half file) or an
    open binary/text stream.
    """
    if date_from and date_to and date_to < date_from:
        raise ValidationError(_("la fin de la période est avant son début"), "to")
    home = times.home_zone_name(db)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "qualif")
    stamp = datetime.now(UTC).replace(microsecond=0)
    with db.lock:
        selected = _selected(db, date_from, date_to)
    series = {a.id: a for a in selected if a.is_series}
    name = destination if isinstance(destination, str | os.PathLike) else "<stream>"
    report = IcsExportReport(str(name))
    for activity in selected:
        component = _component(db, activity, home, series, stamp)
        calendar.add_component(component)
        if isinstance(component, Todo):
            report.todos += 1
        else:
            report.events += 1
    calendar.add_missing_timezones()
    data = calendar.to_ical()
    if isinstance(destination, str | os.PathLike):
        target = Path(destination)
        partial = target.with_name(target.name + ".partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise IcsError(_("impossible d'écrire {target} : {value}").format(target=target, value=error.strerror or error)) from None
    elif isinstance(destination, io.TextIOBase):
        destination.write(data.decode("utf-8"))
    else:
        destination.write(data)
    return report


# -- import ------------------------------------------------------------------------


@dataclass
class _Parsed:
    uid: str
    recurrence_id: str | None
    values: dict[str, Any]
    contact_ids: list[int]
    label: str


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IcsError(_("{path} : fichier introuvable").format(path=path)) from None
    except IsADirectoryError:
        raise IcsError(_("{path} est un dossier, pas un fichier .ics").format(path=path)) from None
    except OSError as error:
        raise IcsError(_("impossible de lire {path} : {value}").format(path=path, value=error.strerror or error)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # RFC 5545 says UTF-8; older Outlook files are Windows-1252
        data = data.decode("cp1252", errors="replace").encode("utf-8")
    return data


def _component_lines(text: str) -> Iterator[int]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().upper() in ("BEGIN:VEVENT", "BEGIN:VTODO"):
            yield number


def _zone_of(value: datetime) -> str | None:
    info = value.tzinfo
    if info is None:
        return None
    if isinstance(info, ZoneInfo):
        return info.key
    if value.utcoffset() == timedelta(0) and str(info).upper() in ("UTC", "Z", "ETC/UTC"):
        return "UTC"
    key = getattr(info, "key", None) or getattr(info, "zone", None)
    if isinstance(key, str):
        try:
            times.zone(key)
            return key
        except ValidationError:
            return None
    return None


def _moment_in(value: Any, home: str, zone_name: str | None = None
               ) -> tuple[times.Moment, str]:
    """A DTSTART-like value as (naive wall time in its zone or a date, zone name)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(second=0, microsecond=0), home
        found = _zone_of(value)
        if found is None:  # a VTIMEZONE of the file's own: keep the instant
            found = zone_name or home
            return times.from_utc(value.astimezone(UTC), found).replace(second=0), found
        return value.replace(tzinfo=None, second=0, microsecond=0), found
    if isinstance(value, date):
        return value, home
    if isinstance(value, list):
        raise ValueError(_("la date est donnée plus d'une fois"))
    raise ValueError(_("« {value} » n'est pas une date").format(value=value))


def _decoded(component: Any, name: str) -> Any:
    if name.upper() not in component:
        return None
    return component.decoded(name)


def _priority(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 2
    if 1 <= number <= 4:
        return 1
    if 6 <= number <= 9:
        return 3
    return 2


def _alarm_minutes(component: Any, start: times.Moment | None) -> int | None:
    for alarm in component.walk("VALARM"):
        trigger = _decoded(alarm, "trigger")
        if isinstance(trigger, timedelta):
            return max(0, int(-trigger / timedelta(minutes=1)))
        if isinstance(trigger, datetime) and isinstance(start, datetime):
            ring = trigger.replace(tzinfo=None) if trigger.tzinfo is None else trigger
            begin = start
            if ring.tzinfo is not None:
                ring = ring.astimezone(UTC).replace(tzinfo=None)
                begin = start
            return max(0, int((begin - ring) / timedelta(minutes=1)))
    return None


def _status(component: Any, is_todo: bool) -> str:
    own = str(component.get("x-qualif-status", "")).lower()
    if own in ("open", "done", "cancelled"):
        return own
    status = str(component.get("status", "")).upper()
    if status == "CANCELLED":
        return "cancelled"
    if status == "COMPLETED" or (is_todo and "COMPLETED" in component):
        return "done"
    return "open"


def _contacts(db: Database, component: Any) -> list[int]:
    own = str(component.get("x-qualif-contacts", ""))
    ids = [int(x) for x in re.findall(r"\d+", own)]
    if ids:
        marks = ",".join("?" * len(ids))
        return [r[0] for r in db.query(f"SELECT id FROM contacts WHERE id IN ({marks})", ids)]
    attendees = component.get("attendee", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    found: list[int] = []
    for attendee in attendees:
        address = str(attendee)
        if address.lower().startswith("mailto:"):
            email = address[7:].strip().lower()
            row = db.scalar("SELECT id FROM contacts WHERE norm_email = ? ORDER BY id LIMIT 1",
                            (email,)) if email else None
            if row is not None:
                found.append(int(row))
    return found


def _rule_in(component: Any, start: times.Moment, zone_name: str, notes: list[str],
             label: str) -> str:
    value = component.get("rrule")
    if value is None:
        return ""
    if isinstance(value, list):
        if len(value) > 1:
            notes.append(_("{label} : plusieurs RRULE, la première gardée").format(label=label))
        value = value[0]
    text = value.to_ical().decode("ascii", errors="replace")
    match = re.search(r"UNTIL=(\d{8}T\d{6})Z", text)
    if match:
        utc = datetime.strptime(match[1], "%Y%m%dT%H%M%S")
        local = times.from_utc(utc, zone_name)
        text = text.replace(match[0], f"UNTIL={local:%Y%m%dT%H%M%S}")
    try:
        return check_rule(text, start).text
    except ValidationError as error:
        if "FREQ=" in str(error) and "not supported" in str(error):
            notes.append(_("{label} : {error} ; importé comme un événement simple").format(label=label, error=error))
            return ""
        raise


def _exdates(component: Any, zone_name: str, home: str) -> list[str]:
    found: list[str] = []
    values = component.get("exdate")
    if values is None:
        return found
    if not isinstance(values, list):
        values = [values]
    for item in values:
        for entry in getattr(item, "dts", []):
            moment, _zone = _moment_in(entry.dt, home, zone_name)
            if isinstance(moment, datetime) and _zone != zone_name:
                moment = times.convert(moment, _zone, zone_name)
            found.append(times.format_stored(moment))
    return found


def _parse(db: Database, component: Any, home: str, notes: list[str], label: str
           ) -> _Parsed:
    is_todo = component.name == "VTODO"
    summary = str(component.get("summary", "")).strip()
    raw_start = _decoded(component, "dtstart")
    raw_due = _decoded(component, "due") if is_todo else None
    if raw_start is None and raw_due is None and not is_todo:
        raise ValidationError(_("pas de DTSTART"), "DTSTART")
    start, zone_name = _moment_in(raw_start, home) if raw_start is not None else (None, home)
    due = None
    if raw_due is not None:
        due, due_zone = _moment_in(raw_due, home, zone_name)
        if isinstance(due, datetime) and due_zone != zone_name:
            due = times.convert(due, due_zone, zone_name)
    if start is not None and due is not None and times.day_of(due) < times.day_of(start):
        notes.append(_("{label} : DUE avant DTSTART, DUE abandonné").format(label=label))
        due = None
    duration: int | None = None
    raw_end = _decoded(component, "dtend")
    raw_duration = _decoded(component, "duration")
    if isinstance(raw_duration, timedelta):
        duration = int(raw_duration / timedelta(minutes=1))
    elif raw_end is not None and start is not None:
        end, end_zone = _moment_in(raw_end, home, zone_name)
        if isinstance(start, datetime) and isinstance(end, datetime):
            if end_zone != zone_name:
                end = times.convert(end, end_zone, zone_name)
            duration = times.minutes_between(start, end, zone_name)
        elif not isinstance(start, datetime) and not isinstance(end, datetime):
            days = (end - start).days
            duration = days * 24 * 60 if days > 1 else None
    if duration == 0:
        duration = None
    if duration is not None and duration < 0:
        notes.append(_("{label} : finit avant de commencer, durée abandonnée").format(label=label))
        duration = None
    rrule = _rule_in(component, start, zone_name, notes, label) if start is not None else ""
    exdates = _exdates(component, zone_name, home) if rrule else []
    uid = str(component.get("uid", "")).strip()
    if not uid:
        seed = f"{summary}|{raw_start}|{raw_due}".encode()
        uid = f"ics-{hashlib.sha1(seed).hexdigest()[:16]}@import"
    recurrence_id = None
    if "RECURRENCE-ID" in component:
        raw_rid = _decoded(component, "recurrence-id")
        rid, rid_zone = _moment_in(raw_rid, home, zone_name)
        if isinstance(raw_rid, datetime) and raw_rid.tzinfo is not None \
                and isinstance(rid, datetime) and rid_zone != zone_name:
            # told in another zone (often UTC): the occurrence it replaces is in the event's
            rid = times.convert(rid, rid_zone, zone_name)
        recurrence_id = times.format_stored(rid)
    kind = str(component.get("x-qualif-kind", "")).strip().lower() or (
        "todo" if is_todo else "meeting")
    values: dict[str, Any] = {
        "title": summary or "(sans titre)",
        "kind": kind,
        "starts_at": start,
        "due": due,
        "tz": zone_name if zone_name != home else "",
        "duration_min": duration,
        "priority": _priority(component.get("priority")),
        "alarm_min": _alarm_minutes(component, start),
        "rrule": rrule,
        "exdates": exdates,
        "notes": str(component.get("description", "")).strip(),
        "location": str(component.get("location", "")).strip(),
        "status": _status(component, is_todo),
    }
    return _Parsed(uid, recurrence_id, values, _contacts(db, component), label)


def _same(existing: Activity, parsed: _Parsed, home: str) -> bool:
    v = parsed.values
    start = v["starts_at"]
    stored_start = times.format_stored(start) if start is not None else None
    if start is not None and isinstance(start, datetime) and not v["rrule"] and v["tz"]:
        stored_start = times.format_stored(times.convert(start, v["tz"], home))
    return (existing.title == v["title"] and existing.kind == v["kind"]
            and existing.starts_at == stored_start and existing.notes == v["notes"]
            and existing.location == v["location"] and existing.priority == v["priority"]
            and existing.alarm_min == v["alarm_min"] and existing.rrule == v["rrule"]
            and existing.duration_min == v["duration_min"] and existing.status == v["status"]
            and existing.exdates == ",".join(v["exdates"])
            and sorted(existing.contact_ids) == sorted(parsed.contact_ids))


def _store(db: Database, parsed: _Parsed, report: IcsImportReport, home: str) -> None:
    v = dict(parsed.values)
    status = v.pop("status")
    series_id = None
    uid = parsed.uid
    if parsed.recurrence_id is not None:
        master = find_by_uid(db, parsed.uid)
        if master is None or not master.is_series:
            raise ValidationError(_("RECURRENCE-ID {recurrence_id} d'une série qui n'est ni dans le fichier ni dans l'agenda").format(recurrence_id=parsed.recurrence_id), "RECURRENCE-ID")
        series_id = master.id
        uid = override_uid(parsed.uid, parsed.recurrence_id)
    existing = find_by_uid(db, uid)
    if existing is None:
        add_activity(db, contact_ids=parsed.contact_ids, uid=uid, status=status,
                     series_id=series_id, recurrence_id=parsed.recurrence_id,
                     shift_gaps=True, **v)
        report.created += 1
        return
    if _same(existing, parsed, home):
        report.unchanged += 1
        return
    update_activity(db, existing.id, contact_ids=parsed.contact_ids,
                    **{k: val for k, val in v.items()})
    if existing.status != status:
        now = clock.stamp()
        db.execute("UPDATE activities SET status = ?, done_at = ?, updated = ? WHERE id = ?",
                   (status, now if status != "open" else None, now, existing.id))
    report.updated += 1


class _DryRun(Exception):
    pass


def import_ics(db: Database, path: str | os.PathLike[str], *, dry_run: bool = False,
               strict: bool = True) -> IcsImportReport:
    """Bring the VEVENTs and VTODOs of an .ics file into the agenda (by UID: no
    duplicates on re-import). One transaction; see the module's doc for ``strict``."""
    source = Path(path)
    data = _read(source)
    text = data.decode("utf-8", errors="replace")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise IcsError(_("{source} : pas un fichier iCalendar valide ({value})").format(source=source, value=_short(error))) from None
    report = IcsImportReport(str(source), dry_run=dry_run)
    report.warnings += sorted({f"{source}: {w.message}" for w in caught})
    loose = [c for c in calendars if getattr(c, "name", "") in ("VEVENT", "VTODO")]
    calendars = [c for c in calendars if getattr(c, "name", "") == "VCALENDAR"] + loose
    if loose:
        report.warnings.append(_("{source} : des événements hors d'un VCALENDAR, lus quand même").format(source=source))
    if not calendars:
        raise IcsError(_("{source} : ni VCALENDAR, ni VEVENT, ni VTODO dans ce fichier (est-ce un fichier .ics ?)").format(source=source))
    home = times.home_zone_name(db)
    lines = list(_component_lines(text))
    components = [c for cal in calendars for c in cal.walk() if c.name in ("VEVENT", "VTODO")]
    parsed: list[_Parsed] = []
    problems: list[str] = []
    for index, component in enumerate(components):
        line = lines[index] if index < len(lines) else 0
        summary = str(component.get("summary", "")).strip()
        label = f"{source}:{line}: {component.name}" + (f" '{summary}'" if summary else "")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                parsed.append(_parse(db, component, home, report.warnings, label))
            report.warnings += sorted({f"{label}: {w.message}" for w in caught})
        except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as error:
            problems.append(f"{label}: {_short(error)}")
    # masters before their overridden occurrences
    parsed.sort(key=lambda p: p.recurrence_id is not None)
    try:
        with db.transaction():
            for item in parsed:
                try:
                    with db.transaction():
                        _store(db, item, report, home)
                except ValidationError as error:
                    problems.append(f"{item.label}: {error}")
            if problems and strict:
                raise IcsError(f"{source}: nothing imported, {len(problems)} event(s) cannot"
                               " be read:\n  " + "\n  ".join(problems[:20]) +
                               (f"\n  … and {len(problems) - 20} more" if len(problems) > 20
                                else ""))
            report.skipped = problems
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
