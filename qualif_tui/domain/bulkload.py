"""Building a new file in one go (generator, demo): fast, and all or nothing.

The file is written under ``NAME.partial`` with no journal and no fsync (if
the run dies the partial file is simply discarded) and renamed to its real
name only when complete.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.storage import database as storage_database
from qualif_tui.storage import migrations


@contextlib.contextmanager
def new_file(path: str | os.PathLike[str], *, overwrite: bool = False,
             early_indexes: tuple[str, ...] = ()) -> Iterator[sqlite3.Connection]:
    """A connection to a new, empty-schema file; the caller fills it, then
    calls :func:`~qualif_tui.storage.migrations.finish_bulk_load`."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise storage_database.StorageError(_("{target} est un dossier, pas un fichier de base").format(target=target))
    if target.exists() and not overwrite:
        raise storage_database.StorageError(_("{target} existe déjà (choisissez un autre nom)").format(target=target))
    if not target.parent.exists():
        raise storage_database.StorageError(
            _("impossible de créer {target} : le dossier {parent} n'existe pas").format(target=target, parent=target.parent))
    if not os.access(target.parent, os.W_OK):
        raise storage_database.StorageError(
            _("impossible de créer {target} : le dossier {parent} est en lecture seule").format(target=target, parent=target.parent))
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    conn = sqlite3.connect(str(partial), isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        # lets the sorter that builds each index use the other cores
        conn.execute("PRAGMA threads = 4")
        conn.execute(f"PRAGMA application_id = {storage_database.APPLICATION_ID}")
        conn.execute("BEGIN")
        migrations.create_for_bulk_load(conn, early_indexes)
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    conn.close()
    os.replace(partial, target)
