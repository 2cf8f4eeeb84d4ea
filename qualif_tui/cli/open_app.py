"""Opening the Textual app (imported only when the app is wanted)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from qualif_tui.cli.output import err, tell
from qualif_tui.storage import interrupt_all, open_database


def open_app(path: Path) -> None:
    created = not path.exists()
    # A big file's quick check is deferred (it takes seconds): the app runs it in the
    # background, with writes held until it passes.
    db = open_database(path, create=True, on_upgrade=tell)
    if created:
        err.print(f"qualif: created a new database at {path}", markup=False)
    from qualif_tui.tui.app import QualifApp

    try:
        QualifApp(db).run()
    finally:
        interrupt_all()  # workers still running a statement stop, then the file closes
        db.close()


def open_demo() -> None:
    from qualif_tui.services.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="qualif-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_demo(path)
        open_app(path)
