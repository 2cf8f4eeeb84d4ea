"""Segments: dynamic and static groups, reuse in queries, cycles, counts of all at once."""

from __future__ import annotations

import pytest

from qualif_tui.domain.contacts import create_contact, delete_contact
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.keys import set_qualification
from qualif_tui.query import QueryError, compile_query, count, fetch_page, warm_up
from qualif_tui.services import segments as svc
from qualif_tui.storage import Database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


@pytest.fixture
def crm(keyed_db: Database) -> Database:
    for last, city, postal, profil in [
        ("Alpha", "Toulouse", "31000", "client"), ("Bravo", "Albi", "81000", "prospect"),
        ("Charlie", "Lyon", "69001", "client"), ("Delta", "Toulouse", "31200", None),
    ]:
        keys = {"Profil": profil} if profil else {}
        create_contact(keyed_db, {"last_name": last, "city": city, "postal_code": postal}, keys)
    return keyed_db


def ids(db: Database, text: str) -> list[int]:
    return [r.id for r in fetch_page(db, compile_query(db, text), limit=100)]


def test_dynamic_segment_is_reevaluated_and_reusable(crm: Database) -> None:
    svc.save_segment(crm, "Clients Occitanie", "profil:client region:occitanie")
    assert ids(crm, 'segment:"Clients Occitanie"') == [1]
    assert ids(crm, 'segment:"clients occitanie" OR city:lyon') == [1, 3]
    assert ids(crm, '-segment:"CLIENTS OCCITANIE"') == [2, 3, 4]
    set_qualification(crm, 4, "Profil", "client")
    assert ids(crm, 'segment:"Clients Occitanie"') == [1, 4]
    compiled = compile_query(crm, 'segment:"Clients Occitanie" city:toulouse')
    assert compiled.segments == ("Clients Occitanie",)


def test_segments_use_segments_but_never_themselves(crm: Database) -> None:
    svc.save_segment(crm, "Clients", "profil:client")
    svc.save_segment(crm, "Clients toulousains", 'segment:Clients city:toulouse')
    assert ids(crm, 'segment:"clients toulousains"') == [1]
    with pytest.raises(QueryError, match=r"segment cycle: Clients → Clients toulousains → Clients"):
        svc.save_segment(crm, "Clients", 'segment:"Clients toulousains"', replace=True)
    with pytest.raises(QueryError, match="segment cycle: Moi → Moi"):
        svc.save_segment(crm, "Moi", "segment:Moi OR profil:client")
    # nothing was changed by the refused saves
    assert svc.get_segment(crm, "Clients").query == "profil:client"
    assert svc.find_segment(crm, "Moi") is None
    # a cycle written by another tool is reported, not followed
    crm.execute("UPDATE segments SET query = 'segment:\"Clients toulousains\"'"
                " WHERE name = 'Clients'")
    with pytest.raises(QueryError, match="segment cycle") as caught:
        compile_query(crm, "ville:albi segment:clients")
    assert caught.value.position == 11


def test_unknown_and_broken_segments(crm: Database) -> None:
    svc.save_segment(crm, "Clients", "profil:client")
    with pytest.raises(QueryError) as caught:
        compile_query(crm, "segment:client")
    assert "no segment named 'client'" in caught.value.message
    assert "did you mean 'Clients'" in caught.value.hint
    crm.execute("UPDATE segments SET query = 'profl:client' WHERE name = 'Clients'")
    with pytest.raises(QueryError, match="segment 'Clients' cannot be used: unknown key"):
        compile_query(crm, "segment:clients")
    overview = {i.segment.name: i for i in svc.segment_overview(crm)}
    assert overview["Clients"].count is None and "unknown key" in (overview["Clients"].error or "")
    assert svc.count_segments(crm) == {}


