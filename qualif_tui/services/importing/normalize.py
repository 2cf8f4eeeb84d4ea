"""Turning values as files write them into the forms the database keeps.

Each function returns the clean value, or raises :class:`BadValue` with a
short reason; the reader then keeps the raw text as a custom field and tells
the user (nothing is dropped, and the contact columns only hold valid values).
Phones are stored as typed; :func:`phone_e164` gives the comparable form.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain import parsing
from qualif_tui.domain.keys import parse_yesno
from qualif_tui.domain.phones import phone_e164 as phone_e164  # part of this module's API


class BadValue(ValueError):
    """A value that does not fit its column; the message says why, in a few words."""


_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_SPACES = re.compile(r"\s+")
_PARTIAL = re.compile(r"--(\d{2})-?(\d{2})")


def clean_text(value: str) -> str:
    """Trimmed, with runs of spaces (not newlines) kept as the user typed them."""
    return value.strip()


def one_line(value: str) -> str:
    if "  " not in value and "\n" not in value and "\t" not in value:
        return value.strip()
    return _SPACES.sub(" ", value).strip()


# -- dates ------------------------------------------------------------------------


def date_order(values: list[str], default: str = "dmy") -> str:
    """'dmy' or 'mdy' for a column of dates (:func:`qualif_tui.domain.parsing.date_order`;
    Outlook in English writes month first)."""
    return parsing.date_order(values, default)


def parse_date(value: str, order: str = "dmy") -> str:
    """``15/06/1975``, ``1975-06-15``, ``19750615``, ``15.06.75`` → ``1975-06-15``;
    '' for Outlook's empty date. The one date parser (:mod:`qualif_tui.domain.parsing`)."""
    try:
        return parsing.parse_iso_date(value, order)
    except parsing.ParseError as error:
        raise BadValue(str(error)) from None


def parse_birthday(value: str, order: str = "dmy") -> str:
    """A date, or ``--MM-DD`` when the year is unknown (vCard ``--0615``, ``15/06``)."""
    text = value.strip()
    match = _PARTIAL.fullmatch(text)
    if match:
        month, day = int(match[1]), int(match[2])
        return _partial(month, day, value)
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})", text)
    if match:
        first, second = int(match[1]), int(match[2])
        day, month = (first, second) if order == "dmy" else (second, first)
        return _partial(month, day, value)
    # Apple writes a birthday without year as the year 1604
    match = re.fullmatch(r"1604-?(\d{2})-?(\d{2})", text)
    if match:
        return _partial(int(match[1]), int(match[2]), value)
    return parse_date(text, order)


def _partial(month: int, day: int, raw: str) -> str:
    try:
        date(2000, month, day)
    except ValueError:
        raise BadValue(_("« {value} » n'est pas une date").format(value=raw.strip())) from None
    return f"--{month:02d}-{day:02d}"


def excel_value(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


# -- numbers, yes/no ---------------------------------------------------------------


def parse_number(value: str) -> float:
    """``12 500,50``, ``12,500.50``, ``1.234,5``, ``€``: the one number parser
    (:mod:`qualif_tui.domain.parsing`, where the ambiguity rule is written)."""
    try:
        return parsing.parse_number(value)
    except parsing.ParseError as error:
        raise BadValue(str(error)) from None


def parse_flag(value: str) -> int:
    try:
        return int(parse_yesno(value))
    except ValueError:
        raise BadValue(_("« {value} » n'est pas oui/non").format(value=value.strip())) from None


# -- e-mails, postal codes, phones -------------------------------------------------------


def clean_email(value: str) -> str:
    """An address as typed (``mailto:`` and ``<>`` removed); BadValue if it is not one."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip("<> \t")
    if not _EMAIL.match(text):
        raise BadValue(_("« {value} » n'est pas une adresse e-mail").format(value=value.strip()))
    return text


# An e-mail address or postal code that is not valid is still kept where it
# belongs (the card warns, invalid:email finds it): the notice says so.
KEPT_INVALID = _("{reason} : gardé tel que tapé, avec un avertissement sur la fiche (invalid:email, invalid:postal_code)")


def kept_email(value: str) -> str:
    """An invalid address worth keeping in the e-mail field ('' when the text is no
    address at all): one word with an ``@``, such as ``helene.lefevre@orange``."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip("<> \t")
    return text if "@" in text and not any(c.isspace() for c in text) else ""


def clean_postal_code(value: str, country: str) -> str:
    """French codes: 5 digits (Excel's lost leading zero put back); others as typed."""
    text = value.strip()
    if country and not _is_france(country):
        return text
    if len(text) == 5 and text.isdigit():
        return text
    compact = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{4}", compact):
        compact = "0" + compact
    if not re.fullmatch(r"\d{5}", compact):
        raise BadValue(_("« {text} » n'est pas un code postal français (5 chiffres)").format(text=text))
    return compact


@functools.lru_cache(maxsize=256)
def _is_france(country: str) -> bool:
    return fold(country) in ("france", "fr", "fra")


def clean_phone(value: str) -> str:
    """A phone as typed, minus a ``tel:`` URI wrapping; Excel's lost leading zero put back."""
    text = value.strip()
    if text.lower().startswith("tel:"):
        number, *params = text[4:].split(";")
        extension = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
        text = number + (f" ext. {extension}" if extension else "")
    if len(text) == 9 and text.isdigit() and text[0] != "0":  # a French number Excel made a number
        text = "0" + text
    return text


def email_key(email: str) -> str:
    """The form e-mails are compared in (the domain and, in practice, the local part
    are case-insensitive)."""
    return email.strip().lower()
