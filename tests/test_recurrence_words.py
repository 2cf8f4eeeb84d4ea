"""A recurrence rule said in the user's language, French and English, never mixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualif_tui.base.i18n import language, set_language
from qualif_tui.domain.agenda.natural import describe_rule
from qualif_tui.domain.agenda.recurrence import parse_rule

CASES = [
    ("FREQ=WEEKLY;BYDAY=MO", "chaque lundi", "every Monday"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "chaque jour de semaine", "every weekday"),
    ("FREQ=MONTHLY;BYDAY=1TU", "le 1er mardi du mois", "the 1st Tuesday of the month"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "le dernier vendredi du mois", "the last Friday of the month"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "le 15 du mois", "the 15 of the month"),
    ("FREQ=DAILY", "chaque jour", "every day"),
    ("FREQ=YEARLY", "chaque année", "every year"),
    ("FREQ=WEEKLY;INTERVAL=2", "toutes les 2 semaines", "every 2 weeks"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "toutes les 2 semaines le jeudi",
     "every 2 weeks on Thursday"),
    ("FREQ=MONTHLY;INTERVAL=3;UNTIL=20270630", "tous les 3 mois jusqu'au 30/06/2027",
     "every 3 months until 30/06/2027"),
    ("FREQ=DAILY;COUNT=5", "chaque jour, 5 fois", "every day, 5 times"),
]


@pytest.fixture
def restore_language() -> Iterator[None]:
    before = language()
    yield
    set_language(before)


@pytest.mark.parametrize(("rrule", "french", "english"), CASES)
def test_a_rule_in_each_language(rrule: str, french: str, english: str,
                                 restore_language: None) -> None:
    rule = parse_rule(rrule)
    set_language("fr")
    assert describe_rule(rule) == french
    set_language("en")
    assert describe_rule(rule) == english
