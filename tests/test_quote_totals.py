"""Quote totals against hand-computed French quotes, and money formats.

Every expected figure below was worked out by hand (line by line, rounded half
up to the cent, VAT on each rate's base), not with the product's helpers.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.money import (
    cents,
    format_day,
    format_euros,
    parse_amount,
    parse_day,
)
from qualif_tui.domain.quote_totals import LineFigures, Totals, compute_totals, line_total, vat_rate

D = Decimal


def figures(t: Totals) -> tuple[str, ...]:
    return (str(t.total_ht), *(f"{p.rate}:{p.base}:{p.vat}" for p in t.vat),
            str(t.total_vat), str(t.total_ttc))


def test_three_times_33_33_at_20_percent() -> None:
    # three lines of 33,33 € HT: 99,99 € HT, VAT 20 % of 99,99 = 19,998 → 20,00
    totals = compute_totals([(1, "33.33", 20, 0)] * 3)
    assert totals.lines == (D("33.33"),) * 3
    assert figures(totals) == ("99.99", "20:99.99:20.00", "20.00", "119.99")
    # one line of 3 × 33,33 gives the same
    assert figures(compute_totals([(3, "33.33", 20, 0)])) == figures(totals)


def test_mixed_rates_and_discounts() -> None:
    lines: list[LineFigures] = [
        (2, "1250", 20, 10),       # 2 × 1 250 − 10 % = 2 250,00
        (3, "10", "5.5", 10),      # 30 − 10 % = 27,00
        ("1.5", "19.99", 10, 0),   # 29,985 → 29,99
        (7, "0.333", "2.1", 0),    # 2,331 → 2,33
        (1, "80", 0, 0),           # 80,00
    ]
    totals = compute_totals(lines)
    assert totals.lines == (D("2250.00"), D("27.00"), D("29.99"), D("2.33"), D("80.00"))
    # VAT: 2 250 × 20 % = 450,00; 29,99 × 10 % = 2,999 → 3,00;
    #      27 × 5,5 % = 1,485 → 1,49; 2,33 × 2,1 % = 0,04893 → 0,05; 80 × 0 = 0
    assert figures(totals) == ("2389.32", "20:2250.00:450.00", "10:29.99:3.00",
                               "5.5:27.00:1.49", "2.1:2.33:0.05", "0:80.00:0.00",
                               "454.54", "2843.86")


@pytest.mark.parametrize(("quantity", "price", "discount", "expected"), [
    (1, "0.125", 0, "0.13"),      # half up, not half even
    (1, "2.675", 0, "2.68"),      # a float would say 2.67
    (3, "0.335", 0, "1.01"),      # 1,005 → 1,01
    (1, "100", "33.333", "66.67"),
    (1, "10", 100, "0.00"),
])
def test_line_rounding(quantity: object, price: object, discount: object,
                       expected: str) -> None:
    assert line_total(D(str(quantity)), D(str(price)), D(str(discount))) == D(expected)


def test_no_lines() -> None:
    assert figures(compute_totals([])) == ("0.00", "0.00", "0.00")


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 500_000),
                          st.sampled_from(["20", "10", "5.5", "2.1", "0"]),
                          st.integers(0, 100)), max_size=12))
def test_totals_add_up(lines: list[tuple[int, int, str, int]]) -> None:
    """The reference: integer cents, half up, written apart from the product."""
    def half_up(numerator: int, denominator: int) -> int:
        return (2 * numerator + denominator) // (2 * denominator)

    rows = [(q, D(c) / 100, D(r), d) for q, c, r, d in lines]
    totals = compute_totals(rows)
    line_cents = [half_up(q * c * (100 - d), 100) for q, c, _r, d in lines]
    assert [int(x * 100) for x in totals.lines] == line_cents
    bases: dict[str, int] = {}
    for (_q, _c, r, _d), amount in zip(lines, line_cents, strict=True):
        bases[r] = bases.get(r, 0) + amount
    vat = sum(half_up(base * int(D(r) * 10), 1000) for r, base in bases.items())
    assert int(totals.total_ht * 100) == sum(line_cents)
    assert int(totals.total_vat * 100) == vat
    assert totals.total_ttc == totals.total_ht + totals.total_vat


def test_vat_rates_of_the_table_only() -> None:
    assert vat_rate("5,5 %") == D("5.5")
    assert vat_rate(20) == D("20")
    for bad in ("19", "7", "abc", "-20", "55"):
        with pytest.raises(ValidationError, match="n'est pas un taux français") as caught:
            vat_rate(bad)
        assert caught.value.field == "vat"


def test_french_formats() -> None:
    nbsp = "\u00a0"
    assert format_euros(12500) == f"12{nbsp}500,00{nbsp}€"
    assert format_euros(D("1234567.5")) == f"1{nbsp}234{nbsp}567,50{nbsp}€"
    assert format_euros(0.1 + 0.2) == f"0,30{nbsp}€"
    assert format_euros(999, 0) == f"999{nbsp}€"
    assert format_day("2026-11-29") == "29/11/2026"
    assert parse_day("29/11/26", "date", "d") == "2026-11-29"
    assert parse_amount("12 500,50 €") == D("12500.50")
    assert parse_amount("1.234,5") == D("1234.5")
    assert cents(D("2.675")) == D("2.68")
    with pytest.raises(ValidationError, match="n'existe pas"):
        parse_day("29/02/2026", "date", "d")
