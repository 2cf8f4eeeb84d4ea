"""Amounts and days as a French freelancer writes and reads them.

Amounts are computed in :class:`~decimal.Decimal` and rounded half up to the
cent (French commercial practice, not the banker's rounding of ``round()``);
they are stored as SQLite REALs and read back through ``Decimal(str(x))``,
which gives back the decimal that was stored for any amount of up to 15
significant digits. Shown as ``12 500,00 €`` (no-break spaces, so a line
never breaks inside an amount) and days as ``29/11/2026``.

Parsing accepts what people type: ``12 500,50``, ``12500.5``, ``1.234,5``,
``12 500 €``; days as ``29/11/2026``, ``29/11/26``, ``2026-11-29``. Every
refusal is a :class:`ValidationError` naming the field, in French.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError

CENT = Decimal("0.01")
NBSP = "\u00a0"
# Far beyond a freelancer's deal or quote line, short of float trouble: a typo guard.
MAX_AMOUNT = Decimal("999999999.99")


def dec(value: float | int | str | Decimal | None) -> Decimal:
    """A stored or given number as a Decimal (None is zero)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def cents(value: Decimal | float | int) -> Decimal:
    """Rounded half up to the cent: 0,125 → 0,13; 2,675 → 2,68."""
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str | float | int | Decimal, label: str, field: str) -> Decimal:
    """French and English number forms → Decimal; refuses anything else."""
    if isinstance(text, Decimal | int | float) and not isinstance(text, bool):
        value = dec(text)
    else:
        raw = str(text).strip()
        cleaned = re.sub(r"[\s\u00a0\u202f€]", "", raw)
        if "," in cleaned and "." in cleaned:
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(_("{label} : « {text} » n'est pas un nombre").format(
                label=label, text=raw), field) from None
    if not value.is_finite():
        raise ValidationError(_("{label} : « {text} » n'est pas un nombre").format(
            label=label, text=text), field)
    return value


def parse_amount(text: str | float | int | Decimal, label: str = "montant",
                 field: str = "amount", *, allow_zero: bool = True, places: int = 2) -> Decimal:
    """An amount in euros: not negative, not absurd, at most ``places`` decimals."""
    value = parse_decimal(text, label, field)
    if value < 0:
        raise ValidationError(_("{label} : un montant ne peut pas être négatif ({value})").format(
            label=label, value=format_euros(value)), field)
    if value > MAX_AMOUNT:
        raise ValidationError(_("{label} : {value} est hors de proportion (au plus {most})").format(
            label=label, value=format_euros(value), most=format_euros(MAX_AMOUNT)), field)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(_("{label} : {places} décimales au plus ({text})").format(
            label=label, places=places, text=str(text).strip()), field)
    if not allow_zero and value == 0:
        raise ValidationError(_("{label} : un montant est nécessaire").format(label=label), field)
    return value


def parse_percent(text: str | float | int, label: str, field: str) -> int:
    """A whole percentage from 0 to 100 (``50``, ``50 %``)."""
    raw = str(text).strip().rstrip("%").strip()
    value = parse_decimal(raw, label, field)
    if value != value.to_integral_value() or not 0 <= value <= 100:
        raise ValidationError(_("{label} : {text} n'est pas un pourcentage entier de 0 à 100"
                                ).format(label=label, text=str(text).strip()), field)
    return int(value)


def format_number(value: Decimal | float | int, places: int = 2) -> str:
    """``12 500,00`` (no-break spaces between thousands)."""
    amount = dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _dot, fraction = f"{abs(amount):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP.join(groups)
    return f"{sign}{text},{fraction}" if places else f"{sign}{text}"


def format_euros(value: Decimal | float | int, places: int = 2) -> str:
    """``12 500,00 €``; ``places=0`` gives ``12 500 €`` for lists."""
    return f"{format_number(value, places)}{NBSP}€"


def format_quantity(value: Decimal | float | int) -> str:
    """A quantity without useless decimals: ``3``, ``1,5``, ``0,25``."""
    number = dec(value).normalize()
    text = f"{number:f}"
    return text.replace(".", ",")


def format_rate(rate: Decimal | float | int) -> str:
    """A VAT rate: ``20 %``, ``5,5 %``."""
    return f"{format_quantity(rate)}{NBSP}%"


# -- days -----------------------------------------------------------------------


def parse_day(text: str | date, label: str, field: str) -> str:
    """``29/11/2026``, ``29/11/26``, ``29-11-2026``, ``2026-11-29`` → ``2026-11-29``.

    A day that does not exist (31/02) is refused, never moved to another day.
    """
    if isinstance(text, date):
        return text.isoformat()
    raw = str(text).strip()
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", (1, 2, 3)),
        (r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", (3, 2, 1)),
        (r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})", (3, 2, 1)),
    )
    for pattern, (y, m, d) in patterns:
        match = re.fullmatch(pattern, raw)
        if not match:
            continue
        year = int(match[y]) + (2000 if len(match[y]) == 2 else 0)
        try:
            return date(year, int(match[m]), int(match[d])).isoformat()
        except ValueError:
            raise ValidationError(_("{label} : le {text} n'existe pas").format(
                label=label, text=raw), field) from None
    raise ValidationError(_("{label} : « {text} » n'est pas une date (JJ/MM/AAAA)").format(
        label=label, text=raw), field)


def format_day(iso: str | date | None) -> str:
    """``2026-11-29`` → ``29/11/2026`` ('' for nothing)."""
    if not iso:
        return ""
    day = iso if isinstance(iso, date) else date.fromisoformat(str(iso)[:10])
    return day.strftime("%d/%m/%Y")
