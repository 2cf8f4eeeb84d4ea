"""Dates and recurrences as people type them, in French and English.

``2026-12-01 14:00``, ``1/12 14h``, ``demain 10h``, ``lundi``, ``+3d``,
``in 2 weeks``, ``dans 3 jours``, ``vendredi prochain 9h30``…  Day and month
are read the French way (``1/12`` is the 1st of December). Input that can be
read two ways is never guessed: :class:`AmbiguousDate` lists the readings
(``lundi`` typed on a Monday: today, or in a week?), and an impossible date
(``31/02``) is refused with the reason.

Recurrence phrases (:func:`parse_recurrence`) turn ``chaque lundi``,
``1er mardi du mois``, ``tous les 3 mois jusqu'en 2027-06`` or their English
forms into RRULE text; raw RRULE text is accepted too.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain import clock
from qualif_tui.domain.agenda.recurrence import WEEKDAYS, Rule, parse_rule
from qualif_tui.domain.agenda.times import Moment
from qualif_tui.domain.errors import ValidationError

FIELD = "when"

_WEEKDAY_NAMES = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}
_MONTH_NAMES = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11,
    "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
}
_RELATIVE_DAYS = {
    "aujourd'hui": 0, "aujourdhui": 0, "auj": 0, "today": 0,
    "demain": 1, "tomorrow": 1, "apres-demain": 2, "apres demain": 2,
    "hier": -1, "yesterday": -1, "avant-hier": -2,
}
_UNITS = {
    "d": "days", "j": "days", "jour": "days", "jours": "days", "day": "days", "days": "days",
    "w": "weeks", "s": "weeks", "sem": "weeks", "semaine": "weeks", "semaines": "weeks",
    "week": "weeks", "weeks": "weeks", "m": "months", "mois": "months", "month": "months",
    "months": "months", "y": "years", "a": "years", "an": "years", "ans": "years",
    "annee": "years", "annees": "years", "year": "years", "years": "years",
}
_NUMBER_WORDS = {"un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2,
                 "trois": 3, "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5,
                 "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8, "dix": 10, "ten": 10,
                 "quinze": 15}


class AmbiguousDate(ValidationError):
    """The input reads more than one way; ``readings`` lists them (label, value)."""

    def __init__(self, text: str, readings: list[tuple[str, Moment]], field: str = FIELD):
        self.readings = readings
        choices = "; ".join(f"{label} → {describe_moment(value)}" for label, value in readings)
        super().__init__(_("« {text} » est ambigu : {choices} — dites lequel").format(text=text, choices=choices), field)


@dataclass(frozen=True)
class Parsed:
    value: Moment  # a date (no time given) or a naive wall datetime

    @property
    def has_time(self) -> bool:
        return isinstance(self.value, datetime)


def describe_moment(value: Moment) -> str:
    day = value.date() if isinstance(value, datetime) else value
    text = f"{_FR_DAYS[day.weekday()]} {day:%d/%m/%Y}"
    if isinstance(value, datetime):
        text += f" {value:%H:%M}"
    return text


_FR_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")

_TIME = re.compile(
    r"(?:^|\s)(?:a\s+|at\s+|@\s*)?(?P<h>\d{1,2})(?:\s*(?:h|:)\s*(?P<m>\d{2})?|\s*(?P<ampm>am|pm))"
    r"(?=\s|$)")


def parse_when(text: str, *, today: date | None = None, field: str = FIELD) -> Parsed:
    """Read a date, with or without a time of day; raises ValidationError/AmbiguousDate."""
    original = text.strip()
    if not original:
        raise ValidationError(_("aucune date donnée"), field)
    today = today or clock.today()
    source = fold(original).replace("’", "'")
    source = re.sub(r"\s+", " ", source)
    iso = _iso(source, field)
    if iso is not None:
        return Parsed(iso)
    clock_time, rest = _take_time(source, field)
    rest = rest.strip(" ,")
    rest = re.sub(r"^(le|on|the)\s+", "", rest)
    day = _day(rest, original, today, field) if rest else None
    if day is None and clock_time is None:
        raise ValidationError(_("« {original} » n'est pas une date que je sais lire (par ex. 2026-12-01 14:00, 1/12 14h, demain 10h, lundi, +3d, dans 2 semaines)").format(original=original), field)
    if day is None:
        day = today
    if clock_time is None:
        return Parsed(day)
    return Parsed(datetime.combine(day, clock_time))


def _iso(source: str, field: str) -> Moment | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2})[:h](\d{2})(?::\d{2})?)?",
                         source)
    if not match:
        return None
    day = _real_date(int(match[1]), int(match[2]), int(match[3]), source, field)
    if match[4] is None:
        return day
    return datetime.combine(day, _real_time(int(match[4]), int(match[5]), source, field))


def _real_date(year: int, month: int, day: int, text: str, field: str) -> date:
    if not 1 <= month <= 12:
        raise ValidationError(_("« {text} » : il n'y a pas de mois {month}").format(text=text, month=month), field)
    if not 1900 <= year <= 2200:
        raise ValidationError(_("« {text} » : l'année {year} est hors limites").format(text=text, year=year), field)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValidationError(
            _("« {text} » : {value} {year} a {last} jours, pas {day}").format(text=text, value=calendar.month_name[month] or month, year=year, last=last, day=day), field)
    return date(year, month, day)


def _real_time(hour: int, minute: int, text: str, field: str) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValidationError(_("« {text} » : {hour}:{minute:02d} n'est pas une heure du jour").format(text=text, hour=hour, minute=minute), field)
    return time(hour, minute)


def _take_time(source: str, field: str) -> tuple[time | None, str]:
    match = _TIME.search(source)
    if not match:
        return None, source
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValidationError(_("« {source} » : {hour}{value} n'est pas une heure").format(source=source, hour=hour, value=match['ampm']), field)
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    rest = source[:match.start()] + " " + source[match.end():]
    return _real_time(hour, minute, source, field), rest


def _day(rest: str, original: str, today: date, field: str) -> date:
    if rest in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[rest])
    offset = _offset(rest)
    if offset is not None:
        moved: date = today + offset
        return moved
    weekday = _weekday(rest, original, today, field)
    if weekday is not None:
        return weekday
    numeric = _numeric_date(rest, original, today, field)
    if numeric is not None:
        return numeric
    named = _named_month_date(rest, original, today, field)
    if named is not None:
        return named
    if re.fullmatch(r"\d{1,2}", rest):
        number = int(rest)
        readings: list[tuple[str, Moment]] = []
        if 0 <= number <= 23:
            readings.append((f"à {number}h aujourd'hui",
                             datetime.combine(today, time(number, 0))))
        if 1 <= number <= 31:
            try:
                readings.append((f"le {number} du mois", _next_day_of_month(number, today)))
            except ValueError:
                pass
        if readings:
            raise AmbiguousDate(original, readings, field)
    raise ValidationError(_("« {original} » n'est pas une date que je sais lire (par ex. 2026-12-01 14:00, 1/12 14h, demain 10h, lundi, +3d, dans 2 semaines)").format(original=original), field)


def _next_day_of_month(number: int, today: date) -> date:
    candidate = today.replace(day=1)
    for _month in range(13):
        last = calendar.monthrange(candidate.year, candidate.month)[1]
        if number <= last and candidate.replace(day=number) >= today:
            return candidate.replace(day=number)
        candidate = candidate + relativedelta(months=1)
    raise ValueError(number)


def _offset(rest: str) -> relativedelta | None:
    match = re.fullmatch(r"([+-])\s*(\d+)\s*([a-z]+)", rest)
    sign = 1
    if match:
        sign = -1 if match[1] == "-" else 1
        number, unit = int(match[2]), match[3]
    else:
        match = re.fullmatch(r"(?:in|dans)\s+(\d+|[a-z]+)\s+([a-z]+)", rest)
        if not match:
            return None
        word = match[1]
        number = int(word) if word.isdigit() else _NUMBER_WORDS.get(word, -1)
        unit = match[2]
        if number < 0:
            return None
    kind = _UNITS.get(unit)
    if kind is None:
        return None
    return relativedelta(**{kind: sign * number})


def _weekday(rest: str, original: str, today: date, field: str) -> date | None:
    words = rest.split()
    nxt = False
    if len(words) == 2 and words[1] in ("prochain", "prochaine") and words[0] in _WEEKDAY_NAMES:
        name, nxt = words[0], True
    elif len(words) == 2 and words[0] == "next" and words[1] in _WEEKDAY_NAMES:
        name, nxt = words[1], True
    elif len(words) == 1 and words[0] in _WEEKDAY_NAMES:
        name = words[0]
    else:
        return None
    target = _WEEKDAY_NAMES[name]
    ahead = (target - today.weekday()) % 7
    coming = today + timedelta(days=ahead or 7)
    if not nxt:
        if ahead == 0:
            raise AmbiguousDate(original, [("aujourd'hui", today),
                                           ("dans une semaine", today + timedelta(days=7))], field)
        return coming
    # "mardi prochain" said on a Monday: tomorrow, or the Tuesday of next week?
    if ahead == 0:
        return today + timedelta(days=7)
    next_week = today + timedelta(days=7 - today.weekday() + target)
    if coming == next_week:
        return coming
    raise AmbiguousDate(original, [("cette semaine", coming), ("la semaine prochaine", next_week)],
                        field)


def _numeric_date(rest: str, original: str, today: date, field: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?", rest)
    if not match:
        return None
    day, month = int(match[1]), int(match[2])
    if match[3]:
        year = int(match[3])
        if year < 100:
            year += 2000
        return _real_date(year, month, day, original, field)
    return _nearest(day, month, original, today, field)


def _nearest(day: int, month: int, original: str, today: date, field: str) -> date:
    """A day and month without a year: the nearest such date (within six months)."""
    if not 1 <= month <= 12:
        raise ValidationError(_("« {original} » : il n'y a pas de mois {month}").format(original=original, month=month), field)
    if day == 29 and month == 2:
        years = [y for y in (today.year - 1, today.year, today.year + 1) if calendar.isleap(y)]
        candidates = [date(y, 2, 29) for y in years]
        if not candidates:
            raise ValidationError(_("« {original} » : pas de 29 février près de {year}").format(original=original, year=today.year), field)
    else:
        last = max(calendar.monthrange(2001, month)[1], 0)
        if not 1 <= day <= last:
            raise ValidationError(
                _("« {original} » : {value} a {last} jours, pas {day}").format(original=original, value=calendar.month_name[month], last=last, day=day), field)
        candidates = [date(y, month, day) for y in (today.year - 1, today.year, today.year + 1)]
    best = min(candidates, key=lambda d: abs((d - today).days))
    return best


def _named_month_date(rest: str, original: str, today: date, field: str) -> date | None:
    match = re.fullmatch(r"(?:(\d{1,2})(?:er)?\s+([a-z]+)\.?|([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?)"
                         r"(?:\s+(\d{4}))?", rest)
    if not match:
        return None
    if match[1]:
        day, name = int(match[1]), match[2]
    else:
        name, day = match[3], int(match[4])
    month = _MONTH_NAMES.get(name)
    if month is None:
        return None
    if match[5]:
        return _real_date(int(match[5]), month, day, original, field)
    return _nearest(day, month, original, today, field)


# -- recurrences ----------------------------------------------------------------

_FREQ_WORDS = {
    "jour": "DAILY", "jours": "DAILY", "day": "DAILY", "days": "DAILY",
    "semaine": "WEEKLY", "semaines": "WEEKLY", "week": "WEEKLY", "weeks": "WEEKLY",
    "mois": "MONTHLY", "month": "MONTHLY", "months": "MONTHLY",
    "an": "YEARLY", "ans": "YEARLY", "annee": "YEARLY", "annees": "YEARLY",
    "year": "YEARLY", "years": "YEARLY",
}
_ADJECTIVES = {"quotidien": "DAILY", "daily": "DAILY", "hebdomadaire": "WEEKLY",
               "weekly": "WEEKLY", "mensuel": "MONTHLY", "monthly": "MONTHLY",
               "annuel": "YEARLY", "yearly": "YEARLY", "annually": "YEARLY"}
_ORDINALS = {"premier": 1, "1er": 1, "1re": 1, "first": 1, "1st": 1, "deuxieme": 2, "2e": 2,
             "second": 2, "2nd": 2, "troisieme": 3, "3e": 3, "third": 3, "3rd": 3,
             "quatrieme": 4, "4e": 4, "fourth": 4, "4th": 4, "dernier": -1, "derniere": -1,
             "last": -1, "avant-dernier": -2}


def parse_recurrence(text: str, *, today: date | None = None) -> Rule:
    """RRULE text or a phrase (``chaque lundi``, ``every 3 months until 2027-06``) → Rule."""
    source = text.strip()
    if not source:
        raise ValidationError(_("récurrence : rien de donné"), "rrule")
    if "=" in source:
        return parse_rule(source)
    phrase = re.sub(r"\s+", " ", fold(source).replace("’", "'"))
    phrase, until, count = _take_end(phrase, source, today or clock.today())
    rule = _phrase_rule(phrase, source)
    if count is not None:
        return rule.with_count(count)
    return rule.with_until(until) if until is not None else rule


def _take_end(phrase: str, source: str, today: date) -> tuple[str, date | None, int | None]:
    match = re.search(r"\s*(?:,\s*)?(?:until|jusqu'au|jusqu'en|jusqu'a|jusque)\s+(.+)$", phrase)
    if match:
        end_text = match[1].strip()
        month = re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})", end_text)
        named = re.fullmatch(r"([a-z]+)\s+(\d{4})", end_text)
        if month:
            year = int(month[1] or month[4])
            number = int(month[2] or month[3])
            if not 1 <= number <= 12:
                raise ValidationError(_("récurrence : « {end_text} » n'est pas un mois").format(end_text=end_text), "rrule")
            until = date(year, number, calendar.monthrange(year, number)[1])
        elif named and named[1] in _MONTH_NAMES:
            year, number = int(named[2]), _MONTH_NAMES[named[1]]
            until = date(year, number, calendar.monthrange(year, number)[1])
        else:
            value = parse_when(end_text, today=today, field="rrule").value
            until = value.date() if isinstance(value, datetime) else value
        return phrase[:match.start()].strip(), until, None
    match = re.search(r"\s*(?:,\s*)?(?:pendant\s+|for\s+)?(\d+)\s*(?:fois|times|occurrences)$",
                      phrase)
    if match:
        return phrase[:match.start()].strip(), None, int(match[1])
    return phrase, None, None


def _phrase_rule(phrase: str, source: str) -> Rule:
    if phrase in _ADJECTIVES:
        return Rule(_ADJECTIVES[phrase])
    if phrase in ("en semaine", "every weekday", "jours ouvres", "tous les jours ouvres",
                  "chaque jour ouvre", "weekdays"):
        return Rule("WEEKLY", byday=tuple((0, d) for d in WEEKDAYS[:5]))
    match = re.fullmatch(r"(?:le |the )?(\S+) (\S+) (?:du mois|de chaque mois|of the month|"
                         r"of every month|of each month)", phrase)
    if match and match[1] in _ORDINALS and match[2] in _WEEKDAY_NAMES:
        day = WEEKDAYS[_WEEKDAY_NAMES[match[2]]]
        return Rule("MONTHLY", byday=((_ORDINALS[match[1]], day),))
    match = re.fullmatch(r"(?:le |the )?(\d{1,2})(?:er|st|nd|rd|th)? (?:du mois|de chaque mois|"
                         r"of the month|of every month|of each month)", phrase)
    if match:
        return Rule("MONTHLY", parts={"BYMONTHDAY": (int(match[1]),)})
    match = re.fullmatch(r"(?:every|chaque|tous les|toutes les) (?:(\d+|[a-z]+) )?([a-z]+)",
                         phrase)
    if match:
        count_word, unit = match[1], match[2]
        interval = 1
        if count_word:
            interval = int(count_word) if count_word.isdigit() else \
                _NUMBER_WORDS.get(count_word, 0)
        days = _weekday_list(unit if not count_word or interval else f"{count_word} {unit}")
        if days and not count_word:
            return Rule("WEEKLY", byday=tuple((0, d) for d in days))
        if unit in _FREQ_WORDS and interval >= 1:
            return Rule(_FREQ_WORDS[unit], interval=interval)
        if unit == "other" or count_word == "other":
            pass
    match = re.fullmatch(r"(?:every|chaque|tous les|le|les|on) (.+)", phrase)
    if match:
        days = _weekday_list(match[1])
        if days:
            return Rule("WEEKLY", byday=tuple((0, d) for d in days))
    raise ValidationError(
        _("récurrence : « {source} » n'est pas une règle que je sais lire (par ex. chaque lundi, every Monday, 1er mardi du mois, tous les 3 mois jusqu'en 2027-06, ou un texte RRULE)").format(source=source), "rrule")


def _weekday_list(text: str) -> list[str]:
    names = [w for w in re.split(r"[ ,]+|\bet\b|\band\b", text) if w]
    days: list[str] = []
    for name in names:
        name = name.rstrip("s") if name.rstrip("s") in _WEEKDAY_NAMES else name
        if name not in _WEEKDAY_NAMES:
            return []
        days.append(WEEKDAYS[_WEEKDAY_NAMES[name]])
    return days


def _day_name(day: str) -> str:
    return [_("lundi"), _("mardi"), _("mercredi"), _("jeudi"), _("vendredi"), _("samedi"),
            _("dimanche")][WEEKDAYS.index(day)]


def _ordinal(n: int) -> str:
    """1er, 2e… dernier — in the user's language (1st, 2nd… last)."""
    known = {1: _("1er"), 2: _("2e"), 3: _("3e"), 4: _("4e"), 5: _("5e"), -1: _("dernier"),
             -2: _("avant-dernier")}
    return known.get(n) or _("{n}e").format(n=n)


