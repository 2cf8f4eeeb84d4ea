"""The virtual timeline: a long history is counted, drawn a screen at a time and read a
page at a time, and every entry can be reached with the keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import Static

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.history import add_entry, count_entries, list_entries
from qualif_tui.storage import Database
from qualif_tui.tui.app import QualifApp
from qualif_tui.tui.timeline import ENTRY_LIMIT, MAX_PAGES, EntryList, EntryPages

from .burst import burst
from .conftest import settle
from .helpers import main, text_of

MANY = 3 * ENTRY_LIMIT + 57


def _long_history(db: Database, count: int = MANY) -> int:
    """A contact with ``count`` e-mails, one a day; "Mail n" is the n-th oldest."""
    cid = create_contact(db, {"last_name": "Abadie", "first_name": "Long"})
    with db.transaction():
        for n in range(count):
            when = datetime(2020, 1, 1, 9) + timedelta(hours=n)
            add_entry(db, cid, "email", f"Mail {n}", f"Corps {n}", happened_at=when)
    return cid


def _subjects_in_order(db: Database, cid: int) -> list[str]:
    return [e.subject for e in list_entries(db, cid, limit=10_000)]


async def _open_history(pilot: Pilot[None], cid: int) -> EntryList:
    app = pilot.app
    assert isinstance(app, QualifApp)
    main(app).go_to_contact(cid)
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    timeline = main(app).card.query_one(EntryList)
    assert app.focused is timeline
    return timeline


def _lines(timeline: EntryList) -> list[str]:
    return [timeline.render_line(y).text.strip()
            for y in range(timeline.scrollable_content_region.height)]


def _body(app: QualifApp) -> str:
    return text_of(main(app).card.query_one("#entry-body", Static)).rstrip("\n")


def test_pages_and_count_agree_with_one_read(app_db: Database) -> None:
    cid = _long_history(app_db)
    everything = list_entries(app_db, cid, limit=10_000)
    assert count_entries(app_db, cid) == len(everything) == MANY + 1  # and "Fiche créée"
    paged = [e for page in range(5)
             for e in list_entries(app_db, cid, limit=ENTRY_LIMIT, offset=page * ENTRY_LIMIT)]
    assert paged == everything
    hits = list_entries(app_db, cid, text="corps", limit=10_000)
    assert count_entries(app_db, cid, text="corps") == len(hits) == MANY
    assert list_entries(app_db, cid, text="corps", limit=7, offset=MANY - 3) == hits[-3:]
    assert count_entries(app_db, cid, text="((") == 0  # no word to look for


def test_entry_pages_hold_a_few_pages_and_always_the_first() -> None:
    first = [object()] * ENTRY_LIMIT
    pages = EntryPages(1, "", first)  # type: ignore[arg-type]
    assert pages.total is None and pages.length == ENTRY_LIMIT  # more may follow
    pages.total = 50 * ENTRY_LIMIT
    for page in range(1, 20):
        pages.store(page, [page] * ENTRY_LIMIT)  # type: ignore[list-item]
    assert pages.has_page(0) and pages.has_page(19) and not pages.has_page(5)
    assert sum(pages.has_page(p) for p in range(20)) == MAX_PAGES
    assert pages.entry(19 * ENTRY_LIMIT + 3) == 19 and pages.entry(5 * ENTRY_LIMIT) is None
    assert EntryPages(1, "", []).total == 0


async def test_a_long_timeline_is_counted_and_every_entry_reachable(
        app: QualifApp, app_db: Database) -> None:
    cid = _long_history(app_db)
    subjects = _subjects_in_order(app_db, cid)
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await _open_history(pilot, cid)
        assert timeline.option_count == MANY + 1  # counted, not only the first page
        assert timeline.highlighted == 0 and subjects[0] in _lines(timeline)[0]
        assert subjects[0] in _body(app)
        await pilot.press("end")
        await settle(pilot)
        assert timeline.highlighted == MANY
        lines = _lines(timeline)
        assert subjects[-1] in lines[-1] and subjects[-2] in lines[-2]
        assert subjects[-1] in _body(app)
        await pilot.press("k", "up")
        await settle(pilot)
        assert timeline.highlighted == MANY - 2 and subjects[-3] in _body(app)
        await pilot.press("home")
        await settle(pilot)
        rows = timeline.scrollable_content_region.height  # the entry's text below varies
        await pilot.press("pagedown")
        await settle(pilot)
        assert timeline.highlighted == rows and subjects[rows] in _body(app)
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        assert timeline.highlighted == 0 and timeline.scroll_y == 0


async def test_keys_in_one_burst_land_where_slow_keys_do(
        app: QualifApp, app_db: Database) -> None:
    cid = _long_history(app_db)
    keys = ["end", "k", "k", "pageup", "j", "pageup", "pageup", "k", "j", "j"]
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await _open_history(pilot, cid)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        slow = (timeline.highlighted, _body(app), _lines(timeline))
        await pilot.press("home")
        await settle(pilot)
        await burst(pilot, keys)
        assert (timeline.highlighted, _body(app), _lines(timeline)) == slow


async def test_filtering_a_long_timeline_counts_every_hit(
        app: QualifApp, app_db: Database) -> None:
    cid = _long_history(app_db)
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await _open_history(pilot, cid)
        await pilot.press("f", *"corps")
        await settle(pilot)
        assert timeline.option_count == MANY  # the "Fiche créée" entry has no "corps"
        await pilot.press("enter", "end")
        await settle(pilot)
        assert "Mail 0" in _body(app)
        await pilot.press("f", *"xyzzy")
        await settle(pilot)
        assert timeline.option_count == 0 and _body(app) == "Aucune entrée."


async def test_a_write_keeps_the_cursor_and_another_contact_starts_at_the_newest(
        app: QualifApp, app_db: Database) -> None:
    cid = _long_history(app_db)
    other = create_contact(app_db, {"last_name": "Abadie", "first_name": "Court"})
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await _open_history(pilot, cid)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        before = _body(app)
        main(app).card.reload()
        await settle(pilot)
        assert timeline.highlighted == 3 and _body(app) == before
        await pilot.press("end")
        await settle(pilot)
        timeline = await _open_history(pilot, other)
        assert timeline.option_count == 1 and timeline.highlighted == 0
        assert timeline.scroll_y == 0 and "Fiche créée" in _lines(timeline)[0]
