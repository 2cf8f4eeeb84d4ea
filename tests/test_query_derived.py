"""Queries derived from a result: incomplete contacts, and a contact's position."""

from __future__ import annotations

from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import list_keys
from qualif_tui.query import SORTS, compile_query, count, fetch_page
from qualif_tui.query.derived import missing_any, page_containing, position_of
from qualif_tui.storage import Database


def test_missing_any_counts_and_walks_only_incomplete_contacts(keyed_db: Database) -> None:
    full = {"profil": "client", "métier": "cadre", "situation familiale": "couple",
            "véhicule actuel": "break", "mise en service": "2020-01", "source": "web"}
    create_contact(keyed_db, {"last_name": "Complet"}, full)
    create_contact(keyed_db, {"last_name": "Partiel"}, {"profil": "client"})
    create_contact(keyed_db, {"last_name": "Vide"})
    keys = list_keys(keyed_db)
    everyone = compile_query(keyed_db, "")
    incomplete = missing_any(everyone, keys)
    assert count(keyed_db, incomplete) == 2
    assert [r.last_name for r in fetch_page(keyed_db, incomplete)] == ["Partiel", "Vide"]
    only_profil = missing_any(everyone, [k for k in keys if k.name == "Profil"])
    assert [r.last_name for r in fetch_page(keyed_db, only_profil)] == ["Vide"]
    assert count(keyed_db, missing_any(everyone, [])) == 0


def test_position_of_matches_the_order_of_pages(demo_db: Database) -> None:
    query = compile_query(demo_db, "")
    for sort in SORTS:
        rows = fetch_page(demo_db, query, sort=sort, limit=400)
        for index in (0, 1, 57, len(rows) - 1):
            assert position_of(demo_db, query, rows[index].id, sort=sort) == index
    assert position_of(demo_db, query, 999_999) is None


def test_page_containing_matches_offsets(demo_db: Database) -> None:
    query = compile_query(demo_db, "")
    for sort in SORTS:
        every = fetch_page(demo_db, query, sort=sort, limit=400)
        for index in (0, 6, 7, 13, 14, 150, len(every) - 1):
            found = page_containing(demo_db, query, every[index].id, sort=sort, page_size=7)
            assert found is not None
            position, rows = found
            start = index - index % 7
            assert position == index
            assert [r.id for r in rows] == [r.id for r in every[start:start + 7]]
    assert page_containing(demo_db, query, 999_999) is None


def test_page_containing_with_a_position_hint(demo_db: Database) -> None:
    query = compile_query(demo_db, "")
    every = fetch_page(demo_db, query, limit=400)
    # a right hint: the same page as counting gives
    assert page_containing(demo_db, query, every[150].id, page_size=7, position_hint=150) == \
        page_containing(demo_db, query, every[150].id, page_size=7)
    # a hint beyond the rows before the contact is corrected
    position, rows = page_containing(demo_db, query, every[3].id, page_size=7,
                                     position_hint=5) or (None, [])
    assert position == 3 and [r.id for r in rows] == [r.id for r in every[:7]]
    position, rows = page_containing(demo_db, query, every[0].id, page_size=7,
                                     position_hint=12) or (None, [])
    assert position == 0 and rows[0].id == every[0].id
