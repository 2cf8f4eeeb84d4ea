"""Activities, occurrences of series, roll-over, completion history, reminders,
bulk follow-ups, views and alarms — the agenda's core, without a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from qualif_tui.domain import clock
from qualif_tui.domain.activities import (
    add_activity,
    complete_activity,
    contact_activities,
    get_activity,
    reschedule,
)
from qualif_tui.domain.agenda import series, times
from qualif_tui.domain.agenda.alarms import (
    LAST_CHECK_META,
    alarms_between,
    missed_alarms,
    record_check,
)
from qualif_tui.domain.agenda.occurrences import find_occurrence, occurrences_between
from qualif_tui.domain.agenda.reminders import reminder_to_activity, reminders_on
from qualif_tui.domain.agenda.views import build_view, step, task_list, window
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import QueryError
from qualif_tui.services.followups import schedule_follow_ups
from qualif_tui.storage import Database

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def paris() -> Iterator[None]:
    times.set_local_zone("Europe/Paris")
    yield
    times.set_local_zone(None)


@pytest.fixture
def people(db: Database) -> list[int]:
    return [create_contact(db, {"first_name": f, "last_name": n, "email": e})
            for f, n, e in (("Hélène", "Durand", "helene@example.fr"),
                            ("Zoé", "Ferrand", "zoe@example.fr"))]


def _last_contact(db: Database, contact_id: int) -> str | None:
    value = db.scalar("SELECT last_contact FROM contact_facts WHERE contact_id = ?", (contact_id,))
    return None if value is None else str(value)


def test_activity_fields_and_home_zone(db: Database, people: list[int]) -> None:
    activity_id = add_activity(db, "Rendez-vous concession", kind="meeting",
                               starts_at="2026-11-23T14:00", duration_min=60, alarm_min=15,
                               location="Blagnac", contact_ids=people, priority=1)
    activity = get_activity(db, activity_id)
    assert activity.tz == "" and db.get_meta(times.HOME_ZONE_META) == "Europe/Paris"
    assert [c.name for c in activity.contacts] == ["Durand Hélène", "Ferrand Zoé"]
    assert (activity.priority, activity.alarm_min, activity.location) == (1, 15, "Blagnac")
    # a time given in another zone is stored in the home zone
    other = get_activity(db, add_activity(db, "Call NY", kind="call",
                                          starts_at="2026-11-23T09:00", tz="America/New_York"))
    assert (other.starts_at, other.tz) == ("2026-11-23T15:00", "")


@pytest.mark.english  # reads the messages in English
def test_bad_activity_input(db: Database, people: list[int]) -> None:
    with pytest.raises(ValidationError, match="needs a title"):
        add_activity(db, "  ")
    with pytest.raises(ValidationError, match="not a date"):
        add_activity(db, "x", starts_at="2026-02-31")
    with pytest.raises(ValidationError, match="does not exist"):
        add_activity(db, "x", starts_at="2027-03-28T02:30")  # DST gap in Paris
    with pytest.raises(ValidationError, match="never occurs"):
        add_activity(db, "x", starts_at="2026-11-20T09:00",
                     rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    with pytest.raises(ValidationError, match="priority"):
        add_activity(db, "x", priority=7)
    with pytest.raises(NotFound):
        add_activity(db, "x", contact_ids=[999])
    assert db.scalar("SELECT count(*) FROM activities") == 0  # nothing half-written


def test_done_writes_history_and_last_contact(db: Database, people: list[int]) -> None:
    call = add_activity(db, "Relancer le devis", kind="call", starts_at="2026-11-20T09:00",
                        contact_ids=people)
    assert _last_contact(db, people[0]) is None
    complete_activity(db, call)
    for contact_id in people:
        entries = db.query("SELECT kind, subject, automatic FROM history WHERE contact_id = ?"
                           " AND activity_id = ?", (contact_id, call))
        assert [tuple(e) for e in entries] == [("call", "Relancer le devis (fait)", 0)]
        assert _last_contact(db, contact_id) == "2026-11-20"
    assert contact_activities(db, people[0]) == []
    assert len(contact_activities(db, people[0], include_closed=True)) == 1


def test_not_held_is_on_the_timeline_but_not_a_contact(db: Database, people: list[int]) -> None:
    meeting = add_activity(db, "Visite", kind="meeting", starts_at="2026-11-19T10:00",
                           contact_ids=[people[0]])
    complete_activity(db, meeting, outcome="cancelled")
    row = db.query("SELECT subject, automatic FROM history WHERE activity_id = ?", (meeting,))
    assert tuple(row[0]) == ("Visite (non tenu)", 1)
    assert _last_contact(db, people[0]) is None


def test_reschedule_keeps_time_of_day(db: Database) -> None:
    call = add_activity(db, "Appel", kind="call", starts_at="2026-11-18T16:30")
    assert reschedule(db, call, date(2026, 11, 25)).starts_at == "2026-11-25T16:30"
    todo = add_activity(db, "Devis", due="2026-11-18")
    assert reschedule(db, todo, date(2026, 11, 24)).due == "2026-11-24"


def test_rollover_across_several_days(db: Database, people: list[int]) -> None:
    late_call = add_activity(db, "Rappeler", kind="call", starts_at="2026-11-17T09:00",
                             contact_ids=[people[0]], priority=2)
    late_todo = add_activity(db, "Envoyer le devis", due="2026-11-12", priority=1)
    add_activity(db, "Salon", kind="meeting", starts_at="2026-11-18T10:00")  # never rolls
    done = add_activity(db, "Fait", kind="call", starts_at="2026-11-16T10:00")
    complete_activity(db, done)
    today = build_view(db, "day").days[0]
    assert [(o.title, o.original, o.late_days) for o in today.items if o.rolled_over] == [
        ("Envoyer le devis", date(2026, 11, 12), 8), ("Rappeler", date(2026, 11, 17), 3)]
    assert today.rolled_total == 2
    # two days later it is still there, later still
    clock.freeze(datetime(2026, 11, 22, 9, 0))
    later = build_view(db, "day").days[0]
    assert [(o.activity.id, o.late_days) for o in later.items if o.rolled_over] == [
        (late_todo, 10), (late_call, 5)]
    # rescheduled or done: no longer rolled over
    reschedule(db, late_call, date(2026, 11, 24))
    complete_activity(db, late_todo)
    assert not [o for o in build_view(db, "day").days[0].items if o.rolled_over]
    # rolled-over items show on today only, not on the past days themselves twice
    assert build_view(db, "day", date(2026, 11, 21)).days[0].items == []


def test_recurring_series_occurrences(db: Database, people: list[int]) -> None:
    weekly = add_activity(db, "Réunion commerciale", kind="meeting",
                          starts_at="2026-11-02T08:30", duration_min=45,
                          rrule="chaque lundi".replace("chaque lundi", "FREQ=WEEKLY;BYDAY=MO"),
                          contact_ids=[people[0]])
    found = occurrences_between(db, date(2026, 11, 16), date(2026, 12, 6))
    assert [(o.start, o.recurrence_id) for o in found] == [
        (datetime(2026, 11, 16, 8, 30), "2026-11-16T08:30"),
        (datetime(2026, 11, 23, 8, 30), "2026-11-23T08:30"),
        (datetime(2026, 11, 30, 8, 30), "2026-11-30T08:30")]
    assert found[0].time_label == "08:30–09:15"
    # complete one occurrence: the others stay open, history is written once
    series.complete(db, found[0])
    after = occurrences_between(db, date(2026, 11, 16), date(2026, 12, 6))
    assert [o.status for o in after] == ["done", "open", "open"]
    assert not after[0].generated and after[0].series_id == weekly
    assert _last_contact(db, people[0]) == "2026-11-16"
    # move one occurrence to Tuesday 10:00: only that one moves
    series.move(db, after[1], datetime(2026, 11, 24, 10, 0))
    moved = occurrences_between(db, date(2026, 11, 16), date(2026, 12, 6))
    assert [o.start for o in moved] == [datetime(2026, 11, 16, 8, 30),
                                        datetime(2026, 11, 24, 10, 0),
                                        datetime(2026, 11, 30, 8, 30)]
    # skip one: removed from the series (EXDATE)
    series.skip(db, moved[2])
    assert get_activity(db, weekly).exdates == "2026-11-30T08:30"
    assert len(occurrences_between(db, date(2026, 11, 16), date(2026, 12, 6))) == 2
    assert find_occurrence(db, weekly, "2026-12-07T08:30").start == datetime(2026, 12, 7, 8, 30)
    with pytest.raises(NotFound):
        find_occurrence(db, weekly, "2026-12-08T08:30")


def test_this_and_following_splits_the_series(db: Database) -> None:
    weekly = add_activity(db, "Point équipe", kind="meeting", starts_at="2026-11-02T08:30",
                          rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8")
    found = occurrences_between(db, date(2026, 11, 1), date(2027, 1, 31))
    assert len(found) == 8
    series.complete(db, found[5])  # an override after the split point follows the new series
    occurrence = find_occurrence(db, weekly, "2026-11-23T08:30")
    new = series.split(db, occurrence, title="Point équipe (nouvelle formule)")
    assert get_activity(db, weekly).rrule == "FREQ=WEEKLY;COUNT=3;BYDAY=MO"
    assert new.rrule == "FREQ=WEEKLY;COUNT=5;BYDAY=MO" and new.starts_at == "2026-11-23T08:30"
    after = occurrences_between(db, date(2026, 11, 1), date(2027, 1, 31))
    new_title = "Point équipe (nouvelle formule)"
    # the occurrence done before the split keeps what it was; it now belongs to the new series
    assert [o.title for o in after] == ["Point équipe"] * 3 + [new_title] * 2 + [
        "Point équipe"] + [new_title] * 2
    assert after[5].status == "done" and after[5].series_id == new.id
    assert [o.status for o in after].count("done") == 1
    # moving "this and following" to 9:00 starts a new series at 9:00
    until = add_activity(db, "Revue", kind="meeting", starts_at="2026-11-03T14:00",
                         rrule="FREQ=WEEKLY;BYDAY=TU")
    moved = series.move(db, find_occurrence(db, until, "2026-11-17T14:00"),
                        datetime(2026, 11, 17, 9, 0), following=True)
    assert get_activity(db, until).rrule == "FREQ=WEEKLY;UNTIL=20261117T135900;BYDAY=TU"
    assert moved.starts_at == "2026-11-17T09:00"
    days = [(o.start, o.title) for o in occurrences_between(db, date(2026, 11, 1),
                                                             date(2026, 11, 30))
            if o.title == "Revue"]
    assert [d for d, _ in days] == [datetime(2026, 11, 3, 14), datetime(2026, 11, 10, 14),
                                    datetime(2026, 11, 17, 9), datetime(2026, 11, 24, 9)]


def test_recurring_todo_rolls_over_once(db: Database) -> None:
    add_activity(db, "Rapport hebdo", kind="todo", starts_at="2026-10-02",
                 rrule="FREQ=WEEKLY;BYDAY=FR")
    today = build_view(db, "day").days[0]
    rolled = [o for o in today.items if o.rolled_over]
    assert [(o.recurrence_id, o.late_days) for o in rolled] == [("2026-11-13", 7)]
    series.complete(db, rolled[0])
    assert not [o for o in build_view(db, "day").days[0].items if o.rolled_over]


def test_dst_series_in_views(db: Database) -> None:
    add_activity(db, "Nuit", kind="meeting", starts_at="2027-03-27T02:30",
                 rrule="FREQ=DAILY;COUNT=3")
    found = occurrences_between(db, date(2027, 3, 27), date(2027, 3, 29))
    # 28 March 02:30 does not exist in Paris: it happens at 03:30 (RFC 5545)
    assert [o.start for o in found] == [datetime(2027, 3, 27, 2, 30),
                                        datetime(2027, 3, 28, 3, 30),
                                        datetime(2027, 3, 29, 2, 30)]


def test_foreign_zone_series_shown_in_local_time(db: Database) -> None:
    add_activity(db, "Call Montréal", kind="call", starts_at="2026-11-02T09:00",
                 tz="America/Montreal", rrule="FREQ=WEEKLY;BYDAY=MO")
    found = occurrences_between(db, date(2026, 11, 16), date(2026, 11, 22))
    assert [o.start for o in found] == [datetime(2026, 11, 16, 15, 0)]


def test_travelling_shows_home_times_in_the_local_zone(db: Database) -> None:
    add_activity(db, "Appel", kind="call", starts_at="2026-11-23T08:00")
    add_activity(db, "Journée salon", kind="todo", starts_at="2026-11-23")
    times.set_local_zone("America/Montreal")  # the laptop travelled
    days = build_view(db, "week", date(2026, 11, 23)).days
    shown = {(d.day, o.title, o.time_label) for d in days for o in d.items}
    assert (date(2026, 11, 23), "Appel", "02:00") in shown
    assert (date(2026, 11, 23), "Journée salon", "journée") in shown


def test_birthdays_and_key_reminders(db: Database) -> None:
    key = define_key(db, "Mise en service", "month", remind=True, remind_lead_days=30,
                     remind_after_months=48)
    car = create_contact(db, {"last_name": "Garcia", "birthday": "1974-11-20"})
    create_contact(db, {"last_name": "Sans-Année", "birthday": "--11-20"})
    leap = create_contact(db, {"last_name": "Bissextile", "birthday": "2000-02-29"})
    set_qualification(db, car, key, "2022-12")
    day = reminders_on(db, TODAY)
    assert [r.title for r in day.items] == ["Anniversaire de Garcia (52 ans)",
                                           "Anniversaire de Sans-Année"]
    # the vehicle's 4-year check: due 01/12/2026, shown 30 days before
    check = reminders_on(db, date(2026, 11, 1))
    assert [(r.kind, r.due, r.contact.id) for r in check.items] == [
        ("key", date(2026, 12, 1), car)]
    assert "→ 01/12/2026" in check.items[0].title
    assert [r.contact.id for r in reminders_on(db, date(2027, 2, 28)).items] == [leap]
    # turned into an activity: the reminder stops showing, a second call finds it
    activity_id = reminder_to_activity(db, check.items[0])
    assert get_activity(db, activity_id).due == "2026-12-01"
    assert reminders_on(db, date(2026, 11, 1)).items == []
    assert reminder_to_activity(db, check.items[0]) == activity_id


def test_bulk_follow_ups_one_transaction(db: Database, people: list[int]) -> None:
    report = schedule_follow_ups(db, "", "Rappeler après le mailing", when="+10d")
    assert report.created == 2 and report.when == "2026-11-30"
    for contact_id in people:
        [activity] = contact_activities(db, contact_id)
        assert (activity.title, activity.due, activity.kind) == (
            "Rappeler après le mailing", "2026-11-30", "call")
    with pytest.raises(QueryError):
        schedule_follow_ups(db, "profil:client", "x", when="demain")
    with pytest.raises(ValidationError):
        schedule_follow_ups(db, "", "x", when="31/02")
    assert db.scalar("SELECT count(*) FROM activities") == 2


def test_views_windows_and_steps() -> None:
    assert window("week", TODAY) == (date(2026, 11, 16), date(2026, 11, 22))
    assert window("month", TODAY) == (date(2026, 10, 26), date(2026, 12, 6))
    assert step("month", date(2026, 12, 15), 1) == date(2027, 1, 1)
    assert step("month", date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert step("week", TODAY, -1) == date(2026, 11, 13)


def test_week_view_orders_and_counts(db: Database) -> None:
    add_activity(db, "B 14h", kind="call", starts_at="2026-11-20T14:00")
    add_activity(db, "A 9h", kind="meeting", starts_at="2026-11-20T09:00")
    add_activity(db, "Journée", kind="todo", due="2026-11-20", priority=1)
    add_activity(db, "En retard", kind="todo", due="2026-11-18")
    for hour in range(8, 18):
        add_activity(db, f"Mardi {hour}", kind="meeting", starts_at=f"2026-11-17T{hour:02d}:00")
    view = build_view(db, "week", per_day=4)
    friday = view.day_of(TODAY)
    assert friday is not None
    assert [o.title for o in friday.items] == ["En retard", "Journée", "A 9h", "B 14h"]
    tuesday = view.day_of(date(2026, 11, 17))
    assert tuesday is not None and tuesday.total == 10 and tuesday.more == 6
    assert view.title == "semaine 47 — du 16/11 au 22/11/2026"


def test_task_list_by_priority_then_due(db: Database) -> None:
    add_activity(db, "Basse", due="2026-11-21", priority=3)
    add_activity(db, "Haute tard", due="2026-12-01", priority=1)
    add_activity(db, "Haute tôt", due="2026-11-18", priority=1)
    add_activity(db, "Sans date", priority=1)
    add_activity(db, "Réunion", kind="meeting", starts_at="2026-11-21T10:00", priority=1)
    tasks = task_list(db)
    assert [t.title for t in tasks.items] == ["Haute tôt", "Haute tard", "Sans date", "Basse"]
    assert tasks.items[0].late_days == 2 and tasks.total == 4


def test_alarms_with_a_fake_clock(db: Database, people: list[int]) -> None:
    meeting = add_activity(db, "Livraison", kind="meeting", starts_at="2026-11-20T11:00",
                           alarm_min=15, contact_ids=[people[0]])
    add_activity(db, "Sans alarme", kind="meeting", starts_at="2026-11-20T11:00")
    add_activity(db, "Hebdo", kind="meeting", starts_at="2026-11-02T12:00", alarm_min=30,
                 rrule="FREQ=WEEKLY;BYDAY=FR")
    now = datetime(2026, 11, 20, 10, 30)
    assert alarms_between(db, now, now + timedelta(minutes=10)) == []
    ring = alarms_between(db, now, now + timedelta(minutes=15))
    assert [(a.occurrence.activity.id, a.at) for a in ring] == [
        (meeting, datetime(2026, 11, 20, 10, 45))]
    assert [a.occurrence.title for a in alarms_between(db, now, now + timedelta(hours=1))] == [
        "Livraison", "Hebdo"]
    complete_activity(db, meeting)
    assert [a.occurrence.title for a in alarms_between(db, now, now + timedelta(hours=1))] == [
        "Hebdo"]
    # missed since the last run: only once the last check is known
    assert missed_alarms(db, datetime(2026, 11, 20, 12, 0)) == []
    record_check(db, datetime(2026, 11, 20, 9, 0))
    assert db.get_meta(LAST_CHECK_META) == "2026-11-20T09:00:00"
    assert [a.occurrence.title for a in missed_alarms(db, datetime(2026, 11, 20, 12, 0))] == [
        "Hebdo"]


def test_a_logged_call_closes_the_planned_call_it_answers(db: Database) -> None:
    from qualif_tui.domain.activities import answered_by, log_and_complete
    from qualif_tui.domain.history import list_entries

    who = create_contact(db, {"last_name": "Zwiller"})
    other = create_contact(db, {"last_name": "Ader"})
    late = add_activity(db, "Rappeler pour le devis", kind="call",
                        starts_at="2026-11-17T11:00", contact_ids=[who])
    add_activity(db, "Rappeler encore", kind="call", starts_at="2026-11-24T11:00",
                 contact_ids=[who])  # next week: not answered by a call today
    add_activity(db, "Relance groupée", kind="call", starts_at="2026-11-16T11:00",
                 contact_ids=[who, other])  # shared with another contact
    add_activity(db, "Essai raté", kind="meeting", starts_at="2026-11-19T10:00",
                 contact_ids=[who])  # a missed meeting is not today's
    add_activity(db, "Point hebdo", kind="call", starts_at="2026-11-02T09:00",
                 rrule="FREQ=WEEKLY", contact_ids=[who])
    planned = answered_by(db, who, "call")
    assert planned is not None and planned.id == late
    assert answered_by(db, who, "meeting") is None
    assert answered_by(db, who, "note") is None
    assert answered_by(db, other, "call") is None

    entry = log_and_complete(db, late, who, "call", "Devis accepté", "signe lundi",
                             "2026-11-20T10:15")
    assert get_activity(db, late).status == "done"
    entries = [e for e in list_entries(db, who) if not e.automatic]
    assert [(e.id, e.subject, e.activity_id) for e in entries] == [
        (entry, "Devis accepté", late)]  # one entry, not a second "(fait)"
    assert answered_by(db, who, "call") is None


def test_logging_and_closing_is_all_or_nothing(db: Database) -> None:
    from qualif_tui.domain.activities import log_and_complete
    from qualif_tui.domain.errors import ValidationError
    from qualif_tui.domain.history import list_entries

    who = create_contact(db, {"last_name": "Zwiller"})
    other = create_contact(db, {"last_name": "Ader"})
    call = add_activity(db, "Rappeler", kind="call", starts_at="2026-11-17T11:00",
                        contact_ids=[other])
    with pytest.raises(ValidationError):
        log_and_complete(db, call, who, "call", "Pas le bon contact")
    with pytest.raises(ValidationError):
        log_and_complete(db, call, other, "call", "")  # nothing written: no subject
    assert get_activity(db, call).status == "open"
    assert not [e for c in (who, other) for e in list_entries(db, c) if not e.automatic]
