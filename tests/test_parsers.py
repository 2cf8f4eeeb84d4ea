"""One number parser and one date parser: the same table fed to every entry point.

Entry points: the parser itself, a key's encoding (the card's key fields, the
contact form's birthday), the importer (a CSV through ``qualif import``), the
query language (``compile`` and ``qualif query``), deals' amounts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from parser_table import DATES, NUMBERS

from qualif_tui.cli import main
from qualif_tui.domain import parsing
from qualif_tui.domain.contacts import clean_fields, create_contact
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import contact_values, define_key, get_key, set_qualification
from qualif_tui.query import QueryError, compile_query, count
from qualif_tui.services.importing import normalize
from qualif_tui.storage import Database, open_database


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_number_parser(text: str, expected: float | None) -> None:
    if expected is None:
        with pytest.raises(parsing.ParseError):
            parsing.parse_number(text)
    else:
        assert parsing.parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_date_parser(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(parsing.ParseError):
            parsing.parse_date(text)
    else:
        day = parsing.parse_date(text)
        assert day is not None and day.isoformat() == expected


def test_month_first_only_when_the_column_says_so() -> None:
    assert parsing.date_order(["06/15/2024", "01/02/2024"]) == "mdy"
    assert parsing.parse_iso_date("06/15/2024", "mdy") == "2024-06-15"
    assert parsing.parse_iso_date("0/0/00") == ""  # Outlook's "no date"
    assert parsing.parse_month("mars 2019") == "2019-03"
    assert parsing.parse_month("15/06/2024") == "2024-06"


@pytest.fixture
def typed_db(db: Database) -> Database:
    define_key(db, "Budget", "number")
    define_key(db, "Signature", "date")
    return db


def test_key_encoding_app_and_cli_forms(typed_db: Database) -> None:
    """What the card's key fields (key.encode) and the contact form accept."""
    budget, signature = get_key(typed_db, "Budget"), get_key(typed_db, "Signature")
    for text, expected in NUMBERS:
        if expected is None:
            with pytest.raises(ValidationError):
                budget.encode(text)
        else:
            assert budget.encode(text) == pytest.approx(expected), text
    for text, expected_date in DATES:
        if expected_date is None:
            with pytest.raises(ValidationError):
                signature.encode(text)
            with pytest.raises(ValidationError):
                clean_fields({"birthday": text})
        else:
            assert signature.encode(text) == expected_date, text
            assert clean_fields({"birthday": text})["birthday"] == expected_date


def test_importer_normalisation() -> None:
    for text, expected in NUMBERS:
        if expected is None:
            with pytest.raises(normalize.BadValue):
                normalize.parse_number(text)
        else:
            assert normalize.parse_number(text) == pytest.approx(expected), text
    for text, expected_date in DATES:
        if expected_date is None:
            with pytest.raises(normalize.BadValue):
                normalize.parse_date(text)
        else:
            assert normalize.parse_date(text) == expected_date, text


def test_query_language(typed_db: Database) -> None:
    """``budget:"…"`` finds the contact holding the parsed value; bad values are errors."""
    for index, (text, expected) in enumerate(NUMBERS):
        if expected is None:
            with pytest.raises(QueryError):
                compile_query(typed_db, f'budget:"{text}"')
            continue
        cid = create_contact(typed_db, {"last_name": f"N{index}"})
        set_qualification(typed_db, cid, "Budget", expected)
        found = count(typed_db, compile_query(typed_db, f'budget:"{text}" name:n{index}'))
        assert found == 1, text
    for index, (text, expected_date) in enumerate(DATES):
        if expected_date is None:
            with pytest.raises(QueryError):
                compile_query(typed_db, f'signature:"{text}"')
            continue
        cid = create_contact(typed_db, {"last_name": f"D{index}"})
        set_qualification(typed_db, cid, "Signature", expected_date)
        assert count(typed_db, compile_query(typed_db, f'signature:"{text}" name:d{index}')) == 1


def test_import_and_query_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "cli.db"
    db = open_database(path, create=True)
    define_key(db, "Budget", "number")
    define_key(db, "Signature", "date")
    db.close()
    good_numbers = [(t, e) for t, e in NUMBERS if e is not None]
    good_dates = [(t, e) for t, e in DATES if e is not None]
    lines = ["Nom;Budget;Signature"]
    for index in range(max(len(good_numbers), len(good_dates))):
        number = good_numbers[index][0] if index < len(good_numbers) else ""
        day = good_dates[index][0] if index < len(good_dates) else ""
        lines.append(f"Contact{index};{number};{day}")
    source = tmp_path / "table.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(path), str(source)])
    assert result.exit_code == 0, result.stderr
    db = open_database(path)
    try:
        for index in range(len(lines) - 1):
            cid = db.scalar("SELECT id FROM contacts WHERE last_name = ?", (f"Contact{index}",))
            values = contact_values(db, cid)
            if index < len(good_numbers):
                assert values["Budget"] == pytest.approx(good_numbers[index][1])
            if index < len(good_dates):
                assert values["Signature"] == good_dates[index][1]
    finally:
        db.close()
    for text, expected in NUMBERS:
        result = runner.invoke(main, ["query", str(path), f'budget:"{text}"', "--count"])
        if expected is None:
            assert result.exit_code == 2, text
        else:
            assert result.exit_code == 0 and int(result.stdout) >= 1, text
    for text, expected_date in DATES:
        result = runner.invoke(main, ["query", str(path), f'signature:"{text}"', "--count"])
        assert result.exit_code == (2 if expected_date is None else 0), text
