"""Natural date input: what people type, what it means, and what is refused."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qualif_tui.domain.agenda.natural import AmbiguousDate, parse_recurrence, parse_when
from qualif_tui.domain.errors import ValidationError

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english

FRIDAY = date(2026, 11, 20)  # the frozen clock's day


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-01 14:00", datetime(2026, 12, 1, 14, 0)),
    ("2026-12-01T14:00", datetime(2026, 12, 1, 14, 0)),
    ("2026-12-01", date(2026, 12, 1)),
    ("1/12 14h", datetime(2026, 12, 1, 14, 0)),
    ("01/12/2026 14h30", datetime(2026, 12, 1, 14, 30)),
    ("1.12.26", date(2026, 12, 1)),
    ("demain 10h", datetime(2026, 11, 21, 10, 0)),
    ("Demain à 10h", datetime(2026, 11, 21, 10, 0)),
    ("après-demain", date(2026, 11, 22)),
    ("aujourd'hui 17:45", datetime(2026, 11, 20, 17, 45)),
    ("tomorrow 2pm", datetime(2026, 11, 21, 14, 0)),
    ("lundi", date(2026, 11, 23)),
    ("Lundi 9h", datetime(2026, 11, 23, 9, 0)),
    ("jeudi prochain", date(2026, 11, 26)),
    ("next monday", date(2026, 11, 23)),
    ("+3d", date(2026, 11, 23)),
    ("+3j", date(2026, 11, 23)),
    ("+2w", date(2026, 12, 4)),
    ("+1m", date(2026, 12, 20)),
    ("in 2 weeks", date(2026, 12, 4)),
    ("dans 3 jours", date(2026, 11, 23)),
    ("dans un mois", date(2026, 12, 20)),
    ("14h", datetime(2026, 11, 20, 14, 0)),
    ("1er décembre", date(2026, 12, 1)),
    ("3 janvier 2027 8h", datetime(2027, 1, 3, 8, 0)),
    ("15/01", date(2027, 1, 15)),   # the nearest 15 January
    ("10/11", date(2026, 11, 10)),  # ten days ago is nearer than next year
])
def test_readings(text: str, expected: date | datetime) -> None:
    assert parse_when(text, today=FRIDAY).value == expected


@pytest.mark.parametrize(("text", "message"), [
    ("31/02", "has 28 days, not 31"),
    ("2027-02-29", "has 28 days, not 29"),
    ("30/13", "no month 13"),
    ("25:00", "not a time of day"),
    ("14h75", "14:75 is not a time of day"),
    ("n'importe quand", "not a date I can read"),
    ("", "no date"),
])
def test_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_when(text, today=FRIDAY)


def test_ambiguous_input_lists_the_readings() -> None:
    with pytest.raises(AmbiguousDate) as raised:
        parse_when("vendredi", today=FRIDAY)  # today, or in a week?
    assert [v for _, v in raised.value.readings] == [date(2026, 11, 20), date(2026, 11, 27)]
    assert "20/11/2026" in str(raised.value) and "27/11/2026" in str(raised.value)
    with pytest.raises(AmbiguousDate) as raised:
        parse_when("mardi prochain", today=date(2026, 11, 23))  # a Monday: tomorrow or +8?
    assert [v for _, v in raised.value.readings] == [date(2026, 11, 24), date(2026, 12, 1)]
    with pytest.raises(AmbiguousDate, match="10h.*le 10 du mois"):
        parse_when("10", today=FRIDAY)


@pytest.mark.parametrize(("text", "rrule"), [
    ("chaque lundi", "FREQ=WEEKLY;BYDAY=MO"),
    ("tous les lundis et jeudis", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("1er mardi du mois", "FREQ=MONTHLY;BYDAY=1TU"),
    ("last friday of the month", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("le 15 du mois", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("tous les 3 mois jusqu'en 2027-06", "FREQ=MONTHLY;INTERVAL=3;UNTIL=20270630"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("chaque jour, 10 fois", "FREQ=DAILY;COUNT=10"),
    ("annuel", "FREQ=YEARLY"),
    ("RRULE:FREQ=WEEKLY;BYDAY=FR", "FREQ=WEEKLY;BYDAY=FR"),
])
def test_recurrence_phrases(text: str, rrule: str) -> None:
    assert parse_recurrence(text, today=FRIDAY).text == rrule


def test_unreadable_recurrence() -> None:
    with pytest.raises(ValidationError, match="not a rule I can read"):
        parse_recurrence("de temps en temps")
