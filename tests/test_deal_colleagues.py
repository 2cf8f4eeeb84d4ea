"""Whom a deal may also concern: the other contacts of the main contact's company."""

from __future__ import annotations

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import Database


def test_colleagues_by_name_and_a_deals_others_always(db: Database) -> None:
    boss = create_contact(db, {"first_name": "Anne", "last_name": "Roux",
                               "company": "Transports Lebrun"})
    b = create_contact(db, {"first_name": "Zoé", "last_name": "Bernard",
                            "company": "TRANSPORTS LEBRUN"})
    c = create_contact(db, {"first_name": "Luc", "last_name": "Albert",
                            "company": "Transports Lebrun"})
    create_contact(db, {"first_name": "Paul", "last_name": "Abel", "company": "Autre"})
    alone = create_contact(db, {"last_name": "Seul"})
    assert [i for i, _name in D.company_colleagues(db, boss)] == [c, b]  # Albert, Bernard
    assert D.company_colleagues(db, boss)[0][1].startswith("Albert") or "Luc" in \
        D.company_colleagues(db, boss)[0][1]
    assert [i for i, _name in D.company_colleagues(db, boss, limit=1)] == [c]
    assert [i for i, _n in D.company_colleagues(db, boss, limit=1, include=[b])] == [c, b]
    assert D.company_colleagues(db, alone) == []
    deal = D.add_deal(db, boss, "Flotte", 5000, others=[b, c])
    assert set(D.get_deal(db, deal).others) == {b, c}
