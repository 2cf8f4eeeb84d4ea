"""French départements and regions, current (2016) and former (1982–2015).

The segment engine answers ``dept:31``, ``region:occitanie`` and
``region:"midi-pyrenees"`` from the postal code alone, so this module is the
single source for: postal code → département, département → region (both
maps), and the names, codes and common abbreviations users type.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualif_tui.base.text import fold


@dataclass(frozen=True)
class Departement:
    code: str  # "01".."95", "2A", "2B", "971".."976"
    name: str
    region: str  # current region (since 2016)
    old_region: str  # region before the 2016 reform


@dataclass(frozen=True)
class Region:
    code: str  # INSEE code
    name: str
    current: bool  # a region of today's map (True) or of the pre-2016 map (False)
    aliases: tuple[str, ...] = ()


_ARA = "Auvergne-Rhône-Alpes"
_BFC = "Bourgogne-Franche-Comté"
_BRE = "Bretagne"
_CVL = "Centre-Val de Loire"
_COR = "Corse"
_GE = "Grand Est"
_HDF = "Hauts-de-France"
_IDF = "Île-de-France"
_NOR = "Normandie"
_NAQ = "Nouvelle-Aquitaine"
_OCC = "Occitanie"
_PDL = "Pays de la Loire"
_PACA = "Provence-Alpes-Côte d'Azur"

# (code, name, current region, pre-2016 region)
_DEPARTEMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("01", "Ain", _ARA, "Rhône-Alpes"),
    ("02", "Aisne", _HDF, "Picardie"),
    ("03", "Allier", _ARA, "Auvergne"),
    ("04", "Alpes-de-Haute-Provence", _PACA, _PACA),
    ("05", "Hautes-Alpes", _PACA, _PACA),
    ("06", "Alpes-Maritimes", _PACA, _PACA),
    ("07", "Ardèche", _ARA, "Rhône-Alpes"),
    ("08", "Ardennes", _GE, "Champagne-Ardenne"),
    ("09", "Ariège", _OCC, "Midi-Pyrénées"),
    ("10", "Aube", _GE, "Champagne-Ardenne"),
    ("11", "Aude", _OCC, "Languedoc-Roussillon"),
    ("12", "Aveyron", _OCC, "Midi-Pyrénées"),
    ("13", "Bouches-du-Rhône", _PACA, _PACA),
    ("14", "Calvados", _NOR, "Basse-Normandie"),
    ("15", "Cantal", _ARA, "Auvergne"),
    ("16", "Charente", _NAQ, "Poitou-Charentes"),
    ("17", "Charente-Maritime", _NAQ, "Poitou-Charentes"),
    ("18", "Cher", _CVL, "Centre"),
    ("19", "Corrèze", _NAQ, "Limousin"),
    ("2A", "Corse-du-Sud", _COR, _COR),
    ("2B", "Haute-Corse", _COR, _COR),
    ("21", "Côte-d'Or", _BFC, "Bourgogne"),
    ("22", "Côtes-d'Armor", _BRE, _BRE),
    ("23", "Creuse", _NAQ, "Limousin"),
    ("24", "Dordogne", _NAQ, "Aquitaine"),
    ("25", "Doubs", _BFC, "Franche-Comté"),
    ("26", "Drôme", _ARA, "Rhône-Alpes"),
    ("27", "Eure", _NOR, "Haute-Normandie"),
    ("28", "Eure-et-Loir", _CVL, "Centre"),
    ("29", "Finistère", _BRE, _BRE),
    ("30", "Gard", _OCC, "Languedoc-Roussillon"),
    ("31", "Haute-Garonne", _OCC, "Midi-Pyrénées"),
    ("32", "Gers", _OCC, "Midi-Pyrénées"),
    ("33", "Gironde", _NAQ, "Aquitaine"),
    ("34", "Hérault", _OCC, "Languedoc-Roussillon"),
    ("35", "Ille-et-Vilaine", _BRE, _BRE),
    ("36", "Indre", _CVL, "Centre"),
    ("37", "Indre-et-Loire", _CVL, "Centre"),
    ("38", "Isère", _ARA, "Rhône-Alpes"),
    ("39", "Jura", _BFC, "Franche-Comté"),
    ("40", "Landes", _NAQ, "Aquitaine"),
    ("41", "Loir-et-Cher", _CVL, "Centre"),
    ("42", "Loire", _ARA, "Rhône-Alpes"),
    ("43", "Haute-Loire", _ARA, "Auvergne"),
    ("44", "Loire-Atlantique", _PDL, _PDL),
    ("45", "Loiret", _CVL, "Centre"),
    ("46", "Lot", _OCC, "Midi-Pyrénées"),
    ("47", "Lot-et-Garonne", _NAQ, "Aquitaine"),
    ("48", "Lozère", _OCC, "Languedoc-Roussillon"),
    ("49", "Maine-et-Loire", _PDL, _PDL),
    ("50", "Manche", _NOR, "Basse-Normandie"),
    ("51", "Marne", _GE, "Champagne-Ardenne"),
    ("52", "Haute-Marne", _GE, "Champagne-Ardenne"),
    ("53", "Mayenne", _PDL, _PDL),
    ("54", "Meurthe-et-Moselle", _GE, "Lorraine"),
    ("55", "Meuse", _GE, "Lorraine"),
    ("56", "Morbihan", _BRE, _BRE),
    ("57", "Moselle", _GE, "Lorraine"),
    ("58", "Nièvre", _BFC, "Bourgogne"),
    ("59", "Nord", _HDF, "Nord-Pas-de-Calais"),
    ("60", "Oise", _HDF, "Picardie"),
    ("61", "Orne", _NOR, "Basse-Normandie"),
    ("62", "Pas-de-Calais", _HDF, "Nord-Pas-de-Calais"),
    ("63", "Puy-de-Dôme", _ARA, "Auvergne"),
    ("64", "Pyrénées-Atlantiques", _NAQ, "Aquitaine"),
    ("65", "Hautes-Pyrénées", _OCC, "Midi-Pyrénées"),
    ("66", "Pyrénées-Orientales", _OCC, "Languedoc-Roussillon"),
    ("67", "Bas-Rhin", _GE, "Alsace"),
    ("68", "Haut-Rhin", _GE, "Alsace"),
    ("69", "Rhône", _ARA, "Rhône-Alpes"),
    ("70", "Haute-Saône", _BFC, "Franche-Comté"),
    ("71", "Saône-et-Loire", _BFC, "Bourgogne"),
    ("72", "Sarthe", _PDL, _PDL),
    ("73", "Savoie", _ARA, "Rhône-Alpes"),
    ("74", "Haute-Savoie", _ARA, "Rhône-Alpes"),
    ("75", "Paris", _IDF, _IDF),
    ("76", "Seine-Maritime", _NOR, "Haute-Normandie"),
    ("77", "Seine-et-Marne", _IDF, _IDF),
    ("78", "Yvelines", _IDF, _IDF),
    ("79", "Deux-Sèvres", _NAQ, "Poitou-Charentes"),
    ("80", "Somme", _HDF, "Picardie"),
    ("81", "Tarn", _OCC, "Midi-Pyrénées"),
    ("82", "Tarn-et-Garonne", _OCC, "Midi-Pyrénées"),
    ("83", "Var", _PACA, _PACA),
    ("84", "Vaucluse", _PACA, _PACA),
    ("85", "Vendée", _PDL, _PDL),
    ("86", "Vienne", _NAQ, "Poitou-Charentes"),
    ("87", "Haute-Vienne", _NAQ, "Limousin"),
    ("88", "Vosges", _GE, "Lorraine"),
    ("89", "Yonne", _BFC, "Bourgogne"),
    ("90", "Territoire de Belfort", _BFC, "Franche-Comté"),
    ("91", "Essonne", _IDF, _IDF),
    ("92", "Hauts-de-Seine", _IDF, _IDF),
    ("93", "Seine-Saint-Denis", _IDF, _IDF),
    ("94", "Val-de-Marne", _IDF, _IDF),
    ("95", "Val-d'Oise", _IDF, _IDF),
    ("971", "Guadeloupe", "Guadeloupe", "Guadeloupe"),
    ("972", "Martinique", "Martinique", "Martinique"),
    ("973", "Guyane", "Guyane", "Guyane"),
    ("974", "La Réunion", "La Réunion", "La Réunion"),
    # Saint-Pierre-et-Miquelon is an overseas collectivity, not a département,
    # but it has its own 975 postal codes and users file contacts there.
    ("975", "Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon"),
    ("976", "Mayotte", "Mayotte", "Mayotte"),
)

DEPARTEMENTS: dict[str, Departement] = {
    code: Departement(code, name, region, old_region)
    for code, name, region, old_region in _DEPARTEMENTS
}

_REGIONS: tuple[Region, ...] = (
    Region("84", _ARA, True, ("ara", "aura", "rhone-alpes-auvergne")),
    Region("27", _BFC, True, ("bfc",)),
    Region("53", _BRE, True, ("bzh",)),
    Region("24", _CVL, True, ("cvl", "centre")),
    Region("94", _COR, True, ("corsica",)),
    Region("44", _GE, True, ("ge", "acal", "alsace-champagne-ardenne-lorraine")),
    Region("32", _HDF, True, ("hdf", "nord-pas-de-calais-picardie")),
    Region("11", _IDF, True, ("idf", "ile de france", "region parisienne")),
    Region("28", _NOR, True, ("normandy",)),
    Region("75", _NAQ, True, ("naq", "na", "aquitaine-limousin-poitou-charentes")),
    Region("76", _OCC, True, ("occ", "languedoc-roussillon-midi-pyrenees", "lrmp")),
    Region("52", _PDL, True, ("pdl", "pays-de-la-loire")),
    Region("93", _PACA, True, ("paca", "sud", "region sud")),
    Region("01", "Guadeloupe", True),
    Region("02", "Martinique", True),
    Region("03", "Guyane", True, ("guyane francaise",)),
    Region("04", "La Réunion", True, ("reunion",)),
    Region("06", "Mayotte", True),
    Region("975", "Saint-Pierre-et-Miquelon", True, ("spm",)),
    # The 22 metropolitan regions of 1982–2015. Codes shared with a current
    # region (Bretagne, Centre, Corse, IdF, PdL, PACA) name the same territory.
    Region("42", "Alsace", False),
    Region("72", "Aquitaine", False),
    Region("83", "Auvergne", False),
    Region("25", "Basse-Normandie", False),
    Region("26", "Bourgogne", False, ("burgundy",)),
    Region("21", "Champagne-Ardenne", False, ("champagne",)),
    Region("43", "Franche-Comté", False),
    Region("23", "Haute-Normandie", False),
    Region("91", "Languedoc-Roussillon", False, ("lr",)),
    Region("74", "Limousin", False),
    Region("41", "Lorraine", False),
    Region("73", "Midi-Pyrénées", False, ("mp", "midi pyrenees")),
    Region("31", "Nord-Pas-de-Calais", False, ("npdc", "nord pas de calais")),
    Region("22", "Picardie", False),
    Region("54", "Poitou-Charentes", False, ("poitou",)),
    Region("82", "Rhône-Alpes", False, ("rhone alpes",)),
)
REGIONS: tuple[Region, ...] = _REGIONS


def _region_words(text: str) -> str:
    """Fold a region name so "Provence-Alpes-Côte d'Azur" = "provence alpes cote d azur"."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


