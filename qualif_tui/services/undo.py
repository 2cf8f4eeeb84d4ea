"""Undo of the journal's operations: each kind goes back to the module that wrote it."""

from __future__ import annotations

from qualif_tui.domain import operations
from qualif_tui.domain.merging import undo_merge
from qualif_tui.services import keyedit
from qualif_tui.services.promote import undo_promotion
from qualif_tui.storage import Database

UNDOERS: dict[str, operations.Undoer] = {
    "merge": undo_merge,
    **{kind: keyedit.undo_key_operation for kind in (
        "key_rename", "value_rename", "value_merge", "value_delete", "values_reorder",
        "key_retype", "key_delete", "key_remind")},
    "field_promote": undo_promotion,
}


def register(kind: str, undoer: operations.Undoer) -> None:
    """Another module's operations (promoting a custom field…) undo through here too."""
    UNDOERS[kind] = undoer


def undo(db: Database, which: str | int = "last", *, force: bool = False
         ) -> operations.Operation:
    """Take back the latest operation not undone (or ``which``)."""
    return operations.undo_operation(db, which, UNDOERS, force=force)
