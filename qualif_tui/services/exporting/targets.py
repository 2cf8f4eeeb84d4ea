"""Where the app proposes to write an export, and whether that folder is there.

What may never be written over (the database, its journal, its backups) is the
storage layer's guard, :func:`~qualif_tui.storage.files.inspect_target`, which
``export_to_file`` applies too; the app asks before replacing an existing file.
"""

from __future__ import annotations

import os
from pathlib import Path

from qualif_tui.base.i18n import _


def missing_folder(target: Path) -> str | None:
    """Why ``target`` cannot be written for want of its folder, or None.

    (What may never be written — the database, its journal, its backups — is
    :func:`~qualif_tui.storage.files.inspect_target`'s to say.)"""
    folder = target.parent if str(target.parent) else Path(".")
    if not target.name:
        return _("donnez le nom du fichier à écrire")
    if not folder.is_dir():
        return _("le dossier {folder} n'existe pas").format(folder=folder)
    return None


def default_export_folder(database: Path | None, documents: Path, *,
                          remembered: str | None = None, temporary: bool = False) -> Path:
    """The folder an export is proposed in: the one used last time on this machine
    (if it is still there), else beside the database file — on the stick with it —
    unless that file is a throwaway (the demo), else the documents folder."""
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    if database is not None and not temporary:
        folder = Path(database).expanduser().resolve().parent
        if folder.is_dir() and os.access(folder, os.W_OK):
            return folder
    return documents
