"""Deals out to CSV, xlsx or JSON, and a deals file in, matched to the contacts.

**Export** — one row per deal of the contacts of a query, with the contact's
number, name, company and e-mail, every field of the deal, its weighted
amount and margin. CSV is UTF-8 with a BOM and ``;`` with decimal commas (what
French Excel opens), cells a spreadsheet would run as formulas get a ``'``.

**Import** — a CSV (any encoding or separator the contacts import reads) or
xlsx, one deal per row, columns recognised by name in French or English (the
export's own headers among them). Each row is matched to a contact by its
number, else its e-mail, else its name and company; rows are validated as the
core would (amount, stage, probability, dates). One problem anywhere and the
file is refused with the line, column and reason of each, nothing written;
otherwise every deal is written in one transaction as one import batch, which
``qualif import DB --undo`` takes back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name, fold
from qualif_tui.domain import clock
from qualif_tui.domain.deals import DEAL_SELECT, Deal, add_deal, deal_from_row
from qualif_tui.domain.errors import NotFound, QualifError, ValidationError
from qualif_tui.domain.money import dec, format_number, parse_amount, parse_day, parse_percent
from qualif_tui.domain.quotes import QUOTE_SELECT, Quote, quote_from_row
from qualif_tui.domain.stages import find_choice, find_stage, list_stages
from qualif_tui.query import CompiledQuery
from qualif_tui.query.members import members_of
from qualif_tui.services.exporting.tables import guard
from qualif_tui.services.importing.csvfile import Table, column_letter, read_csv
from qualif_tui.services.importing.model import ImportRefused, Problem
from qualif_tui.services.importing.sniff import (
    SourceError,
    decode_text,
    detect_separator,
    read_source,
)
from qualif_tui.services.importing.xlsx import is_xlsx, read_xlsx
from qualif_tui.storage import Database
from qualif_tui.storage.files import inspect_target

FORMATS = ("csv", "xlsx", "json")

# column → header of the export (French, what the user reads in Excel)
HEADERS = {
    "id": "N° affaire", "contact_id": "N° fiche", "contact": "Contact", "company": "Société",
    "email": "E-mail", "title": "Affaire", "stage": "Étape", "amount": "Montant HT",
    "probability": "Probabilité", "weighted": "Pondéré", "expected_close": "Clôture prévue",
    "closed_at": "Clôturée le", "category": "Catégorie", "cost": "Coût", "margin": "Marge",
    "source": "Source", "lost_reason": "Raison de perte", "notes": "Notes",
    "created": "Créée le",
}

# folded header → column, for the import (the export's headers, and common others)
_ALIASES = {
    "contact_id": ("n° fiche", "n fiche", "fiche", "contact_id", "id contact", "numero de fiche"),
    "email": ("e-mail", "email", "courriel", "mail", "adresse e-mail"),
    "contact": ("contact", "nom", "name", "nom du contact", "client"),
    "first_name": ("prenom", "first_name", "first name"),
    "last_name": ("nom de famille", "last_name", "last name"),
    "company": ("societe", "company", "entreprise", "organisation"),
    "title": ("affaire", "title", "titre", "intitule", "objet", "deal", "opportunite"),
    "stage": ("etape", "stage", "statut", "phase"),
    "amount": ("montant ht", "montant", "amount", "ht", "montant (ht)"),
    "probability": ("probabilite", "probability", "proba", "probabilite (%)"),
    "expected_close": ("cloture prevue", "expected_close", "date de cloture prevue",
                       "echeance", "expected close"),
    "closed_at": ("cloturee le", "closed_at", "date de cloture", "closed", "cloture"),
    "category": ("categorie", "category", "produit", "gamme"),
    "cost": ("cout", "cost", "cout d'achat", "achat"),
    "source": ("source", "origine"),
    "lost_reason": ("raison de perte", "lost_reason", "motif de perte", "motif"),
    "notes": ("notes", "note", "commentaire", "commentaires", "remarque"),
}
_IGNORED = ("n° affaire", "id", "ponder", "pondere", "marge", "margin", "weighted", "creee le",
            "created")
_BY_HEADER = {fold(alias): column for column, aliases in _ALIASES.items() for alias in aliases}


# -- export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DealRow:
    deal: Deal
    email: str
    company: str

    def values(self) -> dict[str, Any]:
        d = self.deal
        return {"id": d.id, "contact_id": d.contact_id, "contact": d.contact_name,
                "company": self.company, "email": self.email, "title": d.title,
                "stage": d.stage_label, "amount": d.amount, "probability": d.probability,
                "weighted": float(dec(d.weighted).quantize(dec("0.01"))),
                "expected_close": d.expected_close or "", "closed_at": d.closed_at or "",
                "category": d.category or "", "cost": d.cost, "margin": d.margin,
                "source": d.source, "lost_reason": d.lost_reason or "", "notes": d.notes,
                "created": d.created[:10]}


def iter_deals(db: Database, query: CompiledQuery | None = None, *, stage: str | None = None,
               batch: int = 2000) -> Iterator[DealRow]:
    """The deals of the contacts of ``query`` (and of a stage), by id, in batches."""
    stage_id = None
    if stage:
        found = find_stage(list_stages(db), stage)
        if found is None:
            raise NotFound(_("étape inconnue « {stage} »").format(stage=stage))
        stage_id = found.id
    last = 0
    with members_of(db, query, "d.contact_id") as (test, params):
        while True:
            rows = db.query(
                DEAL_SELECT.replace("SELECT d.*", "SELECT d.*, c.email")
                + f" WHERE d.id > ? AND {test}" + (" AND d.stage = ?" if stage_id else "")
                + " ORDER BY d.id LIMIT ?",
                (last, *params, *((stage_id,) if stage_id else ()), batch))
            if not rows:
                return
            links: dict[int, list[int]] = {}
            for deal_id, other in db.query(
                    "SELECT deal_id, contact_id FROM deal_contacts WHERE deal_id BETWEEN ? AND ?",
                    (rows[0]["id"], rows[-1]["id"])):
                links.setdefault(int(deal_id), []).append(int(other))
            for row in rows:
                yield DealRow(deal_from_row(row, tuple(sorted(links.get(row["id"], [])))),
                              row["email"], row["company"])
            last = int(rows[-1]["id"])


def iter_quotes(db: Database, query: CompiledQuery | None = None, *, status: str | None = None,
                limit: int | None = None, batch: int = 500) -> Iterator[Quote]:
    """The quotes of the contacts of ``query``, newest first; ``status`` as shown
    (``expired`` and ``replaced`` are computed, see :meth:`Quote.state`)."""
    sent = 0
    offset = 0
    with members_of(db, query, "q.contact_id") as (test, params):
        while limit is None or sent < limit:
            rows = db.query(f"{QUOTE_SELECT} WHERE {test} ORDER BY q.issued DESC, q.id DESC"
                            " LIMIT ? OFFSET ?", (*params, batch, offset))
            if not rows:
                return
            offset += len(rows)
            for row in rows:
                found = quote_from_row(row)
                if status is None or found.state() == status:
                    yield found
                    sent += 1
                    if limit is not None and sent >= limit:
                        return


def export_deals(db: Database, query: CompiledQuery | None, fmt: str, out: IO[bytes], *,
                 stage: str | None = None) -> int:
    """Write the deals in ``fmt`` (csv, xlsx, json); returns how many."""
    if fmt not in FORMATS:
        raise ValidationError(_("format inconnu « {fmt} » ({formats})").format(
            fmt=fmt, formats=", ".join(FORMATS)), "format")
    rows = iter_deals(db, query, stage=stage)
    if fmt == "json":
        return _write_json(rows, out)
    if fmt == "xlsx":
        return _write_xlsx(rows, out)
    return _write_csv(rows, out)


def export_deals_to_file(db: Database, query: CompiledQuery | None, fmt: str, target: Path, *,
                        overwrite: bool = False, stage: str | None = None) -> int:
    """Write the deals to ``target`` (what the app's dialog does): refused where the
    storage guard forbids (the database, its journal, its backups) or when the file
    is there and ``overwrite`` is false; written beside it then moved in place, so a
    failure leaves any old file whole."""
    checked = inspect_target(db.path, target)
    if checked.forbidden:
        raise QualifError(checked.forbidden)
    if checked.exists and not overwrite:
        raise QualifError(_("{path} existe déjà").format(path=checked.path))
    partial = checked.path.with_name(checked.path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            written = export_deals(db, query, fmt, handle, stage=stage)
        partial.replace(checked.path)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _write_json(rows: Iterator[DealRow], out: IO[bytes]) -> int:
    written = 0
    out.write(b"[")
    for row in rows:
        item = row.deal.as_json() | {"email": row.email, "company": row.company}
        out.write((("\n  " if written == 0 else ",\n  ")
                   + json.dumps(item, ensure_ascii=False)).encode("utf-8"))
        written += 1
    out.write(b"\n]\n")
    return written


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_number(value).replace("\u00a0", "") if isinstance(value, float) \
            else str(value)
    return guard(str(value))


def _write_csv(rows: Iterator[DealRow], out: IO[bytes]) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS.values())
    written = 0
    for row in rows:
        values = row.values()
        writer.writerow([_cell_text(values[k]) for k in HEADERS])
        written += 1
    out.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return written


def _write_xlsx(rows: Iterator[DealRow], out: IO[bytes]) -> int:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Affaires")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS.values():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    money = {"amount", "weighted", "cost", "margin"}
    written = 0
    for row in rows:
        values = row.values()
        cells: list[Any] = []
        for column in HEADERS:
            value = values[column]
            if column in money and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00 €"
                cells.append(cell)
            elif isinstance(value, int | float) or value is None:
                cells.append(value)
            else:
                cells.append(WriteOnlyCell(sheet, value=guard(str(value)))
                             if value else None)
        sheet.append(cells)
        written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write(buffer.getvalue())
    return written


# -- import -------------------------------------------------------------------------------


@dataclass
class DealImport:
    """What a deals file holds, checked: the rows ready to write, how they matched."""

    source: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)  # "email", "name", "id" → rows
    new_categories: list[str] = field(default_factory=list)
    new_reasons: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    batch_id: int | None = None

    def summary(self) -> str:
        how = ", ".join(_("{n} par {what}").format(n=n, what=what)
                        for what, n in self.matched.items() if n)
        text = _("{n} affaire(s)").format(n=len(self.rows)) + (f" ({how})" if how else "")
        if self.new_categories:
            text += _("; catégories nouvelles : {names}").format(
                names=", ".join(self.new_categories))
        if self.new_reasons:
            text += _("; raisons de perte nouvelles : {names}").format(
                names=", ".join(self.new_reasons))
        return text


# folded headers that only a deals file has (a contacts file may have a "Titre")
_DEAL_MARKS = frozenset(fold(h) for h in (
    "affaire", "deal", "opportunite", "n° affaire", "montant ht", "montant", "amount",
    "etape", "stage", "cloture prevue", "probabilite"))


def looks_like_deals(path: Path) -> bool:
    """Whether the contacts import should hand ``path`` to :func:`import_deals`: a CSV
    or xlsx whose header names the deal (Affaire…) and its amount or stage."""
    try:
        source = read_source(path)
        if is_xlsx(source.data):
            header = read_xlsx(source).header
        else:
            text = decode_text(source).text[:65536]  # the header is on the first lines
            text = text[:text.rfind("\n") + 1] or text
            header = read_csv(text, detect_separator(text), source.name).header
    except (SourceError, QualifError, OSError, ValueError):
        return False
    folded = {fold(h) for h in header}
    titled = bool(folded & {fold("affaire"), "deal", fold("opportunite")})
    return titled and len(folded & _DEAL_MARKS) >= 2


def _read_table(path: Path) -> Table:
    try:
        source = read_source(path)
    except SourceError as error:
        raise QualifError(str(error)) from None
    if is_xlsx(source.data):
        try:
            return read_xlsx(source)
        except SourceError as error:
            raise QualifError(str(error)) from None
    decoded = decode_text(source)
    if decoded.problems:
        raise ImportRefused(list(decoded.problems))
    return read_csv(decoded.text, detect_separator(decoded.text), source.name)


class _Contacts:
    """Finds the contact of a row: by number, e-mail, or name and company."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def by_id(self, text: str) -> int | None:
        if not text.strip().isdigit():
            return None
        found = self.db.scalar("SELECT id FROM contacts WHERE id = ?", (int(text),))
        return None if found is None else int(found)

    def by_email(self, text: str) -> list[int]:
        address = text.strip().lower()
        return [int(r[0]) for r in self.db.query(
            "SELECT id FROM contacts WHERE norm_email = ? OR lower(email2) = ? LIMIT 2",
            (address, address))] if address else []

    def by_name(self, first: str, last: str, full: str, company: str) -> list[int]:
        names = []
        if first or last:
            names.append(fold(f"{first} {last}"))
        if full:
            names.append(fold(full))
            parts = full.split()
            if len(parts) >= 2:  # "LEFÈVRE Hélène", as lists show names
                names.append(fold(" ".join(parts[1:] + parts[:1])))
        found: list[int] = []
        for name in dict.fromkeys(n for n in names if n):
            rows = self.db.query("SELECT id FROM contacts WHERE norm_name = ? AND norm_company = ?"
                                 " LIMIT 3", (name, fold(company)))
            found.extend(int(r[0]) for r in rows if int(r[0]) not in found)
        if not found and not (first or last) and full and company and fold(full) == fold(company):
            found = [int(r[0]) for r in self.db.query(
                "SELECT id FROM contacts WHERE norm_name = '' AND norm_company = ? LIMIT 2",
                (fold(company),))]
        return found


def read_deals(db: Database, path: Path) -> DealImport:
    """Read and check a deals file; raises ImportRefused listing every problem."""
    table = _read_table(path)
    source = path.name
    problems = list(table.problems)
    columns: dict[str, int] = {}
    result = DealImport(source)
    for index, header in enumerate(table.header):
        key = fold(header)
        column = _BY_HEADER.get(key)
        if column is None or column in columns:
            if header.strip() and key not in _IGNORED:
                result.ignored_columns.append(header)
            continue
        columns[column] = index
    if "title" not in columns:
        problems.append(Problem(source, table.header_line, _("pas de colonne « Affaire »"
                                                             " (le titre de chaque affaire)")))
    if not {"contact_id", "email", "contact", "last_name", "company"} & set(columns):
        problems.append(Problem(source, table.header_line, _(
            "aucune colonne pour retrouver le contact (N° fiche, E-mail, ou Contact et"
            " Société)")))
    if problems:
        raise ImportRefused(problems)
    stages = list_stages(db)
    contacts = _Contacts(db)
    for line, cells in table.rows:
        reader = _Row(source, table, columns, line, cells, problems)
        cell, problem = reader.cell, reader.problem
        if not any(c.strip() for c in cells):
            continue
        contact_id, how = _match(contacts, cell, problem)
        row: dict[str, Any] = {"contact_id": contact_id, "line": line}
        try:
            row["title"] = " ".join(cell("title").split())
            if not row["title"]:
                raise ValidationError(_("une affaire a besoin d'un titre"), "title")
            stage_text = cell("stage")
            stage = find_stage(stages, stage_text) if stage_text else stages[0]
            if stage is None:
                raise ValidationError(_("étape inconnue « {stage} » (étapes : {all})").format(
                    stage=stage_text, all=", ".join(s.label for s in stages)), "stage")
            row["stage"] = stage.id
            amount = parse_amount(cell("amount") or "0", _("montant"), "amount")
            if stage.is_won and amount == 0:
                raise ValidationError(_("une affaire gagnée a besoin d'un montant"), "amount")
            row["amount"] = amount
            if cell("probability"):
                row["probability"] = parse_percent(cell("probability"), _("probabilité"),
                                                   "probability")
            for name, label in (("expected_close", _("clôture prévue")),
                                ("closed_at", _("date de clôture"))):
                if cell(name):
                    row[name] = parse_day(cell(name), label, name)
            if cell("cost"):
                row["cost"] = parse_amount(cell("cost"), _("coût"), "cost")
            for name in ("category", "source", "notes", "lost_reason"):
                if cell(name):
                    row[name] = cell(name)
        except ValidationError as error:
            problem(error.field, str(error).split(" : ", 1)[-1])
            continue
        if contact_id is None:
            continue
        result.matched[how] = result.matched.get(how, 0) + 1
        for name, which, seen in (("category", "category", result.new_categories),
                                  ("lost_reason", "lost_reason", result.new_reasons)):
            chosen = row.get(name)
            if chosen and find_choice(db, which, chosen) is None and fold(chosen) not in {
                    fold(s) for s in seen}:
                seen.append(chosen)
        result.rows.append(row)
    if problems:
        raise ImportRefused(problems)
    if not result.rows:
        raise ImportRefused([Problem(source, None, _("le fichier n'a aucune affaire"))])
    return result


class _Row:
    """One row of the file: its cells by column name, and where to say what is wrong."""

    def __init__(self, source: str, table: Table, columns: dict[str, int], line: int,
                 cells: list[str], problems: list[Problem]) -> None:
        self.source, self.table, self.columns, self.line = source, table, columns, line
        self.cells, self.problems = cells, problems

    def cell(self, name: str) -> str:
        at = self.columns.get(name)
        if at is None or at >= len(self.cells):
            return ""
        value = self.cells[at].strip()
        # the export's guard against formulas
        return value[1:] if value.startswith("'") and value[1:2] in "=+-@" else value

    def problem(self, name: str, message: str) -> None:
        at = self.columns.get(name)
        where = column_letter(at) if at is not None else ""
        header = self.table.header[at] if at is not None else ""
        self.problems.append(Problem(self.source, self.line, message,
                                     f"{where} ({header})" if header else where))


def _match(contacts: _Contacts, cell: Any, problem: Any) -> tuple[int | None, str]:
    given = cell("contact_id")
    if given:
        found = contacts.by_id(given)
        if found is None:
            problem("contact_id", _("pas de contact n° {id}").format(id=given))
            return None, ""
        return found, _("n° de fiche")
    email = cell("email")
    if email:
        matches = contacts.by_email(email)
        if len(matches) == 1:
            return matches[0], _("e-mail")
        if len(matches) > 1:
            problem("email", _("plusieurs contacts ont l'e-mail {email}").format(email=email))
            return None, ""
    company, full = cell("company"), cell("contact")
    if full or cell("last_name") or cell("first_name") or company:
        matches = contacts.by_name(cell("first_name"), cell("last_name"), full, company)
        if len(matches) == 1:
            return matches[0], _("nom et société")
        if len(matches) > 1:
            problem("contact", _("plusieurs contacts s'appellent {name}{at} : donnez l'e-mail"
                                 " ou le n° de fiche").format(
                name=full or cell("last_name"),
                at=_(" chez {company}").format(company=company) if company else ""))
            return None, ""
    if email:
        who = email
    elif full:
        who = full + (f" ({company})" if company else "")
    else:
        who = display_name(cell("first_name"), cell("last_name"), company)
    problem("email" if email else "contact", _("aucun contact ne correspond ({who})").format(
        who=who))
    return None, ""


def import_deals(db: Database, path: Path, *, dry_run: bool = False) -> DealImport:
    """Read, check, and (unless ``dry_run``) write every deal of the file as one batch."""
    checked = read_deals(db, path)
    if dry_run:
        return checked
    now = clock.stamp()
    with db.transaction():
        cursor = db.execute("INSERT INTO import_batches(source, format, created) VALUES (?,?,?)",
                            (str(path), "deals", now))
        batch = int(cursor.lastrowid or 0)
        for row in checked.rows:
            add_deal(db, row["contact_id"], row["title"], row["amount"], stage=row["stage"],
                     probability=row.get("probability"),
                     expected_close=row.get("expected_close"),
                     closed_at=row.get("closed_at"), category=row.get("category"),
                     cost=row.get("cost"), source=row.get("source"),
                     notes=row.get("notes", ""), lost_reason=row.get("lost_reason"),
                     import_batch=batch)
        summary = {"deals": len(checked.rows), "matched": checked.matched,
                   "files": [{"source": str(path), "format": "deals",
                              "rows": len(checked.rows)}]}
        db.execute("UPDATE import_batches SET summary = ? WHERE id = ?",
                   (json.dumps(summary, ensure_ascii=False), batch))
    checked.batch_id = batch
    return checked
