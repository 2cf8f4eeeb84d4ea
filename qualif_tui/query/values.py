"""Values of a query as intervals: dates, months, durations and numbers.

A date as typed names a *period*: ``2024`` is the whole year, ``2024-06`` the
month, ``2024-06-15`` one day, ``6m`` the day six months before today (and,
alone after ``:``, the period from that day to today). Comparisons and ranges
then widen naturally, as users mean them:

==================  =========================================
``key:2024``        2024-01-01 ≤ value ≤ 2024-12-31
``key>2024``        value ≥ 2025-01-01 (after the whole year)
``key>=2024``       value ≥ 2024-01-01
``key<2024``        value < 2024-01-01
``key<=2024``       value ≤ 2024-12-31
``key:2010..2012``  2010-01-01 ≤ value ≤ 2012-12-31 (either order)
``key<6m``          value < today − 6 months (more than six months ago)
``key:30d``         today − 30 days ≤ value ≤ today (the last 30 days)
==================  =========================================

Every result is a half-open interval ``[low, high)`` of the column's own text
form (``YYYY-MM-DD`` days, ``YYYY-MM`` months), so the SQL is two index-friendly
comparisons and the in-memory evaluation compares the same strings.

Dates stop at 9999-12-31 (Python's ``date.max``). The end of a period that
reaches it is the text just past every stored value (``9999-12-32``,
``9999-13``), and a duration reaching beyond year 1 or 9999 stops there:
``created<9999-12-31`` and ``created:99999y`` are questions, not crashes.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock, parsing

_DURATION = re.compile(r"([+-]?)(\d{1,5})\s*([dDjJwWsSmMyYaA])")
_UNITS = {"d": "days", "j": "days", "w": "weeks", "s": "weeks", "m": "months", "y": "years",
          "a": "years"}
_TODAY = {"today", "aujourd'hui", "aujourdhui", "auj"}
_YESTERDAY = {"yesterday", "hier"}
_TOMORROW = {"tomorrow", "demain"}


class BadValue(ValueError):
    """A value that is not what its key takes; the message says what is."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Period:
    """Whole days from ``first`` to ``last`` (inclusive)."""

    first: date
    last: date
    relative: bool = False  # typed as a duration before today (6m)


def parse_period(text: str) -> Period:
    """``2024``, ``2024-06``, ``2024-06-15``, ``15/06/2024``, ``06/2024``, ``30d``, ``today``."""
    raw = text.strip()
    lowered = raw.lower()
    today = clock.today()
    if lowered in _TODAY:
        return Period(today, today)
    if lowered in _YESTERDAY:
        day = today - timedelta(days=1)
        return Period(day, day)
    if lowered in _TOMORROW:
        day = today + timedelta(days=1)
        return Period(day, day)
    match = _DURATION.fullmatch(raw)
    if match:
        sign, amount, unit = match.groups()
        delta = relativedelta(**{_UNITS[unit.lower()]: int(amount)})
        try:
            day = today + delta if sign == "+" else today - delta
        except (ValueError, OverflowError):  # beyond year 1 or 9999: stop there
            day = date.max if sign == "+" else date.min
        return Period(day, day, relative=True)
    try:
        match = re.fullmatch(r"(\d{4})", raw)
        if match:
            year = int(match[1])
            return Period(date(year, 1, 1), date(year, 12, 31))
        match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", raw) or None
        month_year = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", raw)
        if match or month_year:
            year, month = ((int(match[1]), int(match[2])) if match
                           else (int(month_year[2]), int(month_year[1])))  # type: ignore[index]
            first = date(year, month, 1)
            return Period(first, first.replace(day=calendar.monthrange(year, month)[1]))
    except ValueError:
        raise BadValue(_("« {raw} » n'est pas une date").format(raw=raw), "a real date: 2024-02-29, 29/02/2024") from None
    if re.match(r"\d", raw):
        # a day: the one date parser of qualif (day first, see domain/parsing.py)
        try:
            found = parsing.parse_date(raw)
        except parsing.ParseError as error:
            raise BadValue(str(error), "a real date: 2024-02-29, 29/02/2024") from None
        if found is not None:
            return Period(found, found)
    raise BadValue(_("« {raw} » n'est pas une date").format(raw=raw),
                   _("écrivez 2024, 2024-06, 2024-06-15, 15/06/2024, ou une durée avant aujourd'hui : 30d, 8w, 6m, 2y"))


def _month_after(day: date) -> str:
    """``YYYY-MM`` of the month after ``day``'s (``9999-13`` after the last one)."""
    if (day.year, day.month) == (9999, 12):
        return "9999-13"  # sorts after every 9999-12…
    return _month_text(date(day.year + day.month // 12, day.month % 12 + 1, 1))


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"  # strftime("%Y") does not pad year 1


def _day_after(day: date) -> str:
    """``YYYY-MM-DD`` of the day after ``day`` (``9999-12-32`` after the last one)."""
    if day == date.max:
        return "9999-12-32"  # sorts after 9999-12-31 and its time stamps
    return (day + timedelta(days=1)).isoformat()


def period_bounds(period: Period, op: str, months: bool) -> tuple[str | None, str | None]:
    """The half-open interval ``[low, high)`` of column texts for ``op period``.

    ``months``: the column holds ``YYYY-MM`` (a period then covers the months
    it touches); otherwise ``YYYY-MM-DD`` (or a longer time stamp).
    """
    if months:
        first = _month_text(period.first)
        after_last = _month_after(period.last)
    else:
        first = period.first.isoformat()
        after_last = _day_after(period.last)
    if op == ":":
        if period.relative and period.first <= clock.today():
            # "last_contact:30d": from that day up to today, the natural reading
            today = clock.today()
            end = _month_after(today) if months else _day_after(today)
            return first, end
        return first, after_last
    if op == ">":
        return after_last, None
    if op == ">=":
        return first, None
    if op == "<":
        return None, first
    if op == "<=":
        return None, after_last
    raise ValueError(op)


def range_bounds(low: Period | None, high: Period | None, months: bool
                 ) -> tuple[str | None, str | None]:
    """``low..high`` (inclusive, whole periods, either order) as ``[low, high)``."""
    if low is not None and high is not None:
        first = min(low.first, high.first)
        last = max(low.last, high.last)
        return period_bounds(Period(first, last), ":", months)
    if low is not None:
        return period_bounds(Period(low.first, low.last), ">=", months)
    if high is not None:
        return period_bounds(Period(high.first, high.last), "<=", months)
    raise ValueError(_("un intervalle a besoin d'au moins une borne"))


def parse_query_number(text: str) -> float:
    """A number as users type it (``12500``, ``12500,5``, ``-3``, ``1.5``)."""
    try:
        return parsing.parse_number(text)
    except parsing.ParseError:
        raise BadValue(_("« {value} » n'est pas un nombre").format(value=text.strip()),
                       _("écrivez un nombre : 12, 12.5, 12,5 (ou un intervalle : 10..20)")) from None


def number_bounds(op: str, number: float) -> tuple[float | None, bool, float | None, bool]:
    """``(low, low_inclusive, high, high_inclusive)`` for ``op number``."""
    if op == ":":
        return number, True, number, True
    if op == ">":
        return number, False, None, False
    if op == ">=":
        return number, True, None, False
    if op == "<":
        return None, False, number, False
    if op == "<=":
        return None, False, number, True
    raise ValueError(op)
