"""Issue 9, item 2: an erased contact's words are gone from the file's bytes.

After deleting a contact (app ``ctrl+d`` or ``import --undo``) its name,
company, city and note words stayed readable in the full-text index pages
(``contacts_fts_data``, ``history_fts_data``), even after thousands of later
writes. These tests scan the whole file for them.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact, delete_contact
from qualif_tui.domain.history import add_entry, delete_entry
from qualif_tui.query import compile_query, count
from qualif_tui.storage import Database, open_database
from qualif_tui.storage.erasure import complete_erasure, pending

from .helpers import cli, cli_process

SECRET = {"first_name": "Zéphyrin", "last_name": "Quarkbottom", "company": "Xylophonium SARL",
          "city": "Vrazlbourg", "email": "zq@quarkbottom.example", "postal_code": "31000"}
NOTE = "mnemoglyph tesseractine"
WORDS = ["zephyrin", "quarkbottom", "xylophonium", "vrazlbourg", "mnemoglyph",
         "tesseractine"]


def found_in_file(path: Path, words: list[str] = WORDS) -> list[str]:
    """The words still readable anywhere in the file (any case, as text)."""
    data = path.read_bytes().lower()
    extra = [w.encode() for w in ("zéphyrin",)]
    return [w for w in words if w.encode() in data] + [
        e.decode() for e in extra if e in data]


def _with_secret(db: Database) -> int:
    who = create_contact(db, dict(SECRET))
    add_entry(db, who, "note", "Rendez-vous", NOTE)
    # later writes: the secret's words sit in an older segment, not the newest
    for batch in range(6):
        with db.transaction():
            for i in range(batch * 50, batch * 50 + 50):
                other = create_contact(db, {"first_name": f"Jean{i}", "last_name": "Martin",
                                            "city": "Toulouse"})
                add_entry(db, other, "note", "Appel", f"devis numéro {i}")
    return who


def test_a_deleted_contact_leaves_no_word_in_the_file(demo_copy: Path) -> None:
    with open_database(demo_copy) as db:
        who = _with_secret(db)
        delete_contact(db, who)
        # what the issue saw: FTS5 kept the words after the delete
        assert set(found_in_file(demo_copy)) >= {"quarkbottom", "mnemoglyph"}
        assert pending(db) == ["contacts_fts", "history_fts"]
        complete_erasure(db)
        assert pending(db) == []
        assert count(db, compile_query(db, "martin")) >= 300  # the others are still found
        assert count(db, compile_query(db, "devis")) > 0
        assert count(db, compile_query(db, "quarkbottom")) == 0
    assert found_in_file(demo_copy) == []
    conn = sqlite3.connect(demo_copy)
    for table in ("contacts_fts", "history_fts"):
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    conn.close()


def test_a_deleted_note_leaves_no_word_in_the_file(demo_copy: Path) -> None:
    with open_database(demo_copy) as db:
        who = create_contact(db, {"last_name": "Garder"})
        entry = add_entry(db, who, "note", "Confidentiel", NOTE)
        delete_entry(db, entry if isinstance(entry, int) else entry.id)
        assert pending(db) == ["history_fts"]
        complete_erasure(db)
    assert found_in_file(demo_copy, ["mnemoglyph", "tesseractine"]) == []


def test_import_undo_erases_for_real(demo_copy: Path, tmp_path: Path) -> None:
    source = tmp_path / "secret.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Prénom", "Nom", "Société", "Ville", "Code postal", "Notes"])
        writer.writerow(["Zéphyrin", "Quarkbottom", "Xylophonium SARL", "Vrazlbourg", "31000",
                         NOTE])
        for i in range(200):
            writer.writerow([f"Paul{i}", "Durand", "", "Albi", "81000", ""])
    code, _, stderr = cli("import", demo_copy, source)
    assert code == 0, stderr
    assert "quarkbottom" in found_in_file(demo_copy)
    code, stdout, stderr = cli("import", demo_copy, "--undo", "last")
    assert code == 0, stderr
    assert found_in_file(demo_copy) == []


def test_a_crash_before_the_merge_is_finished_by_the_next_writable_open(
        demo_copy: Path) -> None:
    with open_database(demo_copy) as db:
        delete_contact(db, _with_secret(db))
    # (the process that deleted ended before merging: the mark stays in the file)
    assert "quarkbottom" in found_in_file(demo_copy)
    code, _, _ = cli("query", demo_copy, "--count")  # reading leaves the file alone
    assert code == 0 and "quarkbottom" in found_in_file(demo_copy)
    code, _, stderr = cli("segment", demo_copy, "save", "Tous", "profil:client")
    assert code == 0, stderr
    assert found_in_file(demo_copy) == []


def test_the_app_erases_after_ctrl_d(demo_copy: Path) -> None:
    """The app's deletion goes through its write queue, which queues the merge."""
    import asyncio

    from qualif_tui.tui.app import QualifApp

    with open_database(demo_copy) as db:
        who = _with_secret(db)

    async def delete_in_app() -> None:
        db = open_database(demo_copy)
        app = QualifApp(db, cursor_blink=False, verify=False)
        async with app.run_test(size=(120, 40)) as pilot:
            from qualif_tui.tui.workers import WriteJob

            app.writes.submit(WriteJob("Suppression", lambda: delete_contact(db, who)))
            for _ in range(200):
                await pilot.pause(0.05)
                if not app.writes.pending and not pending(db):
                    break
            assert not pending(db)
        db.close()

    asyncio.run(delete_in_app())
    assert found_in_file(demo_copy) == []


@pytest.mark.skipif(shutil.which("strings") is None, reason="no strings(1) here")
def test_strings_finds_nothing_either(demo_copy: Path) -> None:
    import subprocess

    with open_database(demo_copy) as db:
        delete_contact(db, _with_secret(db))
        complete_erasure(db)
    text = subprocess.run(["strings", "-n", "6", str(demo_copy)], capture_output=True,
                          text=True).stdout.lower()
    assert not [w for w in WORDS if w in text]
    assert cli_process("check", demo_copy).returncode == 0