def test_static_groups_freeze_and_are_edited_by_hand(crm: Database) -> None:
    svc.save_segment(crm, "Toulousains", "city:toulouse")
    frozen = svc.freeze_segment(crm, "Mailing juin", 'segment:toulousains')
    assert frozen.is_static and frozen.query == "segment:toulousains"
    assert svc.segment_members(crm, "Mailing juin") == [1, 4]
    # the frozen list does not follow the data, the dynamic segment does
    new = create_contact(crm, {"last_name": "Echo", "city": "Toulouse"})
    assert ids(crm, "segment:toulousains") == [1, 4, new]
    assert ids(crm, 'segment:"mailing juin"') == [1, 4]
    assert svc.add_members(crm, "Mailing juin", [2, 4]) == 1
    assert svc.remove_members(crm, "mailing juin", [1, 99]) == 1
    assert svc.segment_members(crm, "Mailing juin") == [2, 4]
    assert ids(crm, 'segment:"Mailing juin" city:albi') == [2]
    with pytest.raises(NotFound, match="no contact #99"):
        svc.add_members(crm, "Mailing juin", [99])
    with pytest.raises(ValidationError, match="dynamic segment"):
        svc.add_members(crm, "Toulousains", [2])
    # a deleted contact leaves the group
    delete_contact(crm, 4)
    assert svc.segment_members(crm, "Mailing juin") == [2]
    # snapshot: a static copy of another segment's members now
    snap = svc.snapshot_segment(crm, "Toulousains", "Toulousains au 20/11")
    assert snap.is_static and svc.segment_members(crm, snap.name) == [1, new]
    with pytest.raises(ValidationError, match="a name of its own"):
        svc.snapshot_segment(crm, "Toulousains", "toulousains")
    group = svc.create_group(crm, "À appeler", [3])
    assert group.is_static and ids(crm, 'segment:"a appeler"') == [3]
    with pytest.raises(ValidationError, match="frozen from a query that uses it"):
        svc.freeze_segment(crm, "À appeler", 'segment:"À appeler"', replace=True)


def test_count_all_segments_at_once_with_and_without_bitmaps(crm: Database) -> None:
    svc.save_segment(crm, "Clients", "profil:client")
    svc.save_segment(crm, "Sans profil", "missing:profil")
    svc.save_segment(crm, "Occitanie", "region:occitanie")
    svc.freeze_segment(crm, "Figé", "city:lyon")
    expected = {"Clients": 2, "Figé": 1, "Occitanie": 3, "Sans profil": 1}
    assert svc.count_segments(crm) == expected
    warm_up(crm)
    assert svc.count_segments(crm) == expected
    set_qualification(crm, 4, "Profil", "client")
    assert svc.count_segments(crm) == {**expected, "Clients": 3, "Sans profil": 0}


def test_rename_follows_users_and_delete_protects_them(crm: Database) -> None:
    svc.save_segment(crm, "Clients", "profil:client")
    svc.save_segment(crm, "Clients toulousains", "segment:Clients city:toulouse")
    svc.save_segment(crm, "Autres", '-segment:"clients" OR segment:"Clients toulousains"')
    assert [s.name for s in svc.users_of(crm, "clients")] == ["Autres", "Clients toulousains"]
    with pytest.raises(ValidationError, match="is used by 'Autres', 'Clients toulousains'"):
        svc.delete_segment(crm, "Clients")
    svc.rename_segment(crm, "Clients", "Nos clients")
    assert svc.get_segment(crm, "Clients toulousains").query == (
        'segment:"Nos clients" city:toulouse')
    assert svc.get_segment(crm, "Autres").query == (
        '-segment:"Nos clients" OR segment:"Clients toulousains"')
    assert ids(crm, 'segment:"Clients toulousains"') == [1]
    svc.delete_segment(crm, "Autres")
    svc.delete_segment(crm, "Nos clients", force=True)
    with pytest.raises(QueryError):
        compile_query(crm, 'segment:"Clients toulousains"')


def test_names_are_checked(crm: Database) -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        svc.save_segment(crm, "   ", "profil:client")
    with pytest.raises(QueryError, match="unknown key"):
        svc.save_segment(crm, "X", "profl:client")
    assert svc.find_segment(crm, "X") is None
    svc.save_segment(crm, "  Deux   espaces ", "")
    assert svc.get_segment(crm, "deux espaces").name == "Deux espaces"
    assert count(crm, svc.segment_query(crm, "Deux espaces")) == 4
