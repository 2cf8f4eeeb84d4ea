"""The command line through click's runner: exit codes, output shapes, clean errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_demo_check_query(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    code, _, err = run("init", db, "--demo")
    assert code == 0, err
    code, out, _ = run("check", db)
    assert code == 0 and "intégrité : ok" in out
    code, out, _ = run("query", db, "--count")
    assert code == 0 and out.strip() == "300"
    code, out, _ = run("query", db, "--format", "json", "--limit", "100000")
    rows = json.loads(out)
    assert len(rows) == 300
    assert {"id", "first_name", "last_name", "company", "email", "postal_code", "city",
            "keys"} <= set(rows[0])
    assert set(rows[0]["keys"]) == {"Profil", "Métier", "Situation familiale",
                                    "Véhicule actuel", "Mise en service", "Source"}
    names = [(r["last_name"], r["first_name"]) for r in rows]
    assert len(set(r["id"] for r in rows)) == 300 and names  # every contact once
    code, out, _ = run("query", db, "--format", "csv", "--limit", "3")
    assert code == 0 and out.splitlines()[0].startswith("id,first_name,last_name")
    assert len(out.splitlines()) == 4
    code, out, _ = run("query", db, "--limit", "5")
    assert code == 0 and "5 sur 300 contacts" in out


@pytest.mark.english  # reads the messages in English
def test_init_refuses_existing_file_unless_forced(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_text("mine")
    code, _, err = run("init", str(db))
    assert code == 1 and "already exists" in err
    assert db.read_text() == "mine"


def test_generated_count(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    assert run("init", db, "--contacts", "500", "--seed", "2")[0] == 0
    assert run("query", db, "--count")[1].strip() == "500"


def test_bad_files_get_one_line_and_exit_1(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    for path in (tmp_path / "nope" / "x.db", notes, other, tmp_path / "missing.db"):
        code, out, err = run("query", str(path), "--count")
        assert code == 1, (path, err)
        assert "Traceback" not in err and err.startswith("qualif:"), err
        assert len(err.strip().splitlines()) == 1
    assert notes.read_text() == "hello"
    assert not (tmp_path / "missing.db").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, _, _ = run("init")
    assert code == 2
    code, _, _ = run("query", str(tmp_path / "x.db"), "--format", "yaml")
    assert code == 2


@pytest.mark.english  # reads the messages in English
def test_backup_and_key_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    run("init", db)
    code, out, err = run("key", "add", db, "Profil", "--values", "client, prospect")
    assert code == 0, err
    code, out, _ = run("key", "list", db)
    assert "client, prospect" in out
    code, out, _ = run("backup", db)
    assert code == 0 and Path(out.strip()).exists()
    code, out, err = run("backup", db, out.strip())
    assert code == 1 and "already exists" in err


def test_queries_may_start_with_a_dash(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    run("init", db, "--demo")
    total = int(run("query", db, "--count")[1])
    with_phone = int(run("query", db, "has:phone", "--count")[1])
    # "-has:phone" is not "-h" (help), "-o…" is not an option: they are query words
    code, out, err = run("query", db, "-has:phone", "--count")
    assert code == 0, err
    assert int(out) == total - with_phone
    code, out, _ = run("query", db, "--count", "-ouvrier")
    assert code == 0 and int(out) <= total
    code, out, _ = run("query", db, "-profil:client", "OR", "profil:client", "--count")
    assert int(out) == total
    code, out, err = run("segment", db, "save", "Sans téléphone", "-has:phone")
    assert code == 0, err
    code, out, _ = run("query", db, 'segment:"Sans téléphone"', "--count")
    assert int(out) == total - with_phone
    code, out, _ = run("query", db, "-h")
    assert code == 0 and "Usage" in out
