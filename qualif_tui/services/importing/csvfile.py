"""CSV text → a header and rows, each row with the line it starts on.

Quoted fields may hold separators, quotes (doubled) and newlines; lines may
end in CRLF. Broken structure is reported, never repaired by guessing:
a quote that is never closed, text after a closing quote, a row with more
cells than the header (a separator inside an unquoted value shifts every
column after it) or with fewer. Trailing empty cells and blank lines are
harmless and accepted.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from qualif_tui.base.i18n import _
from qualif_tui.services.importing.model import Problem

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
# A cell longer than this is a broken quote swallowing the file, not a value.
MAX_CELL = 1_000_000


@dataclass
class Table:
    """A tabular file: its header and its rows (``(line, cells)``)."""

    header: list[str]
    header_line: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_csv(text: str, separator: str, source: str,
             progress: Callable[[int], None] | None = None) -> Table:
    lines = _Lines(text)
    if separator:
        reader = csv.reader(lines, delimiter=separator, quotechar='"', doublequote=True,
                            strict=True)
    else:
        reader = csv.reader(lines, delimiter="\x00", quotechar='"', strict=True)
    table = Table(header=[])
    width = 0
    while True:
        start = lines.count + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            table.problems.append(_csv_problem(source, start, lines, str(error)))
            if lines.exhausted:
                break
            continue
        if not any(cells) or not "".join(cells).strip():
            continue  # blank line, or a row of empty cells (Excel leaves some)
        if not table.header:
            table.header = [cell.strip() for cell in cells]
            table.header_line = start
            while table.header and not table.header[-1]:
                table.header.pop()
            width = len(table.header)
            continue
        long = None
        if sum(map(len, cells)) > MAX_CELL:
            long = next((i for i, cell in enumerate(cells) if len(cell) > MAX_CELL), None)
        if long is not None:
            table.problems.append(Problem(source, start,
                                          _("une valeur de {n:,} caractères : un guillemet ouvert ici n'est sans doute jamais fermé").format(n=len(cells[long])),
                                          _column(table.header, long)))
            continue
        if len(cells) > width:
            if any(cell.strip() for cell in cells[width:]):
                table.problems.append(Problem(
                    source, start,
                    _("{n} cellules là où l'en-tête en a {width} (un séparateur dans une valeur hors guillemets ?)").format(n=len(cells), width=width), _column(table.header, width)))
                continue
            cells = cells[:width]
        elif len(cells) < width:
            table.problems.append(Problem(
                source, start, _("{n} cellules là où l'en-tête en a {width}").format(
                    n=len(cells), width=width),
                _column(table.header, len(cells))))
            continue
        table.rows.append((start, cells))
        if progress and len(table.rows) % 5000 == 0:
            progress(len(table.rows))
    return table


def _column(header: list[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    letter = column_letter(index)
    return f"{letter} ({name})" if name else letter


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _csv_problem(source: str, start: int, lines: _Lines, message: str) -> Problem:
    if "unexpected end of data" in message or lines.exhausted:
        return Problem(source, start, _("une valeur entre guillemets ouverte sur cette ligne n'est jamais fermée"))
    if "expected after" in message:
        return Problem(source, lines.count,
                       _('du texte juste après un guillemet fermant (un guillemet dans une valeur entre guillemets se double : "")'))
    if "NUL" in message:
        return Problem(source, lines.count, _("un octet NUL : ce n'est pas un fichier texte"))
    return Problem(source, lines.count, message)


class _Lines:
    """Feeds the csv reader line by line, counting lines (CRLF, LF or CR endings)."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.count = 0
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            self.exhausted = True
            raise StopIteration
        self.count += 1
        return line
