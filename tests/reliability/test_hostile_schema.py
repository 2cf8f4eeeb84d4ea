"""Issue 9, item 9: a file with planted triggers or views is refused, and nothing hangs.

A qualif-looking file with ``CREATE TRIGGER … AFTER INSERT ON segments BEGIN
UPDATE contacts SET email = 'attacker@…'; DELETE FROM history; END`` rewrote
every e-mail on the next ``segment save`` and ``check`` said ok; a trigger
with an endless recursive CTE hung the CLI and the app.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualif_tui.domain.keys import define_key
from qualif_tui.storage import PlantedSchema, StorageError, open_database
from qualif_tui.storage import integrity as integrity_module

from .helpers import assert_one_line_error, cli, cli_process

PLANTED = {
    "rewrites e-mails": """CREATE TRIGGER evil AFTER INSERT ON segments BEGIN
        UPDATE contacts SET email = 'attacker@evil.example'; DELETE FROM history; END""",
    "never ends": """CREATE TRIGGER hang AFTER INSERT ON segments BEGIN
        INSERT INTO meta(key, value) SELECT 'n' || n, n FROM (
            WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r);
        END""",
    "a view": "CREATE VIEW spy AS SELECT email FROM contacts",
    "an altered trigger": None,  # contacts_ad, rewritten to also empty the history
}


def plant(path: Path, how: str) -> None:
    conn = sqlite3.connect(path)
    sql = PLANTED[how]
    if sql is None:
        old = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'contacts_ad'"
                           ).fetchone()[0]
        conn.execute("DROP TRIGGER contacts_ad")
        conn.execute(old.replace("END", "DELETE FROM history; END"))
    else:
        conn.execute(sql)
    conn.commit()
    conn.close()


def emails(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT email FROM contacts ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize("how", list(PLANTED))
def test_a_planted_file_is_refused_by_every_command(demo_copy: Path, how: str) -> None:
    before = emails(demo_copy)
    plant(demo_copy, how)
    started = time.monotonic()
    done = cli_process("segment", demo_copy, "save", "Piège", "profil:client", timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert_one_line_error(done.stderr)
    assert "qualif n'y a pas mis" in done.stderr and "sauvegarde" in done.stderr
    commands: list[list[str | Path]] = [["query", demo_copy, "--count"],
                                        ["export", demo_copy, "--format", "json"],
                                        ["import", demo_copy, "--undo", "last"]]
    for args in commands:
        code, _, stderr = cli(*args)
        assert code == 1, args
        assert_one_line_error(stderr)
    assert emails(demo_copy) == before
    code, stdout, stderr = cli("check", demo_copy)
    assert code == 1 and "schéma : INATTENDU" in stdout
    assert_one_line_error(stderr)


def test_check_names_what_was_planted(demo_copy: Path) -> None:
    plant(demo_copy, "rewrites e-mails")
    code, stdout, _ = cli("check", demo_copy)
    assert code == 1 and "« evil »" in stdout and "intégrité : ok" in stdout


def test_a_forged_known_sound_record_does_not_let_a_trigger_through(demo_copy: Path) -> None:
    """The record that lets an open skip the checks is sealed with this machine's
    secret: writing a matching counter in the planted file is not enough."""
    conn = sqlite3.connect(demo_copy, isolation_level=None)
    counter = int.from_bytes(demo_copy.read_bytes()[24:28], "big")
    conn.execute("BEGIN")
    conn.execute(str(PLANTED["rewrites e-mails"]))
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                 (integrity_module.SOUND_KEY, json.dumps({"counter": counter + 1,
                                                          "seal": "0" * 64})))
    conn.execute("COMMIT")
    conn.close()
    assert int.from_bytes(demo_copy.read_bytes()[24:28], "big") == counter + 1
    with pytest.raises(PlantedSchema):
        open_database(demo_copy)


def test_a_sound_file_opened_twice_is_not_compared_again(demo_copy: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from qualif_tui.storage import schema_check

    cli("check", demo_copy)  # sound, recorded
    calls: list[int] = []
    monkeypatch.setattr(schema_check, "refuse_planted", lambda *a: calls.append(1))
    with open_database(demo_copy, readonly=True) as db:
        assert db.opened_sound
    assert calls == []


def test_the_code_s_own_schema_is_expected(demo_copy: Path, tmp_path: Path) -> None:
    """Files made every way the code makes them pass: new, demo, generated, upgraded."""
    from qualif_tui.storage import schema_check

    made = [demo_copy, tmp_path / "new.db"]
    open_database(made[1], create=True).close()
    done = cli_process("init", tmp_path / "gen.db", "--contacts", "500")
    assert done.returncode == 0, done.stderr
    made.append(tmp_path / "gen.db")
    for path in made:
        with open_database(path) as db:
            define_key(db, "Couleur préférée", "choice", ["bleu", "vert"])  # ALTER TABLE,
            # its index, the view remade
            assert schema_check.compare(db.conn) == [], path


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_statement_that_never_ends_stops_on_ctrl_c(demo_copy: Path) -> None:
    # The child handles ctrl+c as a program started from a terminal does, however the
    # suite was started: run in the background by a shell without job control (`&` in
    # a script), the suite and every program it starts ignore SIGINT (and SIGQUIT).
    script = f"""
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from qualif_tui.storage import open_database
db = open_database({str(demo_copy)!r})
print("running", flush=True)
try:
    db.scalar("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
              " SELECT count(*) FROM r")
except Exception as error:
    print("stopped:", error, flush=True)
    sys.exit(3)
"""
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert run.stdout is not None and run.stdout.readline().strip() == "running"
        # ctrl+c must land inside SQLite: a fixed pause raced the statement's start on a
        # loaded machine (ctrl+c then hit plain Python code). After "running" only a few
        # Python steps come before the statement, so once the process has used 0.3 s
        # more CPU it is inside it.
        before = _cpu_seconds(run.pid)
        deadline = time.monotonic() + 30
        while _cpu_seconds(run.pid) < before + 0.3:
            assert time.monotonic() < deadline, "the statement never started"
            time.sleep(0.02)
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate(timeout=10)
        assert run.returncode == 3 and "interrupted" in out
    finally:
        run.kill()  # never left running (burning a CPU) when the test fails
        run.wait()


def test_open_refusal_is_a_storage_error(demo_copy: Path) -> None:
    plant(demo_copy, "a view")
    with pytest.raises(StorageError, match="spy"):
        open_database(demo_copy, readonly=True)
