"""Completion of the query being typed (issue 11, item 7): names, values, places,
segments — and what it writes is a query the engine reads as meant."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualif_tui.domain.keys import list_keys
from qualif_tui.query import compile_query, count, fetch_page
from qualif_tui.query.completion import Vocabulary, complete, quoted, slug
from qualif_tui.storage import Database


def vocabulary(db: Database) -> Vocabulary:
    return Vocabulary(tuple(list_keys(db)), ("Clients Occitanie", "Mailing juin"))


def typed(db: Database, text: str, index: int = 0) -> str:
    found = complete(text, len(text), vocabulary(db))
    assert found is not None, text
    return found.apply(text, index)[0]


def test_names_keys_first(keyed_db: Database) -> None:
    assert typed(keyed_db, "p") == "profil:"
    assert typed(keyed_db, "so") == "source:"
    assert typed(keyed_db, "mis") == "mise_en_service:"
    assert typed(keyed_db, "re") == "region:"
    assert typed(keyed_db, "-pro") == "-profil:"
    assert typed(keyed_db, "vil") == "ville:"
    assert complete("budget>1", 8, vocabulary(keyed_db)) is None
    assert complete("", 0, vocabulary(keyed_db)) is None


def test_values(keyed_db: Database) -> None:
    assert typed(keyed_db, "profil:c") == "profil:client"
    assert typed(keyed_db, "profil:c", 1) == "profil:concurrent"
    assert typed(keyed_db, "profil:client,p") == "profil:client,prospect"
    assert typed(keyed_db, "source:f") == 'source:"foire/salon"'
    assert typed(keyed_db, "source:sal") == 'source:"foire/salon"'  # a later word
    assert typed(keyed_db, 'source:"bou') == 'source:"bouche à oreille"'
    assert typed(keyed_db, "Profil:PROS") == "Profil:prospect"
    found = complete("profil:", 7, vocabulary(keyed_db))
    assert found is not None and found.candidates[:2] == ("client", "prospect")


def test_places_and_segments(keyed_db: Database) -> None:
    assert typed(keyed_db, "dept:haute-g") == "dept:haute-garonne"
    assert typed(keyed_db, "dept:31") == "dept:31"
    assert typed(keyed_db, "region:mi") == "region:midi-pyrenees"
    assert typed(keyed_db, "region:occ") == "region:occitanie"
    assert typed(keyed_db, "segment:cl") == 'segment:"Clients Occitanie"'
    assert typed(keyed_db, "missing:pro") == "missing:profil"


def test_in_the_middle_of_a_query(keyed_db: Database) -> None:
    text = "profil:client reg dept:31"
    found = complete(text, len("profil:client reg"), vocabulary(keyed_db))
    assert found is not None
    assert found.apply(text)[0] == "profil:client region: dept:31"
    assert found.apply(text)[1] == len("profil:client region:")


def test_the_headline_target_in_few_keys(demo_db: Database) -> None:
    """profil:client,prospect region:midi-pyrenees source:"foire/salon" from 16 letters."""
    text = ""
    for part in ("p", "\t", "c", "\t", ",p", "\t", " r", "\t", "mi", "\t", " so", "\t", "f",
                 "\t"):
        if part == "\t":
            text = typed(demo_db, text)
        else:
            text += part
    assert text == 'profil:client,prospect region:midi-pyrenees source:"foire/salon"'
    assert count(demo_db, compile_query(demo_db, text)) > 0


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_completed_value_is_read_as_that_value(demo_db: Database,
                                                     data: st.DataObject) -> None:
    """Whatever value completion writes, the query selects exactly the contacts that
    have that value (reference: every contact's values, filtered in Python)."""
    keys = list_keys(demo_db)
    everyone = fetch_page(demo_db, compile_query(demo_db, ""), limit=10_000, keys=keys)
    key = data.draw(st.sampled_from([k for k in keys if k.has_choices and k.values]))
    value = data.draw(st.sampled_from(key.values)).value
    prefix = data.draw(st.integers(min_value=1, max_value=len(value)))
    opening = '"' if quoted(value) != value else ""  # a value with spaces is typed quoted
    text = f"{key.norm_name}:{opening}{value[:prefix]}"
    found = complete(text, len(text), vocabulary(demo_db))
    assert found is not None
    query = found.apply(text, found.candidates.index(quoted(value)))[0]
    compiled = compile_query(demo_db, query)
    assert not compiled.warnings
    got = {r.id for r in fetch_page(demo_db, compiled, limit=10_000, keys=keys)}

    def has(row_value: object) -> bool:
        return row_value == value or (isinstance(row_value, list) and value in row_value)

    assert got == {r.id for r in everyone if has(r.keys.get(key.name))}


def test_slug_and_quoted() -> None:
    assert slug("Côtes-d'Armor") == "cotes-d-armor"
    assert quoted("client") == "client"
    assert quoted("foire/salon") == '"foire/salon"'
