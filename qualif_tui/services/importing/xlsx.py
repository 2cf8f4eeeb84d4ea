"""An .xlsx workbook → a table (the first sheet), read with openpyxl.

Cells come back typed: dates become ISO text, whole numbers lose their
".0", and the header is the first non-empty row. Formulas give their last
computed value (what Excel shows). Line numbers are Excel's row numbers and
columns its letters, so messages point where the user looks.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable

from qualif_tui.base.i18n import _
from qualif_tui.services.importing.csvfile import Table, column_letter
from qualif_tui.services.importing.model import Problem
from qualif_tui.services.importing.normalize import excel_value
from qualif_tui.services.importing.sniff import Source, SourceError


def is_xlsx(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_xlsx(source: Source, progress: Callable[[int], None] | None = None) -> Table:
    import openpyxl  # imported here: only xlsx imports pay for it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and data validation it does not read
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True,
                                              data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise SourceError(_("{name} : pas un classeur .xlsx lisible ({error})").format(name=source.name, error=error)) from None
    try:
        if not workbook.worksheets:
            raise SourceError(_("{name} : le classeur n'a pas de feuille").format(name=source.name))
        sheet = workbook.worksheets[0]
        table = Table(header=[])
        width = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [excel_value(value) for value in row]
            if not any(cell.strip() for cell in cells):
                continue
            if not table.header:
                while cells and not cells[-1].strip():
                    cells.pop()
                table.header = [c.strip() for c in cells]
                table.header_line = number
                width = len(cells)
                continue
            if len(cells) > width:
                extra = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
                if extra is not None:
                    table.problems.append(Problem(
                        source.name, number, _("une valeur dans une colonne sans en-tête"),
                        column_letter(extra)))
                    continue
                cells = cells[:width]
            cells += [""] * (width - len(cells))
            table.rows.append((number, cells))
            if progress and len(table.rows) % 5000 == 0:
                progress(len(table.rows))
        return table
    finally:
        workbook.close()


def read_key_sheet(source: Source) -> list[tuple[str, str, list[str], tuple[int, int] | None]]:
    """The keys described by the "Clés" sheet of qualif's own xlsx export:
    ``(name, type, values in order, (lead days, months after) or None)``."""
    import openpyxl

    from qualif_tui.domain.keyheaders import KEY_SHEET, kind_of

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(source.data), read_only=True,
                                              data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return []  # read_xlsx says what is wrong with the file
    try:
        if KEY_SHEET not in workbook.sheetnames:
            return []
        found = []
        rows = workbook[KEY_SHEET].iter_rows(values_only=True)
        next(rows, None)  # the header
        for row in rows:
            cells = [excel_value(v) for v in row] + [""] * 5
            name, kind = cells[0].strip(), kind_of(cells[1])
            if not name or kind is None:
                continue
            values = [v.strip() for v in cells[2].split(" | ") if v.strip()]
            remind = None
            if cells[3].strip() or cells[4].strip():
                remind = (int(float(cells[3] or 0)), int(float(cells[4] or 0)))
            found.append((name, kind, values, remind))
        return found
    finally:
        workbook.close()
