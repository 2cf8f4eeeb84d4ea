"""The query engine as an object: one per open file, its caches visible, its life the file's."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qualif_tui.domain.contacts import create_contact
from qualif_tui.query import QueryEngine, compile_query, count, fetch_page
from qualif_tui.query import engine as engine_module
from qualif_tui.storage import Database, open_database


def _contacts(db: Database, names: list[str]) -> None:
    for name in names:
        create_contact(db, {"last_name": name, "city": "Albi"})


def test_one_engine_per_open_file(db: Database, db_path: Path) -> None:
    engine = QueryEngine.of(db)
    assert QueryEngine.of(db) is engine
    with pytest.raises(ValueError, match="already has a query engine"):
        QueryEngine(db)
    other = open_database(db_path)
    try:
        assert QueryEngine.of(other) is not engine  # a second connection, its own caches
    finally:
        other.close()


def test_the_lock_is_the_files_own(db: Database) -> None:
    engine = QueryEngine.of(db)
    assert engine.state.lock is db.lock
    assert isinstance(engine.state.lock, type(threading.RLock()))


def test_the_functions_use_the_files_engine(db: Database) -> None:
    _contacts(db, ["Alpha", "Beta"])
    engine = QueryEngine.of(db)
    compiled = compile_query(db, "city:albi")
    assert count(db, compiled) == engine.count(compiled) == 2
    assert len(engine.state.counts) == 1  # the function's count landed in this engine's cache
    assert [r.last_name for r in fetch_page(db, compiled)] == \
        [r.last_name for r in engine.fetch_page(compiled)] == ["Alpha", "Beta"]


def test_a_cached_count_lives_until_the_data_changes(db: Database) -> None:
    _contacts(db, ["Alpha"])
    engine = QueryEngine.of(db)
    compiled = engine.compile("city:albi")
    assert engine.count(compiled) == 1
    version = engine.state.version
    assert version is not None and len(engine.state.counts) == 1
    _contacts(db, ["Beta"])
    assert engine.count(compiled) == 2
    assert engine.state.version != version


def test_closing_the_file_drops_its_engine(db_path: Path) -> None:
    db = open_database(db_path, create=True)
    engine = QueryEngine.of(db)
    engine.use_bitmaps(True)
    assert engine.bitmaps
    db.close()
    assert QueryEngine not in db.companions


def test_closing_the_engine_forgets_its_caches(db: Database) -> None:
    _contacts(db, ["Alpha"])
    engine = QueryEngine.of(db)
    engine.warm_up()
    assert engine.count(engine.compile("city:albi")) == 1
    engine.close()
    assert not engine.bitmaps and len(engine.state.counts) == 0
    fresh = QueryEngine.of(db)
    assert fresh is not engine
    assert fresh.count(fresh.compile("city:albi")) == 1


def test_two_files_never_share_a_bitmap(tmp_path: Path) -> None:
    """The walk plan's membership sets belong to one engine (no global table)."""
    first = open_database(tmp_path / "a.db", create=True)
    second = open_database(tmp_path / "b.db", create=True)
    try:
        _contacts(first, ["Alpha", "Beta", "Gamma"])
        _contacts(second, ["Delta"])
        for db in (first, second):
            QueryEngine.of(db).warm_up()
        # walking costs nothing: force the walk plan, which probes qualif_in()
        a, b = QueryEngine.of(first), QueryEngine.of(second)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "_WALK_BITMAP_US", 0.0)
            assert [r.last_name for r in a.fetch_page(a.compile("-beta"))] == ["Alpha", "Gamma"]
            assert [r.last_name for r in b.fetch_page(b.compile("-beta"))] == ["Delta"]
        assert a.state.member_sets == {} and b.state.member_sets == {}
    finally:
        first.close()
        second.close()


def test_no_caching_inside_a_write_transaction(db: Database) -> None:
    _contacts(db, ["Alpha"])
    engine = QueryEngine.of(db)
    compiled = engine.compile("city:albi")
    with db.transaction():
        create_contact(db, {"last_name": "Beta", "city": "Albi"})
        assert engine.count(compiled) == 2  # sees the uncommitted row
        assert len(engine.state.counts) == 0
