"""Issue 9, item 7: dates at the edges of the calendar are questions, not crashes.

``created<9999-12-31``, ``birthday:9999-12-31``, ``created:9999``, ``"Mise en
service":9999-12-31`` raised OverflowError/ValueError; ``created:9999-12`` said
"is not a date". Random comparisons with extreme literals are checked against a
reference that compares real dates (not texts), in SQL mode and bitmap mode.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query, count, use_bitmaps
from qualif_tui.query.errors import QueryError
from qualif_tui.storage import Database, open_database

TODAY = date(2026, 11, 20)
DAYS = [None, date(1, 1, 1), date(1, 12, 31), date(1999, 3, 4), TODAY, date(9999, 12, 30),
        date.max]
MONTHS = [None, (1, 1), (1, 12), (2026, 11), (9999, 11), (9999, 12)]
BIRTHDAYS = ["", "0001-01-01", "1980-02-29", "9999-12-31", "--06-15"]


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    path = tmp_path_factory.mktemp("edges") / "edges.db"
    people: list[dict[str, object]] = []
    with open_database(path, create=True) as db:
        rappel = define_key(db, "Rappel", "date").column
        mise = define_key(db, "Mise en service", "month").column
        for index in range(len(DAYS) * len(MONTHS)):
            day, month = DAYS[index % len(DAYS)], MONTHS[index // len(DAYS)]
            birthday = BIRTHDAYS[index % len(BIRTHDAYS)]
            contact = create_contact(db, {"last_name": f"N{index}"})
            # the app keeps years within 1900–2200; another program writing the
            # file need not, so the extremes go in through SQL
            db.execute(f"UPDATE contact_facts SET {rappel} = ?, {mise} = ?"
                       " WHERE contact_id = ?",
                       (day.isoformat() if day else None,
                        f"{month[0]:04d}-{month[1]:02d}" if month else None, contact))
            db.execute("UPDATE contacts SET birthday = ? WHERE id = ?", (birthday, contact))
            people.append({"day": day, "month": month, "birthday": birthday})
    return path, people


def _period(literal: str) -> tuple[date, date, bool]:
    """A literal's whole days (first, last, relative), computed apart from the engine."""
    if literal[-1] in "dy":
        amount = int(literal.lstrip("+")[:-1])
        delta = relativedelta(days=amount) if literal[-1] == "d" else relativedelta(years=amount)
        try:
            day = TODAY + delta if literal.startswith("+") else TODAY - delta
        except (ValueError, OverflowError):
            day = date.max if literal.startswith("+") else date.min
        return day, day, True
    parts = [int(p) for p in literal.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31), False
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], last), False
    day = date(*parts)
    return day, day, False


def _matches(value: date | tuple[int, int] | None, op: str, low: str, high: str | None) -> bool:
    if value is None:
        return False
    months = isinstance(value, tuple)

    def key(d: date) -> tuple[int, ...]:
        return (d.year, d.month) if months else (d.year, d.month, d.day)

    v = value if isinstance(value, tuple) else key(value)
    first, last, relative = _period(low)
    if high is not None:
        first2, last2, _ = _period(high)
        first, last = min(first, first2), max(last, last2)
        return key(first) <= v <= key(last)
    if op == ":":
        if relative and first <= TODAY:
            return key(first) <= v <= key(TODAY)
        return key(first) <= v <= key(last)
    return {">": v > key(last), ">=": v >= key(first), "<": v < key(first),
            "<=": v <= key(last)}[op]


LITERALS = st.sampled_from(["0001", "0001-01", "0001-01-01", "0001-12-31", "9999", "9999-12",
                            "9999-12-31", "9999-12-30", "9999-11", "2026", "2026-11-20",
                            "99999y", "+99999y", "9999y", "+8000y", "99999d", "+99999d", "30d",
                            "2025y"])


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from([":", "<", "<=", ">", ">=", ".."]), low=LITERALS, high=LITERALS,
       field=st.sampled_from(["rappel", '"Mise en service"', "birthday"]))
def test_extreme_dates_agree_with_the_reference(
        edges: tuple[Path, list[dict[str, object]]], op: str, low: str, high: str,
        field: str) -> None:
    path, people = edges
    text = f"{field}:{low}..{high}" if op == ".." else f"{field}{op}{low}"
    with open_database(path, readonly=True) as db:
        expected = 0
        for person in people:
            if field == "rappel":
                value: object = person["day"]
            elif field == "birthday":
                birthday = str(person["birthday"])
                value = date.fromisoformat(birthday) if birthday[:1].isdigit() else None
            else:
                value = person["month"]
            expected += _matches(value, ":" if op == ".." else op, low,  # type: ignore[arg-type]
                                 high if op == ".." else None)
        for bitmaps in (False, True):
            use_bitmaps(db, bitmaps)
            assert count(db, compile_query(db, text)) == expected, (text, bitmaps)


@pytest.mark.parametrize("text", ["created<9999-12-31", "birthday:9999-12-31", "created:9999",
                                  '"Mise en service":9999-12-31', "created:9999-12",
                                  '"Mise en service">9999-12', "created>=+99999y",
                                  "created:99999y", "updated<=9999"])
def test_the_reported_queries_answer(edges: tuple[Path, list[dict[str, object]]],
                                     text: str) -> None:
    path, _ = edges
    result = CliRunner().invoke(main, ["query", str(path), text, "--count"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().isdigit()


def test_an_impossible_date_is_still_refused(db: Database) -> None:
    define_key(db, "Rappel", "date")
    for text in ("rappel:0000", "rappel:2024-02-30", "rappel:9999-13"):
        with pytest.raises(QueryError):
            compile_query(db, text)
