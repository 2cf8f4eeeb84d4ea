"""Storage: creating, reopening, refusing, migrating, checking, backing up."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from qualif_tui.storage import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Database,
    StorageError,
    backup_database,
    check_database,
    open_database,
)
from qualif_tui.storage.database import NewerSchema, NotQualifFile

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def test_fresh_file_has_schema_pragmas_and_single_file(db_path: Path) -> None:
    db = open_database(db_path, create=True)
    assert db.schema_version == SCHEMA_VERSION
    assert db.scalar("PRAGMA application_id") == APPLICATION_ID
    assert db.scalar("PRAGMA journal_mode") == "delete"
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA synchronous") == 2  # FULL
    assert db.scalar("PRAGMA secure_delete") == 1
    with db.transaction():
        db.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
    db.close()
    # a closed database is one file: nothing beside it to forget on the stick
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["test.db"]


def test_reopen_keeps_data(db_path: Path) -> None:
    with open_database(db_path, create=True) as db:
        db.set_meta("owner", "Hélène")
    with open_database(db_path) as db:
        assert db.get_meta("owner") == "Hélène"


def test_missing_file_is_not_created_without_create(db_path: Path) -> None:
    with pytest.raises(StorageError, match="qualif init"):
        open_database(db_path)
    assert not db_path.exists()


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "nope" / "x.db", create=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="read-only"):
            open_database(folder / "x.db", create=True)
    finally:
        folder.chmod(0o700)


def test_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello, not a database")
    before = notes.read_bytes()
    with pytest.raises(NotQualifFile, match="not a SQLite file"):
        open_database(notes)
    assert notes.read_bytes() == before


def test_other_programs_sqlite_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "firefox.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE moz_places(id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(NotQualifFile, match="another program"):
        open_database(other, create=True)
    assert other.read_bytes() == before


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_database(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerSchema, match="newer qualif"):
        open_database(db_path)


def test_migration_from_version_zero(db_path: Path) -> None:
    # an empty SQLite file with our application id and user_version 0
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.close()
    with open_database(db_path, create=True) as db:
        assert db.schema_version == SCHEMA_VERSION
        tables = {r[0] for r in db.query("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        assert {"contacts", "contact_facts", "history", "activities", "deals", "segments",
                "qual_keys", "key_values"} <= tables


def test_check_reports_ok(db_path: Path) -> None:
    with open_database(db_path, create=True) as db:
        report = check_database(db)
    assert report.ok
    assert report.integrity == ["ok"]


def _copy(demo_db, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    copy = tmp_path / "broken.db"
    backup_database(demo_db, copy)
    return copy


def test_damaged_page_is_refused_on_open(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = _copy(demo_db, tmp_path)
    conn = sqlite3.connect(copy)
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'history'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(copy.read_bytes())
    header = (root - 1) * page_size
    data[header] = 0x07  # not a valid b-tree page type
    copy.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="qualif check|malformed|damaged"):
        open_database(copy)


def test_index_out_of_step_is_found_by_check(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = _copy(demo_db, tmp_path)
    conn = sqlite3.connect(copy)
    # Make an index disagree with its table: the quick check on open does not
    # look at index contents, the full check must.
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX contacts_city ON"
                 " contacts(norm_company, id)' WHERE name = 'contacts_city'")
    conn.commit()
    conn.close()
    with open_database(copy) as db:
        report = check_database(db)
    assert not report.ok
    assert report.integrity and report.integrity != ["ok"]


def test_backup_default_name_and_consistency(demo_db) -> None:  # type: ignore[no-untyped-def]
    target = backup_database(demo_db)
    assert target.parent == demo_db.path.parent / "demo-backups"  # one folder (issue 9)
    assert target.name.startswith("demo-") and target.suffix == ".db"
    with open_database(target) as copy:
        assert copy.scalar("SELECT count(*) FROM contacts") == 300
    with pytest.raises(StorageError, match="already exists"):
        backup_database(demo_db, target)


def test_transaction_rolls_back_on_error(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.set_meta("a", "1")
            raise RuntimeError("boom")
    assert db.get_meta("a") is None


def test_nested_transaction_is_a_savepoint(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction():
        db.set_meta("outer", "1")
        with pytest.raises(ValueError):
            with db.transaction():
                db.set_meta("inner", "1")
                raise ValueError
    assert db.get_meta("outer") == "1"
    assert db.get_meta("inner") is None


def test_big_files_defer_the_quick_check(demo_db, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from qualif_tui.storage import database, quick_check_file

    copy = _copy(demo_db, tmp_path)
    with open_database(copy) as db:
        assert not db.quick_check_pending  # small: checked on open
    other = sqlite3.connect(copy)  # another program writes: the file is no longer known sound
    other.execute("INSERT INTO meta(key, value) VALUES ('other', 'program')")
    other.commit()
    other.close()
    monkeypatch.setattr(database, "QUICK_CHECK_ON_OPEN_BYTES", 1000)
    with open_database(copy) as db:
        assert db.quick_check_pending
    quick_check_file(copy)  # passes on a sound file
    conn = sqlite3.connect(copy)
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'history'").fetchone()[0]
    conn.close()
    data = bytearray(copy.read_bytes())
    data[(root - 1) * 4096] = 0x07
    copy.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        quick_check_file(copy)


V1_HISTORY_FULLTEXT = """
CREATE VIRTUAL TABLE history_fts USING fts5(
    subject, body, content='history', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2");
CREATE TRIGGER history_ai AFTER INSERT ON history BEGIN
    INSERT INTO history_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;
"""


def test_version_1_history_index_is_rebuilt_with_contacts_in_its_rowids(
        demo_db: Database, tmp_path: Path) -> None:
    """A file made before history hits carried their contact is converted on open."""
    from qualif_tui.domain.contacts import create_contact
    from qualif_tui.domain.history import add_entry, list_entries
    from qualif_tui.query import compile_query, count

    expected = count(demo_db, compile_query(demo_db, "devis"))
    assert expected > 0
    old = backup_database(demo_db, tmp_path / "v1.db")
    conn = sqlite3.connect(old)
    for trigger in ("history_ai", "history_ad", "history_au"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE history_fts")
    conn.execute("DROP VIEW history_fts_source")
    conn.executescript(V1_HISTORY_FULLTEXT)
    conn.execute("INSERT INTO history_fts(history_fts) VALUES ('rebuild')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    told: list[str] = []
    with open_database(old, on_upgrade=told.append) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION
        assert len(told) == 1 and f"from schema 1 to {SCHEMA_VERSION}" in told[0]
        assert [p.name[:11] for p in (tmp_path / "v1-backups").iterdir()] == ["v1-schema1-"]
        assert count(migrated, compile_query(migrated, "devis")) == expected
        who = create_contact(migrated, {"last_name": "Zwiller"})
        add_entry(migrated, who, "note", "Parle d'un pickup électrique")
        assert count(migrated, compile_query(migrated, "pickup")) == 1
        assert [e.subject for e in list_entries(migrated, who, text="electri")] == [
            "Parle d'un pickup électrique"]
        migrated.execute("INSERT INTO history_fts(history_fts) VALUES ('integrity-check')")
