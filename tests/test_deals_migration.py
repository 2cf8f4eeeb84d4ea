"""A file of schema 2 (made by the previous qualif: ``fixtures/deals/schema2.db``, two
contacts, four deals) opens upgraded: deals rebuilt without their stage CHECK,
every row kept, facts and full text right, and the editable stages at work."""

from __future__ import annotations

import shutil
from pathlib import Path

from qualif_tui.domain import deals as D
from qualif_tui.domain import stages as S
from qualif_tui.query import compile_query, count
from qualif_tui.storage import check_database, open_database
from qualif_tui.storage.migrations import LATEST_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "deals" / "schema2.db"


def test_schema_2_file_is_upgraded_with_its_deals(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    told: list[str] = []
    with open_database(path, on_upgrade=told.append) as db:
        assert db.schema_version == LATEST_VERSION
        assert told and "du schéma 2" in told[0]
        rows = [tuple(r) for r in db.query("SELECT contact_id, title, stage, amount, probability"
                                           " FROM deals ORDER BY id")]
        assert rows == [(1, "Citroën C5 Aircross", "won", 32000.0, 100),
                        (1, "Entretien flotte", "proposal", 4800.0, 50),
                        (2, "Peugeot 208", "lost", 18500.0, 0),
                        (2, "Reprise véhicule", "lead", 6000.0, 10)]
        assert "CHECK (stage IN" not in db.scalar(
            "SELECT sql FROM sqlite_schema WHERE name = 'deals'")
        facts = [tuple(r) for r in db.query("SELECT deals, revenue, open_deals,"
                                            " last_purchase IS NOT NULL FROM contact_facts"
                                            " ORDER BY contact_id")]
        assert facts == [(1, 32000.0, 1, 1), (0, 0.0, 1, 0)]
        assert count(db, compile_query(db, "citroen")) == 1
        assert count(db, compile_query(db, "deal_stage:proposition")) == 1
        report = check_database(db)
        assert report.ok, (report.integrity, report.foreign_keys)
        # the stage table is editable now, and deals follow it
        S.add_stage(db, "Démonstration", probability=60, after="proposal")
        D.move_deal(db, 2, "demonstration")
        assert D.get_deal(db, 2).stage_label == "Démonstration"
        # deleting a contact still takes its deals (the foreign key kept its cascade)
        db.execute("DELETE FROM contacts WHERE id = 2")
        assert db.scalar("SELECT count(*) FROM deals") == 2
    # opening again changes nothing
    with open_database(path) as db:
        assert db.schema_version == LATEST_VERSION
        assert db.scalar("SELECT count(*) FROM deal_moves") == 3
