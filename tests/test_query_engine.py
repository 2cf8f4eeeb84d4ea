"""The engine: paging plans, sorts, keyset cursors, caches kept right by writes, explain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyroaring import BitMap

from qualif_tui.domain.contacts import create_contact, delete_contact, update_contact
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import (
    SORTS,
    QueryEngine,
    compile_query,
    count,
    engine,
    explain,
    fetch_at,
    fetch_page,
    iter_rows,
    use_bitmaps,
    warm_up,
)
from qualif_tui.query.facets import read_column
from qualif_tui.query.runtime import Version
from qualif_tui.services.generator import generate_database
from qualif_tui.storage import Database, open_database

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "g.db"
    generate_database(path, 3000, seed=5)
    return path


@pytest.fixture(params=["sql", "bitmaps"])
def gen_db(request: pytest.FixtureRequest, generated: Path, tmp_path: Path
           ) -> Iterator[Database]:
    copy = tmp_path / "g.db"
    copy.write_bytes(generated.read_bytes())
    db = open_database(copy)
    use_bitmaps(db, request.param == "bitmaps")
    yield db
    db.close()


def reference_order(db: Database, text: str, sort: str, descending: bool = False) -> list[int]:
    """Every match in display order, by a plain SQL sort of the whole result."""
    compiled = compile_query(db, text)
    expr = SORTS[sort][0]
    direction = "DESC" if descending else "ASC"
    rows = db.query(f"SELECT c.id FROM contacts c JOIN contact_facts f ON f.contact_id = c.id"
                    f" WHERE {compiled.where} ORDER BY {expr} {direction}, c.id {direction}",
                    compiled.params)
    return [r[0] for r in rows]


QUERIES = ["", "profil:client", "-profil:client", "profil:concurrent dept:31,81,2A",
           "mise_en_service:2010..2012", "missing:source", "last_contact<1y",
           "dupont OR martin", "profil:partenaire source:web region:bretagne"]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("sort", list(SORTS))
def test_keyset_pages_forward_and_back(gen_db: Database, text: str, sort: str) -> None:
    expected = reference_order(gen_db, text, sort)
    compiled = compile_query(gen_db, text)
    assert count(gen_db, compiled) == len(expected)
    # forwards by pages of 7 (the last page may be short)
    seen: list[int] = []
    cursor = None
    for _ in range(4):
        page = fetch_page(gen_db, compiled, sort=sort, after=cursor, limit=7)
        seen.extend(r.id for r in page)
        if len(page) < 7:
            break
        cursor = page[-1].cursor
    assert seen == expected[:len(seen)] and len(seen) == min(len(expected), 28)
    if len(expected) > 10:
        # backwards from row 10: the 7 rows before it, in display order
        anchor = fetch_at(gen_db, compiled, 10, 1, sort=sort)[0]
        assert anchor.id == expected[10]
        back = fetch_page(gen_db, compiled, sort=sort, before=anchor.cursor, limit=7)
        assert [r.id for r in back] == expected[3:10]
        # descending is the exact reverse
        down = fetch_page(gen_db, compiled, sort=sort, descending=True, limit=5)
        assert [r.id for r in down] == reference_order(gen_db, text, sort, True)[:5]


@pytest.mark.parametrize("plan", ["walk", "list"])
def test_both_page_plans_give_the_same_rows(gen_db: Database, plan: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # walking costs nothing / listing costs nothing: force one plan, then the other
    monkeypatch.setattr(engine, "_WALK_BITMAP_US" if plan == "walk" else "_LIST_US", 0.0)
    monkeypatch.setattr(engine, "_WALK_SQL_US" if plan == "walk" else "_LIST_US", 0.0)
    for text in QUERIES:
        for sort in SORTS:
            compiled = compile_query(gen_db, text)
            got = [r.id for r in iter_rows(gen_db, compiled, sort=sort, batch=40, limit=100)]
            assert got == reference_order(gen_db, text, sort)[:100], (text, sort)


def test_rows_carry_what_lists_and_exports_show(gen_db: Database) -> None:
    (row,) = fetch_page(gen_db, compile_query(gen_db, "profil:client"), limit=1)
    data = row.as_json()
    assert {"id", "first_name", "last_name", "company", "email", "postal_code", "city",
            "keys"} <= set(data)
    assert data["keys"]["Profil"] == "client"
    assert row.cursor[1] == row.id


def test_fetch_at_jumps(gen_db: Database) -> None:
    compiled = compile_query(gen_db, "profil:prospect")
    expected = reference_order(gen_db, "profil:prospect", "name")
    assert [r.id for r in fetch_at(gen_db, compiled, 100, 5)] == expected[100:105]
    assert [r.id for r in fetch_at(gen_db, compiled, len(expected) - 2, 5)] == expected[-2:]
    assert fetch_at(gen_db, compiled, len(expected) + 10, 5) == []
    assert fetch_page(gen_db, compiled, limit=0) == []


def test_caches_follow_every_write(keyed_db: Database) -> None:
    """Counts and bitmaps are cached per data version; each write moves it on."""
    warm_up(keyed_db)
    first = create_contact(keyed_db, {"last_name": "Alpha", "city": "Albi"}, {"Profil": "client"})
    clients = compile_query(keyed_db, "profil:client")
    others = compile_query(keyed_db, "-profil:client")
    assert (count(keyed_db, clients), count(keyed_db, others)) == (1, 0)
    second = create_contact(keyed_db, {"last_name": "Beta"}, {"Profil": "prospect"})
    assert (count(keyed_db, clients), count(keyed_db, others)) == (1, 1)
    set_qualification(keyed_db, second, "Profil", "client")
    assert (count(keyed_db, clients), count(keyed_db, others)) == (2, 0)
    assert [r.last_name for r in fetch_page(keyed_db, clients)] == ["Alpha", "Beta"]
    set_qualification(keyed_db, first, "Profil", None)
    assert count(keyed_db, compile_query(keyed_db, "missing:profil")) == 1
    # text and history changes are seen by full-text and field criteria
    castres = compile_query(keyed_db, "castres")
    in_castres = compile_query(keyed_db, "city:castres")
    assert (count(keyed_db, castres), count(keyed_db, in_castres)) == (0, 0)
    update_contact(keyed_db, first, {"city": "Castres"})
    assert (count(keyed_db, castres), count(keyed_db, in_castres)) == (1, 1)
    add_entry(keyed_db, second, "note", "Passage à Castres")
    assert count(keyed_db, castres) == 2
    delete_contact(keyed_db, second)
    assert count(keyed_db, castres) == 1
    assert count(keyed_db, clients) == 0
    # a new key column: the bitmaps start again from the new schema
    define_key(keyed_db, "Newsletter", "yesno")
    set_qualification(keyed_db, first, "Newsletter", True)
    assert count(keyed_db, compile_query(keyed_db, "newsletter:oui")) == 1


def test_another_connection_sees_and_causes_changes(keyed_db: Database) -> None:
    warm_up(keyed_db)
    create_contact(keyed_db, {"last_name": "Alpha"}, {"Profil": "client"})
    clients = compile_query(keyed_db, "profil:client")
    assert count(keyed_db, clients) == 1
    with open_database(keyed_db.path) as other:
        create_contact(other, {"last_name": "Beta"}, {"Profil": "client"})
    assert count(keyed_db, clients) == 2


def test_a_pruned_change_log_rebuilds_the_bitmaps(keyed_db: Database) -> None:
    warm_up(keyed_db)
    ident = create_contact(keyed_db, {"last_name": "Alpha"}, {"Profil": "client"})
    clients = compile_query(keyed_db, "profil:client")
    assert count(keyed_db, clients) == 1
    with keyed_db.transaction():
        set_qualification(keyed_db, ident, "Profil", "prospect")
        keyed_db.execute("DELETE FROM change_log WHERE seq < (SELECT max(seq) FROM change_log)")
    assert count(keyed_db, clients) == 0


def test_inside_a_transaction_results_are_current(keyed_db: Database) -> None:
    warm_up(keyed_db)
    create_contact(keyed_db, {"last_name": "Alpha"}, {"Profil": "client"})
    clients = compile_query(keyed_db, "profil:client")
    assert count(keyed_db, clients) == 1
    with pytest.raises(RuntimeError), keyed_db.transaction():
        create_contact(keyed_db, {"last_name": "Beta"}, {"Profil": "client"})
        assert count(keyed_db, clients) == 2
        raise RuntimeError("roll back")
    assert count(keyed_db, clients) == 1


def test_explain_names_the_plans(gen_db: Database) -> None:
    text = "\n".join(explain(gen_db, compile_query(gen_db, "profil:client region:occitanie")))
    assert "profil:client" in text and "region:occitanie" in text
    assert "first page (name)" in text
    assert "SEARCH" in text or "SCAN" in text
    text = "\n".join(explain(gen_db, compile_query(gen_db, "-profil:client"), sort="city"))
    assert "city" in text


def test_unknown_sort_is_a_clear_error(gen_db: Database) -> None:
    from qualif_tui.query import QueryError

    with pytest.raises(QueryError, match="unknown sort"):
        fetch_page(gen_db, compile_query(gen_db, ""), sort="age")


@pytest.mark.parametrize("bitmaps", [False, True])
def test_deeply_nested_segments_fail_cleanly(keyed_db: Database, bitmaps: bool) -> None:
    """Segments inside segments, each nested deep: an answer or a QueryError, no crash."""
    from qualif_tui.query import QueryError
    from qualif_tui.services import segments

    create_contact(keyed_db, {"last_name": "Alpha"}, {"Profil": "client"})

    def nested(levels: int, core: str) -> str:
        text = core
        for i in range(levels):
            text = f"-(profil:client OR {text})" if i % 2 == 0 else f"(source:web {text})"
        return text

    for i in range(10):
        segments.save_segment(keyed_db, f"s{i}", nested(24, f"segment:s{i - 1}" if i else "x"))
    use_bitmaps(keyed_db, bitmaps)
    compiled = compile_query(keyed_db, "segment:s9")
    try:
        assert count(keyed_db, compiled) in (0, 1)
        fetch_page(keyed_db, compiled)
    except QueryError as error:
        assert "too complex" in error.message
    with pytest.raises(QueryError, match="nested too deeply"):
        segments.save_segment(keyed_db, "s10", "segment:s9 OR x")


def test_threads_writing_and_counting_do_not_block_each_other(keyed_db: Database) -> None:
    """A worker saving segments (in transactions) while another counts: no deadlock."""
    import threading

    from qualif_tui.services import segments

    warm_up(keyed_db)
    for i in range(20):
        create_contact(keyed_db, {"last_name": f"N{i}"}, {"Profil": "client"})
    segments.save_segment(keyed_db, "S0", "profil:client")
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(30):
                segments.save_segment(keyed_db, f"S{i}", "profil:client", replace=True)
                set_qualification(keyed_db, 1 + i % 20, "Profil", "prospect" if i % 2 else "client")
        except BaseException as error:  # noqa: BLE001 - a thread's failure, reported below
            errors.append(error)

    def reader() -> None:
        try:
            for _ in range(60):
                compiled = compile_query(keyed_db, "profil:client OR segment:S0")
                count(keyed_db, compiled)
                fetch_page(keyed_db, compiled, limit=5)
        except BaseException as error:  # noqa: BLE001 - a thread's failure, reported below
            errors.append(error)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert not errors, errors


@pytest.mark.parametrize("bitmaps", [False, True])
def test_an_interrupted_query_is_cancelled_cleanly(gen_db: Database, bitmaps: bool) -> None:
    from qualif_tui.query import QueryCancelled, interrupt

    use_bitmaps(gen_db, bitmaps)
    compiled = compile_query(gen_db, "devis OR city:albi")
    expected = count(gen_db, compiled)
    QueryEngine.of(gen_db).state.forget_results()
    # SQLite calls the handler while a statement runs: interrupt from there,
    # as another thread would while the user types on
    gen_db.conn.set_progress_handler(lambda: interrupt(gen_db), 100)
    try:
        with pytest.raises(QueryCancelled):
            count(gen_db, compiled)
        with pytest.raises(QueryCancelled):
            fetch_page(gen_db, compiled)
    finally:
        gen_db.conn.set_progress_handler(None, 0)
    assert count(gen_db, compiled) == expected
    assert len(fetch_page(gen_db, compiled, limit=3)) == min(3, expected)


def test_facts_rows_written_by_a_bulk_loader_get_the_query_columns(db: Database) -> None:
    """A loader that sets contacts_ai aside and writes contact_facts itself (bulk
    import) still gets created/updated/flags, which has:email and created: read."""
    with db.transaction():
        db.execute("DROP TRIGGER contacts_ai")
        db.execute("INSERT INTO contacts(id, last_name, email, mobile, created, updated)"
                   " VALUES (5, 'X', 'x@y.fr', '06 12 34 56 78', '2024-01-02T10:00:00',"
                   " '2024-03-04T10:00:00')")
        db.execute("INSERT INTO contact_facts(contact_id, dept) VALUES (5, NULL)")
    for bitmaps in (False, True):
        use_bitmaps(db, bitmaps)
        for text in ("has:email", "has:phone", "created:2024-01", "updated:2024-03-04",
                     "-has:company"):
            assert count(db, compile_query(db, text)) == 1, (text, bitmaps)


def test_aside_warm_up_builds_every_facet_column(gen_db: Database) -> None:
    use_bitmaps(gen_db, False)
    warm_up(gen_db, aside=True)
    facets = QueryEngine.of(gen_db).state.facets
    assert facets is not None and facets.universe is not None
    assert {"dept", "flags"} <= {name for name, v in facets.columns.items() if v is not None}
    for text in QUERIES:
        compiled = compile_query(gen_db, text)
        assert count(gen_db, compiled) == len(reference_order(gen_db, text, "name"))


def test_aside_warm_up_drops_what_a_write_made_stale(keyed_db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    create_contact(keyed_db, {"last_name": "Alpha"}, {"Profil": "client"})
    state = QueryEngine.of(keyed_db).state
    real_read, real_refresh = read_column, state.refresh
    read: list[str] = []

    def reading(reader: Database, name: str) -> dict[Any, BitMap] | None:
        read.append(name)
        return real_read(reader, name)

    def write_then_refresh() -> Version | None:
        if read == ["dept"]:  # a write lands after "dept" was read aside, before it is kept
            read.append("written")
            create_contact(keyed_db, {"last_name": "Beta"}, {"Profil": "client"})
        return real_refresh()

    monkeypatch.setattr(engine, "read_column", reading)
    monkeypatch.setattr(state, "refresh", write_then_refresh)
    warm_up(keyed_db, aside=True)
    facets = QueryEngine.of(keyed_db).state.facets
    assert facets is not None and "dept" not in facets.columns
    assert "flags" in facets.columns  # read after the write: kept
    assert count(keyed_db, compile_query(keyed_db, "profil:client")) == 2