_REGION_BY_WORDS: dict[str, Region] = {}
for _region in _REGIONS:
    for _spelling in (_region.name, _region.code, *_region.aliases):
        _REGION_BY_WORDS.setdefault(_region_words(_spelling), _region)

_DEPT_BY_WORDS: dict[str, Departement] = {}
for _dept in DEPARTEMENTS.values():
    _DEPT_BY_WORDS[_region_words(_dept.name)] = _dept
    _DEPT_BY_WORDS[_dept.code.lower()] = _dept


def find_region(text: str) -> Region | None:
    """The region a user means by a name, code or abbreviation, or None."""
    return _REGION_BY_WORDS.get(_region_words(text))


def find_departement(text: str) -> Departement | None:
    """The département a user means: "31", "2a", "9" → "09", "haute garonne"."""
    words = _region_words(text)
    if words.isdigit() and len(words) == 1:
        words = "0" + words
    return _DEPT_BY_WORDS.get(words)


def departements_of(region: Region) -> list[str]:
    """Codes of the départements in a region (current or pre-2016 map)."""
    if region.current:
        return [d.code for d in DEPARTEMENTS.values() if d.region == region.name]
    return [d.code for d in DEPARTEMENTS.values() if d.old_region == region.name]


def region_names() -> list[str]:
    return [r.name for r in _REGIONS]


