"""Issue 9, tests and proof: kill -9 at random moments, and nothing is lost.

Each run starts a real writer in a process of its own — an import, an undo, a
segment save, an edit typed in the app — and kills it (SIGKILL) at a random moment
of its work. Then, with a fresh process: the file passes ``integrity_check``, the
write is all or nothing, what was reported committed is there, and the next
command works without a traceback. The figures (runs, survived, lost) are what the
README's Reliability section reports; the seed makes a failure reproducible.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from .helpers import ROOT, cli

# timing and locks: never beside another such test (one xdist worker)
pytestmark = pytest.mark.serial

SEED = int(os.environ.get("QUALIF_KILL_SEED", "9"))
RUNS = {"import": 6, "undo": 5, "segment save": 5, "app edit": 5}  # 21 runs
TALLY: Counter[str] = Counter()


def qualif(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qualif_tui", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_after(process: subprocess.Popen[str], seconds: float) -> bool:
    """SIGKILL after ``seconds`` (True), unless it ended before (False)."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def sound(path: Path) -> None:
    """A fresh open rolls back what the kill left; then the file must be whole."""
    code, _, stderr = cli("query", path, "--count")
    assert code == 0 and "Traceback" not in stderr, stderr
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not conn.execute("PRAGMA foreign_key_check").fetchall()
        for table in ("contacts_fts", "history_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    except sqlite3.OperationalError:
        pass  # (read-only: the integrity-check command needs a writable file; covered above)
    finally:
        conn.close()
    journal = path.with_name(path.name + "-journal")
    if journal.exists():  # a journal SQLite no longer needs (header zeroed at commit) may stay
        assert journal.read_bytes()[:8] != JOURNAL_MAGIC, "a hot journal is left"


JOURNAL_MAGIC = bytes([0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7])


def scalar(path: Path, sql: str, params: tuple[object, ...] = ()) -> object:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def rows_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "lot.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Prénom", "Nom", "Société", "E-mail", "Ville", "Code postal", "Notes"])
        for i in range(1500):
            writer.writerow([f"Kilian{i}", f"Neuf{i}", f"Atelier {i}", f"k{i}@neuf.example",
                             "Toulouse", "31000", f"note numéro {i}"])
    return path


def test_kill_during_import_is_all_or_nothing(demo_copy: Path, rows_csv: Path) -> None:
    rng = random.Random(SEED)
    before = int(scalar(demo_copy, "SELECT count(*) FROM contacts"))  # type: ignore[call-overload]
    started = time.monotonic()
    assert qualif("import", demo_copy, rows_csv).wait() == 0  # once whole: how long it takes
    took = time.monotonic() - started
    assert cli("import", demo_copy, "--undo", "last")[0] == 0
    for _ in range(RUNS["import"]):
        killed = kill_after(qualif("import", demo_copy, rows_csv), rng.uniform(0.05, took))
        sound(demo_copy)
        now = int(scalar(demo_copy, "SELECT count(*) FROM contacts"))  # type: ignore[call-overload]
        assert now in (before, before + 1500), now  # all or nothing
        TALLY["runs"] += 1
        TALLY["survived"] += 1
        TALLY["killed"] += killed
        if now != before:
            assert cli("import", demo_copy, "--undo", "last")[0] == 0


def test_kill_during_undo_is_all_or_nothing(demo_copy: Path, rows_csv: Path) -> None:
    rng = random.Random(SEED + 1)
    before = int(scalar(demo_copy, "SELECT count(*) FROM contacts"))  # type: ignore[call-overload]
    took = 0.0
    for run in range(RUNS["undo"]):
        if int(scalar(demo_copy, "SELECT count(*) FROM contacts")) == before:  # type: ignore[call-overload]
            assert cli("import", demo_copy, rows_csv)[0] == 0
        if run == 0:
            started = time.monotonic()
            assert qualif("import", demo_copy, "--undo", "last").wait() == 0
            took = time.monotonic() - started
            assert cli("import", demo_copy, rows_csv)[0] == 0
        killed = kill_after(qualif("import", demo_copy, "--undo", "last"),
                            rng.uniform(0.05, took))
        sound(demo_copy)
        now = int(scalar(demo_copy, "SELECT count(*) FROM contacts"))  # type: ignore[call-overload]
        assert now in (before, before + 1500), now
        undone = scalar(demo_copy, "SELECT undone FROM import_batches ORDER BY id DESC LIMIT 1")
        assert (now == before) == (undone is not None)  # the batch says what happened
        TALLY["runs"] += 1
        TALLY["survived"] += 1
        TALLY["killed"] += killed


