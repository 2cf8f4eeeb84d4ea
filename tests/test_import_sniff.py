"""Bytes → text and cells: encodings, separators, and broken CSV structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualif_tui.services.importing import normalize
from qualif_tui.services.importing.csvfile import read_csv
from qualif_tui.services.importing.sniff import (
    Source,
    SourceError,
    decode_text,
    detect_separator,
    read_source,
    refuse_unknown_binary,
)

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FRENCH = "Hélène Lefèvre, Œuvray, François, garçon, où, à, Noël, 12 €, l’été"


def source(data: bytes) -> Source:
    return Source(Path("x.csv"), "x.csv", data)


@pytest.mark.parametrize("codec, label", [
    ("utf-8", "UTF-8"),
    ("cp1252", "cp1252 (Windows)"),
    ("mac_roman", "mac_roman (old Mac)"),
    ("cp850", "cp850 (DOS)"),
])
def test_french_text_in_each_encoding_is_read_back(codec: str, label: str) -> None:
    text = "Nom;Prénom\n" + "\n".join(f"{w};x" for w in FRENCH.replace("€", "e").split(", "))
    if codec != "cp1252":
        text = text.replace("’", "'")
    if codec == "cp850":  # DOS has no œ
        text = text.replace("Œ", "Oe")
    decoded = decode_text(source(text.encode(codec)))
    assert decoded.encoding == label
    assert decoded.text == text and not decoded.problems


def test_short_cp1252_file_is_not_taken_for_cp1250() -> None:
    # the case a generic detector got wrong: "Hélène" read as "Hélčne"
    assert decode_text(source("Hélène".encode("cp1252"))).text == "Hélène"


@pytest.mark.parametrize("bom, codec", [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                                        (b"\xfe\xff", "utf-16-be")])
def test_byte_order_marks(bom: bytes, codec: str) -> None:
    decoded = decode_text(source(bom + "Prénom;Nom\nZoé;Bénard\n".encode(codec)))
    assert decoded.text == "Prénom;Nom\nZoé;Bénard\n"
    assert "BOM" in decoded.encoding


def test_utf16_without_bom_is_recognised() -> None:
    decoded = decode_text(source("Prénom\tNom\r\nZoé\tBénard\r\n".encode("utf-16-le")))
    assert decoded.text.startswith("Prénom\tNom")


@pytest.mark.english  # reads the messages in English
def test_stray_byte_in_utf8_file_is_reported_with_line_and_character() -> None:
    data = (FIXTURES / "bad_utf8.csv").read_bytes()
    decoded = decode_text(source(data))
    assert decoded.encoding == "UTF-8"
    [problem] = decoded.problems
    assert problem.line == 4 and "0xE9" in problem.message and "character 9" in problem.message


@pytest.mark.parametrize("text, separator", [
    ("Nom;Prénom;Budget\nDupont;Jean;12 500,50\n", ";"),
    ("Nom,Prénom,Ville\nDupont,Jean,Albi\n", ","),
    ("Nom\tPrénom\tVille\nDupont\tJean\tAlbi\n", "\t"),
    ('Nom,Notes\n"Dupont","a; b; c"\n"Martin","d; e"\n', ","),
    ("E-mail\njean@exemple.fr\n", ""),
])
def test_separator(text: str, separator: str) -> None:
    assert detect_separator(text) == separator


def test_quoted_fields_with_separators_quotes_newlines_and_crlf() -> None:
    text = 'Nom;Notes\r\nDupont;"a;b\r\nligne ""deux"""\r\n\r\nMartin;x\r\n'
    table = read_csv(text, ";", "f.csv")
    assert table.rows == [(2, ["Dupont", 'a;b\r\nligne "deux"']), (5, ["Martin", "x"])]
    assert not table.problems


@pytest.mark.english  # reads the messages in English
def test_broken_structure_is_reported_by_line_and_column() -> None:
    text = (FIXTURES / "ragged.csv").read_text(encoding="utf-8")
    table = read_csv(text, ";", "ragged.csv")
    described = [p.describe() for p in table.problems]
    assert described == [
        "ragged.csv, line 3, column E: 5 cells where the header has 4 (a separator inside a"
        " value that is not in quotes?)",
        "ragged.csv, line 5, column C (Ville): 2 cells where the header has 4",
    ]
    assert [line for line, _ in table.rows] == [2, 4]


