"""Trends: one measure per month over the last 12 or 24 months.

``revenue`` and ``deals`` count the deals won each month (by their close
date), ``contacts`` the contacts created, ``reached`` the contacts with at
least one call, meeting, e-mail or note that month (automatic entries do not
count, as for ``last_contact``) — ``contacted:<month>`` in the query language —
and, in total, the contacts reached over all the months (``contacted:<first>..<last>``). Months without data are zeros, never gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.query import CompiledQuery, compile_query
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.services.reports.dealfacts import deal_conditions
from qualif_tui.services.reports.model import Column, Period, ReportError, Row, Table
from qualif_tui.storage import Database

TREND_MEASURES = {
    "revenue": (_("CA gagné"), "euro"),
    "deals": (_("Affaires gagnées"), "count"),
    "contacts": (_("Nouveaux contacts"), "count"),
    "reached": (_("Contacts joints"), "count"),
}


@dataclass
class Trend:
    query: str
    measure: str
    points: list[tuple[str, float]]  # (YYYY-MM, value), oldest first
    notes: list[str] = field(default_factory=list)
    contacts: dict[str, int] = field(default_factory=dict)  # revenue, deals: buyers a month
    buyers: int = 0  # revenue, deals: contacts with a deal won over the months shown
    reached: int = 0  # reached: contacts reached at least once over the months shown

    @property
    def total(self) -> float:
        """The months' sum; for ``reached`` the contacts reached over them all (one
        reached in two months is one contact: the total's list, contacted:first..last)."""
        if self.measure == "reached":
            return float(self.reached)
        return sum(v for _m, v in self.points)

    def as_json(self) -> dict[str, Any]:
        def number(value: float) -> float | int:
            return round(value, 2) if TREND_MEASURES[self.measure][1] == "euro" else int(value)

        return {"report": "trend", "query": self.query, "measure": self.measure,
                "rows": [{"month": m, self.measure: number(v),
                          **({"contacts": self.contacts.get(m, 0)} if self.contacts_shown
                             else {})} for m, v in self.points],
                "total": {self.measure: number(self.total),
                          **({"contacts": self.buyers} if self.contacts_shown else {})},
                "notes": list(self.notes)}

    @property
    def contacts_shown(self) -> bool:
        return self.measure in ("revenue", "deals")

    def month_query(self, month: str) -> tuple[str, bool]:
        """(query, exact) of the contacts behind one month's figure."""
        base = f"({self.query})" if " OR " in f" {self.query} " else self.query
        if self.measure == "contacts":
            extra, exact = f"created:{month}", True
        elif self.measure == "reached":
            # any non-automatic history entry that month, not only the last contact
            extra, exact = f"contacted:{month}", True
        else:
            extra, exact = f"won:{month}", True
        return " ".join(p for p in (base, extra) if p), exact

    def table(self) -> Table:
        label, unit = TREND_MEASURES[self.measure]
        columns = [Column("month", _("Mois")), Column(self.measure, label, unit)]
        if self.measure in ("revenue", "deals"):
            columns.append(Column("contacts", _("Clients"), "count"))
        base = f"({self.query})" if " OR " in f" {self.query} " else self.query
        rows = []
        for month, value in self.points:
            query, exact = self.month_query(month)
            cells: dict[str, object] = {"month": month, self.measure: value}
            if self.measure in ("revenue", "deals"):
                cells["contacts"] = self.contacts.get(month, 0)
            rows.append(Row(cells, query, exact))
        total_cells: dict[str, object] = {"month": _("Total"), self.measure: self.total}
        total_query = (base, True)
        if self.measure in ("revenue", "deals") and self.points:
            total_cells["contacts"] = self.buyers
            first, last = self.points[0][0], self.points[-1][0]
            total_query = (" ".join(p for p in (base, f"won:{first}..{last}") if p), True)
        elif self.measure == "contacts" and self.points:
            first, last = self.points[0][0], self.points[-1][0]
            total_query = (" ".join(p for p in (base, f"created:{first}..{last}") if p), True)
        elif self.measure == "reached" and self.points:
            first, last = self.points[0][0], self.points[-1][0]
            total_query = (" ".join(p for p in (base, f"contacted:{first}..{last}") if p), True)
        total = Row(total_cells, total_query[0], total_query[1], "total")
        title = _("{label} par mois — {n} derniers mois").format(label=label,
                                                                n=len(self.points))
        return Table(title, columns, rows, total, list(self.notes), self.measure)


def trend(db: Database, query: str | CompiledQuery = "", measure: str = "revenue",
          months: int = 12) -> Trend:
    if measure not in TREND_MEASURES:
        raise ReportError(_("mesure de tendance inconnue « {name} »").format(name=measure),
                          _("choisir parmi : {names}").format(names=", ".join(TREND_MEASURES)))
    if not 1 <= months <= 120:
        raise ReportError(_("--months : entre 1 et 120 mois"))
    compiled = compile_query(db, query) if isinstance(query, str) else query
    today = clock.today()
    first = date(today.year, today.month, 1) - relativedelta(months=months - 1)
    wanted = [(first + relativedelta(months=i)).strftime("%Y-%m") for i in range(months)]
    values: dict[str, float] = {}
    contacts: dict[str, int] = {}
    buyers: set[int] = set()
    if not compiled.is_nothing:
        tables = set(plan_tables(compiled.plan)) | {"f"}
        source = from_clause("".join(t for t in "cf" if t in tables))
        start = first.isoformat()
        if measure in ("revenue", "deals"):
            won, won_params, _o, _p = deal_conditions(db, Period(start, None))
            won = won.replace("stage", "x.stage").replace("closed_at", "x.closed_at")
            figure = "sum(x.amount)" if measure == "revenue" else "count(*)"
            sql = (f"SELECT substr(x.closed_at, 1, 7), {figure}, count(DISTINCT x.contact_id),"
                   f" group_concat(DISTINCT x.contact_id) FROM deals x"
                   f" JOIN {source} ON f.contact_id = x.contact_id"
                   f" WHERE {won} AND ({compiled.where}) GROUP BY 1")
            params = [*won_params, *compiled.params]
        elif measure == "contacts":
            sql = (f"SELECT substr(f.created, 1, 7), count(*) FROM {source}"
                   f" WHERE f.created >= ? AND ({compiled.where}) GROUP BY 1")
            params = [start, *compiled.params]
        else:
            sql = (f"SELECT substr(h.happened_at, 1, 7), count(DISTINCT h.contact_id), 0,"
                   f" group_concat(DISTINCT h.contact_id) FROM history h JOIN {source} ON f.contact_id = h.contact_id"
                   f" WHERE h.automatic = 0 AND h.happened_at >= ? AND ({compiled.where})"
                   f" GROUP BY 1")
            params = [start, *compiled.params]
        with db.lock:
            found = db.conn.execute(sql, params).fetchall()
        values = {r[0]: float(r[1] or 0) for r in found}
        if measure in ("revenue", "deals", "reached"):
            kept = [r for r in found if r[0] in wanted]
            buyers = {int(c) for r in kept for c in str(r[3]).split(",")}
            if measure != "reached":
                contacts = {r[0]: int(r[2]) for r in kept}
    reached = measure == "reached"
    result = Trend(compiled.text, measure, [(m, values.get(m, 0.0)) for m in wanted],
                   contacts=contacts, buyers=0 if reached else len(buyers),
                   reached=len(buyers) if reached else 0)
    if not any(v for _m, v in result.points):
        result.notes.append(_("aucune donnée sur ces {n} mois").format(n=months))
    return result
