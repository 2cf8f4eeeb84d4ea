"""Funnel: deals and contacts per stage over a period, and the conversion between stages.

The steps are the user's stages in their order: each open stage, then one
"won" step (every won stage), and the lost deals apart. A deal has *reached* a
step when it is there now, went further, or was there once (``deal_moves``
keeps every stage a deal entered): a won deal went through every open stage, a
lost deal counts up to the furthest open stage it was in — the rule of the
pipeline screen's funnel, so both say the same. The period selects the deals
*created* in it.

Each row also says who is there now: the deals at that step today, their
contacts and amount — ``deal_stage:<stage>`` in the query language, so Enter
on those figures lists exactly those contacts. The contacts behind "reached"
are ``reached:<stage>``, the query language's field with this module's rule;
under a period both are said of one deal created in it:
``deal:(deal_created:2026 reached:proposal)``. Every cell is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain.stages import Stage
from qualif_tui.query import CompiledQuery, compile_query
from qualif_tui.query.pages import from_clause
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.services.reports.model import (
    Column,
    Period,
    Row,
    Table,
    period_query,
    pipeline_stages,
)
from qualif_tui.storage import Database


@dataclass
class FunnelStep:
    stages: tuple[Stage, ...]  # one open stage; every won stage; every lost stage
    kind: str  # open, won, lost
    at: int = 0  # deals at this step now
    reached: int = 0  # deals that reached it (at it, further, or there once)
    contacts: int = 0  # contacts with a deal at this step now
    amount: float = 0.0  # amount of the deals at this step now
    conversion: float | None = None  # % of the deals that reached it reaching the next step

    @property
    def label(self) -> str:
        return " / ".join(s.label for s in self.stages)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)


@dataclass
class Funnel:
    query: str
    period: Period
    steps: list[FunnelStep]
    lost: FunnelStep
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def step(s: FunnelStep) -> dict[str, Any]:
            return {"stage": s.ids[0], "stages": list(s.ids), "label": s.label, "deals": s.at,
                    "reached": s.reached, "contacts": s.contacts, "amount": round(s.amount, 2),
                    "conversion": None if s.conversion is None else round(s.conversion, 2)}

        return {"report": "funnel", "query": self.query,
                "period": {"from": self.period.start, "to": self.period.end},
                "stages": [step(s) for s in self.steps], "lost": step(self.lost),
                "notes": list(self.notes)}

    def query_of(self, step: FunnelStep, reached: bool = False) -> tuple[str, bool]:
        """(query, exact) of the contacts with a deal at ``step`` now (or, ``reached``,
        that got there), created in the period: always exact."""
        ids = ",".join(step.ids)
        criterion = f"reached:{ids}" if reached else f"deal_stage:{ids}"
        if not self.period.everything:
            criterion = f"deal:({period_query('deal_created', self.period)} {criterion})"
        base = f"({self.query})" if " OR " in f" {self.query} " else self.query
        return " ".join(p for p in (base, criterion) if p), True

    def table(self) -> Table:
        columns = [Column("stage", _("Étape")), Column("reached", _("Atteinte"), "count"),
                   Column("conversion", _("Conversion"), "percent"),
                   Column("at", _("En cours"), "count"),
                   Column("contacts", _("Contacts"), "count"),
                   Column("amount", _("Montant"), "euro")]
        rows = []
        for s in [*self.steps, self.lost]:
            now = self.query_of(s)
            reached = self.query_of(s, reached=True)
            rows.append(Row({"stage": s.label, "reached": s.reached, "at": s.at,
                             "contacts": s.contacts, "amount": s.amount,
                             "conversion": s.conversion}, now[0], now[1],
                            "null" if s.kind == "lost" else "value",
                            {"reached": reached, "conversion": reached, "at": now,
                             "contacts": now, "amount": now}))
        title = _("Entonnoir des affaires")
        if self.period.text:
            title += " — " + _("créées {period}").format(period=self.period.text)
        # the cursor starts on who is at each stage now: Enter lists exactly them
        return Table(title, columns, rows, None, list(self.notes), "reached", cursor="contacts")


def funnel(db: Database, query: str | CompiledQuery, period: Period | None = None) -> Funnel:
    compiled = compile_query(db, query) if isinstance(query, str) else query
    period = period or Period()
    stages = pipeline_stages(db)
    steps = [FunnelStep((s,), "open") for s in stages if s.is_open]
    steps.append(FunnelStep(tuple(s for s in stages if s.is_won), "won"))
    lost = FunnelStep(tuple(s for s in stages if s.is_lost), "lost")
    position = {s.id: i for i, step in enumerate(steps) for s in step.stages}
    won_at = len(steps) - 1
    lost_contacts: set[int] = set()
    if not compiled.is_nothing:
        tables = set(plan_tables(compiled.plan)) | {"f"}
        source = from_clause("".join(t for t in "cf" if t in tables))
        when, params = period.sql("dl.created")
        sql = (f"SELECT dl.contact_id, dl.stage, dl.amount, (SELECT group_concat(m.to_stage)"
               f" FROM deal_moves m WHERE m.deal_id = dl.id) FROM deals dl"
               f" JOIN {source} ON f.contact_id = dl.contact_id"
               f" WHERE {when} AND ({compiled.where})")
        with db.lock:
            rows = db.conn.execute(sql, [*params, *compiled.params]).fetchall()
        at_step: list[set[int]] = [set() for _s in steps]  # contacts with a deal at i now
        for contact_id, stage, amount, moved in rows:
            current = position.get(stage)
            been = [position[s] for s in (moved or "").split(",") if s in position]
            earlier = [p for p in been if p < won_at]
            if current is None:  # lost (or a stage no longer in the table)
                furthest = max(earlier, default=-1)
                if stage in lost.ids:
                    lost.at += 1
                    lost.reached += 1
                    lost.amount += amount
                    lost_contacts.add(contact_id)
            else:
                furthest = max([current, *earlier])
                steps[current].at += 1
                steps[current].amount += amount
                at_step[current].add(contact_id)
            for i in range(furthest + 1):
                steps[i].reached += 1
        for i, s in enumerate(steps):
            s.contacts = len(at_step[i])
    lost.contacts = len(lost_contacts)
    for i, s in enumerate(steps):
        if i + 1 < len(steps) and s.reached:
            s.conversion = 100.0 * steps[i + 1].reached / s.reached
    result = Funnel(compiled.text, period, steps, lost)
    result.notes.append(_("atteinte : affaires passées par l'étape (conversion : vers la"
                          " suivante) ; en cours, contacts, montant : à l'étape aujourd'hui"))
    if not steps[0].reached and not lost.at:
        result.notes.append(_("aucune affaire sur la période") if not period.everything
                            else _("aucune affaire pour ces contacts"))
    return result
