"""Recurrence rules (RFC 5545 RRULE) on top of dateutil, bounded so nothing hangs.

A rule is stored as RRULE text (``FREQ=WEEKLY;BYDAY=MO``) beside the series'
first start. Occurrences are wall times in the series' zone (see times.py).

Two guards that dateutil does not give:

* **Never-occurring rules.** dateutil searches up to year 9999 for an
  occurrence that does not exist (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`` takes
  seconds). :func:`first_occurrence` moves the start by whole 400-year
  Gregorian cycles (146 097 days, exactly 20 871 weeks, so weekdays, leap
  years and week numbers repeat) close to year 9999, where the search ends
  within a few hundred years: a rule with no occurrence within 400 years is
  refused, in about a tenth of a second at worst.
* **Long series.** Expanding a window far from the start would walk every
  earlier occurrence (a daily series started ten years ago: 3 650 steps per
  view). :func:`between` moves the start forward by whole periods of the rule
  (``INTERVAL`` days, weeks, months or years, with the defaults dateutil takes
  from the start pinned explicitly), so the cost depends on the window only.

Only DAILY, WEEKLY, MONTHLY and YEARLY rules are accepted: an agenda item
repeating every few hours is not something this product schedules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

from qualif_tui.base.i18n import _
from qualif_tui.domain.agenda.times import Moment
from qualif_tui.domain.errors import ValidationError

FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_LIST_PARTS = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 60, False),
}
MAX_INTERVAL = 1000
GREGORIAN_CYCLE_YEARS = 400
FIELD = "rrule"


@dataclass(frozen=True)
class Rule:
    """A parsed RRULE; ``text`` is its normalised form (what is stored)."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: Moment | None = None  # naive wall time in the series' zone, or a date
    byday: tuple[tuple[int, str], ...] = ()  # (ordinal or 0, "MO")
    parts: dict[str, tuple[int, ...]] = field(default_factory=dict)
    wkst: str = "MO"

    @property
    def text(self) -> str:
        items = [f"FREQ={self.freq}"]
        if self.interval != 1:
            items.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            items.append(f"COUNT={self.count}")
        if self.until is not None:
            items.append(f"UNTIL={format_until(self.until)}")
        if self.byday:
            items.append("BYDAY=" + ",".join(f"{n or ''}{d}" for n, d in self.byday))
        for name in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS",
                     "BYHOUR", "BYMINUTE", "BYSECOND"):
            if name in self.parts:
                items.append(f"{name}=" + ",".join(str(v) for v in self.parts[name]))
        if self.wkst != "MO":
            items.append(f"WKST={self.wkst}")
        return ";".join(items)

    def with_until(self, until: Moment | None) -> Rule:
        return Rule(self.freq, self.interval, None, until, self.byday, dict(self.parts),
                    self.wkst)

    def with_count(self, count: int | None) -> Rule:
        return Rule(self.freq, self.interval, count, None if count else self.until,
                    self.byday, dict(self.parts), self.wkst)


def format_until(value: Moment) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _parse_until(text: str) -> Moment:
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?", text)
    if not match:
        raise ValidationError(_("récurrence : UNTIL « {text} » n'est pas une date (AAAAMMJJ)").format(text=text), FIELD)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
        if match[4] is None:
            return day
        moment = datetime.combine(day, time(int(match[4]), int(match[5]), min(int(match[6]), 59)))
    except ValueError:
        raise ValidationError(_("récurrence : UNTIL « {text} » n'est pas une vraie date").format(text=text), FIELD) from None
    if match[7]:
        # UTC from an iCalendar file: the caller converts it (see ical); keep it as given
        return moment
    return moment


