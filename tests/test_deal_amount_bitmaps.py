"""``deal_amount`` on per-amount bitmaps (``deals.amount`` in the facet index):
the same contacts as SQL before and after every kind of deal write, and SQL's
answer when the amounts are too many for bitmaps."""

from __future__ import annotations

import pytest

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact, delete_contact
from qualif_tui.query import compile_query, count, facets, use_bitmaps, warm_up
from qualif_tui.query.engine import QueryEngine
from qualif_tui.query.plan import describe
from qualif_tui.storage import Database, open_database

QUERIES = ("deal_amount>5000", "deal_amount<=500", "deal_amount:1000..6000",
           "deal_amount:5000", "-deal_amount>5000", "deal_amount>5000 OR deal_amount<100",
           "has:deal_stage -deal_amount>=12000")


def sql_counts(db: Database) -> list[int]:
    """The same queries run in SQL, on a connection of their own (no bitmaps)."""
    other = open_database(db.path, readonly=True, quick_check=False)
    try:
        use_bitmaps(other, False)
        return [count(other, compile_query(other, q)) for q in QUERIES]
    finally:
        other.close()


def bitmap_counts(db: Database) -> list[int]:
    return [count(db, compile_query(db, q)) for q in QUERIES]


@pytest.fixture
def people(db: Database) -> list[int]:
    ids = [create_contact(db, {"first_name": f"P{i}", "last_name": "Martin"}) for i in range(6)]
    for cid, amount in zip(ids, (200, 1000, 5000, 6000, 12000, 30000), strict=False):
        D.add_deal(db, cid, "Affaire", amount)
    D.add_deal(db, ids[0], "Deuxième", 7000)  # two deals: either one matches
    return ids


def test_amounts_come_from_bitmaps_and_follow_every_write(db: Database,
                                                          people: list[int]) -> None:
    warm_up(db)
    assert bitmap_counts(db) == sql_counts(db)
    state = QueryEngine.of(db).state
    assert state.facets is not None and "deals.amount" in state.facets.columns
    outline = describe(compile_query(db, "deal_amount>5000").plan, bitmaps=True)
    assert outline == ["deal_amount>5000  [bitmaps of deals.amount]"]

    deal = D.list_deals(db, people[1])[0]
    D.update_deal(db, deal.id, {"amount": 9000})  # 1 000 → 9 000
    assert bitmap_counts(db) == sql_counts(db)
    D.add_deal(db, people[5], "Petite", 50)  # a contact with a new amount
    assert bitmap_counts(db) == sql_counts(db)
    removed = D.delete_deal(db, D.list_deals(db, people[4])[0].id)
    assert bitmap_counts(db) == sql_counts(db)
    D.restore_deal(db, removed)
    assert bitmap_counts(db) == sql_counts(db)
    delete_contact(db, people[3])
    assert bitmap_counts(db) == sql_counts(db)
    # the bitmaps were kept in step, not rebuilt
    assert state.facets is not None and "deals.amount" in state.facets.columns
    assert count(db, compile_query(db, "deal_amount>5000")) == 4


def test_too_many_amounts_are_left_to_sql(db: Database, people: list[int],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facets, "MAX_VALUES", 3)
    warm_up(db)
    state = QueryEngine.of(db).state
    assert state.facets is not None and state.facets.columns.get("deals.amount") is None
    assert bitmap_counts(db) == sql_counts(db)
