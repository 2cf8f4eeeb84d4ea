"""Where an export may be written, checked before anything is: the app asks before
replacing a file, and never writes over the database it reads.

(``export_to_file`` already writes beside the target and renames, so a failed
export never leaves half a file; this is the question asked *before*.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qualif_tui.base.i18n import _


@dataclass(frozen=True)
class ExportTarget:
    path: Path
    exists: bool            # a file is there: ask before replacing it
    problem: str | None     # it cannot be written there at all, and why


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_export_target(target: Path, database: Path | None = None) -> ExportTarget:
    """What writing an export to ``target`` would do (``database``: the open file)."""
    target = Path(target).expanduser()
    problem = None
    if not target.name:
        problem = _("donnez le nom du fichier à écrire")
    elif target.is_dir():
        problem = _("{path} est un dossier").format(path=target)
    elif database is not None and (_same_file(target, database)
                                   or target.resolve() == Path(database).resolve()):
        problem = _("{path} est la base de données ouverte : choisissez un autre nom").format(
            path=target)
    elif not (target.parent if str(target.parent) else Path(".")).is_dir():
        problem = _("le dossier {folder} n'existe pas").format(folder=target.parent)
    return ExportTarget(target, target.is_file(), problem)


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