def parse_rule(text: str) -> Rule:
    """Parse RRULE text (with or without the ``RRULE:`` prefix); raises ValidationError."""
    source = text.strip()
    if source.upper().startswith("RRULE:"):
        source = source[6:]
    if not source:
        raise ValidationError(_("récurrence : règle vide"), FIELD)
    values: dict[str, str] = {}
    for pair in source.strip(";").split(";"):
        name, sep, value = pair.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise ValidationError(_("récurrence : « {pair} » n'est pas NOM=VALEUR").format(pair=pair), FIELD)
        if name in values:
            raise ValidationError(_("récurrence : {name} apparaît deux fois").format(name=name), FIELD)
        values[name] = value.strip().upper()
    freq = values.pop("FREQ", "")
    if freq in SUB_DAILY:
        raise ValidationError(
            _("récurrence : FREQ={freq} n'est pas pris en charge (au plus quotidien)").format(freq=freq), FIELD)
    if freq not in FREQUENCIES:
        raise ValidationError(
            _("récurrence : FREQ doit être DAILY, WEEKLY, MONTHLY ou YEARLY (reçu « {freq} »)").format(freq=freq), FIELD)
    interval = _int(values.pop("INTERVAL", "1"), "INTERVAL", 1, MAX_INTERVAL)
    count = _int(values.pop("COUNT"), "COUNT", 1, 100_000) if "COUNT" in values else None
    until = _parse_until(values.pop("UNTIL")) if "UNTIL" in values else None
    if count is not None and until is not None:
        raise ValidationError(_("récurrence : COUNT et UNTIL ne peuvent pas être donnés ensemble"), FIELD)
    byday = tuple(_byday(item) for item in values.pop("BYDAY").split(",")) \
        if "BYDAY" in values else ()
    wkst = values.pop("WKST", "MO")
    if wkst not in WEEKDAYS:
        raise ValidationError(_("récurrence : WKST « {wkst} » n'est pas un jour de la semaine").format(wkst=wkst), FIELD)
    parts: dict[str, tuple[int, ...]] = {}
    for name, (low, high, signed) in _LIST_PARTS.items():
        if name in values:
            parts[name] = tuple(_int(item, name, low, high, signed)
                                for item in values.pop(name).split(","))
    if values:
        raise ValidationError(_("récurrence : partie inconnue {value}").format(value=', '.join(sorted(values))), FIELD)
    if any(n for n, _ in byday) and freq not in ("MONTHLY", "YEARLY"):
        raise ValidationError(
            _("récurrence : un BYDAY numéroté (1MO, -1FR) demande FREQ=MONTHLY ou YEARLY"), FIELD)
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise ValidationError(_("récurrence : BYWEEKNO demande FREQ=YEARLY"), FIELD)
    return Rule(freq, interval, count, until, byday, parts, wkst)


def _int(text: str, name: str, low: int, high: int, signed: bool = False) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValidationError(_("récurrence : {name}={text} n'est pas un nombre").format(name=name, text=text), FIELD) from None
    if not (low <= abs(value) <= high) or (value < 0 and not signed):
        raise ValidationError(_("récurrence : {name}={text} est hors limites").format(name=name, text=text), FIELD)
    return value


