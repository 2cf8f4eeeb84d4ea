"""Inactive clients: who bought before and has gone quiet — the list to call this week.

Over a query (by default the contacts who ever won a deal, ``revenue>0``):
those with no won deal and/or no contact (call, meeting, e-mail, note…) for N
months, sorted by the revenue they brought.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name
from qualif_tui.domain import clock
from qualif_tui.query import CompiledQuery, compile_query, count
from qualif_tui.query.compiled import refine
from qualif_tui.query.plan import Cond
from qualif_tui.services.reports.model import (
    Column,
    ReportError,
    Row,
    Table,
    pipeline_stages,
    stage_ids,
)
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
    list_query: str  # the query that lists them (approximate: see exact)
    exact: bool
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"report": "inactive", "query": self.query, "months": self.months,
                "without": self.without, "since": self.since, "total": self.total,
                "rows": [{"id": c.id, "name": c.name, "company": c.company, "city": c.city,
                          "revenue": round(c.revenue, 2), "deals": c.deals,
                          "last_purchase": c.last_purchase, "last_contact": c.last_contact}
                         for c in self.clients],
                "notes": list(self.notes)}

    def table(self) -> Table:
        columns = [Column("name", _("Contact")), Column("company", _("Société")),
                   Column("city", _("Ville")), Column("revenue", _("CA passé"), "euro"),
                   Column("deals", _("Affaires"), "count"),
                   Column("last_purchase", _("Dernier achat")),
                   Column("last_contact", _("Dernier contact"))]
        rows = [Row({"name": c.name, "company": c.company, "city": c.city,
                     "revenue": c.revenue, "deals": c.deals,
                     "last_purchase": c.last_purchase or "—",
                     "last_contact": c.last_contact or "—"}, f"id:{c.id}")
                for c in self.clients]
        title = _("Clients inactifs depuis {months} mois").format(months=self.months)
        notes = list(self.notes)
        if self.total > len(self.clients):
            notes.insert(0, _("{shown} premiers sur {total}, par CA décroissant").format(
                shown=len(self.clients), total=self.total))
        return Table(title, columns, rows, None, notes, "revenue")


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
    compiled = compile_query(db, text) if isinstance(query, str) or not query.text.strip() \
        else query
    since = (clock.today() - relativedelta(months=months)).isoformat()
    won = stage_ids(pipeline_stages(db), "won")
    marks = ", ".join("?" * len(won)) or "NULL"
    no_purchase = Cond(
        f"NOT EXISTS (SELECT 1 FROM deals d WHERE d.contact_id = f.contact_id"
        f" AND d.stage IN ({marks}) AND substr(d.closed_at, 1, 10) >= ?)", (*won, since), "f",
        label=_("pas d'achat depuis {since}").format(since=since))
    no_contact = Cond("f.last_contact IS NULL OR f.last_contact < ?", (since,), "f",
                      label=_("pas de contact depuis {since}").format(since=since))
    if without == "purchase":
        condition = no_purchase
    elif without == "contact":
        condition = no_contact
    elif without == "both":
        condition = Cond(f"({no_purchase.sql}) AND ({no_contact.sql})",
                         (*no_purchase.params, *no_contact.params), "f", label="inactive")
    else:
        condition = Cond(f"({no_purchase.sql}) OR ({no_contact.sql})",
                         (*no_purchase.params, *no_contact.params), "f", label="inactive")
    refined = refine(compiled, condition)
    total = count(db, refined)
    sql = (f"SELECT c.id, c.first_name, c.last_name, c.company, c.city, f.revenue, f.deals,"
           f" f.last_contact, (SELECT max(substr(d.closed_at, 1, 10)) FROM deals d"
           f" WHERE d.contact_id = c.id AND d.stage IN ({marks}))"
           f" FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
           f" WHERE {refined.where} ORDER BY f.revenue DESC, c.sort_key, c.id LIMIT ?")
    with db.lock:
        rows = db.conn.execute(sql, [*won, *refined.params, max(0, limit)]).fetchall()
    clients = [InactiveClient(int(r[0]), display_name(r[1], r[2], r[3]), r[3], r[4],
                              float(r[5]), int(r[6]), r[8], r[7]) for r in rows]
    # the same list in the query language: no contact is -last_contact:Nm; "no purchase
    # for N months" has no query field yet, so the list query is approximate there
    parts = [f"({text})" if " OR " in f" {text} " else text]
    if without == "contact":
        parts.append(f"-last_contact:{months}m")
    elif without == "both":
        parts.append(f"-last_contact:{months}m")
    exact = without == "contact"
    result = Inactive(compiled.text, months, without, since, total, clients,
                      " ".join(p for p in parts if p), exact)
    if total == 0:
        result.notes.append(_("aucun contact inactif : tous ont acheté ou été contactés depuis"
                              " le {since}").format(since=_french_day(since)))
    return result


def _french_day(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