SAVER = """
import subprocess, sys
for i in range(1000):
    done = subprocess.run([sys.executable, "-m", "qualif_tui", "segment", sys.argv[1], "save",
                           f"Lot {i}", f"profil:client dept:{31 + i % 3}"], capture_output=True)
    if done.returncode:
        print("failed", i, done.stderr, flush=True)
        break
    print("committed", i, flush=True)
"""


def test_kill_during_segment_saves_loses_nothing_committed(demo_copy: Path) -> None:
    rng = random.Random(SEED + 2)
    for _ in range(RUNS["segment save"]):
        before = {r for r in _segments(demo_copy)}
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(demo_copy)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        killed = kill_after(saver, rng.uniform(0.3, 3.0))
        # (the saver's child, if one was writing, goes with its parent's session: wait)
        reported = [line.split()[1] for line in (saver.stdout.read() if saver.stdout else
                                                 "").splitlines() if line.startswith("committed")]
        _wait_unlocked(demo_copy)
        sound(demo_copy)
        after = _segments(demo_copy)
        for number in reported:
            assert f"Lot {number}" in after, number  # reported committed: there
        assert before <= after
        TALLY["runs"] += 1
        TALLY["survived"] += 1
        TALLY["killed"] += killed


def _segments(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM segments")}
    finally:
        conn.close()


def _wait_unlocked(path: Path) -> None:
    """A grandchild started just before the kill may still be finishing its save."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(path, timeout=0.2)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            conn.close()
            return
        except sqlite3.OperationalError:
            time.sleep(0.1)
    raise AssertionError("the file stayed locked")


def test_kill_during_app_edits_loses_nothing_committed(demo_copy: Path) -> None:
    rng = random.Random(SEED + 3)
    for _ in range(RUNS["app edit"]):
        app = subprocess.Popen([sys.executable, "-m", "tests.reliability.tui_edits",
                                str(demo_copy)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        assert app.stdout is not None
        deadline = time.monotonic() + 60
        while app.stdout.readline().strip() != "ready":
            assert time.monotonic() < deadline and app.poll() is None, app.stderr
        killed = kill_after(app, rng.uniform(0.05, 2.5))
        lines = app.stdout.read().splitlines()
        committed = [int(x.split()[1]) for x in lines if x.startswith("committed")]
        typed = [int(x.split()[1]) for x in lines if x.startswith("typing")]
        sound(demo_copy)
        value = _first_contact_profil(demo_copy)
        if committed:
            # the last value reported written is there, or the one typed after it
            assert value in {committed[-1], *(typed[-1:] if typed else [])}, (value, lines)
        TALLY["runs"] += 1
        TALLY["survived"] += 1
        TALLY["killed"] += killed


def _first_contact_profil(path: Path) -> int:
    """The Profil value (1-based position, as typed) of the contact the app edits."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        key_id, column = conn.execute(
            "SELECT id, 'k' || id FROM qual_keys WHERE norm_name = 'profil'").fetchone()
        row = conn.execute(
            f"SELECT f.{column} FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
            " ORDER BY c.sort_key, c.id LIMIT 1").fetchone()
        if row[0] is None:
            return 0
        position = conn.execute("SELECT count(*) FROM key_values WHERE key_id = ? AND"
                                " position < (SELECT position FROM key_values WHERE key_id = ?"
                                " AND code = ?)", (key_id, key_id, row[0])).fetchone()[0]
        return int(position) + 1
    finally:
        conn.close()


def test_the_tally() -> None:
    """Printed for the README: runs, survived, lost (``pytest -s`` shows it)."""
    assert sum(RUNS.values()) >= 20  # the floor: twenty kills per suite run
    if TALLY["runs"]:
        print(f"\nkill -9: {TALLY['runs']} runs, {TALLY['killed']} killed mid-work,"
              f" {TALLY['survived']} survived, {TALLY['runs'] - TALLY['survived']} lost")
