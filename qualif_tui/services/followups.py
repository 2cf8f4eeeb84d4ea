"""Follow-ups in bulk: the same activity for every contact of a query or segment.

"Call back in 10 days" after a mailing: one activity per contact (each is
completed on its own and writes its own history), all created in one
transaction — a failure leaves no half-scheduled campaign behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from qualif_tui.base.i18n import _
from qualif_tui.domain.activities import add_activity
from qualif_tui.domain.agenda.natural import parse_when
from qualif_tui.domain.errors import ValidationError
from qualif_tui.query import compile_query, iter_rows
from qualif_tui.storage import Database


@dataclass(frozen=True)
class FollowUpReport:
    query: str
    contacts: int
    activity_ids: tuple[int, ...]
    when: str

    @property
    def created(self) -> int:
        return len(self.activity_ids)


def schedule_follow_ups(
    db: Database,
    query: str,
    title: str,
    *,
    when: str | date | datetime,
    kind: str = "call",
    priority: int = 2,
    alarm_min: int | None = None,
    duration_min: int | None = None,
    notes: str = "",
    limit: int | None = None,
) -> FollowUpReport:
    """One activity titled ``title`` at ``when`` (natural input accepted: ``+10d``,
    ``lundi 9h``) for each contact matching ``query`` (a query or ``segment:"…"``)."""
    if not title.strip():
        raise ValidationError(_("une relance a besoin d'un titre"), "title")
    moment = parse_when(when).value if isinstance(when, str) else when
    compiled = compile_query(db, query)
    starts = moment if isinstance(moment, datetime) else None
    due = None if isinstance(moment, datetime) else moment
    if kind == "todo" and starts is not None:
        due, starts = starts, None
    created: list[int] = []
    with db.transaction():
        for row in iter_rows(db, compiled, limit=limit):
            created.append(add_activity(
                db, title, kind=kind, starts_at=starts, due=due, contact_ids=[row.id],
                priority=priority, alarm_min=alarm_min, duration_min=duration_min,
                notes=notes))
    text = moment.strftime("%Y-%m-%dT%H:%M") if isinstance(moment, datetime) else \
        moment.isoformat()
    return FollowUpReport(query, len(created), tuple(created), text)
