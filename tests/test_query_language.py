"""Each construct of the query language (DESIGN.md) on a small known file.

Every expectation is checked in both evaluation modes (SQL and bitmaps).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qualif_tui.domain.activities import add_activity
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.deals import add_deal
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import QueryError, compile_query, count, iter_rows, use_bitmaps
from qualif_tui.services.generator import demo_key_specs
from qualif_tui.storage import Database

from built_files import build_once, private_copy

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english

# name → (fields, keys, [(days ago, subject)], won deal amount, open deal?)
PEOPLE: dict[str, tuple[dict[str, str], dict[str, object]]] = {
    "Dupont": ({"first_name": "Jean", "city": "Toulouse", "postal_code": "31000",
                "email": "jean.dupont@gmail.com", "birthday": "1968-04-02",
                "company": "Garage Dupont"},
               {"Profil": "client", "Source": "foire/salon", "Mise en service": "2012-12",
                "Métier": "artisan"}),
    "Lefèvre": ({"first_name": "Hélène", "city": "Albi", "postal_code": "81000",
                 "email": "helene@orange.fr", "mobile": "06 12 34 56 78"},
                {"Profil": "prospect", "Source": "bouche à oreille", "Mise en service": "2010-01",
                 "Situation familiale": "couple"}),
    "Garçon": ({"first_name": "Éloïse", "city": "Ajaccio", "postal_code": "20000",
                "birthday": "--06-15"},
               {"Profil": "client", "Mise en service": "2013-01"}),
    "Martin": ({"first_name": "Noël", "city": "Bastia", "postal_code": "20200",
                "company": "Œuvres Sociales"},
               {"Profil": "prescripteur", "Source": "web"}),
    "Leroy": ({"first_name": "Zoé", "city": "Pointe-à-Pitre", "postal_code": "97110"},
              {"Source": "bouche a oreille"}),
    "Durand": ({"first_name": "Paul", "city": "Lyon", "postal_code": "69001",
                "birthday": "1990-01-01"},
               {"Profil": "concurrent", "Situation familiale": "couple avec enfants"}),
    "Petit": ({"first_name": "Anne", "city": "Paris", "postal_code": "75011"}, {}),
}
HISTORY = {
    "Dupont": [(10, "Essai routier", "SUV électrique"), (400, "Devis envoyé", "")],
    "Lefèvre": [(200, "Portes ouvertes", "Intéressée par une berline")],
    "Garçon": [(30, "Appel de suivi", "")],
    "Durand": [(800, "Relance devis", "")],
}


def _fill_people(db: Database) -> None:
    for spec in demo_key_specs():
        define_key(db, spec.name, spec.type, spec.values)
    define_key(db, "Newsletter", "yesno")
    define_key(db, "Budget", "number")
    define_key(db, "Canaux", "multi", ["e-mail", "téléphone", "salon"])
    ids = {}
    for last, (fields, keys) in PEOPLE.items():
        ids[last] = create_contact(db, {"last_name": last, **fields}, keys)
    for last, entries in HISTORY.items():
        for days, subject, body in entries:
            add_entry(db, ids[last], "call", subject, body,
                      datetime(2026, 11, 20, 9) - timedelta(days=days))
    set_qualification(db, ids["Dupont"], "Newsletter", "oui")
    set_qualification(db, ids["Lefèvre"], "Newsletter", "non")
    set_qualification(db, ids["Dupont"], "Budget", "25000")
    set_qualification(db, ids["Martin"], "Budget", "9 999,50")
    set_qualification(db, ids["Martin"], "Canaux", ["e-mail", "salon"])
    set_qualification(db, ids["Petit"], "Canaux", ["téléphone"])
    add_deal(db, ids["Dupont"], "SUV", 32000, stage="won")
    add_deal(db, ids["Dupont"], "Citadine", 12000, stage="won")
    add_deal(db, ids["Martin"], "Flotte", 90000, stage="proposal")
    add_activity(db, "Rappel", due="2026-11-25", contact_ids=[ids["Lefèvre"]])
    add_activity(db, "Retard", due="2026-11-02", contact_ids=[ids["Petit"]])
    db.execute("UPDATE contacts SET created = '2019-05-06T10:00:00' WHERE id = ?",
               (ids["Durand"],))


@pytest.fixture(scope="module")
def people_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven people, built once (300 tests read them: a copy each)."""
    return build_once(tmp_path_factory.mktemp("people") / "people.db", _fill_people)


@pytest.fixture(params=["sql", "bitmaps"])
def people(request: pytest.FixtureRequest, people_file: Path, tmp_path: Path
           ) -> Iterator[Database]:
    db = private_copy(people_file, tmp_path)
    use_bitmaps(db, request.param == "bitmaps")
    yield db
    db.close()


