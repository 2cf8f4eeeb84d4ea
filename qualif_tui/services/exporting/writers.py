"""The export writers: CSV, xlsx, JSON and a mailing list.

Each takes the contacts of a query and a binary stream and returns an
:class:`ExportResult` (how many were written, and what to tell the user).

CSV is UTF-8 with a byte-order mark (Excel then reads the accents right)
and ``;`` between cells (the list separator of French Excel, which opens a
comma file in one column); ``excel_fr`` writes cp1252 for Excel versions
that ignore the mark, replacing the rare characters cp1252 lacks by the
closest letter and counting them. A cell starting with ``= + - @`` (or a tab
or carriage return) is prefixed with ``'`` so a spreadsheet shows it instead
of running it as a formula; the import removes that prefix again.

The guard looks at what Excel will read, after encoding: the closest letter of
``＝ ＋ － ＠ ﹦ ⁺ ₌`` in cp1252 is a real ``= + - @``, and of ``；`` a real
separator. So for ``excel_fr`` a batch that cp1252 cannot hold as it is has
each cell converted first, then guarded, then quoted by the csv module — the
encoding of the result is then lossless. Headers (custom field names come from
imported files) are guarded too, in CSV and xlsx.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from qualif_tui.domain.contacts import FLAG_FIELDS
from qualif_tui.domain.errors import QualifError
from qualif_tui.domain.keyheaders import KEY_SHEET, KEY_SHEET_HEADER, KIND_WORDS
from qualif_tui.services.exporting.rows import FIELD_NAMES, ContactStream
from qualif_tui.services.exporting.tables import guard, headers, key_text, text_batches

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header row


@dataclass
class ExportOptions:
    excel_fr: bool = False
    separator: str = ";"
    vcard_version: str = "3.0"
    date_from: date | None = None  # iCalendar: the window of the agenda to write
    date_to: date | None = None


@dataclass
class ExportResult:
    written: int
    messages: list[str] = field(default_factory=list)


class ExportError(QualifError):
    """The export cannot be made as asked (message for the user)."""


# -- CSV ------------------------------------------------------------------------------


# letters NFKD does not take apart
_STROKED = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T",
            "ŧ": "t"}


class _Closest:
    """Codec error handler for cp1252: the nearest unaccented letter, counted."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeEncodeError)
        bad = error.object[error.start:error.end]
        self.count += 1
        plain = "".join(_STROKED.get(c, c) for c in bad)
        plain = unicodedata.normalize("NFKD", plain).encode("cp1252", "ignore").decode("cp1252")
        return (plain or "?", error.end)


_closest = _Closest()
codecs.register_error("qualif-closest", _closest)


