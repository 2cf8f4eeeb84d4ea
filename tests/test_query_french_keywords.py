"""The query language's operators in French too: OU, ET, SAUF (issue 16, item 9)."""

from __future__ import annotations

import pytest

from qualif_tui.query import compile_query, count
from qualif_tui.query.parser import parse
from qualif_tui.storage import Database


@pytest.mark.parametrize(("french", "english"), [
    ("profil:client OU profil:prospect", "profil:client OR profil:prospect"),
    ("profil:client ET dept:31", "profil:client AND dept:31"),
    ("SAUF profil:client", "NOT profil:client"),
    ("dept:31 SAUF (profil:client OU profil:prospect)",
     "dept:31 NOT (profil:client OR profil:prospect)"),
])
def test_french_operators_mean_the_english_ones(demo_db: Database, french: str,
                                                english: str) -> None:
    assert parse(french) == parse(english)
    assert count(demo_db, compile_query(demo_db, french)) == \
        count(demo_db, compile_query(demo_db, english)) > 0


def test_in_lower_case_they_are_words() -> None:
    assert parse("a ou b") != parse("a OU b") and parse("a et b") != parse("a ET b")
