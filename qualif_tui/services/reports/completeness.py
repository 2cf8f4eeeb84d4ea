"""Qualification completeness: is the file getting better?

Over a query: per key, how many contacts have a value (and the share); the
same per month of creation over the last N months; and the first contacts
with keys missing, with the keys they miss — what the qualification sprint
(``Q`` in the app) walks next.

Keys with bitmaps (choice, multi-choice, yes/no) are counted by bitmap
intersections in the app; the others, and everything in a one-shot command,
by one SQL scan that counts every key at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from pyroaring import BitMap

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.query import CompiledQuery, compile_query, count, fetch_page
from qualif_tui.query.derived import missing_any
from qualif_tui.query.groups import bitmap_view
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.services.reports.model import Column, Row, Table
from qualif_tui.storage import Database


@dataclass(frozen=True)
class KeyFill:
    key: str  # the key's name in the query language
    label: str
    filled: int

    def share(self, population: int) -> float:
        return 100.0 * self.filled / population if population else 0.0


@dataclass(frozen=True)
class MonthFill:
    month: str  # YYYY-MM of creation
    contacts: int
    filled: dict[str, int]  # key name → contacts with a value
    complete: int  # contacts with every key


@dataclass(frozen=True)
class MissingKeys:
    id: int
    name: str
    missing: list[str]  # key labels


@dataclass
class Completeness:
    query: str
    population: int
    keys: list[KeyFill]
    complete: int  # contacts with every key filled
    empty: int  # contacts with no key at all
    months: list[MonthFill]
    contacts: list[MissingKeys]
    incomplete: int  # contacts missing at least one key
    engine: str = "sql"
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        n = self.population
        return {
            "report": "completeness", "query": self.query, "contacts": n,
            "keys": [{"key": k.key, "label": k.label, "filled": k.filled,
                      "percent": round(k.share(n), 2)} for k in self.keys],
            "complete": self.complete, "empty": self.empty,
            "by_month": [{"month": m.month, "contacts": m.contacts, "complete": m.complete,
                          "percent": {name: round(100.0 * v / m.contacts, 2) if m.contacts
                                      else None for name, v in m.filled.items()}}
                         for m in self.months],
            "incomplete": self.incomplete,
            "missing": [{"id": c.id, "name": c.name, "missing": c.missing}
                        for c in self.contacts],
            "notes": list(self.notes),
        }

    def table(self) -> Table:
        n = self.population
        base = f"({self.query})" if " OR " in f" {self.query} " else self.query

        def q(extra: str) -> str:
            return " ".join(p for p in (base, extra) if p)

        columns = [Column("key", _("Clé")), Column("filled", _("Renseignés"), "count"),
                   Column("missing", _("Manquants"), "count"),
                   Column("percent", _("% renseigné"), "percent")]
        def cells(filled: str, missing: str) -> dict[str, tuple[str, bool]]:
            return {"filled": (q(filled), True), "percent": (q(filled), True),
                    "missing": (q(missing), True)}

        rows = [Row({"key": k.label, "filled": k.filled, "missing": n - k.filled,
                     "percent": k.share(n)}, q(f"missing:{k.key}"), True, "value",
                    cells(f"has:{k.key}", f"missing:{k.key}"))
                for k in self.keys]
        everything = " ".join(f"has:{k.key}" for k in self.keys)
        lacking = " OR ".join(f"missing:{k.key}" for k in self.keys)
        if len(self.keys) > 1:
            lacking = f"({lacking})"
        rows.append(Row({"key": _("toutes les clés"), "filled": self.complete,
                         "missing": n - self.complete,
                         "percent": 100.0 * self.complete / n if n else 0.0},
                        q(lacking), True, "total", cells(everything, lacking)))
        # the cursor starts on the contacts a key misses: Enter lists those to qualify
        return Table(_("Complétude de la qualification"), columns, rows, None,
                     list(self.notes), "percent", cursor="missing")

    def months_table(self) -> Table:
        columns = [Column("month", _("Créés en")), Column("contacts", _("Contacts"), "count")]
        columns += [Column(k.key, k.label, "percent") for k in self.keys]
        columns.append(Column("complete", _("Complets"), "percent"))
        rows = []
        for m in self.months:
            cells: dict[str, object] = {"month": m.month, "contacts": m.contacts}
            for k in self.keys:
                cells[k.key] = 100.0 * m.filled[k.key] / m.contacts if m.contacts else None
            cells["complete"] = 100.0 * m.complete / m.contacts if m.contacts else None
            base = f"({self.query})" if " OR " in f" {self.query} " else self.query
            month = " ".join(p for p in (base, f"created:{m.month}") if p)
            every = " ".join(f"has:{k.key}" for k in self.keys)
            queries = {k.key: (f"{month} has:{k.key}", True) for k in self.keys}
            queries["contacts"] = (month, True)
            queries["complete"] = (f"{month} {every}".strip(), True)
            rows.append(Row(cells, month, True, "value", queries))
        return Table(_("Complétude par mois de création"), columns, rows, None, [], "complete")

    def contacts_table(self) -> Table:
        columns = [Column("name", _("Contact")), Column("missing", _("Clés manquantes"))]
        rows = [Row({"name": c.name, "missing": ", ".join(c.missing)}, f"id:{c.id}")
                for c in self.contacts]
        notes = []
        if self.incomplete > len(self.contacts):
            notes.append(_("{shown} premiers sur {total} contacts incomplets ; Q lance le"
                           " sprint de qualification").format(shown=len(self.contacts),
                                                              total=self.incomplete))
        return Table(_("Contacts à qualifier"), columns, rows, None, notes, None)


def completeness(db: Database, query: str | CompiledQuery = "", *, months: int = 12,
                 contacts: int = 20) -> Completeness:
    compiled = compile_query(db, query) if isinstance(query, str) else query
    keys = list_keys(db)
    population = count(db, compiled)
    filled, complete, empty, engine = _fill(db, compiled, keys)
    result = Completeness(compiled.text, population,
                          [KeyFill(k.norm_name, k.display_name, filled[k.norm_name])
                           for k in keys], complete, empty, [], [], 0, engine)
    if months > 0 and keys:
        result.months = _by_month(db, compiled, keys, months)
    incomplete_query = missing_any(compiled, keys)
    result.incomplete = population - complete if keys else 0
    if contacts > 0 and keys:
        for row in fetch_page(db, incomplete_query, limit=contacts, keys=keys):
            missing = [k.display_name for k in keys if row.keys.get(k.name) in (None, [], "")]
            result.contacts.append(MissingKeys(row.id, row.name, missing))
    if not keys:
        result.notes.append(_("aucune clé de qualification : définir des clés avec qualif key"))
    if population == 0:
        result.notes.append(_("aucun contact ne correspond à la recherche"))
    return result


def _fill(db: Database, compiled: CompiledQuery, keys: list[QualKey]
          ) -> tuple[dict[str, int], int, int, str]:
    """Per key the contacts with a value, then those with all keys, and with none."""
    if not keys:
        return {}, count(db, compiled), count(db, compiled), "sql"
    if not compiled.is_nothing:
        with bitmap_view(db, compiled) as view:
            if view is not None:
                sets: dict[str, BitMap] = {}
                for qual in keys:
                    column = view.column(qual.column)
                    if column is None:
                        break
                    sets[qual.norm_name] = (BitMap.union(*column.values()) if column
                                            else BitMap()) & view.population
                else:
                    every = BitMap.intersection(*sets.values())
                    anyone = BitMap.union(*sets.values())
                    return ({name: len(s) for name, s in sets.items()}, len(every),
                            len(view.population - anyone), "bitmaps")
    if compiled.is_nothing:
        return {k.norm_name: 0 for k in keys}, 0, 0, "sql"
    tables = set(plan_tables(compiled.plan)) | {"f"}
    source = from_clause("".join(t for t in "cf" if t in tables))
    counts = ", ".join(f"count(f.{k.column})" for k in keys)
    all_set = " AND ".join(f"f.{k.column} IS NOT NULL" for k in keys)
    none_set = " AND ".join(f"f.{k.column} IS NULL" for k in keys)
    sql = (f"SELECT {counts}, sum({all_set}), sum({none_set}) FROM {source}"
           f" WHERE {compiled.where}")
    with db.lock:
        row = db.conn.execute(sql, compiled.params).fetchone()
    return ({k.norm_name: int(row[i] or 0) for i, k in enumerate(keys)},
            int(row[len(keys)] or 0), int(row[len(keys) + 1] or 0), "sql")


def _by_month(db: Database, compiled: CompiledQuery, keys: list[QualKey], months: int
              ) -> list[MonthFill]:
    today = clock.today()
    first = date(today.year, today.month, 1) - relativedelta(months=months - 1)
    wanted = [(first + relativedelta(months=i)).strftime("%Y-%m") for i in range(months)]
    found: dict[str, MonthFill] = {}
    if not compiled.is_nothing:
        tables = set(plan_tables(compiled.plan)) | {"f"}
        source = from_clause("".join(t for t in "cf" if t in tables))
        counts = ", ".join(f"count(f.{k.column})" for k in keys)
        every = " AND ".join(f"f.{k.column} IS NOT NULL" for k in keys)
        sql = (f"SELECT substr(f.created, 1, 7), count(*), {counts}, sum({every})"
               f" FROM {source} WHERE f.created >= ? AND ({compiled.where}) GROUP BY 1")
        with db.lock:
            rows = db.conn.execute(sql, [first.isoformat(), *compiled.params]).fetchall()
        n = len(keys)
        for row in rows:
            found[row[0]] = MonthFill(row[0], int(row[1]),
                                      {k.norm_name: int(row[2 + i]) for i, k in enumerate(keys)},
                                      int(row[2 + n] or 0))
    return [found.get(m) or MonthFill(m, 0, {k.norm_name: 0 for k in keys}, 0) for m in wanted]
