"""The timeline of a contact: notes, calls, emails, meetings, and automatic entries.

Automatic entries (field changes, imports) are written by the program; they
are shown dimmed and do not count as contact with the person.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.fulltext import prefix_query
from qualif_tui.storage import Database
from qualif_tui.storage.schema import AUTOMATIC_KINDS, history_fts_rowid, history_fts_rowids_of

# kind → label shown in the timeline
KINDS = {
    "note": "Note",
    "call": "Appel",
    "email": "E-mail",
    "meeting": "Rendez-vous",
    "letter": "Courrier",
    "campaign": "Campagne",
    "task": "Tâche",
    "change": "Modification",
    "import": "Import",
    "system": "Fiche",
}

# e-mails brought in from a mail archive, by direction (history.direction)
MAIL_DIRECTIONS = {"in": "Mail reçu", "out": "Mail envoyé", "cc": "Mail copie"}


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    contact_id: int
    kind: str
    happened_at: str
    subject: str
    body: str
    automatic: bool
    activity_id: int | None
    direction: str | None = None  # e-mails from an archive: in, out, cc

    @property
    def kind_label(self) -> str:
        if self.kind == "email" and self.direction in MAIL_DIRECTIONS:
            return MAIL_DIRECTIONS[self.direction]
        return KINDS.get(self.kind, self.kind)


def _happened(value: datetime | str | None) -> str:
    if value is None:
        return clock.stamp()
    if isinstance(value, datetime):
        return clock.stamp(value)
    try:
        return clock.stamp(datetime.fromisoformat(value))
    except ValueError:
        raise ValidationError(f"'{value}' is not a date and time", "happened_at") from None


def add_entry(
    db: Database,
    contact_id: int,
    kind: str,
    subject: str,
    body: str = "",
    happened_at: datetime | str | None = None,
    *,
    automatic: bool | None = None,
    activity_id: int | None = None,
    import_batch: int | None = None,
) -> int:
    """Add one entry to a contact's timeline (now, unless ``happened_at``)."""
    kind = kind.strip().lower()
    if not kind:
        raise ValidationError("a history entry needs a kind", "kind")
    if not subject.strip() and not body.strip():
        raise ValidationError("a history entry needs a subject or a text", "subject")
    if automatic is None:
        automatic = kind in AUTOMATIC_KINDS
    with db.transaction():
        if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)):
            raise NotFound(f"no contact #{contact_id}")
        cursor = db.execute(
            "INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
            " activity_id, import_batch, created) VALUES (?,?,?,?,?,?,?,?,?)",
            (contact_id, kind, _happened(happened_at), subject.strip(), body.strip(),
             int(automatic), activity_id, import_batch, clock.stamp()),
        )
    return int(cursor.lastrowid or 0)


def _entry(row: sqlite3.Row) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        contact_id=row["contact_id"],
        kind=row["kind"],
        happened_at=row["happened_at"],
        subject=row["subject"],
        body=row["body"],
        automatic=bool(row["automatic"]),
        activity_id=row["activity_id"],
        direction=row["direction"],
    )


def list_entries(
    db: Database,
    contact_id: int,
    *,
    text: str = "",
    include_automatic: bool = True,
    limit: int = 500,
    offset: int = 0,
) -> list[HistoryEntry]:
    """A contact's timeline, newest first; ``text`` filters by full-text prefix.
    ``offset`` skips the newest entries (a page further down a long timeline)."""
    where = _timeline_where(contact_id, text, include_automatic)
    if where is None:
        return []
    sql, params = where
    sql = f"SELECT * FROM history WHERE {sql} ORDER BY happened_at DESC, id DESC LIMIT ? OFFSET ?"
    return [_entry(row) for row in db.query(sql, [*params, limit, max(0, offset)])]


def count_entries(db: Database, contact_id: int, *, text: str = "",
                  include_automatic: bool = True) -> int:
    """How many entries :func:`list_entries` would give without a limit."""
    where = _timeline_where(contact_id, text, include_automatic)
    if where is None:
        return 0
    return int(db.scalar(f"SELECT count(*) FROM history WHERE {where[0]}", where[1]) or 0)


def _timeline_where(contact_id: int, text: str, include_automatic: bool
                    ) -> tuple[str, list[object]] | None:
    """The WHERE clause of a contact's timeline; None: a filter nothing can match."""
    sql = "contact_id = ?"
    params: list[object] = [contact_id]
    if not include_automatic:
        sql += " AND automatic = 0"
    if not text.strip():
        return sql, params
    match = prefix_query(text)
    if match is None:
        return None
    # this contact's hits only: a range of full-text rowids (see the schema)
    sql += (f" AND {history_fts_rowid()} IN (SELECT rowid FROM history_fts"
            " WHERE history_fts MATCH ? AND rowid BETWEEN ? AND ?)")
    params += [match, *history_fts_rowids_of(contact_id)]
    return sql, params


def get_entry(db: Database, entry_id: int) -> HistoryEntry:
    rows = db.query("SELECT * FROM history WHERE id = ?", (entry_id,))
    if not rows:
        raise NotFound(f"no history entry #{entry_id}")
    return _entry(rows[0])


def update_entry(db: Database, entry_id: int, *, subject: str | None = None,
                 body: str | None = None, happened_at: datetime | str | None = None) -> None:
    entry = get_entry(db, entry_id)
    with db.transaction():
        db.execute(
            "UPDATE history SET subject = ?, body = ?, happened_at = ? WHERE id = ?",
            (entry.subject if subject is None else subject.strip(),
             entry.body if body is None else body.strip(),
             entry.happened_at if happened_at is None else _happened(happened_at),
             entry_id),
        )


def delete_entry(db: Database, entry_id: int) -> HistoryEntry:
    """Delete one entry; returns it so the caller can offer undo."""
    entry = get_entry(db, entry_id)
    with db.transaction():
        db.execute("DELETE FROM history WHERE id = ?", (entry_id,))
    return entry
