"""A quote's totals, the French way: each line rounded to the cent, then summed.

* line HT = quantity × unit price × (1 − discount %), rounded half up to the cent;
* total HT = the sum of the rounded lines;
* VAT per rate = (sum of the lines HT at that rate) × rate, rounded half up —
  VAT is due on the taxable base of each rate, which is how French invoicing
  software and the tax code's examples compute it (three lines of 33,33 € at
  20 % give 99,99 € HT and 20,00 € of VAT, not 3 × 6,67 €);
* total TTC = total HT + the VAT of every rate.

Pure functions on :class:`~decimal.Decimal`: tested against hand-computed
quotes without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.money import cents, dec, format_rate

# The French VAT rates (normal, intermediate, reduced, super-reduced, none).
VAT_RATES: tuple[Decimal, ...] = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"),
                                  Decimal("0"))


def vat_rate(value: str | float | int | Decimal) -> Decimal:
    """A rate of :data:`VAT_RATES` from ``20``, ``5,5``, ``5.5 %``; anything else is refused."""
    text = str(value).strip().rstrip("%").strip().replace(",", ".")
    try:
        rate = Decimal(text)
    except ArithmeticError:
        rate = Decimal(-1)
    for known in VAT_RATES:
        if rate == known:
            return known
    raise ValidationError(_("TVA : {value} n'est pas un taux français ({rates})").format(
        value=str(value).strip(), rates=", ".join(format_rate(r) for r in VAT_RATES)), "vat")


def line_total(quantity: Decimal | float | str, unit_price: Decimal | float | str,
               discount: Decimal | float | str = 0) -> Decimal:
    """One line HT, rounded to the cent."""
    gross = dec(quantity) * dec(unit_price)
    return cents(gross * (Decimal(100) - dec(discount)) / Decimal(100))


@dataclass(frozen=True)
class VatPart:
    rate: Decimal
    base: Decimal  # the lines HT at this rate
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[Decimal, ...]  # each line HT, in order
    total_ht: Decimal
    vat: tuple[VatPart, ...]  # by rate, highest first
    total_vat: Decimal
    total_ttc: Decimal


Num = Decimal | float | str
LineFigures = tuple[Num, Num, Num, Num]


def compute_totals(lines: Iterable[LineFigures]) -> Totals:
    """Totals of lines given as (quantity, unit price HT, VAT rate, discount %)."""
    amounts: list[Decimal] = []
    bases: dict[Decimal, Decimal] = {}
    for quantity, price, rate, discount in lines:
        amount = line_total(quantity, price, discount)
        amounts.append(amount)
        given = dec(rate)
        key = next((known for known in VAT_RATES if known == given), given)
        bases[key] = bases.get(key, Decimal(0)) + amount
    parts = tuple(VatPart(rate, base, cents(base * rate / Decimal(100)))
                  for rate, base in sorted(bases.items(), reverse=True))
    total_ht = sum(amounts, Decimal(0))
    total_vat = sum((p.vat for p in parts), Decimal(0))
    return Totals(tuple(amounts), cents(total_ht), parts, cents(total_vat),
                  cents(total_ht + total_vat))
