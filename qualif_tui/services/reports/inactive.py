"""Inactive clients: who bought before and has gone quiet — the list to call this week.

Over a query (by default the contacts who ever won a deal, ``revenue>0``):
those with no won deal and/or no contact (call, meeting, e-mail, note…) for N
months, sorted by the revenue they brought. The report *is* a query —
``revenue>0 -last_purchase:12m -last_contact:12m`` — so the list it shows and
the list Enter opens are the same people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name
from qualif_tui.domain import clock
from qualif_tui.query import CompiledQuery, compile_query
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import all_of, render
from qualif_tui.services.reports.model import Column, ReportError, Row, Table, format_number
from qualif_tui.storage import Database

WITHOUT = ("both", "purchase", "contact", "any")
DEFAULT_QUERY = "revenue>0"


@dataclass(frozen=True)
class InactiveClient:
    id: int
    name: str
    company: str
    city: str
    revenue: float
    deals: int
    last_purchase: str | None
    last_contact: str | None


@dataclass
class Inactive:
    query: str
    months: int
    without: str
    since: str  # the day before which nothing counts as activity
    total: int
    clients: list[InactiveClient]
    list_query: str  # the query that lists them, exactly
    exact: bool
    notes: list[str] = field(default_factory=list)
    revenue: float = 0.0  # of all of them (not only those listed)
    deals: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"report": "inactive", "query": self.query, "months": self.months,
                "without": self.without, "since": self.since, "total": self.total,
                "rows": [{"id": c.id, "name": c.name, "company": c.company, "city": c.city,
                          "revenue": round(c.revenue, 2), "deals": c.deals,
                          "last_purchase": c.last_purchase, "last_contact": c.last_contact}
                         for c in self.clients],
                "notes": list(self.notes)}

    def table(self) -> Table:
        columns = [Column("name", _("Contact")), Column("company", _("Société"), spare=2),
                   Column("city", _("Ville"), spare=1),
                   Column("revenue", _("CA passé"), "euro"),
                   Column("deals", _("Affaires"), "count"),
                   Column("last_purchase", _("Dernier achat")),
                   Column("last_contact", _("Dernier contact"))]
        rows = [Row({"name": c.name, "company": c.company, "city": c.city,
                     "revenue": c.revenue, "deals": c.deals,
                     "last_purchase": c.last_purchase or "—",
                     "last_contact": c.last_contact or "—"}, f"id:{c.id}")
                for c in self.clients]
        total = Row({"name": _("Total : {n} contacts").format(
            n=format_number(self.total, "count")), "company": "", "city": "",
            "revenue": self.revenue, "deals": self.deals, "last_purchase": "",
            "last_contact": ""}, self.list_query, self.exact, "total")
        title = _("Clients inactifs depuis {months} mois").format(months=self.months)
        notes = list(self.notes)
        if self.total > len(self.clients):
            notes.insert(0, _("{shown} premiers sur {total}, par CA décroissant").format(
                shown=len(self.clients), total=self.total))
        return Table(title, columns, rows, total, notes, "revenue")


def inactive_clients(db: Database, query: str | CompiledQuery = "", *, months: int = 12,
                     without: str = "both", limit: int = 100) -> Inactive:
    """``without``: ``purchase`` (no won deal for N months), ``contact`` (no contact
    for N months), ``both`` (neither) or ``any`` (one or the other)."""
    if without not in WITHOUT:
        raise ReportError(_("--without : {value} inconnu").format(value=without),
                          _("choisir parmi : {values}").format(values=", ".join(WITHOUT)))
    if not 1 <= months <= 600:
        raise ReportError(_("--months : entre 1 et 600 mois"))
    text = query if isinstance(query, str) else query.text
    if not text.strip():
        text = DEFAULT_QUERY
    # the report is its query: "no won deal for N months" is -last_purchase:Nm, "no
    # contact" -last_contact:Nm, so the list Enter opens is exactly the one shown
    quiet = {"purchase": f"-last_purchase:{months}m", "contact": f"-last_contact:{months}m",
             "both": f"-last_purchase:{months}m -last_contact:{months}m",
             "any": f"(-last_purchase:{months}m OR -last_contact:{months}m)"}[without]
    list_query = " ".join(p for p in (f"({text})" if " OR " in f" {text} " else text, quiet)
                          if p)
    if isinstance(query, str) or not query.text.strip():
        refined = compile_query(db, list_query)
    else:  # the app's compiled query (a segment's…) AND the same words
        plan = all_of([query.plan, compile_query(db, quiet).plan])
        where, params = render(plan)
        refined = CompiledQuery(list_query, where, params, query.warnings, plan, query.segments)
    since = (clock.today() - relativedelta(months=months)).isoformat()
    with db.lock:
        total, revenue, deals = db.conn.execute(
            f"SELECT count(*), coalesce(sum(f.revenue), 0), coalesce(sum(f.deals), 0)"
            f" FROM {from_clause('cf')} WHERE {refined.where}", refined.params).fetchone()
    sql = (f"SELECT c.id, c.first_name, c.last_name, c.company, c.city, f.revenue, f.deals,"
           f" f.last_contact, f.last_purchase"
           f" FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
           f" WHERE {refined.where} ORDER BY f.revenue DESC, c.sort_key, c.id LIMIT ?")
    with db.lock:
        rows = db.conn.execute(sql, [*refined.params, max(0, limit)]).fetchall()
    clients = [InactiveClient(int(r[0]), display_name(r[1], r[2], r[3]), r[3], r[4],
                              float(r[5]), int(r[6]), r[8], r[7]) for r in rows]
    result = Inactive(text, months, without, since, int(total), clients, list_query, True,
                      revenue=float(revenue), deals=int(deals))
    if total == 0:
        result.notes.append(_("aucun contact inactif : tous ont acheté ou été contactés depuis"
                              " le {since}").format(since=_french_day(since)))
    return result


def _french_day(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
