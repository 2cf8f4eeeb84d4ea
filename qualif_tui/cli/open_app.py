"""Opening the Textual app (imported only when the app is wanted)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..storage import open_database
from .main import err, tell


def open_app(path: Path) -> None:
    created = not path.exists()
    # A big file's quick check is deferred (it takes seconds): the app runs it in the
    # background, with writes held until it passes.
    db = open_database(path, create=True, on_upgrade=tell)
    if created:
        err.print(f"qualif: created a new database at {path}", markup=False)
    from ..tui.app import QualifApp

    try:
        QualifApp(db).run()
    finally:
        db.close()


def open_demo() -> None:
    from ..core.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="qualif-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_demo(path)
        open_app(path)
