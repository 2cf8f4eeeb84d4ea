"""Issue 9, item 5: a full disk or a file-size limit is one clear line, nothing written.

``import``, ``init``, ``segment save`` and ``export -o`` ended in tracebacks
(``database or disk is full``, ``disk I/O error``, ``No space left``) and left a
journal: the ``.db`` copied without it was corrupt. The limit is set in a
process of its own with ``RLIMIT_FSIZE`` (any machine), and on a real small
filesystem when this machine lets the tests mount one.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualif_tui.storage.space import describe_write_error

from .helpers import assert_one_line_error, cli, cli_process

# timing and locks: never beside another such test (one xdist worker)
pytestmark = pytest.mark.serial


def digest(path: Path) -> str:
    """What the file holds, row by row (a rolled-back write may leave bytes in free
    pages: the content is what must not change)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "gros.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Prénom", "Nom", "Société", "E-mail", "Ville", "Code postal"])
        for i in range(15_000):
            writer.writerow([f"Jean{i}", f"Dupont{i}", f"Garage {i}", f"j{i}@exemple.fr",
                             "Toulouse", "31000"])
    return path


def _assert_whole(path: Path, before: str) -> None:
    """No journal beside the file, and the file exactly as it was."""
    assert not path.with_name(path.name + "-journal").exists()
    assert digest(path) == before
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_import_under_a_file_size_limit(demo_copy: Path, big_csv: Path) -> None:
    before = digest(demo_copy)
    done = cli_process("import", demo_copy, big_csv,
                       limit_file_size=demo_copy.stat().st_size + 65536)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done.stderr)
    assert "rien n'a été écrit" in done.stderr
    _assert_whole(demo_copy, before)


def test_segment_save_under_a_file_size_limit(demo_copy: Path) -> None:
    before = digest(demo_copy)
    done = cli_process("segment", demo_copy, "save", "Tous", "profil:client",
                       limit_file_size=2048)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done.stderr)
    # the next open replays what the limit kept SQLite from undoing, if anything
    code, stdout, _ = cli("segment", demo_copy, "list")
    assert code == 0 and "Tous" not in stdout
    _assert_whole(demo_copy, before)


@pytest.mark.parametrize("args", [["--demo"], ["--contacts", "3000"]])
def test_init_under_a_file_size_limit_leaves_no_file(tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "neuf.db"
    done = cli_process("init", target, *args, limit_file_size=200_000)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done.stderr)
    assert not target.exists() or target.stat().st_size == 0
    assert not target.with_name("neuf.db-journal").exists()


def test_export_under_a_file_size_limit_leaves_no_half_file(demo_copy: Path,
                                                            tmp_path: Path) -> None:
    target = tmp_path / "tous.json"
    done = cli_process("export", demo_copy, "-o", target, limit_file_size=50_000)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done.stderr)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tous")] == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1.5 MB filesystem, when this machine lets the tests mount one (root)."""
    mount = tmp_path / "cle"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("no small filesystem here (mount needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_real_full_disk(small_disk: Path, demo_copy: Path, big_csv: Path) -> None:
    path = small_disk / "carnet.db"
    shutil.copyfile(demo_copy, path)
    before = digest(path)
    done = cli_process("import", path, big_csv)
    assert done.returncode == 1
    assert_one_line_error(done.stderr)
    assert f"le disque qui contient {small_disk} est plein" in done.stderr
    _assert_whole(path, before)
    filler = small_disk / "remplissage"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 4096))
    commands: list[list[str | Path]] = [["segment", path, "save", "Tous", "profil:client"],
                 ["export", path, "-o", small_disk / "tous.csv"],
                 ["init", small_disk / "neuf.db", "--demo"]]
    for args in commands:
        done = cli_process(*args)
        assert done.returncode == 1, (args, done.stderr)
        assert_one_line_error(done.stderr)
    _assert_whole(path, before)


def test_an_sqlite_io_error_says_which_one(tmp_path: Path) -> None:
    """The line for a write I/O error ends with SQLite's name for it (for whoever helps);
    an error of the system's has none to give."""
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR_WRITE"
    told = describe_write_error(tmp_path / "carnet.db", error)
    assert told.startswith("erreur d'écriture sur le disque qui contient")
    assert told.endswith("recommencez (SQLITE_IOERR_WRITE)") and "\n" not in told
    plain = describe_write_error(tmp_path / "carnet.db", OSError(errno.EIO, "I/O error"))
    assert plain.endswith("recommencez")