def names(db: Database, text: str) -> set[str]:
    compiled = compile_query(db, text)
    found = {row.last_name for row in iter_rows(db, compiled)}
    assert count(db, compiled) == len(found), text
    return found


ALL = set(PEOPLE)


@pytest.mark.parametrize("text, expected", [
    ("", ALL),
    ("profil:client", {"Dupont", "Garçon"}),
    ("Profil:CLIENT", {"Dupont", "Garçon"}),
    ("profil:client,prospect", {"Dupont", "Garçon", "Lefèvre"}),
    ("profil=client", {"Dupont", "Garçon"}),
    # accents and case in values, spaces in key names
    ('source:"bouche a oreille"', {"Lefèvre", "Leroy"}),
    ('source:"Bouche À Oreille"', {"Lefèvre", "Leroy"}),
    ('"situation familiale":couple', {"Lefèvre"}),
    ("situation_familiale:couple", {"Lefèvre"}),
    ("situation-familiale:couple", {"Lefèvre"}),
    ('Métier:artisan', {"Dupont"}),
    ("metier:ARTISAN", {"Dupont"}),
    ("metier:art*", {"Dupont"}),
    # juxtaposition, OR, precedence, groups
    ("profil:client source:foire/salon", {"Dupont"}),
    ("profil:client AND source:foire/salon", {"Dupont"}),
    ("profil:client source:web OR profil:prescripteur", {"Martin"}),
    ("profil:prescripteur OR profil:client source:foire/salon", {"Martin", "Dupont"}),
    ("(profil:prescripteur OR profil:client) source:foire/salon", {"Dupont"}),
    # negation includes the unqualified
    ("-profil:client", ALL - {"Dupont", "Garçon"}),
    ("NOT profil:client", ALL - {"Dupont", "Garçon"}),
    ("-(profil:client OR source:web)", {"Lefèvre", "Leroy", "Durand", "Petit"}),
    ("--profil:client", {"Dupont", "Garçon"}),
    ("has:profil", ALL - {"Leroy", "Petit"}),
    ("missing:profil", {"Leroy", "Petit"}),
    ("missing:profil OR missing:source", {"Leroy", "Petit", "Garçon", "Durand"}),
    ("has:email", {"Dupont", "Lefèvre"}),
    ("sans:email", ALL - {"Dupont", "Lefèvre"}),
    ("has:phone", {"Lefèvre"}),
    ("has:birthday", {"Dupont", "Garçon", "Durand"}),
    ("has:deals", {"Dupont"}),
    ("has:last_contact", {"Dupont", "Lefèvre", "Garçon", "Durand"}),
    # months widen: 2010..2012 includes 2012-12
    ("mise_en_service:2010..2012", {"Dupont", "Lefèvre"}),
    ("mise_en_service:2012..2010", {"Dupont", "Lefèvre"}),
    ("mise_en_service:2012", {"Dupont"}),
    ("mise_en_service>2012", {"Garçon"}),
    ("mise_en_service>=2012", {"Dupont", "Garçon"}),
    ("mise_en_service<2012-12", {"Lefèvre"}),
    ("mise_en_service<=2012-12", {"Lefèvre", "Dupont"}),
    ("mise_en_service:2013..", {"Garçon"}),
    ("mise_en_service:..2010", {"Lefèvre"}),
    ("mise_en_service:2010,2013", {"Lefèvre", "Garçon"}),
    ('"mise en service":01/2010', {"Lefèvre"}),
    # relative dates: before today (2026-11-20)
    ("last_contact<6m", {"Lefèvre", "Durand"}),
    ("last_contact>6m", {"Dupont", "Garçon"}),
    ("last_contact:30d", {"Dupont", "Garçon"}),
    ("last_contact:2w", {"Dupont"}),
    ("last_contact:3y..1y", {"Durand"}),
    ("last_contact:1y..3y", {"Durand"}),
    ("dernier_contact<1y", {"Durand"}),
    ("next_activity<today", {"Petit"}),
    ("next_activity:2026-11", {"Lefèvre", "Petit"}),
    ("next_activity>today", {"Lefèvre"}),
    ("created<2020", {"Durand"}),
    ("created:2026-11-20", ALL - {"Durand"}),
    ("birthday<1970", {"Dupont"}),
    ("birthday:1960..1995", {"Dupont", "Durand"}),
    # numbers
    ("budget>10000", {"Dupont"}),
    ("budget:9999.5", {"Martin"}),
    ('budget:"9999,5"', {"Martin"}),
    ("budget<=9999.5", {"Martin"}),
    ("budget:0..100000", {"Dupont", "Martin"}),
    ("revenue>=44000", {"Dupont"}),
    ("deals:2", {"Dupont"}),
    ("open_deals>0", {"Martin"}),
    ("ca>0 OR affaires_en_cours>0", {"Dupont", "Martin"}),
    ("newsletter:oui", {"Dupont"}),
    ("newsletter:non", {"Lefèvre"}),
    ("-newsletter:oui", ALL - {"Dupont"}),
    ("canaux:salon", {"Martin"}),
    ("canaux:téléphone,salon", {"Martin", "Petit"}),
    ("canaux:telephone", {"Petit"}),
    # geography: départements (Corsica, overseas) and regions old and new
    ("dept:31", {"Dupont"}),
    ("dept:haute-garonne", {"Dupont"}),
    ("dept:2A", {"Garçon"}),
    ("dept:2b,971", {"Martin", "Leroy"}),
    ("dept:corse-du-sud", {"Garçon"}),
    ("region:occitanie", {"Dupont", "Lefèvre"}),
    ('region:"midi-pyrénées"', {"Dupont", "Lefèvre"}),
    ("region:corse", {"Garçon", "Martin"}),
    ("region:guadeloupe", {"Leroy"}),
    ("region:ara", {"Durand"}),
    ("region:rhone-alpes", {"Durand"}),
    ("region:idf", {"Petit"}),
    ('region:"Île-de-France"', {"Petit"}),
    ("-region:occitanie", ALL - {"Dupont", "Lefèvre"}),
    # built-in fields
    ("city:toulouse", {"Dupont"}),
    ("ville:TOULOUSE", {"Dupont"}),
    ('ville:"pointe a pitre"', set()),
    ('ville:"pointe-à-pitre"', {"Leroy"}),
    ("city:p*", {"Leroy", "Petit"}),
    ("company:garage*", {"Dupont"}),
    ('societe:"oeuvres sociales"', {"Martin"}),
    ("postal_code:20*", {"Garçon", "Martin"}),
    ("cp:81000", {"Lefèvre"}),
    ("email:JEAN.DUPONT@gmail.com", {"Dupont"}),
    ("email:*@orange.fr", {"Lefèvre"}),
    ("phone:+33612345678", {"Lefèvre"}),
    ("tel:06.12.34.56.78", {"Lefèvre"}),
    ("first_name:helene", {"Lefèvre"}),
    ("prenom:ÉLOÏSE", {"Garçon"}),
    ("last_name:lefevre", {"Lefèvre"}),
    ("nom:garcon", {"Garçon"}),
    ("name:jean", {"Dupont"}),
    ('name:"noel martin"', {"Martin"}),
    ("name:zo*", {"Leroy"}),
    # full text: names, company, e-mail, city and history, prefixes, accents
    ("dupont", {"Dupont"}),
    ("DUP", {"Dupont"}),
    ("helene", {"Lefèvre"}),
    ("oeuvres", {"Martin"}),
    ("œuvres", {"Martin"}),
    ("devis", {"Dupont", "Durand"}),
    ("électrique", {"Dupont"}),
    ("electr", {"Dupont"}),
    ('"portes ouvertes"', {"Lefèvre"}),
    ('"portes ouv"', {"Lefèvre"}),
    ('"ouvertes portes"', set()),
    ("orange", {"Lefèvre"}),
    ("toulouse devis", {"Dupont"}),
    ("essai OR relance", {"Dupont", "Durand"}),
    ("-devis", ALL - {"Dupont", "Durand"}),
    ("zzzz", set()),
    ("jean-pierre", set()),
])
def test_language(people: Database, text: str, expected: set[str]) -> None:
    assert names(people, text) == expected, text


