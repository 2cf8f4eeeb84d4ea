"""The generator: exact, deterministic, realistic, spread over all of France."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualif_tui.base.geography import DEPARTEMENTS
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import check_database, open_database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def _dump(path: Path) -> list[tuple[object, ...]]:
    with open_database(path) as db:
        rows = db.query("SELECT c.first_name, c.last_name, c.email, c.postal_code, f.* FROM"
                        " contacts c JOIN contact_facts f ON f.contact_id = c.id ORDER BY c.id")
        history = db.query("SELECT contact_id, kind, happened_at, subject FROM history ORDER BY id")
        return [tuple(r) for r in rows] + [tuple(r) for r in history]


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    generate_database(tmp_path / "a.db", 1500, seed=7)
    generate_database(tmp_path / "b.db", 1500, seed=7)
    generate_database(tmp_path / "c.db", 1500, seed=8)
    assert _dump(tmp_path / "a.db") == _dump(tmp_path / "b.db")
    assert _dump(tmp_path / "a.db") != _dump(tmp_path / "c.db")


def test_shape_of_generated_data(tmp_path: Path) -> None:
    report = generate_database(tmp_path / "g.db", 4000, seed=3)
    assert report.contacts == 4000
    with open_database(tmp_path / "g.db") as db:
        assert db.scalar("SELECT count(*) FROM contacts") == 4000
        assert check_database(db).ok
        # ~3 history entries, ~0.5 activities, ~0.2 deals per contact
        assert 2.5 < db.scalar("SELECT count(*) FROM history") / 4000 < 3.5
        assert 0.4 < db.scalar("SELECT count(*) FROM activities") / 4000 < 0.6
        assert 0.15 < db.scalar("SELECT count(*) FROM deals") / 4000 < 0.25
        # e-mails unique, accents present
        assert db.scalar("SELECT count(*) - count(DISTINCT email) FROM contacts"
                         " WHERE email != ''") == 0
        assert db.scalar("SELECT count(*) FROM contacts WHERE first_name GLOB '*[éèëïç]*'") > 100
        # each key ~15 % unqualified (between 8 and 25 % per key)
        for (column,) in db.query("SELECT 'k' || id FROM qual_keys"):
            empty = db.scalar(f"SELECT avg({column} IS NULL) FROM contact_facts")
            assert 0.08 < empty < 0.25, column
        # full text filled as the chunks arrived matches its content tables
        db.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('integrity-check')")
        db.execute("INSERT INTO history_fts(history_fts) VALUES ('integrity-check')")
        assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'martin'") > 0
        # every index of the schema exists, built early or at the end
        from qualif_tui.storage.migrations import index_statements

        indexes = {r[0] for r in db.query("SELECT name FROM sqlite_schema WHERE type = 'index'")}
        assert set(index_statements()) <= indexes
        # facts computed by the loader agree with what the triggers would compute
        wrong = db.scalar("""
            SELECT count(*) FROM contact_facts f WHERE
              f.last_contact IS NOT (SELECT max(substr(happened_at, 1, 10)) FROM history h
                                     WHERE h.contact_id = f.contact_id AND automatic = 0)
              OR f.revenue != (SELECT coalesce(sum(amount), 0) FROM deals d
                               WHERE d.contact_id = f.contact_id AND stage = 'won')""")
        assert wrong == 0


@pytest.mark.slow
def test_every_departement_at_100k(tmp_path: Path) -> None:
    generate_database(tmp_path / "big.db", 100_000, seed=1)
    with open_database(tmp_path / "big.db") as db:
        present = {r[0] for r in db.query("SELECT DISTINCT dept FROM contact_facts")}
        assert db.scalar("SELECT count(*) FROM contacts") == 100_000
    assert set(DEPARTEMENTS) <= present
    (tmp_path / "big.db").unlink()  # 150 MB: not kept with the last runs' temporary files


def test_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    target.write_text("precious")
    from qualif_tui.storage import StorageError

    with pytest.raises(StorageError, match="already exists"):
        generate_database(target, 10)
    assert target.read_text() == "precious"
    assert not (tmp_path / "x.db.partial").exists()
