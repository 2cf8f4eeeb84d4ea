"""Mail-merge templates: checks before sending, the sandbox, French filters."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualif_tui.services.campaigns.fields import contexts, merge_schema
from qualif_tui.services.campaigns.merge import (
    MergeTemplate,
    TemplateProblem,
    TemplateText,
    date_fr,
    euros,
    nombre,
)
from qualif_tui.storage import Database


def _check(db: Database, text: str, html: str = "") -> MergeTemplate:
    return MergeTemplate(TemplateText.from_file_text(text, html), merge_schema(db))


def test_fields_keys_and_filters_render_for_each_recipient(keyed_db: Database,
                                                           people: dict[str, int]) -> None:
    template = _check(keyed_db, (
        "Objet : Pour {{ societe|defaut(prenom) }}\n\n"
        "{{ prenom }} {{ nom|majuscules }} ({{ contact.company }}) — {{ ville }}\n"
        "{{ keys['Véhicule actuel']|defaut('aucun véhicule') }} / {{ vehicule_actuel }}"
        " / {{ keys.profil }} / {{ cles['source'] }}\n{{ adresse_postale }}\n"))
    rendered = {cid: template.render(ctx) for cid, ctx in contexts(
        keyed_db, [people["consent"], people["b2b"]])}
    helene = rendered[people["consent"]]
    assert helene.subject == "Pour Hélène"
    assert helene.text.splitlines()[0] == "Hélène ÉLUARD () — Toulouse"
    assert helene.text.splitlines()[1] == "berline / berline / prospect / foire/salon"
    assert helene.text.splitlines()[2:5] == ["Hélène Éluard", "3 rue des Lilas", "31000 TOULOUSE"]
    noel = rendered[people["b2b"]]
    assert noel.subject == "Pour Garage Œillet & Fils"
    assert "aucun véhicule /  / prospect" in noel.text  # empty keys print nothing, never None


@pytest.mark.parametrize(("source", "message"), [
    ("Subject: x\n\nBonjour {{ prenon }}", r"champ inconnu « prenon ».*« prenom ».*ligne 3, colonne 12"),
    ("Subject: x\n\n\nA {{ contact.compagny }}", r"contact\.compagny.*company.*ligne 4"),
    ("Subject: x\n\n{{ keys['Vehicule'] }}", r"clé inconnue « Vehicule ».*Véhicule actuel"),
    ("Subject: x\n\n{{ keys.vehicul_actuel }}", r"clé inconnue"),
    ("Subject: {{ prenom }\n\nx", r"erreur de syntaxe.*objet, ligne 1, colonne"),
    ("Subject: x\n\nligne\n{% if prenom %}oui", r"erreur de syntaxe.*ligne 4"),
    ("Subject: x\n\n{% include 'secret.txt' %}", r"« include » est refusé.*ligne 3"),
    ("Subject: x\n\n{% extends 'base.txt' %}", r"« extends » est refusé"),
    ("Subject: x\n\n{% import 'm' as m %}", r"« import » est refusé"),
    ("Subject: x\n\n{{ contact.__class__ }}", r"« __class__ » est hors du bac à sable"),
    ("Subject: x\n\n{{ prenom['__len__'] }}", r"hors du bac à sable"),
    ("Bonjour {{ prenom }}", r"première ligne.*Subject"),
    ("Subject: \n\nx", r"pas d'objet"),
    ("Subject: x\n\n", r"message est vide"),
])
def test_bad_templates_are_refused_with_where(keyed_db: Database, source: str,
                                              message: str) -> None:
    with pytest.raises(TemplateProblem, match=message):
        _check(keyed_db, source)


def test_the_sandbox_holds_at_render_time(keyed_db: Database, people: dict[str, int]) -> None:
    # not visible to the check: an attribute named by a string, reached through a filter
    template = _check(keyed_db, "Subject: x\n\n{{ prenom|attr('__class__') }}")
    [(_cid, context)] = list(contexts(keyed_db, [people["consent"]]))
    with pytest.raises(TemplateProblem):
        template.render(context)


def test_locally_defined_names_are_not_unknown_fields(keyed_db: Database,
                                                      people: dict[str, int]) -> None:
    template = _check(keyed_db, "Subject: x\n\n{% set salut = 'Bonjour' %}"
                      "{% for mot in ['a', 'b'] %}{{ mot }}{% endfor %} {{ salut }} {{ prenom }}")
    [(_cid, context)] = list(contexts(keyed_db, [people["consent"]]))
    assert template.render(context).text == "ab Bonjour Hélène"


def test_html_body_is_escaped(keyed_db: Database, people: dict[str, int]) -> None:
    template = _check(keyed_db, "Subject: x\n\ntexte {{ societe }}",
                      "<p>Bonjour {{ societe }}</p>")
    [(_cid, context)] = list(contexts(keyed_db, [people["b2b"]]))
    rendered = template.render(context)
    assert rendered.html == "<p>Bonjour Garage Œillet &amp; Fils</p>"
    assert rendered.text == "texte Garage Œillet & Fils"


def test_french_dates_and_amounts() -> None:
    assert date_fr("2026-12-01") == "1er décembre 2026"
    assert date_fr("2026-12-12", "jour") == "samedi 12 décembre 2026"
    assert date_fr("2026-12-12", "court") == "12/12/2026"
    assert date_fr("2021-03", "mois") == "mars 2021"
    assert date_fr("") == "" and date_fr("bientôt") == "bientôt"
    assert nombre(1234567) == "1\u00a0234\u00a0567" and nombre("12,5") == "12,50"
    assert euros(0.5) == "0,50\u00a0€" and euros(None) == ""


def _reference_grouping(value: Decimal, digits: int) -> str:
    """French number formatting written independently: groups of three from the right."""
    quantised = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    sign = "-" if quantised < 0 else ""
    whole, _dot, fraction = f"{abs(quantised):f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = "\u00a0".join(groups) or "0"
    return sign + text + ("," + fraction if digits else "")


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=0, max_value=2))
def test_nombre_groups_thousands_like_a_french_typesetter(cents: int, digits: int) -> None:
    value = Decimal(cents) / 100
    shown = nombre(str(value), digits)
    assert shown == _reference_grouping(value, digits)
    assert re.fullmatch(r"-?\d{1,3}(\u00a0\d{3})*(,\d+)?", shown)
