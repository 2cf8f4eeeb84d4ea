"""iCalendar export and import: round trip, re-import without duplicates, bad files."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from qualif_tui.domain.activities import add_activity, get_activity
from qualif_tui.domain.agenda import series, times
from qualif_tui.domain.agenda.occurrences import find_occurrence, occurrences_between
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.ical import IcsError, export_ics, import_ics
from qualif_tui.storage import Database, open_database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ics"


@pytest.fixture(autouse=True)
def paris() -> Iterator[None]:
    times.set_local_zone("Europe/Paris")
    yield
    times.set_local_zone(None)


@pytest.fixture
def agenda(db: Database) -> Database:
    helene = create_contact(db, {"first_name": "Hélène", "last_name": "Durand",
                                 "email": "helene@example.fr"})
    weekly = add_activity(db, "Réunion hebdo", kind="meeting", starts_at="2026-11-02T08:30",
                          duration_min=45, alarm_min=10, location="Blagnac",
                          rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630", contact_ids=[helene])
    series.skip(db, find_occurrence(db, weekly, "2026-11-30T08:30"))
    series.complete(db, find_occurrence(db, weekly, "2026-11-16T08:30"))
    add_activity(db, "Appeler Hélène", kind="call", starts_at="2026-11-21T14:00",
                 contact_ids=[helene], priority=1, notes="devis, options ; accents é")
    add_activity(db, "Préparer le salon", kind="todo", due="2026-11-30", priority=3)
    add_activity(db, "Journée salon", kind="meeting", starts_at="2026-12-05")
    return db


def _snapshot(db: Database) -> list[tuple[object, ...]]:
    return [(o.title, o.kind, o.start, o.end, o.status, o.priority, o.activity.alarm_min,
             o.activity.location, o.activity.notes, tuple(c.name for c in o.contacts))
            for o in occurrences_between(db, date(2026, 11, 1), date(2026, 12, 31))]


def test_export_is_valid_icalendar(agenda: Database, tmp_path: Path) -> None:
    path = tmp_path / "agenda.ics"
    report = export_ics(agenda, path)
    assert (report.events, report.todos) == (4, 1)
    calendar = Calendar.from_ical(path.read_bytes())
    text = path.read_text(encoding="utf-8").replace("\n ", "")  # unfolded
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Paris" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270630T215959Z;BYDAY=MO" in text  # UNTIL in UTC
    assert "EXDATE;TZID=Europe/Paris:20261130T083000" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20261116T083000" in text
    assert 'ATTENDEE;CN="Durand Hélène"' in text and "mailto:helene@example.fr" in text
    assert "TRIGGER:-PT10M" in text
    assert "DTSTART;VALUE=DATE:20261205" in text
    events = calendar.walk("VEVENT")
    assert len({str(e["uid"]) for e in events}) == 3  # the override shares its series' UID
    assert all("DTSTAMP" in e for e in events)


def test_round_trip_and_reimport_without_duplicates(agenda: Database, tmp_path: Path) -> None:
    path = tmp_path / "agenda.ics"
    export_ics(agenda, path)
    copy = open_database(tmp_path / "copy.db", create=True)
    create_contact(copy, {"first_name": "Hélène", "last_name": "Durand",
                          "email": "helene@example.fr"})
    first = import_ics(copy, path)
    assert (first.created, first.updated, first.unchanged, first.skipped) == (5, 0, 0, [])
    assert _snapshot(copy) == _snapshot(agenda)
    again = import_ics(copy, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert copy.scalar("SELECT count(*) FROM activities") == 5
    # into the same file: everything is matched by UID
    same = import_ics(agenda, path)
    assert (same.created, same.unchanged) == (0, 5)
    copy.close()


def test_reimport_updates_changed_events(agenda: Database, tmp_path: Path) -> None:
    path = tmp_path / "agenda.ics"
    export_ics(agenda, path)
    text = path.read_text(encoding="utf-8").replace("SUMMARY:Appeler Hélène",
                                                    "SUMMARY:Appeler Hélène (urgent)")
    path.write_text(text, encoding="utf-8")
    report = import_ics(agenda, path)
    assert (report.updated, report.unchanged) == (1, 4)
    titles = {o.title for o in occurrences_between(agenda, date(2026, 11, 21), date(2026, 11, 21))}
    assert titles == {"Appeler Hélène (urgent)"}


def test_export_range_and_stream(agenda: Database) -> None:
    stream = io.BytesIO()
    report = export_ics(agenda, stream, date(2026, 11, 25), date(2026, 11, 30))
    assert report.todos == 1 and report.events == 2  # the series (+ its override)
    text = io.StringIO()
    export_ics(agenda, text, date(2026, 12, 1), date(2026, 12, 31))
    assert "Journée salon" in text.getvalue() and "Préparer" not in text.getvalue()


def _write(tmp_path: Path, body: str, name: str = "in.ics") -> Path:
    path = tmp_path / name
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n" + body +
                    "END:VCALENDAR\r\n", encoding="utf-8")
    return path


def test_import_converts_zones_and_dst_gaps(db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path,
                  "BEGIN:VEVENT\r\nUID:a@x\r\nSUMMARY:New York\r\n"
                  "DTSTART;TZID=America/New_York:20261123T090000\r\n"
                  "DTEND;TZID=America/New_York:20261123T100000\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:b@x\r\nSUMMARY:UTC\r\nDTSTART:20261124T100000Z\r\n"
                  "DURATION:PT30M\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:c@x\r\nSUMMARY:Gap\r\nDTSTART:20270328T023000\r\n"
                  "END:VEVENT\r\n"
                  "BEGIN:VTODO\r\nUID:d@x\r\nSUMMARY:Tâche\r\nDUE;VALUE=DATE:20261201\r\n"
                  "PRIORITY:1\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n")
    report = import_ics(db, path)
    assert report.created == 4
    rows = {r["uid"]: r for r in db.query("SELECT * FROM activities")}
    assert (rows["a@x"]["starts_at"], rows["a@x"]["duration_min"]) == ("2026-11-23T15:00", 60)
    assert (rows["b@x"]["starts_at"], rows["b@x"]["duration_min"]) == ("2026-11-24T11:00", 30)
    assert rows["c@x"]["starts_at"] == "2027-03-28T03:30"  # moved out of the gap
    assert (rows["d@x"]["kind"], rows["d@x"]["priority"], rows["d@x"]["status"]) == (
        "todo", 1, "done")


def test_bad_files_leave_the_database_as_it_was(db: Database, tmp_path: Path) -> None:
    add_activity(db, "Déjà là", starts_at="2026-11-20")
    with pytest.raises(IcsError, match="no such file"):
        import_ics(db, tmp_path / "missing.ics")
    garbage = tmp_path / "garbage.ics"
    garbage.write_bytes(b"\x00\x01 this is not a calendar")
    with pytest.raises(IcsError, match="garbage.ics"):
        import_ics(db, garbage)
    broken = _write(tmp_path,
                    "BEGIN:VEVENT\r\nUID:ok@x\r\nSUMMARY:Bon\r\nDTSTART:20261201T100000\r\n"
                    "END:VEVENT\r\n"
                    "BEGIN:VEVENT\r\nUID:never@x\r\nSUMMARY:Jamais\r\nDTSTART:20261201T100000\r\n"
                    "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n"
                    "BEGIN:VEVENT\r\nUID:nostart@x\r\nSUMMARY:Sans date\r\nEND:VEVENT\r\n",
                    "broken.ics")
    with pytest.raises(IcsError) as raised:
        import_ics(db, broken)
    message = str(raised.value)
    assert "nothing imported" in message and "broken.ics:9: VEVENT 'Jamais'" in message
    assert "never occurs" in message and "no DTSTART" in message
    assert db.scalar("SELECT count(*) FROM activities") == 1
    lenient = import_ics(db, broken, strict=False)
    assert lenient.created == 1 and len(lenient.skipped) == 2
    dry = import_ics(db, _write(tmp_path, "BEGIN:VEVENT\r\nUID:dry@x\r\nSUMMARY:Essai\r\n"
                                "DTSTART:20261202T100000\r\nEND:VEVENT\r\n", "dry.ics"),
                     dry_run=True)
    assert dry.created == 1 and db.scalar("SELECT count(*) FROM activities") == 2


def test_unsupported_recurrence_is_kept_as_a_single_event(db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, "BEGIN:VEVENT\r\nUID:h@x\r\nSUMMARY:Toutes les heures\r\n"
                            "DTSTART:20261201T100000\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n")
    report = import_ics(db, path)
    assert report.created == 1 and "single event" in report.warnings[0]
    assert get_activity(db, 1).rrule == ""


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpora/ics is not beside the checkout")
def test_real_files_never_crash(db: Database) -> None:
    files = sorted(CORPUS.glob("*/*.ics"))
    assert files
    imported = 0
    for path in files:
        try:
            report = import_ics(db, path, strict=False)
        except IcsError as error:
            assert path.name in str(error)
            continue
        imported += report.created
    assert imported >= 40
    radicale = import_ics(db, CORPUS / "vobject" / "radicale-0827.ics", strict=False)
    assert radicale.created == 0 and radicale.unchanged == 3  # already there: by UID