def test_unknown_choice_value_is_a_warning_with_the_allowed_values(people: Database) -> None:
    compiled = compile_query(people, "profil:clients")
    assert count(people, compiled) == 0
    (warning,) = compiled.warnings
    assert "unknown value 'clients'" in warning and "did you mean 'client'" in warning
    assert "prospect" in warning
    # a known value next to it still counts
    assert names(people, "profil:clients,prospect") == {"Lefèvre"}
    assert names(people, "-profil:clients") == ALL


@pytest.mark.parametrize("text, position, message, hint", [
    ("profl:client", 0, "unknown key 'profl'", "did you mean 'profil'?"),
    ("ville:x profl:client", 8, "unknown key 'profl'", "did you mean 'profil'?"),
    ("xyzzy:1", 0, "unknown key 'xyzzy'", "qualification keys: profil"),
    ("region:midi", 7, "unknown région 'midi'", "Midi-Pyrénées"),
    ("region:occitania", 7, "unknown région", "Occitanie"),
    ("dept:99", 5, "unknown département '99'", "31, 2A, 971"),
    ("mise_en_service:2024-13", 16, "'2024-13' is not a date", ""),
    ("mise_en_service>abc", 16, "'abc' is not a date", "30d"),
    ("budget>abc", 7, "'abc' is not a number", ""),
    ("newsletter:peut-être", 11, "is not oui or non", "oui or non"),
    ("profil>client", 0, "profil takes values from its list", "profil:client"),
    ("city:a..b", 0, "city takes text values", ""),
    ("has:profl", 4, "unknown key or field 'profl'", "did you mean 'profil'?"),
    ("segment:nope", 8, "no segment named 'nope'", ""),
    ("phone:abc", 6, "is not a phone number", ""),
    ("!!!", 0, "nothing to search for", ""),
])
def test_errors(people: Database, text: str, position: int, message: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(people, text)
    error = caught.value
    assert message in error.message, error
    assert hint in error.hint, error
    assert error.position == position, error
    assert error.query == text


def test_values_are_parameters_never_sql(people: Database) -> None:
    before = people.scalar("SELECT count(*) FROM contacts")
    for text in ["city:\"x'); DROP TABLE contacts; --\"", "\"'; DELETE FROM contacts; --\"",
                 "name:\"a' OR 1=1 --\"", "company:\"%\"", "email:\"*' OR '1'='1\"",
                 'x" OR 1=1', "profil:\"client' OR 'a'='a\"", "ville:\"_\""]:
        try:
            compiled = compile_query(people, text)
        except QueryError:
            continue
        assert "DROP" not in compiled.where and "DELETE" not in compiled.where
        assert count(people, compiled) == 0, text
    assert people.scalar("SELECT count(*) FROM contacts") == before


EVERYONE_WITH_AN_A_WORD = {"Dupont", "Garçon", "Lefèvre", "Leroy", "Martin", "Petit"}
# a word of one or two letters is looked for on the cards only (issue 9): Ajaccio,
# Albi, Pointe-à-Pitre, Anne — not Dupont's and Martin's "a…" history words
CARDS_WITH_AN_A_WORD = {"Garçon", "Lefèvre", "Leroy", "Petit"}


@pytest.mark.parametrize(("text", "expected"), [
    ("x" * 10_000, set()),  # a 10 000-letter word: no one
    ("a " * 150, CARDS_WITH_AN_A_WORD),  # 150 times the same word: once
    ('"' + "é" * 9_000 + '"', set()),
    ("(" * 40 + "a" + ")" * 40, CARDS_WITH_AN_A_WORD),  # brackets change nothing
    ("-" * 40 + "dupont", {"Dupont"}),  # forty negations cancel out
    (" OR ".join(["dupont"] * 150), {"Dupont"}),
    ("dept:" + ",".join(["31"] * 1500), {"Dupont"}),
    # invisible format characters separate words: 100 times the word "é"
    ("\u202e\ufeffé\u0301" * 100, {"Garçon"}),  # a one-letter word: the cards only
    ("ville:" + "x" * 5000, set()),
    ("profil:" + ",".join(["client"] * 1000), {"Dupont", "Garçon"}),
    ("“dupont”", {"Dupont"}),  # typographic quotes are quotes
    ("«»", "empty quotes"),
], ids=lambda value: repr(value)[:24] if isinstance(value, str) else None)
def test_hostile_queries_give_the_right_answer(people: Database, text: str,
                                               expected: set[str] | str) -> None:
    """Huge, repetitive, deeply nested or invisible-character queries: the answer a
    short query with the same meaning gives, or one clear error, never a crash."""
    if isinstance(expected, str):
        with pytest.raises(QueryError, match=expected):
            compile_query(people, text)
        return
    assert names(people, text) == expected


def test_a_key_named_like_an_alias_is_the_users(keyed_db: Database) -> None:
    """'Groupe' and 'Ville' are aliases (segment:, city:) until a key takes the name."""
    define_key(keyed_db, "Groupe", "choice", ["VIP", "standard"])
    create_contact(keyed_db, {"last_name": "Alpha", "city": "Albi"}, {"Groupe": "VIP"})
    create_contact(keyed_db, {"last_name": "Beta", "city": "Ville"})
    assert names(keyed_db, "groupe:vip") == {"Alpha"}
    assert names(keyed_db, "ville:albi") == {"Alpha"}
    define_key(keyed_db, "Ville", "text")
    assert names(keyed_db, "ville:albi") == set()
    assert names(keyed_db, "city:albi") == {"Alpha"}
