"""Follow-up chains: J+0 e-mail, J+10 call, J+30 letter… as agenda activities.

A chain is applied to a campaign's recipients at once: one activity per step and
recipient, dated from the campaign's date, all created in one transaction (a
failure leaves no half-planned chain). Recipients who already responded get
none; one who responds later is taken out of the steps still open (see
:func:`~qualif_tui.services.campaigns.responses.set_response`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.activities import add_activity
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services.campaigns.core import Campaign
from qualif_tui.storage import Database

# step kind → (activity kind, label)
STEP_KINDS: dict[str, tuple[str, str]] = {
    "email": ("todo", "E-mail"),
    "call": ("call", "Appel"),
    "letter": ("todo", "Courrier"),
    "meeting": ("meeting", "Rendez-vous"),
    "todo": ("todo", "À faire"),
}
_KIND_ALIASES = {
    "email": "email", "e-mail": "email", "mail": "email", "courriel": "email",
    "call": "call", "appel": "call", "telephone": "call", "phone": "call",
    "letter": "letter", "courrier": "letter", "lettre": "letter",
    "meeting": "meeting", "rendez-vous": "meeting", "rdv": "meeting", "visite": "meeting",
    "todo": "todo", "tache": "todo", "a faire": "todo",
}
_STEP = re.compile(r"^\s*(?:[jJdD]\s*)?\+?\s*(\d{1,4})\s*[:\s]\s*([^:]+?)\s*(?::\s*(.+))?$")


@dataclass(frozen=True)
class Step:
    offset_days: int
    kind: str
    title: str = ""

    def title_for(self, campaign: Campaign) -> str:
        label = _(STEP_KINDS[self.kind][1])
        return self.title or _("{kind} — suite de « {name} »").format(kind=label,
                                                                     name=campaign.name)


def parse_step(text: str) -> Step:
    """``J+10 appel``, ``10:call``, ``J+30 courrier: Relance tarif`` → a step."""
    match = _STEP.match(text)
    kind = _KIND_ALIASES.get(fold(match.group(2))) if match else None
    if match is None or kind is None:
        raise ValidationError(_("étape « {text} » illisible : écrivez par exemple « J+10 appel »"
                                " (e-mail, appel, courrier, rendez-vous, tâche)").format(
                                    text=text), "steps")
    return Step(int(match.group(1)), kind, (match.group(3) or "").strip())


@dataclass(frozen=True)
class ChainReport:
    steps: tuple[Step, ...]
    recipients: int
    skipped: int  # already responded
    activities: int


def chain_steps(db: Database, campaign: Campaign) -> list[Step]:
    return [Step(r["offset_days"], r["kind"], r["title"]) for r in db.query(
        "SELECT offset_days, kind, title FROM campaign_steps WHERE campaign_id = ?"
        " ORDER BY position", (campaign.id,))]


def apply_chain(db: Database, campaign: Campaign, steps: list[Step] | list[str], *,
                replace: bool = False) -> ChainReport:
    """Plan the chain's activities for every recipient who has not responded."""
    parsed = [s if isinstance(s, Step) else parse_step(s) for s in steps]
    if not parsed:
        raise ValidationError(_("une chaîne a au moins une étape"), "steps")
    parsed.sort(key=lambda s: s.offset_days)
    start = date.fromisoformat(campaign.day)
    created = 0
    with db.transaction():
        if db.scalar("SELECT 1 FROM campaign_steps WHERE campaign_id = ?", (campaign.id,)):
            if not replace:
                raise ValidationError(_("« {name} » a déjà une chaîne de relances (la remplacer"
                                        " efface ses activités encore à faire)").format(
                                            name=campaign.name), "steps")
            db.execute("DELETE FROM activities WHERE status = 'open' AND id IN"
                       " (SELECT activity_id FROM campaign_activities WHERE campaign_id = ?)",
                       (campaign.id,))
            db.execute("DELETE FROM campaign_steps WHERE campaign_id = ?", (campaign.id,))
        db.conn.executemany(
            "INSERT INTO campaign_steps(campaign_id, position, offset_days, kind, title)"
            " VALUES (?, ?, ?, ?, ?)",
            [(campaign.id, i, s.offset_days, s.kind, s.title) for i, s in enumerate(parsed)])
        rows = db.query("SELECT contact_id, response FROM campaign_recipients"
                        " WHERE campaign_id = ? ORDER BY contact_id", (campaign.id,))
        waiting = [r["contact_id"] for r in rows if r["response"] == "none"]
        for position, step in enumerate(parsed):
            kind = STEP_KINDS[step.kind][0]
            day = start + timedelta(days=step.offset_days)
            title = step.title_for(campaign)
            for contact_id in waiting:
                activity_id = add_activity(
                    db, title, kind=kind,
                    starts_at=day if kind == "meeting" else None,
                    due=None if kind == "meeting" else day,
                    contact_ids=[contact_id],
                    notes=_("Campagne « {name} », étape J+{n}").format(name=campaign.name,
                                                                       n=step.offset_days))
                db.execute("INSERT INTO campaign_activities(activity_id, campaign_id,"
                           " contact_id, position) VALUES (?, ?, ?, ?)",
                           (activity_id, campaign.id, contact_id, position))
                created += 1
    return ChainReport(tuple(parsed), len(waiting), len(rows) - len(waiting), created)
