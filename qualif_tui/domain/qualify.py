"""Qualifying contacts one answer at a time, with undo (the card's form and the sprint).

An :class:`Answer` remembers what a key held before and which automatic history
entry the change wrote, so :func:`undo_answer` can put the value back *and*
remove that entry: an undone answer leaves no trace in the timeline, as if the
keystroke had not happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qualif_tui.domain.history import delete_entry
from qualif_tui.domain.keys import Decoded, QualKey, contact_values, set_qualification, toggled
from qualif_tui.storage import Database


def is_missing(value: Decoded) -> bool:
    """No value: None, an empty multi-choice list or an empty text."""
    return value is None or value == [] or value == ""


def missing_keys(values: Mapping[str, Decoded], keys: Sequence[QualKey]) -> list[QualKey]:
    """The keys (in display order) a contact has no value for."""
    return [key for key in keys if is_missing(values.get(key.name))]


def qualified(values: Mapping[str, Decoded], keys: Sequence[QualKey]) -> tuple[int, int]:
    """(keys with a value, all keys), for "qualifié 4/6"."""
    return len(keys) - len(missing_keys(values, keys)), len(keys)


@dataclass(frozen=True)
class Answer:
    """One key of one contact set to ``value``; enough to undo it."""

    contact_id: int
    key: QualKey
    previous: Decoded
    value: Decoded
    history_id: int | None

    def describe(self) -> str:
        from qualif_tui.domain.keys import format_value

        return (f"{self.key.display_name} : {format_value(self.previous) or '—'}"
                f" → {format_value(self.value) or '—'}")


def answer(db: Database, contact_id: int, key: QualKey, value: object) -> Answer | None:
    """Set one key of one contact (None clears it); None when nothing changed."""
    with db.transaction():
        previous = contact_values(db, contact_id, [key])[key.name]
        if set_qualification(db, contact_id, key, value) is None:
            return None
        history_id = db.scalar(
            "SELECT max(id) FROM history WHERE contact_id = ? AND kind = 'change'", (contact_id,))
        current = contact_values(db, contact_id, [key])[key.name]
    return Answer(contact_id, key, previous, current,
                  None if history_id is None else int(history_id))


def toggle(db: Database, contact_id: int, key: QualKey, value: str) -> Answer | None:
    """Add or remove one value of a multi-choice key."""
    with db.transaction():
        return answer(db, contact_id, key, toggled(db, contact_id, key, value))


def undo_answer(db: Database, done: Answer) -> None:
    """Put the previous value back and remove the history entry the answer wrote."""
    with db.transaction():
        set_qualification(db, done.contact_id, done.key, done.previous, audit=False)
        if done.history_id is not None and db.scalar(
                "SELECT 1 FROM history WHERE id = ?", (done.history_id,)):
            delete_entry(db, done.history_id)
