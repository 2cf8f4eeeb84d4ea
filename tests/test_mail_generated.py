"""Generated files (``qualif init F --contacts N``) carry the e-mails' direction, so the
last inbound contact and its query field have data before any archive is imported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qualif_tui.domain import clock
from qualif_tui.query import compile_query, count
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import Database, open_database


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen_mail") / "g.db"
    # the tests' "today" (conftest.FIXED_NOW): module fixtures run before fixed_clock
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    try:
        generate_database(path, 2000, seed=11)
    finally:
        clock.freeze(None)
    return path


def test_emails_go_in_or_out_other_entries_have_no_direction(generated: Path) -> None:
    with open_database(generated) as db:
        ways = {str(way): int(n) for way, n in db.query(
            "SELECT coalesce(direction, '-'), count(*) FROM history"
            " WHERE kind = 'email' GROUP BY 1")}
        assert set(ways) == {"in", "out"}
        share = ways["in"] / (ways["in"] + ways["out"])
        assert 0.35 < share < 0.55
        assert db.scalar("SELECT count(*) FROM history WHERE kind != 'email'"
                         " AND direction IS NOT NULL") == 0


def _wrong_last_inbound(db: Database) -> int:
    """Contacts whose last_inbound differs from the latest inbound entry's day, the rule
    of the triggers written independently here."""
    return int(db.scalar("""
        SELECT count(*) FROM contact_facts f WHERE f.last_inbound IS NOT
          (SELECT max(substr(happened_at, 1, 10)) FROM history h
            WHERE h.contact_id = f.contact_id AND h.kind = 'email' AND h.direction = 'in')"""))


def test_last_inbound_derived_by_the_loader_is_the_triggers_rule(generated: Path) -> None:
    with open_database(generated) as db:
        assert db.scalar("SELECT count(last_inbound) FROM contact_facts") > 300
        assert _wrong_last_inbound(db) == 0
        # last_inbound is never later than last_contact (an inbound mail is a contact)
        assert db.scalar("SELECT count(*) FROM contact_facts"
                         " WHERE last_inbound > last_contact") == 0


def test_last_inbound_query_on_a_generated_file(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "g.db"
    copy.write_bytes(generated.read_bytes())
    with open_database(copy) as db:
        expected = db.scalar("SELECT count(*) FROM contact_facts"
                             " WHERE last_inbound IS NOT NULL")
        # generated history spans the last three years: all of them within four
        assert count(db, compile_query(db, "last_inbound:4y")) == expected
        assert count(db, compile_query(db, "last_inbound<4y")) == 0
        # deleting a contact's inbound e-mails recomputes the fact (triggers still on)
        (cid,) = db.query("SELECT contact_id FROM contact_facts WHERE last_inbound IS NOT NULL"
                          " ORDER BY contact_id LIMIT 1")[0]
        with db.transaction():
            db.execute("DELETE FROM history WHERE contact_id = ? AND direction = 'in'", (cid,))
        assert db.scalar("SELECT last_inbound FROM contact_facts WHERE contact_id = ?",
                         (cid,)) is None
        assert _wrong_last_inbound(db) == 0
