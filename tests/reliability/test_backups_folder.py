"""Issue 9, item 2 (second half): copies of the file live in one backups folder and roll off.

Schema-upgrade copies (``*.schema1.bak.db``) were kept forever beside the
database, with everyone's data — erased contacts included.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from qualif_tui.storage import backup_database, check_database, open_database
from qualif_tui.storage.files import (
    BACKUPS_KEPT,
    backups_folder,
    list_backups,
    new_backup_path,
    prune_backups,
)

from .helpers import cli


def test_backup_goes_to_the_backups_folder_and_the_oldest_roll_off(demo_file: Path,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "carnet.db"
    shutil.copyfile(demo_file, path)
    made = []
    with open_database(path) as db:
        for _ in range(BACKUPS_KEPT + 3):
            made.append(backup_database(db))
    assert all(p.parent == backups_folder(path) == tmp_path / "carnet-backups" for p in made)
    kept = [b.path for b in list_backups(path)]
    assert kept == list(reversed(made))[:BACKUPS_KEPT]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carnet-backups", "carnet.db"]
    code, stdout, _ = cli("backup", path)
    assert code == 0 and "carnet-backups" in stdout


def test_an_upgrade_copy_stays_until_the_upgraded_file_passed_a_check(tmp_path: Path) -> None:
    path = tmp_path / "carnet.db"
    open_database(path, create=True).close()
    folder = backups_folder(path)
    folder.mkdir()
    now = datetime(2026, 11, 20, 10, 0)
    upgrade = new_backup_path(path, schema=1, now=now - timedelta(days=30))
    shutil.copyfile(path, upgrade)
    for day in range(BACKUPS_KEPT):
        shutil.copyfile(path, new_backup_path(path, now=now - timedelta(days=day)))
    assert prune_backups(path) == []  # the upgrade copy is the 11th, but not checked yet
    assert upgrade.exists()
    with open_database(path, readonly=True) as db:
        assert check_database(db).ok
    assert not upgrade.exists()  # checked: it rolls off like the others
    assert len(list_backups(path)) == BACKUPS_KEPT


def test_legacy_upgrade_copies_beside_the_file_move_into_the_folder(demo_file: Path,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "carnet.db"
    shutil.copyfile(demo_file, path)
    legacy = tmp_path / "carnet.schema1.bak.db"
    shutil.copyfile(demo_file, legacy)
    with open_database(path):
        pass
    assert not legacy.exists()
    (moved,) = list_backups(path)
    assert moved.schema == 1 and moved.path.parent == backups_folder(path)
    conn = sqlite3.connect(moved.path)
    assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 300
    conn.close()
