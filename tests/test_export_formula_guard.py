"""Issue 9, item 3: the formula guard looks at what Excel will read.

``--excel-fr`` converts letters cp1252 lacks to the closest one *after* the
guard ran: ``＝1+1`` became a live ``=1+1``, and ``a；b`` a new column. Every
CSV and xlsx path is checked on the bytes it writes, read back as Excel does.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key
from qualif_tui.query import compile_query
from qualif_tui.services.exporting import ExportOptions, export_contacts
from qualif_tui.services.importing import ImportOptions, apply_plan, plan_import
from qualif_tui.storage import Database, open_database

LOOKALIKES = "＝＋－＠﹦﹢﹣⁺₌⁻₊₋﹫"
DANGER = set("=+-@\t\r")


def _csv_cells(db: Database, **options: object) -> list[list[str]]:
    out = io.BytesIO()
    export_contacts(db, compile_query(db, ""), "csv", out, ExportOptions(**options))  # type: ignore[arg-type]
    data = out.getvalue()
    text = data.decode("cp1252") if options.get("excel_fr") else data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _assert_safe(rows: list[list[str]]) -> None:
    width = len(rows[0])
    for row in rows:
        assert len(row) == width, row  # no separator appeared out of a lookalike
        for cell in row:
            assert not (cell and cell[0] in DANGER), row


def test_lookalikes_become_guarded_cells_in_excel_fr(keyed_db: Database) -> None:
    fields = ["first_name", "last_name", "company", "title", "city", "address", "website"]
    for char in LOOKALIKES:
        create_contact(keyed_db, {name: f"{char}1+1" for name in fields})
    create_contact(keyed_db, {"first_name": "\u0301＝cmd|' /C calc'!A0", "company": "a；b",
                              "last_name": "\u200b\u0301＠SUM(1)"},
                   custom={"Note": "－2+3", "＝HYPERLINK(1)": "x"})
    rows = _csv_cells(keyed_db, excel_fr=True)
    _assert_safe(rows)
    assert "'=HYPERLINK(1)" in rows[0]
    assert any("'=1+1" in row for row in rows) and any("a;b" in row for row in rows)
    _assert_safe(_csv_cells(keyed_db))  # the UTF-8 CSV too


def test_headers_are_guarded_and_come_back_on_import(db: Database, tmp_path: str) -> None:
    create_contact(db, {"last_name": "Martin"}, custom={"=HYPERLINK(\"x\")": "1", "@a": "2"})
    rows = _csv_cells(db)
    _assert_safe(rows)
    out = tmp_path / "c.csv"  # type: ignore[operator]
    with out.open("wb") as handle:
        export_contacts(db, compile_query(db, ""), "csv", handle)
    with open_database(tmp_path / "back.db", create=True) as back:  # type: ignore[operator]
        apply_plan(back, plan_import(back, [out], ImportOptions()))
        custom = back.scalar("SELECT custom FROM contacts")
    assert '"=HYPERLINK(\\"x\\")": "1"' in custom and '"@a": "2"' in custom


def test_xlsx_headers_and_cells_are_text(db: Database) -> None:
    define_key(db, "=Clé", "text")
    create_contact(db, {"last_name": "=1+1"}, {"=Clé": "+1"}, custom={"=SUM(1)": "-2"})
    out = io.BytesIO()
    export_contacts(db, compile_query(db, ""), "xlsx", out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_query_format_csv_is_guarded(tmp_path: str) -> None:
    path = tmp_path / "q.db"  # type: ignore[operator]
    with open_database(path, create=True) as db:
        create_contact(db, {"first_name": "=1+1", "last_name": "@SUM(A1)", "city": "-2"})
    result = CliRunner().invoke(main, ["query", str(path), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    for row in rows:
        for cell in row:
            assert not (cell and cell[0] in DANGER), row


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet=st.sampled_from(
    [*LOOKALIKES, "\u0301", "\u200b", "；", "＂", "\"", ";", "a", "é", "Ł", "=", " ", "\n",
     "\t", "'", "－", "\u2212"]), max_size=8), min_size=1, max_size=6))
def test_what_excel_reads_never_starts_a_formula(db: Database, texts: list[str]) -> None:
    db.execute("DELETE FROM contacts")
    for text in texts:
        create_contact(db, {"first_name": text, "company": text, "city": text,
                            "last_name": "X"}, custom={"Note": text})
    _assert_safe(_csv_cells(db, excel_fr=True))