def write_csv(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    separator = ";" if options.excel_fr else options.separator
    encoding = "cp1252" if options.excel_fr else "utf-8-sig"
    before = _closest.count
    custom = stream.custom_names()
    # Each batch of rows is written to memory by the csv module in one call and
    # encoded in one go: no Python work per row.
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    if encoding == "utf-8-sig":
        out.write(codecs.BOM_UTF8)
        encoding = "utf-8"

    def flush() -> None:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        out.write(text.encode(encoding))

    writer.writerow(_as_excel_reads([[guard(h) for h in headers(stream, custom)]], encoding)[0])
    flush()
    written = 0
    for batch in text_batches(stream, custom, decimal_comma=separator == ";",
                              formula_guard=True):
        writer.writerows(batch)
        written += len(batch)
        if encoding != "utf-8":
            try:
                buffer.getvalue().encode(encoding)
            except UnicodeEncodeError:
                # rare: a batch with letters cp1252 lacks; redo it cell by cell
                buffer.seek(0)
                buffer.truncate()
                writer.writerows(_as_excel_reads(batch, encoding))
        flush()
    flush()
    result = ExportResult(written)
    altered = _closest.count - before
    if altered:
        result.messages.append(f"{altered} character(s) that old Excel (cp1252) cannot show were"
                               " written as the closest letter; use the default UTF-8 CSV to"
                               " keep them")
    return result


def _as_excel_reads(rows: Sequence[Sequence[Any]], encoding: str) -> list[list[Any]]:
    """Each text cell as it will read once encoded (closest letters), then guarded."""
    if encoding == "utf-8":
        return [list(row) for row in rows]
    done = []
    for row in rows:
        cells = []
        for cell in row:
            if isinstance(cell, str) and not _encodes(cell, encoding):
                cell = guard(cell.encode(encoding, errors="qualif-closest").decode(encoding))
            cells.append(cell)
        done.append(cells)
    return done


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# -- xlsx --------------------------------------------------------------------------------


def write_xlsx(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    total = stream.count()
    if total > XLSX_MAX_ROWS:
        raise ExportError(f"{total} contacts do not fit in one Excel sheet ({XLSX_MAX_ROWS}"
                          " rows at most): export to CSV, or narrow the query")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.freeze_panes = "A2"
    custom = stream.custom_names()
    bold = Font(bold=True)
    header_cells = []
    for title in headers(stream, custom):
        cell = WriteOnlyCell(sheet, value=guard(title))
        cell.data_type = "s"  # text: openpyxl would make a "=…" name a formula
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    flags = {FIELD_NAMES.index(f) for f in FLAG_FIELDS}
    written = 0
    for row in stream:
        cells: list[Any] = []
        for index, value in enumerate(row.values):
            if index in flags:
                cells.append("oui" if value else "")
            else:
                cells.append(_text_cell(sheet, value))
        for value in row.keys:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(value)
            else:
                cells.append(_text_cell(sheet, key_text(value)))
        cells += [_text_cell(sheet, row.custom.get(name, "")) for name in custom]
        sheet.append(cells)
        written += 1
    _key_sheet(workbook, stream)
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write(buffer.getvalue())
    return ExportResult(written)


def _key_sheet(workbook: Any, stream: ContactStream) -> None:
    """A sheet describing the keys (type, values in order, reminder): an import
    into an empty file recreates them exactly (domain/keyheaders.py)."""
    if not stream.keys:
        return
    sheet = workbook.create_sheet(KEY_SHEET)
    sheet.append(list(KEY_SHEET_HEADER))
    for key in stream.keys:
        sheet.append([_text_cell(sheet, key.name), KIND_WORDS[key.type],
                      _text_cell(sheet, " | ".join(v.value for v in key.values)),
                      key.remind_lead_days if key.remind else None,
                      key.remind_after_months if key.remind else None])


def _text_cell(sheet: Any, value: str) -> Any:
    """A cell holding text as text: openpyxl would store "=…" as a formula."""
    if not value:
        return None
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


# -- JSON ------------------------------------------------------------------------------


def write_json(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    """A JSON array, one object per contact: DESIGN.md's shape (id, names, company,
    email, postal_code, city, ``keys``) plus every other field and ``custom``."""
    names = [k.name for k in stream.keys]
    write = out.write
    write(b"[")
    written = 0
    for row in stream:
        item: dict[str, Any] = {"id": row.id}
        for name, value in zip(FIELD_NAMES, row.values, strict=True):
            item[name] = bool(value) if name in FLAG_FIELDS else value
        item["dept"] = row.dept
        item["last_contact"] = row.last_contact
        item["keys"] = dict(zip(names, row.keys, strict=True))
        item["custom"] = row.custom
        write((b"\n  " if written == 0 else b",\n  ") + json.dumps(item, ensure_ascii=False)
              .encode("utf-8"))
        written += 1
    write(b"\n]\n")
    return ExportResult(written)


# -- a mailing list --------------------------------------------------------------------------

_SPECIALS = set('()<>[]:;@\\,."')


def mailbox(name: str, address: str) -> str:
    """``Name <address>``, the name quoted when it holds characters that need it."""
    name = " ".join(name.split())
    if not name:
        return address
    if any(c in _SPECIALS for c in name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def write_emails(stream: ContactStream, out: IO[bytes], options: ExportOptions) -> ExportResult:
    """One ``Name <address>`` per line for a BCC field; leaves out contacts
    without an address, those who opted out of e-mail, and repeated addresses."""
    email_at, email2_at = FIELD_NAMES.index("email"), FIELD_NAMES.index("email2")
    first_at, last_at = FIELD_NAMES.index("first_name"), FIELD_NAMES.index("last_name")
    company_at, optout_at = FIELD_NAMES.index("company"), FIELD_NAMES.index("email_optout")
    seen: set[str] = set()
    written = no_address = opted_out = repeated = 0
    for row in stream:
        values = row.values
        address = (values[email_at] or values[email2_at]).strip()
        if not address:
            no_address += 1
            continue
        if values[optout_at]:
            opted_out += 1
            continue
        if address.lower() in seen:
            repeated += 1
            continue
        seen.add(address.lower())
        person = " ".join(p for p in (values[first_at], values[last_at]) if p.strip())
        name = person or values[company_at] or ""
        out.write((mailbox(name, address) + "\n").encode("utf-8"))
        written += 1
    result = ExportResult(written)
    left = []
    if no_address:
        left.append(f"{no_address} without an e-mail address")
    if opted_out:
        left.append(f"{opted_out} who opted out of e-mails")
    if repeated:
        left.append(f"{repeated} repeating an address already listed")
    if left:
        result.messages.append(f"left out {no_address + opted_out + repeated}: " + ", ".join(left))
    return result