def _every(freq: str, interval: int) -> str:
    """Every N units (N > 1): one sentence per unit, whose gender French agrees with."""
    return {"DAILY": _("tous les {n} jours"), "WEEKLY": _("toutes les {n} semaines"),
            "MONTHLY": _("tous les {n} mois"), "YEARLY": _("tous les {n} ans")}[freq].format(
                n=interval)


def describe_rule(rule: Rule) -> str:
    """A sentence for a rule in the user's language: ``chaque lundi``, ``le 1er mardi
    du mois`` (``every Monday``, ``the 1st Tuesday of the month``)."""
    days = [d for n, d in rule.byday if not n]
    numbered = [(n, d) for n, d in rule.byday if n]
    if rule.freq == "WEEKLY" and days and rule.interval == 1:
        if days == list(WEEKDAYS[:5]):
            text = _("chaque jour de semaine")
        else:
            text = _("chaque {days}").format(days=", ".join(_day_name(d) for d in days))
    elif rule.freq == "MONTHLY" and numbered and rule.interval == 1:
        text = _("le {days} du mois").format(days=", ".join(
            _("{ordinal} {day}").format(ordinal=_ordinal(n), day=_day_name(d))
            for n, d in numbered))
    elif rule.freq == "MONTHLY" and "BYMONTHDAY" in rule.parts and rule.interval == 1:
        text = _("le {days} du mois").format(days=", ".join(
            _ordinal(n) if n in (1, -1) else str(n) for n in rule.parts["BYMONTHDAY"]))
    elif rule.interval == 1:
        text = {"DAILY": _("chaque jour"), "WEEKLY": _("chaque semaine"),
                "MONTHLY": _("chaque mois"), "YEARLY": _("chaque année")}[rule.freq]
    else:
        text = _every(rule.freq, rule.interval)
        if days:
            text = _("{rule} le {days}").format(
                rule=text, days=", ".join(_day_name(d) for d in days))
    if rule.count:
        text = _("{rule}, {count} fois").format(rule=text, count=rule.count)
    elif rule.until:
        text = _("{rule} jusqu'au {date}").format(rule=text, date=f"{rule.until:%d/%m/%Y}")
    return text
