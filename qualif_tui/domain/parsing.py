"""The one number parser and the one date parser of qualif.

The app (forms, the card's key fields), the command line, the query language
and every importer read numbers and dates through these functions, so that
``1,234.5`` or ``03/04/2024`` mean the same thing wherever they are typed.
``tests/parser_table.py`` holds the table of inputs fed to every entry point.

Numbers — the rule, in order:

1. Spaces (ordinary, no-break, narrow no-break), apostrophes (``1'000``, Swiss)
   and a currency sign (``€``, ``EUR``, ``$``) are ignored; a sign may lead
   (``-``, ``+``, ``−``).
2. When both ``,`` and ``.`` appear, the one written last is the decimal mark
   and the other groups thousands: ``1.234,5`` = ``1,234.5`` = 1234.5.
3. A mark written more than once groups thousands: ``1.234.567``, ``1,234,567``.
4. **The ambiguity rule**: a single ``,`` or ``.`` alone is the decimal mark.
   ``12,5`` = ``12.5`` = 12.5, and ``1,234`` = ``1.234`` = 1.234 — never
   one thousand two hundred and thirty-four: qualif never guesses thousands
   from one mark, because French writes ``1,5`` for one and a half and a
   wrong guess multiplies by a thousand. Write ``1 234`` or ``1234``.
5. Thousands groups (by a mark or a space) hold exactly three digits after
   the first: ``1,23.4`` or ``1 2`` are refused, not read as something else.

Dates — the rule:

* Year first is never ambiguous: ``2024-06-15``, ``2024/06/15``,
  ``20240615`` (a time after the date, ``2024-06-15T10:30``, is dropped).
* Otherwise **day first** (French): ``03/04/2024`` is 3 April, with ``/``,
  ``.`` or ``-`` between the parts. A date that only makes sense month first
  (``06/15/2024``) is refused, not silently turned round — except where the
  caller knows the whole column is written month first (an import from an
  English Outlook, :func:`date_order` of the column), which passes ``"mdy"``.
* Two-digit years: ``00`` up to this year's two digits are 20xx, the rest
  19xx (``15/06/75`` is 1975, ``01/02/24`` is 2024).
* French month names: ``15 juin 2024``, ``1er mars 2024``.
* Outlook writes ``0/0/00`` for "no date": that is no date (``None``).

Months (``YYYY-MM``): ``2019-03``, ``2019/03``, ``03/2019``, ``3-2019``,
``mars 2019``; a full date gives its month where a month is expected.
"""

from __future__ import annotations

import re
from datetime import date

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain import clock


class ParseError(ValueError):
    """Text that is not a number / date / month; the message says so, in French."""


# -- numbers ------------------------------------------------------------------

_IGNORED = re.compile(r"[\s\u00a0\u202f'’€$]|eur\b|euros?\b", re.IGNORECASE)
_SIGNED = re.compile(r"([+\-\u2212]?)(.*)")
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")


def parse_number(text: str) -> float:
    """A number as French and English users write it (see the module's rule)."""
    raw = str(text).strip()
    _check_spaces(raw)
    compact = _IGNORED.sub("", raw)
    sign_match = _SIGNED.fullmatch(compact)
    assert sign_match is not None
    sign, body = sign_match.groups()
    if not body or not re.fullmatch(r"[\d.,]+", body) or not re.search(r"\d", body):
        raise ParseError(_("« {text} » n'est pas un nombre").format(text=raw))
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if decimal == "," else ","
        if body.count(decimal) > 1 or body.rfind(group) > body.rfind(decimal):
            raise ParseError(_("« {text} » n'est pas un nombre").format(text=raw))
        whole, fraction = body.rsplit(decimal, 1)
        whole = _ungroup(whole, group, raw)
    elif commas > 1 or dots > 1:
        group = "," if commas else "."
        whole, fraction = _ungroup(body, group, raw), ""
    elif commas or dots:
        whole, fraction = body.split("," if commas else ".")
    else:
        whole, fraction = body, ""
    if not whole and not fraction:
        raise ParseError(_("« {text} » n'est pas un nombre").format(text=raw))
    number = float(f"{whole or '0'}.{fraction or '0'}")
    return -number if sign in ("-", "\u2212") else number


def _ungroup(whole: str, group: str, raw: str) -> str:
    """``1.234.567`` → ``1234567``; groups after the first must be three digits."""
    if group not in whole:
        return whole
    if not _GROUPED.fullmatch(whole.replace(group, "X")):
        raise ParseError(_("« {text} » n'est pas un nombre (les milliers se groupent par trois"
                           " chiffres)").format(text=raw))
    return whole.replace(group, "")


