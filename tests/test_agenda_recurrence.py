"""Recurrence rules against hand-computed dates, DST and month ends, and the guards."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from qualif_tui.domain.agenda import times
from qualif_tui.domain.agenda.natural import describe_rule, parse_recurrence
from qualif_tui.domain.agenda.recurrence import (
    between,
    check_rule,
    first_occurrence,
    last_before,
    parse_rule,
)
from qualif_tui.domain.errors import ValidationError

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def _days(rule: str, start: datetime, low: datetime, high: datetime) -> list[str]:
    return [d.strftime("%Y-%m-%d %H:%M") for d in between(parse_rule(rule), start, low, high)]


def test_every_monday() -> None:
    rule = parse_recurrence("every Monday")
    assert rule.text == "FREQ=WEEKLY;BYDAY=MO"
    got = _days(rule.text, datetime(2026, 11, 16, 9), datetime(2026, 11, 20),
                datetime(2026, 12, 10))
    assert got == ["2026-11-23 09:00", "2026-11-30 09:00", "2026-12-07 09:00"]


def test_first_tuesday_of_the_month() -> None:
    rule = parse_recurrence("premier mardi du mois")
    assert rule.text == "FREQ=MONTHLY;BYDAY=1TU"
    got = _days(rule.text, datetime(2026, 11, 3, 14), datetime(2026, 11, 1),
                datetime(2027, 3, 1))
    assert got == ["2026-11-03 14:00", "2026-12-01 14:00", "2027-01-05 14:00",
                   "2027-02-02 14:00"]
    assert describe_rule(rule) == "the 1st Tuesday of the month"  # module marked english


def test_every_three_months_until_june_2027() -> None:
    rule = parse_recurrence("every 3 months until 2027-06")
    assert rule.text == "FREQ=MONTHLY;INTERVAL=3;UNTIL=20270630"
    checked = check_rule(rule.text, datetime(2026, 1, 15, 10))
    got = _days(checked.text, datetime(2026, 1, 15, 10), datetime(2026, 1, 1),
                datetime(2030, 1, 1))
    assert got == ["2026-01-15 10:00", "2026-04-15 10:00", "2026-07-15 10:00",
                   "2026-10-15 10:00", "2027-01-15 10:00", "2027-04-15 10:00"]


def test_month_end_is_skipped_not_moved() -> None:
    # RFC 5545: the 31st of a 30-day month does not exist; that month has none
    got = _days("FREQ=MONTHLY", datetime(2027, 1, 31, 9), datetime(2027, 1, 1),
                datetime(2027, 6, 1))
    assert got == ["2027-01-31 09:00", "2027-03-31 09:00", "2027-05-31 09:00"]
    last_day = _days("FREQ=MONTHLY;BYMONTHDAY=-1", datetime(2027, 1, 31, 9),
                     datetime(2027, 1, 1), datetime(2027, 4, 1))
    assert last_day == ["2027-01-31 09:00", "2027-02-28 09:00", "2027-03-31 09:00"]


def test_weekly_meeting_keeps_its_wall_time_across_dst() -> None:
    # 09:00 Paris every Monday: 08:00 UTC in summer, 09:00-1h... wall time stays 09:00
    got = between(parse_rule("FREQ=WEEKLY;BYDAY=MO"), datetime(2027, 3, 22, 9),
                  datetime(2027, 3, 22), datetime(2027, 4, 1))
    assert [d.hour for d in got] == [9, 9]
    utc = [times.to_utc(d, "Europe/Paris").hour for d in got]
    assert utc == [8, 7]  # CET before 28 March 2027, CEST after


def test_dst_gap_occurrence_moves_forward() -> None:
    day = datetime(2027, 3, 28, 2, 30)  # last Sunday of March: 02:00 → 03:00
    assert times.in_gap(day, "Europe/Paris")
    assert times.real_wall_time(day, "Europe/Paris") == datetime(2027, 3, 28, 3, 30)
    with pytest.raises(ValidationError, match="does not exist.*03:30"):
        times.check_wall_time(day, "Europe/Paris")
    # the fold (last Sunday of October) is the first of the two 02:30s
    fold = datetime(2027, 10, 31, 2, 30)
    assert times.to_utc(fold, "Europe/Paris").hour == 0


def test_never_occurring_rules_are_refused_quickly() -> None:
    for text in ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
                 "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"):
        started = time.process_time()  # CPU time: other processes' load does not count
        with pytest.raises(ValidationError, match="never occurs"):
            check_rule(text, datetime(2025, 1, 1, 9))
        assert time.process_time() - started < 3
    with pytest.raises(ValidationError, match="ends before"):
        check_rule("FREQ=WEEKLY;BYDAY=MO;UNTIL=20250101", datetime(2026, 1, 1, 9))
    # a rare but real date is found: 29 February falls on a Monday in 2044
    assert first_occurrence(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"),
                            datetime(2026, 1, 1)).year == 2044


def test_bad_rules_have_clear_messages() -> None:
    cases = {
        "FREQ=HOURLY": "not supported",
        "FREQ=WEEKLY;BYDAY=XX": "BYDAY",
        "FREQ=MONTHLY;BYMONTHDAY=40": "out of range",
        "FREQ=DAILY;COUNT=3;UNTIL=20270101": "COUNT and UNTIL",
        "BYDAY=MO": "FREQ",
        "FREQ=DAILY;FOO=1": "unknown part",
        "FREQ=WEEKLY;BYDAY=1MO": "numbered BYDAY",
    }
    for text, message in cases.items():
        with pytest.raises(ValidationError, match=message):
            parse_rule(text)


def test_ten_year_daily_series_expands_only_the_window() -> None:
    rule = parse_rule("FREQ=DAILY")
    start = datetime(2016, 11, 20, 8)
    started = time.process_time()  # CPU time: other processes' load does not count
    week = between(rule, start, datetime(2026, 11, 16), datetime(2026, 11, 23))
    assert time.process_time() - started < 0.05
    assert [d.day for d in week] == [16, 17, 18, 19, 20, 21, 22]
    counted = parse_rule("FREQ=DAILY;COUNT=3650")
    last = between(counted, start, datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert last[-1] == start + timedelta(days=3649)


def test_last_before_finds_the_latest_missed_occurrence() -> None:
    rule = parse_rule("FREQ=WEEKLY;BYDAY=FR")
    assert last_before(rule, datetime(2026, 1, 2, 9), datetime(2026, 11, 20)) == \
        datetime(2026, 11, 13, 9)
    assert last_before(rule, datetime(2026, 1, 2, 9), datetime(2026, 11, 20),
                       exdates=[datetime(2026, 11, 13, 9)]) == datetime(2026, 11, 6, 9)


_RULES = st.sampled_from([
    "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2", "FREQ=YEARLY", "FREQ=YEARLY;INTERVAL=3",
    "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "FREQ=DAILY;BYMONTH=2", "FREQ=WEEKLY;UNTIL=20300101T000000",
])


@settings(max_examples=150, deadline=None)
@given(rule=_RULES,
       start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)),
       offset=st.integers(min_value=0, max_value=4000), span=st.integers(min_value=1, max_value=60))
def test_window_expansion_matches_plain_dateutil(rule: str, start: datetime, offset: int,
                                                 span: int) -> None:
    """Moving the start close to the window never changes the occurrences."""
    start = start.replace(second=0, microsecond=0)
    low = start + timedelta(days=offset)
    high = low + timedelta(days=span)
    reference = rrulestr(rule, dtstart=start)
    expected = [d for d in reference.between(low, high, inc=True) if d < high]
    assert between(parse_rule(rule), start, low, high) == expected


def test_all_day_series_and_until_date() -> None:
    rule = check_rule("FREQ=WEEKLY;BYDAY=FR;UNTIL=20261204", date(2026, 11, 6))
    got = between(rule, date(2026, 11, 6), datetime(2026, 11, 1), datetime(2027, 1, 1))
    assert [d.date() for d in got] == [date(2026, 11, 6), date(2026, 11, 13),
                                       date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 4)]
