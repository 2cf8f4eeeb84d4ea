"""`qualif sql` reads and never writes; the contacts_with_keys view follows the keys."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, delete_key, set_qualification
from qualif_tui.storage import SCHEMA_VERSION, Database, backup_database, migrations, open_database
from qualif_tui.storage.readonly_sql import SqlFailed, SqlRefused, reading, run_sql


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def keyed(db: Database) -> Database:
    define_key(db, "Profil", "choice", ["client", "prospect"])
    define_key(db, "Canaux", "multi", ["e-mail", "téléphone", "salon"])
    define_key(db, "Newsletter", "yesno")
    define_key(db, "Budget", "number")
    define_key(db, "Mise en service", "month")
    define_key(db, "City", "text")  # named like a contact column
    alpha = create_contact(db, {"first_name": "Anne", "last_name": "Alpha", "city": "Albi",
                                "postal_code": "81000"})
    set_qualification(db, alpha, "Profil", "client")
    set_qualification(db, alpha, "Canaux", ["salon", "e-mail"])
    set_qualification(db, alpha, "Newsletter", "oui")
    set_qualification(db, alpha, "Budget", "15000")
    set_qualification(db, alpha, "Mise en service", "2012-06")
    set_qualification(db, alpha, "City", "Toulouse")
    create_contact(db, {"last_name": "Beta"})
    return db


def view_rows(db: Database) -> list[dict[str, object]]:
    return [dict(row) for row in db.query("SELECT * FROM contacts_with_keys ORDER BY id")]


def test_the_view_shows_every_key_by_name_decoded(keyed: Database) -> None:
    alpha, beta = view_rows(keyed)
    assert (alpha["first_name"], alpha["city"], alpha["dept"]) == ("Anne", "Albi", "81")
    assert alpha["Profil"] == "client"
    assert json.loads(str(alpha["Canaux"])) == ["e-mail", "salon"]  # in the key's order
    assert (alpha["Newsletter"], alpha["Budget"], alpha["Mise en service"]) == (1, 15000, "2012-06")
    assert alpha["City (clé)"] == "Toulouse"
    assert all(beta[name] is None for name in ("Profil", "Canaux", "Newsletter", "Budget"))


def test_the_view_follows_keys_added_and_deleted(keyed: Database) -> None:
    delete_key(keyed, "Canaux")  # SQLite refuses to drop a column a view reads
    assert "Canaux" not in view_rows(keyed)[0]
    define_key(keyed, "Source", "choice", ["salon"])
    assert view_rows(keyed)[0]["Source"] is None


def test_sqlite_utils_and_datasette_users_see_it(keyed: Database) -> None:
    tools = sqlite_utils.Database(keyed.conn, recursive_triggers=False)
    assert "contacts_with_keys" in tools.view_names()
    rows = list(tools.query("SELECT last_name FROM contacts_with_keys WHERE Profil = 'client'"))
    assert rows == [{"last_name": "Alpha"}]


def test_an_older_file_gets_the_view_when_upgraded(keyed: Database, tmp_path: Path) -> None:
    old = backup_database(keyed, tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.execute("DROP VIEW contacts_with_keys")
    # the version before the view's step, wherever merges put that step
    before = migrations._STEPS.index(migrations._contacts_with_keys)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with open_database(old, on_upgrade=lambda _: None) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert view_rows(upgraded)[0]["Profil"] == "client"


def test_generated_and_demo_files_have_it(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "g.db"), "--contacts", "50", "--seed", "3")
    assert code == 0, err
    with open_database(tmp_path / "g.db") as db:
        assert len(view_rows(db)) == 50
        assert "Profil" in view_rows(db)[0]


# -- qualif sql -------------------------------------------------------------------------


def test_sql_prints_a_table_csv_and_json(keyed: Database) -> None:
    path = str(keyed.path)
    code, out, err = run("sql", path, "SELECT last_name, Profil FROM contacts_with_keys "
                         "ORDER BY id")
    assert code == 0, err
    assert "Alpha" in out and "client" in out and "2 ligne(s)" in out
    code, out, _ = run("sql", path, "SELECT last_name, Profil FROM contacts_with_keys "
                       "WHERE Profil = ?", "--param", "client", "--format", "csv")
    assert code == 0 and out.splitlines() == ["last_name,Profil", "Alpha,client"]
    code, out, _ = run("sql", path, "SELECT id, Budget FROM contacts_with_keys ORDER BY id",
                       "--format", "json")
    assert code == 0 and json.loads(out) == [{"id": 1, "Budget": 15000.0},
                                             {"id": 2, "Budget": None}]
    code, out, _ = run("sql", path, "SELECT 1 WHERE 0", "--format", "json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize("statement", [
    "DELETE FROM contacts",
    "UPDATE contacts SET last_name = 'x'",
    "CREATE TEMP TABLE t(a)",
    "DROP VIEW contacts_with_keys",
    "PRAGMA query_only = OFF",
    "PRAGMA user_version = 99",
    "ATTACH 'other.db' AS other",
    "VACUUM INTO 'copy.db'",
])
def test_sql_never_writes_the_file_nor_another(keyed: Database, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               statement: str) -> None:
    monkeypatch.chdir(tmp_path)
    keyed.close()
    before = keyed.path.read_bytes()
    code, _, err = run("sql", str(keyed.path), statement)
    assert code == 2 and "ne fait que lire" in err and "Traceback" not in err
    assert keyed.path.read_bytes() == before
    assert not (tmp_path / "other.db").exists() and not (tmp_path / "copy.db").exists()


def test_bad_sql_is_one_line_and_status_2(keyed: Database) -> None:
    for statement in ("SELEC 1", "SELECT * FROM nowhere", "SELECT 1; SELECT 2"):
        code, _, err = run("sql", str(keyed.path), statement)
        assert code == 2 and err.count("\n") == 1 and err.startswith("qualif: SQL"), err
    code, _, err = run("sql", str(keyed.path))
    assert code == 2  # neither SQL nor --schema


def test_reading_pragmas_and_the_schema_are_allowed(keyed: Database) -> None:
    with reading(keyed.path) as db:
        result = run_sql(db, "PRAGMA table_info(contacts)")
        assert "last_name" in [row[1] for row in result.rows]
        with pytest.raises(SqlRefused):
            run_sql(db, "INSERT INTO meta(key, value) VALUES ('a', 'b')")
        with pytest.raises(SqlFailed):
            run_sql(db, "SELECT nope FROM contacts")
    code, out, _ = run("sql", str(keyed.path), "--schema")
    assert code == 0 and "view contacts_with_keys (" in out and "table contacts (" in out
    assert "history_fts_data" not in out  # full-text internals are left out
