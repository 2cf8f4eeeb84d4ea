"""French départements and regions: every département maps to its region, old and new."""

from __future__ import annotations

import pytest

from qualif_tui.base import geography as geo

# The 2016 reform merged the 22 metropolitan regions into 13; each current region
# is the union of these former ones (INSEE).
MERGERS = {
    "Auvergne-Rhône-Alpes": {"Auvergne", "Rhône-Alpes"},
    "Bourgogne-Franche-Comté": {"Bourgogne", "Franche-Comté"},
    "Bretagne": {"Bretagne"},
    "Centre-Val de Loire": {"Centre"},
    "Corse": {"Corse"},
    "Grand Est": {"Alsace", "Champagne-Ardenne", "Lorraine"},
    "Hauts-de-France": {"Nord-Pas-de-Calais", "Picardie"},
    "Île-de-France": {"Île-de-France"},
    "Normandie": {"Basse-Normandie", "Haute-Normandie"},
    "Nouvelle-Aquitaine": {"Aquitaine", "Limousin", "Poitou-Charentes"},
    "Occitanie": {"Languedoc-Roussillon", "Midi-Pyrénées"},
    "Pays de la Loire": {"Pays de la Loire"},
    "Provence-Alpes-Côte d'Azur": {"Provence-Alpes-Côte d'Azur"},
}
# How many départements each region has (INSEE).
SIZES = {
    "Auvergne-Rhône-Alpes": 12, "Bourgogne-Franche-Comté": 8, "Bretagne": 4,
    "Centre-Val de Loire": 6, "Corse": 2, "Grand Est": 10, "Hauts-de-France": 5,
    "Île-de-France": 8, "Normandie": 5, "Nouvelle-Aquitaine": 12, "Occitanie": 13,
    "Pays de la Loire": 5, "Provence-Alpes-Côte d'Azur": 6,
    "Alsace": 2, "Aquitaine": 5, "Auvergne": 4, "Basse-Normandie": 3, "Bourgogne": 4,
    "Champagne-Ardenne": 4, "Franche-Comté": 4, "Haute-Normandie": 2,
    "Languedoc-Roussillon": 5, "Limousin": 3, "Lorraine": 4, "Midi-Pyrénées": 8,
    "Nord-Pas-de-Calais": 2, "Picardie": 3, "Poitou-Charentes": 4, "Rhône-Alpes": 8,
}


def test_every_departement_is_there_once() -> None:
    metropolitan = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
    overseas = ["971", "972", "973", "974", "975", "976"]
    assert sorted(geo.DEPARTEMENTS) == sorted(metropolitan + overseas)


@pytest.mark.parametrize("code", sorted(geo.DEPARTEMENTS))
def test_each_departement_maps_to_its_regions_old_and_new(code: str) -> None:
    dept = geo.DEPARTEMENTS[code]
    current = geo.find_region(dept.region)
    former = geo.find_region(dept.old_region)
    assert current is not None and current.current
    assert former is not None
    assert code in geo.departements_of(current)
    if code in ("971", "972", "973", "974", "975", "976"):
        assert dept.region == dept.old_region
    else:
        assert dept.old_region in MERGERS[dept.region]
        # the former region, by its own name, holds the département too
        assert code in geo.departements_of(former)
    assert geo.find_departement(code) == dept
    assert geo.find_departement(dept.name) == dept


@pytest.mark.parametrize("region, size", sorted(SIZES.items()))
def test_region_sizes(region: str, size: int) -> None:
    found = [r for r in geo.REGIONS if r.name == region]
    assert found, region
    assert len(geo.departements_of(found[-1])) == size


def test_midi_pyrenees_is_the_eight_of_the_design() -> None:
    region = geo.find_region("midi-pyrenees")
    assert region is not None and not region.current
    assert sorted(geo.departements_of(region)) == ["09", "12", "31", "32", "46", "65", "81",
                                                   "82"]


@pytest.mark.parametrize("spelling, name", [
    ("paca", "Provence-Alpes-Côte d'Azur"),
    ("Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur"),
    ("provence alpes cote d azur", "Provence-Alpes-Côte d'Azur"),
    ("PROVENCE-ALPES-CÔTE D’AZUR", "Provence-Alpes-Côte d'Azur"),
    ("sud", "Provence-Alpes-Côte d'Azur"),
    ("occitanie", "Occitanie"),
    ("OCCITANIE", "Occitanie"),
    ("Midi-Pyrénées", "Midi-Pyrénées"),
    ("midi pyrenees", "Midi-Pyrénées"),
    ("idf", "Île-de-France"),
    ("ile de france", "Île-de-France"),
    ("aura", "Auvergne-Rhône-Alpes"),
    ("76", "Occitanie"),
    ("73", "Midi-Pyrénées"),
    ("reunion", "La Réunion"),
    ("bzh", "Bretagne"),
])
def test_regions_by_name_code_or_alias(spelling: str, name: str) -> None:
    found = geo.find_region(spelling)
    assert found is not None and found.name == name


@pytest.mark.parametrize("spelling, code", [
    ("31", "31"), ("9", "09"), ("09", "09"), ("2a", "2A"), ("2B", "2B"), ("971", "971"),
    ("haute-garonne", "31"), ("Haute Garonne", "31"), ("ARIÈGE", "09"), ("ariege", "09"),
    ("corse-du-sud", "2A"), ("côtes-d'armor", "22"), ("la reunion", "974"),
])
def test_departements_by_code_or_name(spelling: str, code: str) -> None:
    found = geo.find_departement(spelling)
    assert found is not None and found.code == code


@pytest.mark.parametrize("postal, dept", [
    ("31000", "31"), ("01000", "01"), ("20000", "2A"), ("20199", "2A"), ("20200", "2B"),
    ("20290", "2B"), ("97110", "971"), ("97200", "972"), ("97300", "973"), ("97400", "974"),
    ("97500", "975"), ("97600", "976"), ("75011", "75"), ("95000", "95"),
    ("00100", None), ("98000", None), ("97700", None), ("3100", None), ("ABCDE", None),
    ("", None), (None, None), ("31 000", "31"),
])
def test_departement_of_a_postal_code(postal: str | None, dept: str | None) -> None:
    assert geo.departement_of_postal_code(postal) == dept


def test_sql_and_python_agree_on_postal_codes() -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    for postal in ["31000", "20000", "20199", "20200", "97110", "97700", "00100", "98000",
                   "9999", "2A000", "96000", "75011", ""]:
        sql = conn.execute(f"SELECT {geo.departement_sql('?')}".replace("?", "?1"),
                           (postal,)).fetchone()[0]
        assert sql == geo.departement_of_postal_code(postal), postal


def test_unknown_places() -> None:
    assert geo.find_region("atlantide") is None
    assert geo.find_departement("99") is None
    assert geo.find_departement("") is None
