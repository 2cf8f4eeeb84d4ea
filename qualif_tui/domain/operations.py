"""The journal of operations that can be undone: merges of contacts and edits of keys.

Each such write records, in the same transaction, what it changed (``data``,
JSON, read back only by the module that wrote it) with a label the user reads.
The journal is the audit trail of those operations, and the memory of undo
across sessions: ``qualif undo DB`` and the app's ``u`` take back the latest
operation not undone yet (:mod:`qualif_tui.services.undo` knows who undoes
each kind). Undo goes strictly backwards, so that every undo
finds the file exactly as its operation left it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, QualifError
from qualif_tui.storage import Database

# kind → what the user reads in lists ("fusion", "renommage de valeur"…)
KIND_LABELS = {
    "merge": "fusion de contacts",
    "key_rename": "renommage de clé",
    "value_rename": "renommage de valeur",
    "value_merge": "fusion de valeurs",
    "value_delete": "suppression de valeur",
    "values_reorder": "ordre des valeurs",
    "key_retype": "changement de type",
    "key_delete": "suppression de clé",
    "key_remind": "rappel d'une clé",
    "field_promote": "champ promu en clé",
}


class ChangedSince(QualifError):
    """Undoing would erase what was written since the operation; ``--force`` does it anyway."""


@dataclass(frozen=True)
class Operation:
    id: int
    kind: str
    label: str
    created: str
    data: dict[str, Any]
    undone: str | None

    @property
    def kind_label(self) -> str:
        return _(KIND_LABELS.get(self.kind, self.kind))


def record(db: Database, kind: str, label: str, data: dict[str, Any]) -> int:
    """Write an operation (inside the caller's transaction); returns its id."""
    cursor = db.execute(
        "INSERT INTO operations(kind, label, created, data) VALUES (?,?,?,?)",
        (kind, label, clock.stamp(), json.dumps(data, ensure_ascii=False, separators=(",", ":"))))
    return int(cursor.lastrowid or 0)


def _operation(row: Any) -> Operation:
    return Operation(int(row["id"]), row["kind"], row["label"], row["created"],
                     json.loads(row["data"] or "{}"), row["undone"])


def list_operations(db: Database, limit: int = 50) -> list[Operation]:
    """The latest operations, newest first."""
    return [_operation(row) for row in db.query(
        "SELECT * FROM operations ORDER BY id DESC LIMIT ?", (limit,))]


def get_operation(db: Database, which: str | int) -> Operation:
    """An operation by id, or ``"last"``: the latest one not undone."""
    if isinstance(which, str) and which.strip().lower() in ("last", "dernier", "derniere"):
        rows = db.query("SELECT * FROM operations WHERE undone IS NULL ORDER BY id DESC LIMIT 1")
        if not rows:
            raise NotFound(_("rien à annuler : aucune fusion ni modification de clé"))
        return _operation(rows[0])
    try:
        number = int(which)
    except ValueError:
        raise NotFound(_("« {which} » n'est pas un numéro d'opération (voir : qualif undo DB"
                         " --list)").format(which=which)) from None
    rows = db.query("SELECT * FROM operations WHERE id = ?", (number,))
    if not rows:
        raise NotFound(_("aucune opération n° {n} (voir : qualif undo DB --list)")
                       .format(n=number))
    return _operation(rows[0])


Undoer = Callable[[Database, Operation, bool], None]


def undo_operation(db: Database, which: str | int, undoers: dict[str, Undoer], *,
                   force: bool = False) -> Operation:
    """Take back one operation (the latest not undone: undo goes backwards) with
    the undoer of its kind; :func:`qualif_tui.services.undo.undo` knows them all."""
    with db.transaction():
        operation = get_operation(db, which)
        if operation.undone:
            raise QualifError(_("l'opération n° {n} est déjà annulée ({when})").format(
                n=operation.id, when=operation.undone))
        later = db.scalar("SELECT min(id) FROM operations WHERE id > ? AND undone IS NULL",
                          (operation.id,))
        if later is not None:
            raise QualifError(_("annulez d'abord l'opération n° {later}, plus récente"
                                " (les annulations se font dans l'ordre inverse)")
                              .format(later=later))
        undoer = undoers.get(operation.kind)
        if undoer is None:
            raise QualifError(_("opération inconnue : {kind}").format(kind=operation.kind))
        undoer(db, operation, force)
        db.execute("UPDATE operations SET undone = ? WHERE id = ?", (clock.stamp(), operation.id))
    return operation
