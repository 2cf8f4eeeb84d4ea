"""Deals (opportunities): a stage, an amount, a probability, an expected close.

Won deals feed the ``deals`` and ``revenue`` facts of their contact (kept by
triggers), which segments query: ``revenue>10000``, ``open_deals>0``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import parse_date, parse_number
from qualif_tui.storage import Database

STAGES = {
    "lead": "Piste",
    "qualified": "Qualifiée",
    "proposal": "Proposition",
    "negotiation": "Négociation",
    "won": "Gagnée",
    "lost": "Perdue",
}
CLOSED = ("won", "lost")


@dataclass(frozen=True)
class Deal:
    id: int
    contact_id: int
    title: str
    stage: str
    amount: float
    probability: int
    expected_close: str | None
    closed_at: str | None

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)


def _deal(row: sqlite3.Row) -> Deal:
    return Deal(row["id"], row["contact_id"], row["title"], row["stage"], row["amount"],
                row["probability"], row["expected_close"], row["closed_at"])


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValidationError(f"unknown stage '{stage}' (one of {', '.join(STAGES)})", "stage")
    return stage


def add_deal(
    db: Database,
    contact_id: int,
    title: str,
    amount: float | str = 0,
    *,
    stage: str = "lead",
    probability: int = 10,
    expected_close: str | None = None,
) -> int:
    amount = parse_number(amount, "montant") if isinstance(amount, str) else float(amount)
    if not 0 <= probability <= 100:
        raise ValidationError("probability is a percentage (0–100)", "probability")
    close = parse_date(expected_close, "clôture prévue") if expected_close else None
    now = clock.stamp()
    with db.transaction():
        if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)):
            raise NotFound(f"no contact #{contact_id}")
        cursor = db.execute(
            "INSERT INTO deals(contact_id, title, stage, amount, probability, expected_close,"
            " closed_at, created, updated) VALUES (?,?,?,?,?,?,?,?,?)",
            (contact_id, title.strip(), _check_stage(stage), amount, probability, close,
             now[:10] if stage in CLOSED else None, now, now),
        )
        add_entry(db, contact_id, "change", f"Affaire : {title.strip()} ({STAGES[stage]})",
                  automatic=True)
    return int(cursor.lastrowid or 0)


def get_deal(db: Database, deal_id: int) -> Deal:
    rows = db.query("SELECT * FROM deals WHERE id = ?", (deal_id,))
    if not rows:
        raise NotFound(f"no deal #{deal_id}")
    return _deal(rows[0])


def set_stage(db: Database, deal_id: int, stage: str) -> Deal:
    """Move a deal to a stage; winning or losing it stamps the close date."""
    deal = get_deal(db, deal_id)
    _check_stage(stage)
    if stage == deal.stage:
        return deal
    now = clock.stamp()
    with db.transaction():
        db.execute(
            "UPDATE deals SET stage = ?, closed_at = ?, updated = ? WHERE id = ?",
            (stage, now[:10] if stage in CLOSED else None, now, deal_id),
        )
        add_entry(db, deal.contact_id, "change",
                  f"Affaire {deal.title} : {STAGES[deal.stage]} → {STAGES[stage]}", automatic=True)
    return get_deal(db, deal_id)


def list_deals(db: Database, contact_id: int) -> list[Deal]:
    return [_deal(r) for r in db.query(
        "SELECT * FROM deals WHERE contact_id = ? ORDER BY created DESC, id DESC", (contact_id,))]
