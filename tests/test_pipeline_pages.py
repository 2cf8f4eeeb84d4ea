"""The pipeline's pages of deals (what the virtual columns draw) against a plain sort.

A page is ``offset … offset + limit − 1`` of the open deals of some stages, dated
ones by expected close then undated ones, ties by id. The reference sorts the
deals read back row by row in Python; pages of every size and offset, across
the dated/undated boundary, filtered by a query in SQL mode and on bitmaps.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.domain import deals as D
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import compile_query, use_bitmaps
from qualif_tui.services.pipeline import deal_page, pipeline
from qualif_tui.storage import Database

OPEN = ("lead", "qualified", "proposal", "negotiation")


PROFILES: dict[int, str] = {}  # contact id → profil, as written


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Database:
    from qualif_tui.storage import open_database

    db = open_database(tmp_path_factory.mktemp("pages") / "p.db", create=True)
    define_key(db, "Profil", "choice", ["client", "prospect"])
    draw = random.Random(7)
    people = []
    for n in range(12):
        person = create_contact(db, {"last_name": f"Nom{n}"})
        PROFILES[person] = "client" if n % 3 == 0 else "prospect"
        set_qualification(db, person, "profil", PROFILES[person])
        people.append(person)
    for n in range(140):
        day = None if draw.random() < 0.3 else f"2026-{draw.randint(10, 12):02d}-" \
            f"{draw.randint(1, 28):02d}"
        stage = "proposal" if n % 2 else draw.choice(OPEN + ("won", "lost"))
        D.add_deal(db, draw.choice(people), f"Affaire {n}", 100 + n, stage=stage,
                   expected_close=day)
    return db


def reference(db: Database, stages: list[str], who: set[int] | None) -> list[int]:
    rows = db.query("SELECT id, stage, expected_close, contact_id FROM deals")
    kept = [r for r in rows if r[1] in stages and (who is None or r[3] in who)]
    kept.sort(key=lambda r: (r[2] is None, r[2] or "", r[0]))
    return [int(r[0]) for r in kept]


def members(text: str | None) -> set[int] | None:
    if text is None:
        return None
    return {person for person, profile in PROFILES.items() if text.endswith(profile)}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stages=st.sampled_from([["proposal"], ["lead"], list(OPEN), ["qualified", "negotiation"]]),
       offset=st.integers(0, 150), limit=st.integers(1, 60),
       query=st.sampled_from([None, "profil:client", "profil:prospect"]),
       bitmaps=st.booleans())
def test_a_page_is_a_slice_of_the_sorted_deals(many: Database, stages: list[str], offset: int,
                                               limit: int, query: str | None,
                                               bitmaps: bool) -> None:
    use_bitmaps(many, bitmaps)
    compiled = compile_query(many, query) if query else None
    everyone = reference(many, stages, members(query))
    dated = sum(1 for i in everyone if D.get_deal(many, i).expected_close)
    page = deal_page(many, compiled, stages, offset, limit, dated)
    assert [c.id for c in page] == everyone[offset:offset + limit]


def test_the_first_page_comes_with_the_totals(many: Database) -> None:
    data = pipeline(many, cards=50)
    for total in data.stages:
        everyone = reference(many, [total.stage.id], None)
        assert total.count == len(everyone)
        assert total.dated == sum(1 for i in everyone if D.get_deal(many, i).expected_close)
        assert [c.id for c in data.cards[total.stage.id]] == everyone[:50]
    listed = pipeline(many, layout="list", cards=50)
    assert [c.id for c in listed.cards["all"]] == reference(many, list(OPEN), None)[:50]
