"""Issue 9, item 6: two writers on one file wait for each other, visibly and not forever.

Two imports at once into one file: one died with a ``database is locked``
traceback. Now a writer waits its turn (told after a second, naming the other
program), and gives up after ``QUALIF_LOCK_TIMEOUT`` seconds with one line.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import integrity, open_database
from qualif_tui.storage.locks import Busy

from .helpers import ROOT, assert_one_line_error, cli_process

# timing and locks: never beside another such test (one xdist worker)
pytestmark = pytest.mark.serial

HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN " + sys.argv[2])
conn.execute("INSERT INTO meta(key, value) VALUES ('holder', 'x')")
print("held", flush=True)
time.sleep(float(sys.argv[3]))
conn.execute("ROLLBACK")
"""


@contextmanager
def held(path: Path, seconds: float, kind: str = "IMMEDIATE") -> Iterator[subprocess.Popen[str]]:
    """Another program holding the file's write lock for ``seconds``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), kind, str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        yield holder
    finally:
        holder.kill()
        holder.wait()


def _csv(path: Path, prefix: str, rows: int = 300) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Prénom", "Nom", "E-mail"])
        for i in range(rows):
            writer.writerow([f"{prefix}{i}", f"Nom{prefix}{i}", f"{prefix}{i}@exemple.fr"])
    return path


def test_a_second_import_waits_for_the_first_and_says_so(demo_copy: Path,
                                                         tmp_path: Path) -> None:
    source = _csv(tmp_path / "a.csv", "Alpha")
    # The other writer lets go only once the import has said it waits: a fixed hold
    # (2.5 s) raced the import's own start-up on a loaded machine, which could take
    # longer, so that it never had to wait.
    with held(demo_copy, 120) as holder:
        importing = subprocess.Popen(
            [sys.executable, "-m", "qualif_tui", "import", str(demo_copy), str(source)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "QUALIF_LOCK_TIMEOUT": "60"})
        assert importing.stderr is not None
        told = importing.stderr.readline()  # blocks until the import says something
        assert "j'attends mon tour" in told, told
        holder.kill()  # the other program ends: the import goes on
        holder.wait()
        _, rest = importing.communicate(timeout=120)
    assert importing.returncode == 0, told + rest
    assert "Traceback" not in rest
    count = cli_process("query", demo_copy, "prenom:alpha*", "--count")
    assert count.stdout.strip() == "300"


def test_the_wait_is_bounded_and_names_the_other_writer(demo_copy: Path,
                                                        tmp_path: Path) -> None:
    source = _csv(tmp_path / "a.csv", "Alpha")
    with held(demo_copy, 60) as holder:
        done = cli_process("import", demo_copy, source, env={"QUALIF_LOCK_TIMEOUT": "2"})
    assert done.returncode == 1
    assert_one_line_error(done.stderr)  # (the notice that it waits is a qualif: line too)
    assert f"pid {holder.pid}" in done.stderr and "rien n'a été écrit" in done.stderr
    assert cli_process("query", demo_copy, "prenom:alpha*", "--count").stdout.strip() == "0"


def test_a_reader_waits_for_a_writer_holding_the_whole_file(demo_copy: Path) -> None:
    with held(demo_copy, 60, "EXCLUSIVE") as holder:
        done = cli_process("query", demo_copy, "--count", env={"QUALIF_LOCK_TIMEOUT": "2"})
    assert done.returncode == 1
    assert f"pid {holder.pid}" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip().splitlines()[-1].startswith(
        "qualif: ")
    with held(demo_copy, 1.5, "EXCLUSIVE"):
        done = cli_process("query", demo_copy, "--count", env={"QUALIF_LOCK_TIMEOUT": "30"})
    assert done.returncode == 0 and int(done.stdout) == 300


def test_two_imports_at_once_both_land(demo_copy: Path, tmp_path: Path) -> None:
    sources = [_csv(tmp_path / f"{p}.csv", p, 3000) for p in ("Alpha", "Beta")]
    runs = [subprocess.Popen([sys.executable, "-m", "qualif_tui", "import", str(demo_copy),
                              str(s)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for s in sources]
    for run in runs:
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    for prefix in ("alpha", "beta"):
        done = cli_process("query", demo_copy, f"prenom:{prefix}*", "--count")
        assert done.stdout.strip() == "3000"


def test_the_app_side_waits_the_same_way(demo_copy: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """The app writes through Database.transaction too: it waits, tells, then gives up."""
    monkeypatch.setenv("QUALIF_LOCK_TIMEOUT", "1.5")
    told: list[str] = []
    with open_database(demo_copy) as db:
        db.on_wait = told.append
        with held(demo_copy, 60) as holder:
            with pytest.raises(Busy, match=f"pid {holder.pid}"):
                create_contact(db, {"last_name": "Zorro"})
        assert told and "j'attends" in told[0]
        assert db.scalar("SELECT count(*) FROM contacts WHERE last_name = 'Zorro'") == 0
        create_contact(db, {"last_name": "Zorro"})  # the holder is gone: it goes through
        assert db.scalar("SELECT count(*) FROM contacts WHERE last_name = 'Zorro'") == 1


GROW = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("CREATE TABLE IF NOT EXISTS grow(x)")
blob = os.urandom(3000)
print("writing", flush=True)
while True:  # commits that grow the file, then shrink what it holds
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO grow VALUES (?)", [(blob,)] * 300)
    conn.execute("COMMIT")
    conn.execute("DELETE FROM grow WHERE rowid % 2 = 0")
"""


def test_a_commit_in_progress_is_not_taken_for_damage(tmp_path: Path) -> None:
    """A writer commits page 1 (the new size) before the pages that grow the file:
    read at that moment, a sound file looked truncated, and opening it told the
    user to restore a backup. Each time the bare header read meets that moment,
    the read made at open must see the file whole."""
    path = tmp_path / "grow.db"
    writer = subprocess.Popen([sys.executable, "-c", GROW, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        met = 0
        deadline = time.monotonic() + 60
        while met < 20:
            assert time.monotonic() < deadline, f"the race was met {met} times in 60 s"
            try:
                integrity.read_header(path)
            except integrity.Damaged:
                met += 1  # the header is ahead of the file right now
                header = integrity.read_header_settled(path)
                assert header is not None and header.file_size >= header.pages * header.page_size
    finally:
        writer.kill()
        writer.wait()


def test_a_truncated_file_is_still_damage(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    with open_database(path, create=True) as db:
        for number in range(300):
            create_contact(db, {"last_name": f"Nom{number}"})
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(integrity.Damaged, match="tronqué"):
        integrity.read_header_settled(path)