def departement_of_postal_code(postal_code: str | None) -> str | None:
    """The département of a French postal code, or None if it is not one.

    Corsica shares the "20" prefix: 20000–20199 is Corse-du-Sud (2A), 20200 and
    above Haute-Corse (2B). Overseas codes use three digits (971–976).
    """
    if not postal_code:
        return None
    digits = postal_code.strip().replace(" ", "")
    if len(digits) != 5 or not digits.isdigit():
        return None
    prefix = digits[:2]
    if prefix == "20":
        return "2A" if int(digits) < 20200 else "2B"
    if prefix == "97":
        code = digits[:3]
        return code if code in DEPARTEMENTS else None
    if prefix in ("00", "96", "98", "99"):
        return None
    return prefix


# The same rule in SQL, for triggers: the stored file stays consistent even
# when written by a tool that does not load this module.
DEPARTEMENT_SQL = """CASE
  WHEN {pc} IS NULL OR length({pc}) != 5 OR {pc} GLOB '*[^0-9]*' THEN NULL
  WHEN substr({pc}, 1, 2) = '20' THEN CASE WHEN {pc} < '20200' THEN '2A' ELSE '2B' END
  WHEN substr({pc}, 1, 3) IN ('971', '972', '973', '974', '975', '976') THEN substr({pc}, 1, 3)
  WHEN substr({pc}, 1, 2) IN ('00', '96', '97', '98', '99') THEN NULL
  ELSE substr({pc}, 1, 2)
END"""


def departement_sql(column: str) -> str:
    return DEPARTEMENT_SQL.format(pc=column)