def _check_spaces(raw: str) -> None:
    """Digits grouped by spaces must be grouped by three (``12 500``, not ``1 2``)."""
    for run in re.findall(r"\d+(?:[ \u00a0\u202f]+\d+)+", raw):
        parts = re.split(r"[ \u00a0\u202f]+", run)
        if len(parts[0]) > 3 or any(len(p) != 3 for p in parts[1:]):
            raise ParseError(_("« {text} » n'est pas un nombre (les milliers se groupent par"
                               " trois chiffres)").format(text=raw))


def format_number(number: float) -> str:
    """A number as the app shows it: no ``.0`` for whole numbers."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


# -- dates --------------------------------------------------------------------

MONTH_NAMES = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "decembre": 12, "dec": 12,
}
# Outlook writes these for "no date"
NO_DATE = {"0/0/00", "00/00/00", "0/0/0000", "00/00/0000", "0000-00-00", "00000000", "--"}
_TIME = r"(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T\d{4,6}Z?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})" + _TIME)
_NAMED = re.compile(r"(\d{1,2})(?:er|e)?\s+([a-z]+)\.?,?\s+(\d{4})")


def two_digit_year(year: int) -> int:
    """``75`` → 1975, ``24`` → 2024: up to this year's two digits is this century."""
    return year + (2000 if year <= clock.today().year % 100 else 1900)


def parse_date(text: str, order: str = "dmy") -> date | None:
    """A day (see the module's rule); ``None`` for Outlook's empty dates and ''.

    ``order``: ``"dmy"`` (French, the default) or ``"mdy"`` for a column known
    to be written month first.
    """
    raw = str(text).strip()
    if not raw or raw in NO_DATE:
        return None
    match = _YEAR_FIRST.fullmatch(raw) or _COMPACT.fullmatch(raw)
    if match:
        return _real(int(match[1]), int(match[2]), int(match[3]), raw)
    match = _DAY_FIRST.fullmatch(raw)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first == 0 and second == 0:
            return None
        if len(match[3]) == 2:
            year = two_digit_year(year)
        day, month = (first, second) if order == "dmy" else (second, first)
        if order == "dmy" and month > 12 and first <= 12 and second <= 31:
            raise ParseError(_("« {text} » n'est pas une date : les dates s'écrivent le jour"
                               " d'abord (JJ/MM/AAAA)").format(text=raw))
        return _real(year, month, day, raw)
    match = _NAMED.fullmatch(fold(raw))
    if match and match[2] in MONTH_NAMES:
        return _real(int(match[3]), MONTH_NAMES[match[2]], int(match[1]), raw)
    raise ParseError(_("« {text} » n'est pas une date (écrire JJ/MM/AAAA ou AAAA-MM-JJ)")
                     .format(text=raw))


def parse_iso_date(text: str, order: str = "dmy") -> str:
    """:func:`parse_date` as ``YYYY-MM-DD`` ('' for no date)."""
    day = parse_date(text, order)
    return day.isoformat() if day else ""


def _real(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(_("« {text} » n'est pas une date qui existe").format(text=raw)) from None


def parse_month(text: str, order: str = "dmy") -> str:
    """A month as ``YYYY-MM`` (see the module's rule)."""
    raw = str(text).strip()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", raw)
    if match:
        year, month = int(match[1]), int(match[2])
    else:
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", raw)
        named = re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", fold(raw))
        if match:
            month, year = int(match[1]), int(match[2])
        elif named and named[1] in MONTH_NAMES:
            month, year = MONTH_NAMES[named[1]], int(named[2])
        else:
            try:
                day = parse_date(raw, order)
            except ParseError:
                day = None
            if day is None:
                raise ParseError(_("« {text} » n'est pas un mois (écrire AAAA-MM)")
                                 .format(text=raw))
            return day.isoformat()[:7]
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ParseError(_("« {text} » n'est pas un mois (écrire AAAA-MM)").format(text=raw))
    return f"{year:04d}-{month:02d}"


def date_order(values: list[str], default: str = "dmy") -> str:
    """``"dmy"`` or ``"mdy"`` for a column of dates: a first part over 12 says
    day first, a second part over 12 says month first; otherwise ``default``."""
    dmy = mdy = False
    for value in values:
        match = _DAY_FIRST.fullmatch(value.strip())
        if match:
            first, second = int(match[1]), int(match[2])
            dmy = dmy or first > 12
            mdy = mdy or second > 12
    if dmy and not mdy:
        return "dmy"
    if mdy and not dmy:
        return "mdy"
    return default