@pytest.mark.english  # reads the messages in English
def test_unclosed_quote_names_the_line_it_opens_on() -> None:
    text = (FIXTURES / "unclosed_quote.csv").read_text(encoding="utf-8")
    [problem] = read_csv(text, ",", "u.csv").problems
    assert problem.line == 2 and "never closed" in problem.message


@pytest.mark.english  # reads the messages in English
def test_text_after_a_closing_quote() -> None:
    [problem] = read_csv('Nom,Ville\n"Dupont"x,Albi\n', ",", "q.csv").problems
    assert problem.line == 2 and "closing quote" in problem.message


def test_trailing_empty_cells_and_blank_rows_are_harmless() -> None:
    table = read_csv("Nom;Ville\nDupont;Albi;;\n;\n\nMartin;Rodez\n", ";", "t.csv")
    assert not table.problems and [r[1] for r in table.rows] == [["Dupont", "Albi"],
                                                                 ["Martin", "Rodez"]]


@pytest.mark.english  # reads the messages in English
def test_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.csv")
    with pytest.raises(SourceError, match="is a folder"):
        read_source(tmp_path)
    (tmp_path / "e.csv").write_bytes(b"\xef\xbb\xbf \r\n")
    with pytest.raises(SourceError, match="empty"):
        read_source(tmp_path / "e.csv")
    for data, message in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel .xls"),
                          (b"%PDF-1.7\n", "PDF"), (b"\x00\x01\x02binary" * 10, "binary")):
        with pytest.raises(SourceError, match=message):
            refuse_unknown_binary(source(data))


@pytest.mark.parametrize("text, expected", [
    ("15/06/1975", "1975-06-15"), ("1975-06-15", "1975-06-15"), ("19750615", "1975-06-15"),
    ("15.06.75", "1975-06-15"), ("0/0/00", ""), ("1/2/1990", "1990-02-01"),
    ("2024-06-15T00:00:00Z", "2024-06-15"),
])
def test_dates(text: str, expected: str) -> None:
    assert normalize.parse_date(text) == expected


def test_date_order_of_a_column() -> None:
    assert normalize.date_order(["6/15/1980", "1/2/1990"]) == "mdy"
    assert normalize.date_order(["15/06/1980", "1/2/1990"]) == "dmy"
    assert normalize.date_order(["1/2/1990"], default="mdy") == "mdy"
    assert normalize.parse_date("6/15/1980", "mdy") == "1980-06-15"


@pytest.mark.parametrize("text, expected", [
    ("--0615", "--06-15"), ("--06-15", "--06-15"), ("1604-11-23", "--11-23"), ("15/06", "--06-15"),
])
def test_birthdays_without_year(text: str, expected: str) -> None:
    assert normalize.parse_birthday(text) == expected


def test_bad_values_say_why() -> None:
    with pytest.raises(normalize.BadValue, match="pas une date"):
        normalize.parse_date("31/02/2020")
    with pytest.raises(normalize.BadValue, match="pas une adresse e-mail"):
        normalize.clean_email("jean at exemple")
    with pytest.raises(normalize.BadValue, match="code postal français"):
        normalize.clean_postal_code("ABC", "France")


@pytest.mark.parametrize("text, expected", [
    ("12 500,50", 12500.5), ("12\u202f500,50", 12500.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
    ("12500.5", 12500.5), ("3 000 €", 3000.0),
])
def test_numbers(text: str, expected: float) -> None:
    assert normalize.parse_number(text) == expected


def test_postal_codes_and_phones_excel_mangled() -> None:
    assert normalize.clean_postal_code("1200", "") == "01200"
    assert normalize.clean_postal_code("31 000", "France") == "31000"
    assert normalize.clean_postal_code("SW1A 1AA", "Royaume-Uni") == "SW1A 1AA"
    assert normalize.clean_phone("612345678") == "0612345678"
    assert normalize.clean_phone("tel:+33-6-12-34-56-78") == "+33-6-12-34-56-78"
    assert normalize.clean_phone("tel:+33-5-63-71-50-10;ext=123") == "+33-5-63-71-50-10 ext. 123"
