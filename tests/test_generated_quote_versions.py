"""The generator's quotes in two versions: numbered like the core's new_version
(D2026-0001 then D2026-0001-V2), the first replaced, dearer and earlier, the
second the one the deal's stage decided; totals from the lines; deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualif_tui.domain.quotes import get_quote
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import check_database, open_database
from qualif_tui.storage.database import Database


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "g.db"
    generate_database(path, 6000, seed=5)
    return path


def versions(db: Database) -> list[tuple[int, int]]:
    return [(int(r[0]), int(r[1])) for r in db.query(
        "SELECT previous_id, id FROM quotes WHERE version = 2 ORDER BY id")]


def test_second_versions(made: Path) -> None:
    with open_database(made) as db:
        assert check_database(db).ok
        pairs = versions(db)
        total = int(db.scalar("SELECT count(*) FROM quotes"))
        assert 0.04 < len(pairs) / total < 0.2
        assert db.scalar("SELECT count(*) FROM quotes WHERE version NOT IN (1, 2)") == 0
        for old_id, new_id in pairs:
            old, new = get_quote(db, old_id), get_quote(db, new_id)
            assert new.number == f"{old.number}-V2" and new.version == 2
            assert old.replaced_by == new.number and old.status == "sent"
            assert old.deal_id == new.deal_id and old.contact_id == new.contact_id
            assert old.issued < new.issued and old.total_ht > new.total_ht
            amount, stage = db.query("SELECT amount, stage FROM deals WHERE id = ?",
                                     (new.deal_id,))[0]
            assert new.total_ht == amount
            assert new.status == {"won": "accepted", "lost": "refused"}.get(stage, "sent")
            for quote in (old, new):
                lines = sum(line.quantity * line.unit_price for line in quote.lines)
                assert abs(lines - quote.total_ht) < 0.005


def test_numbers_and_counters(made: Path) -> None:
    with open_database(made) as db:
        numbers = [str(r[0]) for r in db.query("SELECT number FROM quotes")]
        assert len(numbers) == len(set(numbers))
        for year, last in db.query("SELECT year, last FROM quote_counters"):
            firsts = [n for n in numbers if n.startswith(f"D{year}-") and "-V" not in n]
            assert len(firsts) == last
            assert max(int(n.split("-")[1]) for n in firsts) == last


def test_same_seed_same_versions(tmp_path: Path) -> None:
    generate_database(tmp_path / "a.db", 3000, seed=5)
    generate_database(tmp_path / "b.db", 3000, seed=5)
    with open_database(tmp_path / "a.db") as a, open_database(tmp_path / "b.db") as b:
        query = "SELECT id, number, status, total_ht, issued FROM quotes ORDER BY id"
        assert [tuple(r) for r in a.query(query)] == [tuple(r) for r in b.query(query)]
        assert versions(a)
