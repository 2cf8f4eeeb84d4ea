"""Issue 9, item 4: reading always works after a crash.

After kill -9 during a commit, the hot journal beside the file made every
read-only command fail with "attempt to write a readonly database" until
some write happened.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qualif_tui.storage import StorageError, open_database
from qualif_tui.storage import integrity as integrity_module

from .helpers import assert_one_line_error, cli, crashed_copy

READ_ONLY_COMMANDS = [
    ["query", "{db}", "--count"],
    ["query", "{db}", "profil:client", "--format", "json"],
    ["check", "{db}"],
    ["backup", "{db}", "{tmp}/copy.db"],
    ["export", "{db}", "-o", "{tmp}/out.csv"],
    ["segment", "{db}", "list"],
    ["key", "list", "{db}"],
    ["agenda", "{db}"],
]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda c: " ".join(c[:1] + c[2:3]))
def test_read_only_commands_work_after_a_crash(demo_copy: Path, tmp_path: Path,
                                                command: list[str]) -> None:
    code, expected, _ = cli("query", demo_copy, "--count")
    crashed_copy(demo_copy, demo_copy)
    args = [a.format(db=demo_copy, tmp=tmp_path) for a in command]
    code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    assert "interrompu en pleine écriture" in stderr and "Traceback" not in stderr
    assert not demo_copy.with_name(demo_copy.name + "-journal").exists()
    # the last committed state: the half-written update is gone
    code, count, _ = cli("query", demo_copy, "--count")
    assert count == expected
    with open_database(demo_copy, readonly=True) as db:
        assert db.scalar("SELECT count(*) FROM contacts WHERE address LIKE '%xxxx'") == 0
        assert db.scalar("PRAGMA integrity_check") == "ok"


def test_the_rolled_back_file_answers_the_same_as_before(demo_copy: Path) -> None:
    before = json.loads(cli("query", demo_copy, "--format", "json")[1])
    crashed_copy(demo_copy, demo_copy)
    after = json.loads(cli("query", demo_copy, "--format", "json")[1])
    assert after == before


def test_a_read_only_file_with_a_hot_journal_says_what_to_do(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crashed_copy(demo_copy, demo_copy)
    # (as root, os.access says yes to everything: the read-only stick is simulated)
    monkeypatch.setattr(integrity_module, "writable", lambda _path: False)
    with pytest.raises(StorageError, match="interrompu en pleine écriture.*lecture seule"):
        open_database(demo_copy, readonly=True)
    code, _, stderr = cli("query", demo_copy, "--count")
    assert code == 1
    assert_one_line_error(stderr)
    assert "journal" in stderr


def test_a_journal_whose_writer_is_alive_is_left_alone(demo_copy: Path) -> None:
    """A writer at work (its lock held) is not a crash: its journal stays."""
    import sqlite3

    writer = sqlite3.connect(demo_copy, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE contacts SET city = city")
    writer.execute("INSERT INTO meta(key, value) VALUES ('w', 'x')")
    journal = demo_copy.with_name(demo_copy.name + "-journal")
    assert journal.exists()
    code, stdout, stderr = cli("query", demo_copy, "--count")
    assert code == 0 and "interrompu" not in stderr
    writer.execute("COMMIT")
    writer.close()
    assert os.path.exists(demo_copy)