def _byday(item: str) -> tuple[int, str]:
    match = re.fullmatch(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", item.strip())
    if not match:
        raise ValidationError(_("récurrence : BYDAY « {item} » n'est pas un jour de la semaine (MO…SU)").format(item=item), FIELD)
    number = int(match[1]) if match[1] else 0
    if match[1] and not 1 <= abs(number) <= 53:
        raise ValidationError(_("récurrence : BYDAY « {item} » est hors limites").format(item=item), FIELD)
    return number, match[2]


# -- dateutil -------------------------------------------------------------------


def _as_datetime(value: Moment) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _kwargs(rule: Rule, start: datetime) -> dict[str, Any]:
    """dateutil arguments with the defaults it would take from ``start`` made explicit."""
    parts = rule.parts
    kwargs: dict[str, Any] = {
        "interval": rule.interval,
        "wkst": WEEKDAYS.index(rule.wkst),
    }
    if rule.byday:
        kwargs["byweekday"] = [weekday(WEEKDAYS.index(d), n or None) for n, d in rule.byday]
    names = {"BYMONTH": "bymonth", "BYMONTHDAY": "bymonthday", "BYYEARDAY": "byyearday",
             "BYWEEKNO": "byweekno", "BYSETPOS": "bysetpos", "BYHOUR": "byhour",
             "BYMINUTE": "byminute", "BYSECOND": "bysecond"}
    for name, arg in names.items():
        if name in parts:
            kwargs[arg] = list(parts[name])
    if not any(k in kwargs for k in ("byweekno", "byyearday", "bymonthday", "byweekday")):
        if rule.freq == "YEARLY":
            kwargs.setdefault("bymonth", [start.month])
            kwargs["bymonthday"] = [start.day]
        elif rule.freq == "MONTHLY":
            kwargs["bymonthday"] = [start.day]
        elif rule.freq == "WEEKLY":
            kwargs["byweekday"] = [start.weekday()]
    kwargs.setdefault("byhour", [start.hour])
    kwargs.setdefault("byminute", [start.minute])
    kwargs.setdefault("bysecond", [0])
    return kwargs


def _until(rule: Rule) -> datetime | None:
    if rule.until is None:
        return None
    if isinstance(rule.until, datetime):
        return rule.until
    return datetime.combine(rule.until, time(23, 59, 59))


def _dateutil(rule: Rule, start: datetime, kwargs: dict[str, Any], *,
              bounded: bool = True) -> rrule:
    return rrule(FREQUENCIES[rule.freq], dtstart=start,
                 count=rule.count if bounded else None,
                 until=_until(rule) if bounded else None, **kwargs)


def _shift_years(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


@lru_cache(maxsize=512)
def _first(rule_text: str, start: datetime) -> datetime | None:
    rule = parse_rule(rule_text)
    kwargs = _kwargs(rule, start)
    cycles = max(0, (9599 - start.year) // GREGORIAN_CYCLE_YEARS)
    shift = cycles * GREGORIAN_CYCLE_YEARS
    probe = _dateutil(rule, _shift_years(start, shift), kwargs, bounded=False)
    found = next(iter(probe), None)
    if found is None:
        return None
    try:
        return _shift_years(found, -shift)
    except ValueError:  # pragma: no cover - a cycle shift keeps every date valid
        return None


def first_occurrence(rule: Rule, start: Moment) -> datetime:
    """The first occurrence at or after ``start``; ValidationError if there is none."""
    begin = _as_datetime(start)
    found = _first(rule.with_count(None).with_until(None).text, begin)
    if found is None:
        raise ValidationError(
            _("récurrence : {text} n'arrive jamais (aucune date ne correspond)").format(text=rule.text), FIELD)
    until = _until(rule)
    if until is not None and found > until:
        raise ValidationError(
            _("récurrence : {text} n'arrive jamais (elle finit avant sa première date, {found:%d/%m/%Y})").format(text=rule.text, found=found), FIELD)
    return found


def check_rule(text: str, start: Moment) -> Rule:
    """Parse and validate a rule for a series starting at ``start``."""
    rule = parse_rule(text)
    if rule.until is not None and isinstance(start, datetime) != isinstance(rule.until,
                                                                             datetime):
        until = rule.until
        rule = rule.with_until(until.date() if isinstance(until, datetime) else
                               datetime.combine(until, time(23, 59, 59)))
    first_occurrence(rule, start)
    return rule


def _aligned_start(rule: Rule, start: datetime, window_start: datetime) -> datetime:
    """The latest start at least one whole period before ``window_start`` that gives
    the same occurrences from there on (COUNT rules must count from the real start)."""
    if rule.count is not None or window_start <= start:
        return start
    n = rule.interval
    if rule.freq in ("DAILY", "WEEKLY"):
        step = n if rule.freq == "DAILY" else 7 * n
        periods = (window_start - start).days // step - 1
        return start + timedelta(days=periods * step) if periods > 0 else start
    if rule.freq == "MONTHLY":
        months = (window_start.year - start.year) * 12 + window_start.month - start.month
        periods = months // n - 1
        if periods <= 0:
            return start
        moved: datetime = start.replace(day=1) + relativedelta(months=periods * n)
        return moved
    years = window_start.year - start.year
    periods = years // n - 1
    if periods <= 0:
        return start
    return start.replace(month=1, day=1, year=start.year + periods * n)


def between(rule: Rule, start: Moment, window_start: datetime, window_end: datetime,
            *, exdates: Iterable[Moment] = (), limit: int = 5000) -> list[datetime]:
    """Occurrences in ``[window_start, window_end)``, without the excluded ones."""
    begin = _as_datetime(start)
    if window_end <= begin:
        return []
    try:
        first_occurrence(rule, begin)
    except ValidationError:
        return []
    kwargs = _kwargs(rule, begin)
    moved = _aligned_start(rule, begin, window_start)
    recurrence = _dateutil(rule, moved, kwargs)
    excluded = {_as_datetime(x) for x in exdates}
    found: list[datetime] = []
    for occurrence in recurrence.xafter(window_start, inc=True):
        if occurrence >= window_end or len(found) >= limit:
            break
        if occurrence not in excluded:
            found.append(occurrence)
    return found


def last_before(rule: Rule, start: Moment, moment: datetime, *,
                exdates: Iterable[Moment] = ()) -> datetime | None:
    """The latest occurrence before ``moment`` (not excluded), or None."""
    begin = _as_datetime(start)
    if moment <= begin:
        return None
    excluded = {_as_datetime(x) for x in exdates}
    window = moment
    span = {"DAILY": 7, "WEEKLY": 35, "MONTHLY": 400, "YEARLY": 3700}[rule.freq] * rule.interval
    while window > begin:
        low = max(begin, window - timedelta(days=span))
        found = [o for o in between(rule, begin, low, window) if o not in excluded]
        if found:
            return found[-1]
        window = low
        span *= 4
    return None


def occurrence_count_hint(rule: Rule) -> str:
    """How long a series runs, for messages."""
    if rule.count:
        return f"{rule.count} fois"
    if rule.until:
        return f"jusqu'au {rule.until:%d/%m/%Y}"
    return "sans fin"
