"""The TUI's pure parts: page planning and the bounded cache, column layout, keystrokes."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, get_key, list_keys
from qualif_tui.query import compile_query, count, fetch_at
from qualif_tui.storage import Database
from qualif_tui.tui.agenda_pane import is_overdue
from qualif_tui.tui.columns import abbreviate, fit, layout
from qualif_tui.tui.forms import parse_when
from qualif_tui.tui.keystrokes import starts_typing, value_for
from qualif_tui.tui.paging import PageSource


def source(db: Database, sort: str = "name", page_size: int = 7, max_pages: int = 3
           ) -> PageSource:
    query = compile_query(db, "")
    return PageSource(db, query, sort, list_keys(db), count(db, query), page_size=page_size,
                      max_pages=max_pages)


def load(src: PageSource, page: int) -> str:
    plan = src.plan(page)
    src.store(page, src.fetch(plan))
    return plan.how


def test_pages_by_keyset_from_neighbours_match_offsets(demo_db: Database) -> None:
    for sort in ("name", "company", "city", "last_contact"):
        src = source(demo_db, sort)
        expected = [r.id for r in fetch_at(demo_db, src.query, 0, 400, sort=sort)]
        assert load(src, 0) == "first"
        assert load(src, 1) == "after"
        assert load(src, 2) == "after"
        assert load(src, 20) == "offset"
        assert load(src, 19) == "before"
        last = src.page_count - 1
        assert load(src, last) == "end"
        for page in (1, 2, 19, 20, last):
            src.store(page, src.fetch(src.plan(page)))
            held = [src.row(i) for i in range(page * 7, min(src.total, page * 7 + 7))]
            assert [r.id for r in held if r] == expected[page * 7: page * 7 + 7]
        assert len(src.pages_held) <= 3 and src.rows_held <= 21


def test_pages_for_the_visible_rows_nearest_first(demo_db: Database) -> None:
    src = source(demo_db, page_size=10, max_pages=6)
    assert src.pages_for(25, 40) == [2, 3, 4, 5, 1]
    assert src.pages_for(0, 5)[0] == 0
    assert src.row(-1) is None and src.row(10_000) is None


def test_layout_fits_the_width_and_keeps_keys_compact(keyed_db: Database) -> None:
    keys = list_keys(keyed_db)
    for width in (60, 80, 100, 160):
        columns = layout(width, keys)
        used = sum(c.width for c in columns) + len(columns)
        assert used <= width + 1 or width < 40
        assert [c.id for c in columns[:4]] == ["name", "company", "city", "dept"]
    wide = layout(160, keys)
    assert len(wide) == 4 + len(keys)
    assert abbreviate("Situation familiale", 10) == "Situation"
    assert abbreviate("Profil", 4) == "Prof"
    assert fit("Prévost", 5) == "Prév…" and fit("Prévost", 5, ellipsis=False) == "Prévo"
    assert fit("Ab", 4) == "Ab  "


def test_keystrokes_pick_values(keyed_db: Database) -> None:
    profil = get_key(keyed_db, "profil")
    assert value_for(profil, "1") == "client"
    assert value_for(profil, "7") is None
    assert value_for(profil, "c") == "client"
    assert value_for(profil, "c", "client") == "concurrent"
    assert value_for(profil, "c", "concurrent") == "client"
    assert value_for(profil, "C") == "client"
    assert value_for(profil, "z") is None
    assert value_for(profil, "") is None
    vehicle = get_key(keyed_db, "véhicule actuel")
    assert value_for(vehicle, "e") == "électrique"  # accents folded
    yes = define_key(keyed_db, "Newsletter", "yesno")
    assert value_for(yes, "o") is True and value_for(yes, "n") is False
    month = get_key(keyed_db, "mise en service")
    assert value_for(month, "2") is None and starts_typing(month, "2")
    assert not starts_typing(month, "x") and not starts_typing(profil, "2")


def test_parse_when_and_overdue(db: Database) -> None:
    assert parse_when("21/11/2026 9h30") == "2026-11-21T09:30"
    assert parse_when("2026-11-21 09:05") == "2026-11-21T09:05"
    assert parse_when("21/11/2026") == "2026-11-21"
    # the agenda's natural input, today being Friday 20 November 2026
    assert parse_when("demain 10h") == "2026-11-21T10:00"
    assert parse_when("lundi") == "2026-11-23"
    assert parse_when("+3d") == "2026-11-23"
    for bad in ("", "bientôt", "21/11/2026 25:00", "31/02/2026"):
        try:
            parse_when(bad)
            raise AssertionError(bad)
        except ValueError:
            pass
    from qualif_tui.domain.activities import add_activity, get_activity

    cid = create_contact(db, {"last_name": "X"})
    now = "2026-11-20T10:30:00"
    late = get_activity(db, add_activity(db, "a", starts_at="2026-11-20T09:00",
                                         contact_ids=[cid]))
    later = get_activity(db, add_activity(db, "b", starts_at="2026-11-20T11:00",
                                          contact_ids=[cid]))
    today = get_activity(db, add_activity(db, "c", due="2026-11-20", contact_ids=[cid]))
    yesterday = get_activity(db, add_activity(db, "d", due="2026-11-19", contact_ids=[cid]))
    assert is_overdue(late, now) and not is_overdue(later, now)
    assert not is_overdue(today, now) and is_overdue(yesterday, now)
