"""Funnel: deals and contacts per stage over a period, and the conversion between stages.

The file keeps each deal's *current* stage, not its path, so a deal counts as
having reached every stage up to the one it is at (a won deal went through
them all); a lost deal is known to have entered the funnel only, and is
counted at the first stage. The period selects the deals *created* in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.query import CompiledQuery, compile_query
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.services.reports.model import (
    Column,
    Period,
    Row,
    Stage,
    Table,
    pipeline_stages,
)
from qualif_tui.storage import Database


@dataclass
class FunnelStep:
    stage: Stage
    at: int = 0  # deals at this stage now
    reached: int = 0  # deals that reached it (at it or further)
    contacts: int = 0  # contacts with a deal that reached it
    amount: float = 0.0  # amount of the deals that reached it
    conversion: float | None = None  # % of them that reached the next stage


@dataclass
class Funnel:
    query: str
    period: Period
    steps: list[FunnelStep]
    lost: FunnelStep
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def step(s: FunnelStep) -> dict[str, Any]:
            return {"stage": s.stage.id, "label": s.stage.label, "deals": s.at,
                    "reached": s.reached, "contacts": s.contacts, "amount": round(s.amount, 2),
                    "conversion": None if s.conversion is None else round(s.conversion, 2)}

        return {"report": "funnel", "query": self.query,
                "period": {"from": self.period.start, "to": self.period.end},
                "stages": [step(s) for s in self.steps], "lost": step(self.lost),
                "notes": list(self.notes)}

    def table(self) -> Table:
        columns = [Column("stage", _("Étape")), Column("reached", _("Atteinte"), "count"),
                   Column("at", _("En cours"), "count"),
                   Column("contacts", _("Contacts"), "count"),
                   Column("amount", _("Montant"), "euro"),
                   Column("conversion", _("Conversion"), "percent")]
        rows = []
        for s in [*self.steps, self.lost]:
            query, exact = _stage_query(self.query, s.stage, self.period)
            rows.append(Row({"stage": s.stage.label, "reached": s.reached, "at": s.at,
                             "contacts": s.contacts, "amount": s.amount,
                             "conversion": s.conversion}, query, exact,
                            "null" if s.stage.kind == "lost" else "value"))
        title = _("Entonnoir des affaires")
        if self.period.text:
            title += " — " + _("créées {period}").format(period=self.period.text)
        return Table(title, columns, rows, None, list(self.notes), "reached")


def _stage_query(query: str, stage: Stage, period: Period) -> tuple[str, bool]:
    # no query field for a deal's stage yet: the nearest contacts, marked inexact
    base = f"({query})" if " OR " in f" {query} " else query
    extra = {"won": "revenue>0", "open": "open_deals>0", "lost": ""}[stage.kind]
    return " ".join(p for p in (base, extra) if p), False


def funnel(db: Database, query: str | CompiledQuery, period: Period | None = None) -> Funnel:
    compiled = compile_query(db, query) if isinstance(query, str) else query
    period = period or Period()
    stages = pipeline_stages(db)
    flow = [s for s in stages if s.kind != "lost"]
    lost_stage = next((s for s in stages if s.kind == "lost"),
                      Stage("lost", _("Perdue"), "lost"))
    rank = {s.id: i for i, s in enumerate(flow)}
    steps = [FunnelStep(s) for s in flow]
    lost = FunnelStep(lost_stage)
    reached_by: list[set[int]] = [set() for _s in flow]
    if not compiled.is_nothing:
        tables = set(plan_tables(compiled.plan)) | {"f"}
        source = from_clause("".join(t for t in "cf" if t in tables))
        when, params = period.sql("dl.created")
        sql = (f"SELECT dl.stage, dl.contact_id, count(*), sum(dl.amount) FROM deals dl"
               f" JOIN {source} ON f.contact_id = dl.contact_id"
               f" WHERE {when} AND ({compiled.where}) GROUP BY 1, 2")
        with db.lock:
            rows = db.conn.execute(sql, [*params, *compiled.params]).fetchall()
        for stage, contact_id, deals, amount in rows:
            at = rank.get(stage)
            if at is None:  # lost (or a stage no longer in the table): entered the funnel
                lost.at += deals
                lost.reached += deals
                lost.amount += amount
                at, current = 0, None
            else:
                current = steps[at]
                current.at += deals
            for i in range(at + 1):
                steps[i].reached += deals
                steps[i].amount += amount
                reached_by[i].add(contact_id)
            if current is None:
                lost.contacts += 1
    for i, s in enumerate(steps):
        s.contacts = len(reached_by[i])
        if i + 1 < len(steps) and s.reached:
            s.conversion = 100.0 * steps[i + 1].reached / s.reached
    result = Funnel(compiled.text, period, steps, lost)
    result.notes.append(_("atteinte : affaires arrivées à l'étape ou plus loin (une perdue ne"
                          " compte qu'à la première) ; conversion : vers l'étape suivante"))
    if not steps or not steps[0].reached:
        result.notes.append(_("aucune affaire sur la période") if not period.everything
                            else _("aucune affaire pour ces contacts"))
    return result
