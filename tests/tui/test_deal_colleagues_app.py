"""The deal form's "Avec (même société)": the company's other contacts, ticked with
space; saved as the deal's other contacts, shown ticked when the deal is edited."""

from __future__ import annotations

import pytest

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.deal_forms import DealForm

from .burst import burst, keys_of
from .conftest import settle
from .test_deals_app import search

# from the amount to the list of colleagues: stage, probability, close, category,
# cost, source, notes, then the list
TO_OTHERS = ["tab"] * 8


def company(db: Database) -> tuple[int, int, int]:
    boss = create_contact(db, {"first_name": "Anne", "last_name": "Roux",
                               "company": "Transports Lebrun"})
    b = create_contact(db, {"first_name": "Luc", "last_name": "Albert",
                            "company": "Transports Lebrun"})
    c = create_contact(db, {"first_name": "Zoé", "last_name": "Bernard",
                            "company": "Transports Lebrun"})
    return boss, b, c


@pytest.mark.parametrize("fast", [False, True])
async def test_a_new_deal_with_colleagues_then_one_unticked(app_db: Database,
                                                            fast: bool) -> None:
    boss, albert, bernard = company(app_db)
    app = QualifApp(app_db, cursor_blink=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await search(pilot, f"id:{boss}")
        await pilot.press("f6")
        await settle(pilot)
        keys = keys_of(["ctrl+n"], "Flotte de 4 camions", "tab", "8000", TO_OTHERS,
                       "space", "down", "space", ["ctrl+s"])
        if fast:
            await burst(pilot, keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        assert not isinstance(app.screen, DealForm)
        deal_id = int(app_db.scalar("SELECT max(id) FROM deals WHERE contact_id = ?", (boss,)))
        deal = D.get_deal(app_db, deal_id)
        assert (deal.title, deal.amount) == ("Flotte de 4 camions", 8000)
        assert set(deal.others) == {albert, bernard}
        # edit: both ticked; untick the first (Albert, by name)
        await burst(pilot, "home", "enter")
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.values()["others"] == sorted([albert, bernard])
        await burst(pilot, ["tab"] * 8, "space", ["ctrl+s"])  # no stage field when editing
        assert set(D.get_deal(app_db, deal_id).others) == {bernard}
