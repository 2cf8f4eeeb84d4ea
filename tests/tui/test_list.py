"""The virtual contact list: keys that move the cursor, sorting, and a bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from qualif_tui.domain import clock
from qualif_tui.query import compile_query, fetch_at
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import Database, open_database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.paging import MAX_PAGES, PAGE_SIZE

from .conftest import settle
from .helpers import card_title, list_lines, main, status

SIZE = 2_500


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clock.freeze(datetime(2026, 11, 20, 10, 30))
    try:
        path = tmp_path_factory.mktemp("big") / "big.db"
        generate_database(path, SIZE, seed=3)
        return path
    finally:
        clock.freeze(None)


@pytest.fixture
def big_db(big_file: Path) -> Iterator[Database]:
    database = open_database(big_file, readonly=True)
    yield database
    database.close()


def name_at(db: Database, index: int, sort: str = "name") -> str:
    return fetch_at(db, compile_query(db, ""), index, 1, sort=sort)[0].name


def cursor_line(app: QualifApp) -> str:
    screen = main(app)
    contacts = screen.contact_list
    y = contacts.cursor - round(contacts.scroll_y) + 1
    return list_lines(app)[y]


async def test_keys_move_the_cursor_over_a_large_result(big_db: Database) -> None:
    app = QualifApp(big_db, cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        contacts = screen.contact_list
        assert "2 500 contacts" in status(app)
        visible = contacts.scrollable_content_region.height - 1
        await pilot.press("j", "down", "j")
        await settle(pilot)
        assert contacts.cursor == 3
        await pilot.press("k")
        assert contacts.cursor == 2
        await pilot.press("up")
        await settle(pilot)
        assert contacts.cursor == 1
        assert cursor_line(app).strip().startswith(name_at(big_db, 1))
        await pilot.press("pagedown")
        await settle(pilot)
        assert contacts.cursor == 1 + visible
        assert cursor_line(app).strip().startswith(name_at(big_db, 1 + visible))
        assert card_title(app).startswith(name_at(big_db, 1 + visible))
        await pilot.press("pageup")
        await settle(pilot)
        assert contacts.cursor == 1
        await pilot.press("end")
        await settle(pilot)
        assert contacts.cursor == SIZE - 1
        assert cursor_line(app).strip().startswith(name_at(big_db, SIZE - 1))
        assert list_lines(app)[-1].strip().startswith(name_at(big_db, SIZE - 1))
        assert card_title(app).startswith(name_at(big_db, SIZE - 1))
        await pilot.press("k")
        await settle(pilot)
        assert cursor_line(app).strip().startswith(name_at(big_db, SIZE - 2))
        await pilot.press("home")
        await settle(pilot)
        assert contacts.cursor == 0
        assert cursor_line(app).strip().startswith(name_at(big_db, 0))
        await pilot.press("G")
        await settle(pilot)
        assert contacts.cursor == SIZE - 1
        await pilot.press("g")
        await settle(pilot)
        assert contacts.cursor == 0


async def test_the_list_never_holds_more_than_a_few_pages(big_db: Database) -> None:
    app = QualifApp(big_db, cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        contacts = main(app).contact_list
        source = contacts.source
        assert source is not None
        for step in range(40):
            await pilot.press("pagedown")
            if step % 8 == 7:
                await settle(pilot)
            assert source.rows_held <= MAX_PAGES * PAGE_SIZE
            assert len(source.pages_held) <= MAX_PAGES
        assert contacts.cursor > 10 * PAGE_SIZE
        # the rows shown are the right ones, fetched by keyset from neighbours
        assert cursor_line(app).strip().startswith(name_at(big_db, contacts.cursor))
        # a jump into the middle (a scrollbar drag) fetches by offset
        contacts.scroll_to(y=1_700, animate=False, immediate=True)
        await settle(pilot)
        top = round(contacts.scroll_y)
        assert list_lines(app)[1].strip().startswith(name_at(big_db, top))
        assert source.rows_held <= MAX_PAGES * PAGE_SIZE


async def test_s_cycles_the_sort(big_db: Database) -> None:
    app = QualifApp(big_db, cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = main(app)
        seen = []
        for expected in ("company", "city", "last_contact", "name"):
            await pilot.press("s")
            await settle(pilot)
            assert screen.sort == expected
            seen.append(status(app))
            # the contact under the cursor stays the same one
            data = screen.card.data
            assert data is not None
            assert cursor_line(app).strip().startswith(data.contact.name[:10])
        assert "tri : société" in seen[0] and "tri : ville" in seen[1]
        assert "tri : dernier contact" in seen[2] and "tri : nom" in seen[3]
        await pilot.press("s", "home")
        await settle(pilot)
        assert cursor_line(app).strip().startswith(name_at(big_db, 0, sort="company"))
