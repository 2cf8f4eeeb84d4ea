"""Pipeline totals, forecast and funnel on a small hand-made file, checked by hand,
filtered by a query in SQL mode and on bitmaps alike."""

from __future__ import annotations

import pytest

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import compile_query, use_bitmaps
from qualif_tui.services.pipeline import forecast, funnel, pipeline
from qualif_tui.storage import Database


@pytest.fixture
def pipe(db: Database) -> Database:
    define_key(db, "Profil", "choice", ["client", "prospect"])
    a = create_contact(db, {"last_name": "Arnaud"})
    b = create_contact(db, {"last_name": "Bernard"})
    set_qualification(db, a, "profil", "client")
    set_qualification(db, b, "profil", "prospect")
    D.add_deal(db, a, "A1", 1000, stage="lead", expected_close="2026-11-25")       # 10 %
    D.add_deal(db, a, "A2", 2000, stage="proposal", expected_close="2026-12-10")   # 50 %
    D.add_deal(db, b, "B1", 4000, stage="proposal", expected_close="2026-12-31",
               probability=25)
    D.add_deal(db, b, "B2", 8000, stage="negotiation", expected_close="2026-10-01")  # late
    D.add_deal(db, b, "B3", 500, stage="qualified")                                # undated
    won = D.add_deal(db, a, "A3", 3000, stage="lead")
    for stage in ("qualified", "proposal", "negotiation"):
        D.move_deal(db, won, stage)
    D.win_deal(db, won, closed_at="2026-11-18")
    lost = D.add_deal(db, b, "B4", 700, stage="lead")
    D.move_deal(db, lost, "qualified")
    D.lose_deal(db, lost, reason="Prix")
    return db


@pytest.mark.parametrize("bitmaps", [False, True])
def test_stage_totals_and_cards(pipe: Database, bitmaps: bool) -> None:
    use_bitmaps(pipe, bitmaps)
    everyone = pipeline(pipe)
    by_stage = {t.stage.id: (t.count, t.amount, t.weighted) for t in everyone.stages}
    assert by_stage == {"lead": (1, 1000, 100), "qualified": (1, 500, 125),
                        "proposal": (2, 6000, 2000), "negotiation": (1, 8000, 6000)}
    assert (everyone.count, everyone.amount, everyone.weighted) == (5, 15500, 8225)
    assert everyone.won is not None and everyone.won.count == 1 and everyone.won.amount == 3000
    assert [c.title for c in everyone.cards["proposal"]] == ["A2", "B1"]  # by close date
    clients = pipeline(pipe, compile_query(pipe, "profil:client"), layout="list")
    assert [c.title for c in clients.cards["all"]] == ["A1", "A2"]
    assert clients.amount == 3000


@pytest.mark.parametrize("bitmaps", [False, True])
def test_forecast_by_month(pipe: Database, bitmaps: bool) -> None:
    use_bitmaps(pipe, bitmaps)
    rows = {r.month: (r.count, r.amount, r.weighted, r.won) for r in forecast(pipe, months=3)}
    assert rows == {
        "2026-11": (1, 1000, 100, 3000),   # A1; A3 won this month
        "2026-12": (2, 6000, 2000, 0),     # A2 50 % of 2000 + B1 25 % of 4000
        "2027-01": (0, 0, 0, 0),
        "late": (1, 8000, 6000, 0),        # B2, expected in October
        "undated": (1, 500, 125, 0),       # B3
    }
    prospects = forecast(pipe, compile_query(pipe, "profil:prospect"), months=2)
    assert [(r.month, r.count) for r in prospects] == [("2026-11", 0), ("2026-12", 1),
                                                       ("late", 1), ("undated", 1)]


@pytest.mark.parametrize("bitmaps", [False, True])
def test_funnel_counts_what_each_deal_reached(pipe: Database, bitmaps: bool) -> None:
    use_bitmaps(pipe, bitmaps)
    steps = funnel(pipe)
    # reached: A1 lead; B3 qualified; B4 qualified (then lost); A2, B1 proposal;
    # B2 negotiation; A3 won (so every stage before)
    assert [(s.stage.id, s.reached) for s in steps] == [
        ("lead", 7), ("qualified", 6), ("proposal", 4), ("negotiation", 2), ("won", 1)]
    assert [None if s.conversion is None else round(s.conversion, 2) for s in steps] == [
        None, 0.86, 0.67, 0.5, 0.5]
    clients = funnel(pipe, compile_query(pipe, "profil:client"))
    assert [s.reached for s in clients] == [3, 2, 2, 1, 1]
    assert [s.reached for s in funnel(pipe, start="2027-01-01", end="2027-12-31")] == [0] * 5
