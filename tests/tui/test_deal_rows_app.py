"""The pipeline's virtual columns: a column of hundreds of deals drawn a page at a time.

130 more deals in the Qualifiée stage (three pages), each for another contact,
so the card ↵ opens says which deal the cursor was on. Keys that land past the
first page (End, PageDown) are also pressed in one burst: the result must be
what slow typing gives, the keys waiting for the page they need.
"""

from __future__ import annotations

from qualif_tui.domain import deals as D
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.deal_rows import PAGE, DealRows
from qualif_tui.tui.pipeline_screen import PipelineScreen

from .conftest import settle
from .helpers import main

MORE = 130


def add_deals(db: Database) -> None:
    people = [int(r[0]) for r in db.query("SELECT id FROM contacts ORDER BY id LIMIT ?",
                                          (MORE,))]
    for n, person in enumerate(people):
        day = None if n % 5 == 0 else f"2027-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        D.add_deal(db, person, f"Lot {n:03d}", 1000 + n, stage="qualified",
                   expected_close=day)


def in_order(db: Database, stages: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(deal, contact, title) of the open deals of ``stages`` as the pipeline sorts them."""
    rows = db.query("SELECT id, contact_id, title, expected_close, stage FROM deals")
    kept = sorted((r for r in rows if r[4] in stages),
                  key=lambda r: (r[3] is None, r[3] or "", r[0]))
    return [(int(r[0]), int(r[1]), str(r[2])) for r in kept]


def painted(widget: DealRows) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def run_keys(app: QualifApp, keys: list[str], burst: bool) -> tuple[int | None, str]:
    """Press ``keys`` on the pipeline; the contact ↵ opened and what the column showed."""
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        if not burst:
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            if not burst:
                await settle(pilot)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        rows = screen._rows()
        assert rows is not None and rows.current is not None
        title = rows.current.title
        assert title in painted(rows)  # the cursor's deal is on screen
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PipelineScreen)
        return main(app).current_contact_id, title


async def test_end_of_a_long_column_in_a_burst(app_db: Database) -> None:
    add_deals(app_db)
    order = in_order(app_db, ("qualified",))
    assert len(order) > 2 * PAGE
    keys = ["right", "end", "up", "up"]
    slow = await run_keys(QualifApp(app_db, cursor_blink=False), keys, burst=False)
    fast = await run_keys(QualifApp(app_db, cursor_blink=False), keys, burst=True)
    assert slow == fast == (order[-3][1], order[-3][2])


async def test_page_down_across_pages_in_a_burst(app_db: Database) -> None:
    add_deals(app_db)
    order = in_order(app_db, ("qualified",))
    async with QualifApp(app_db, cursor_blink=False).run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("p", "right")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PipelineScreen)
        rows = screen._rows()
        assert rows is not None
        per_screen = rows._visible_items()
    presses = PAGE // per_screen + 2  # past the first page
    keys = ["right", *["pagedown"] * presses, "down"]
    expected = order[presses * per_screen + 1]
    slow = await run_keys(QualifApp(app_db, cursor_blink=False), keys, burst=False)
    fast = await run_keys(QualifApp(app_db, cursor_blink=False), keys, burst=True)
    assert slow == fast == (expected[1], expected[2])


async def test_the_list_by_date_scrolls_to_its_last_deal(app_db: Database) -> None:
    add_deals(app_db)
    order = in_order(app_db, ("lead", "qualified", "proposal", "negotiation"))
    slow = await run_keys(QualifApp(app_db, cursor_blink=False), ["t", "end"], burst=False)
    fast = await run_keys(QualifApp(app_db, cursor_blink=False), ["t", "end"], burst=True)
    assert slow == fast == (order[-1][1], order[-1][2])


async def test_a_column_says_how_many_and_draws_only_its_pages(app_db: Database) -> None:
    add_deals(app_db)
    count = len(in_order(app_db, ("qualified",)))
    async with QualifApp(app_db, cursor_blink=False).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PipelineScreen)
        header = screen.query(".stage-header")[1].render_line(0).text
        assert f"Qualifiée  {count}" in header
        column = screen._columns()[1]
        assert column.source is not None and column.source.total == count
        assert sorted(column.source.pages) == [0]  # one page read, the rest on demand
        assert "Lot" in painted(column) or column.current is not None


async def _view_after_waiting_keys(app: QualifApp, burst: bool) -> tuple[str, int, int]:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        for key in ["p", "right", "end", "up", "t", "down", "t"]:
            await pilot.press(key)
            if not burst:
                await settle(pilot)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        listed = screen.query_one("#deal-list", DealRows)
        return screen.current_view, screen._columns()[1].cursor, listed.cursor


async def test_a_view_change_typed_after_waiting_keys_comes_after_them(
        app_db: Database) -> None:
    add_deals(app_db)
    last = len(in_order(app_db, ("qualified",))) - 1
    slow = await _view_after_waiting_keys(QualifApp(app_db, cursor_blink=False), False)
    fast = await _view_after_waiting_keys(QualifApp(app_db, cursor_blink=False), True)
    assert slow == fast == ("kanban", last - 1, 1)
