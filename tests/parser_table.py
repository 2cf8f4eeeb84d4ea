"""The one table of numbers and dates every entry point is fed (tests/test_parsers*.py).

``None`` as the expected value: the input is refused, wherever it is typed.
The rules are written in ``qualif_tui/domain/parsing.py``.
"""

from __future__ import annotations

NUMBERS: list[tuple[str, float | None]] = [
    ("12500", 12500.0),
    ("12 500,50", 12500.5),
    ("12\u202f500,50", 12500.5),
    ("12\u00a0500,50 €", 12500.5),
    ("12,500.50", 12500.5),
    ("1.234,5", 1234.5),
    ("1,234.5", 1234.5),
    ("12,5", 12.5),
    ("12.5", 12.5),
    ("1,234", 1.234),  # the ambiguity rule: one mark alone is the decimal mark
    ("1.234", 1.234),
    ("1.234.567", 1234567.0),
    ("1,234,567", 1234567.0),
    ("1.234.567,89", 1234567.89),
    ("1'000", 1000.0),
    ("-3", -3.0),
    ("\u22123,5", -3.5),
    ("+7", 7.0),
    ("0,5", 0.5),
    ("abc", None),
    ("1,2,3", None),
    ("1,23.4", None),
    ("12 50", None),
    ("1.5.0,2", None),
]

DATES: list[tuple[str, str | None]] = [
    ("2024-06-15", "2024-06-15"),
    ("15/06/2024", "2024-06-15"),
    ("15.06.2024", "2024-06-15"),
    ("15-06-2024", "2024-06-15"),
    ("03/04/2024", "2024-04-03"),  # the ambiguity rule: day first
    ("06/15/2024", None),  # only month first makes sense: refused, not turned round
    ("20240615", "2024-06-15"),
    ("2024/06/15", "2024-06-15"),
    ("15/06/75", "1975-06-15"),
    ("01/02/24", "2024-02-01"),
    ("15 juin 2024", "2024-06-15"),
    ("1er mars 2024", "2024-03-01"),
    ("2024-06-15T10:30", "2024-06-15"),
    ("31/02/2024", None),
    ("2024-13-01", None),
    ("le 15", None),
]
