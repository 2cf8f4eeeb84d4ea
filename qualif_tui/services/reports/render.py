"""A report table as bars, CSV or an Excel workbook (with a native bar chart).

Bars are plain text (block characters with eighths, so a bar is precise to
1/8 of a cell): the terminal chart of ``qualif report --format chart`` and
the app's chart column both draw them, at any width.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from qualif_tui.base.i18n import _
from qualif_tui.services.reports.model import Column, Row, Table

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, biggest: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at most for ``value`` out of ``biggest``."""
    if biggest <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(8 * width * min(value, biggest) / biggest))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def chart_values(table: Table) -> list[tuple[Row, float]]:
    """The rows the bars show (not the total) with their value."""
    if table.chart is None:
        return []
    out = []
    for row in table.rows:
        value = row.cells.get(table.chart)
        out.append((row, float(value) if isinstance(value, int | float) else 0.0))
    return out


def row_label(table: Table, row: Row) -> str:
    names = [c.name for c in table.columns[:table.label_columns]]
    return " · ".join(str(row.cells.get(n, "")) for n in names)


# -- CSV ---------------------------------------------------------------------------------------


def _raw(row: Row, column: Column, decimal_comma: bool) -> object:
    value = row.cells.get(column.name)
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 2)
        if value.is_integer():
            value = int(value)
        if decimal_comma:
            return str(value).replace(".", ",")
    return value


def write_csv(table: Table, stream: IO[str], *, excel_fr: bool = False) -> None:
    """Header, rows, total. ``excel_fr``: ``;`` and decimal commas (French Excel)."""
    writer = csv.writer(stream, delimiter=";" if excel_fr else ",", lineterminator="\n")
    writer.writerow([c.label for c in table.columns])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow([_raw(row, c, excel_fr) for c in table.columns])


# -- xlsx -------------------------------------------------------------------------------------

_FORMATS = {"count": "#,##0", "euro": '#,##0 "€"', "percent": "0.0 %"}


def write_xlsx(tables: Sequence[Table], path: Path | str) -> None:
    """One sheet per table: a header, the rows, the total in bold, the notes, and a
    bar chart of the table's chart column beside it."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    first = True
    for index, table in enumerate(tables):
        sheet = book.active if first else book.create_sheet()
        assert isinstance(sheet, Worksheet)
        first = False
        sheet.title = (_("Rapport") if index == 0 else _("Détail {n}").format(n=index))[:31]
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([c.label for c in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        body = [*table.rows, *([table.total] if table.total else [])]
        for row in body:
            values: list[object] = []
            for column in table.columns:
                value = row.cells.get(column.name)
                if column.unit == "percent" and isinstance(value, int | float):
                    value = value / 100.0
                values.append(value)
            sheet.append(values)
            line = sheet.max_row
            for position, column in enumerate(table.columns, start=1):
                if column.unit in _FORMATS:
                    sheet.cell(line, position).number_format = _FORMATS[column.unit]
                if row.kind == "total":
                    sheet.cell(line, position).font = Font(bold=True)
        for position, column in enumerate(table.columns, start=1):
            width = max([len(column.label)] + [len(str(r.cells.get(column.name) or ""))
                                               for r in body[:200]])
            sheet.column_dimensions[get_column_letter(position)].width = \
                min(40, max(10, width + 2))
        for note in table.notes:
            sheet.append([])
            sheet.append([note])
        if table.chart is not None and table.rows:
            at = next(i for i, c in enumerate(table.columns, start=1) if c.name == table.chart)
            chart = BarChart()
            chart.type = "bar"
            chart.title = table.title
            chart.legend = None
            data = Reference(sheet, min_col=at, min_row=2, max_row=2 + len(table.rows))
            labels = Reference(sheet, min_col=1, min_row=3, max_row=2 + len(table.rows))
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(labels)
            chart.height = max(7.5, 0.5 * len(table.rows) + 2)
            chart.width = 16
            anchor = sheet.cell(2, len(table.columns) + 2).coordinate
            sheet.add_chart(chart, anchor)
    book.save(str(path))
