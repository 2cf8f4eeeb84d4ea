"""The stage table's helpers the app's screen uses: deals per stage and per choice,
moving a lost reason or a category in its list."""

from __future__ import annotations

import pytest

from qualif_tui.domain import deals as D
from qualif_tui.domain import stages as S
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import NotFound
from qualif_tui.storage import Database


def test_usage_counts(db: Database) -> None:
    a = create_contact(db, {"last_name": "Arnaud"})
    D.add_deal(db, a, "Un", 100, stage="proposal", category="Formation")
    D.add_deal(db, a, "Deux", 100, stage="proposal", category="Formation")
    lost = D.add_deal(db, a, "Trois", 100, stage="lead")
    D.lose_deal(db, lost, reason="Prix")
    assert S.stage_usage(db) == {"proposal": 2, "lost": 1}
    formation = S.find_choice(db, "category", "formation")
    price = S.find_choice(db, "lost_reason", "prix")
    assert formation is not None and price is not None
    assert S.choice_usage(db, "category") == {formation.id: 2}
    assert S.choice_usage(db, "lost_reason") == {price.id: 1}


def test_move_a_choice(db: Database) -> None:
    before = [c.label for c in S.list_choices(db, "lost_reason")]
    assert len(before) >= 3
    moved = S.move_choice(db, "lost_reason", before[0], 1)
    after = [c.label for c in S.list_choices(db, "lost_reason")]
    assert after == [before[1], before[0], *before[2:]] and moved.position == 2
    S.move_choice(db, "lost_reason", before[-1], 5)  # past the end: stays last
    assert [c.label for c in S.list_choices(db, "lost_reason")][-1] == before[-1]
    S.move_choice(db, "lost_reason", before[0], -9)
    assert [c.label for c in S.list_choices(db, "lost_reason")] == before
    with pytest.raises(NotFound):
        S.move_choice(db, "lost_reason", "nulle part", 1)
