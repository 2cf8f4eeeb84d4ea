"""Opening the Textual app (imported only when the app is wanted).

A file name that does not exist is most often a typo (``qualif contcts.db``): the
app would open an empty database as if the contacts were gone. So it asks first,
naming the files of that folder that look like it, and creates nothing unless the
user says yes (nor when nobody can answer: no terminal on stdin).
"""

from __future__ import annotations

import difflib
import sqlite3
import sys
import tempfile
from pathlib import Path

import click

from qualif_tui.base.i18n import _
from qualif_tui.cli.output import err, fail, tell
from qualif_tui.storage import Database, StorageError, interrupt_all, open_database

YES = {"o", "oui", "y", "yes"}


def similar_files(path: Path) -> list[str]:
    """Database files beside ``path`` whose names look like its name."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()
                 and p.suffix.lower() in (".db", ".sqlite", ".sqlite3", ".qualif")]
    except OSError:
        return []
    return difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)


def can_ask() -> bool:
    """Is someone at a terminal to answer a question?"""
    return sys.stdin.isatty()


def may_create(path: Path) -> bool:
    """Ask on the terminal before creating a new, empty database at ``path``."""
    where = path.parent.resolve() if str(path.parent) else Path.cwd()
    line = _("{name} n'existe pas dans {folder}.").format(name=path.name, folder=where)
    close = similar_files(path)
    if close:
        line += " " + _("Vouliez-vous dire {names} ?").format(names=", ".join(close))
    tell(line)
    if not can_ask():
        return False
    answer = click.prompt(_("Créer une base vide {name} ? [o/N]").format(name=path.name),
                          default="n", show_default=False, err=True)
    return str(answer).strip().lower() in YES


def open_app(path: Path, *, demo: bool = False) -> None:
    created = not path.exists()
    if created and not demo and not may_create(path):
        fail(_("rien n'a été créé ; donnez le chemin d'une base existante"))
    # A big file's quick check is deferred (it takes seconds): the app runs it in the
    # background, with writes held until it passes.
    db = open_database(path, create=True, on_upgrade=tell)
    if created and not demo:
        err.print(_("qualif : nouvelle base créée : {path}").format(path=path), markup=False)
    from qualif_tui.tui.app import QualifApp

    try:
        QualifApp(db, demo=demo).run()
    finally:
        interrupt_all()  # workers still running a statement stop, then the file closes
        _keep_bitmaps(db)
        db.close()


def _keep_bitmaps(db: Database) -> None:
    """The bitmaps the app built go into the file, for the next one-shot commands."""
    from qualif_tui.query.stored_facets import save

    try:
        save(db)
    except (sqlite3.Error, StorageError):
        pass  # a cache: the next command counts in SQL, as before


def open_demo() -> None:
    from qualif_tui.services.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="qualif-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_demo(path)
        open_app(path, demo=True)
