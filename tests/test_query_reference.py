"""The query language's reference: complete, and the same in the app and in docs/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from qualif_tui.query import compile_query
from qualif_tui.query.fields import BUILTINS
from qualif_tui.query.reference import markdown, sections
from qualif_tui.storage import Database

ROOT = Path(__file__).resolve().parent.parent


def test_every_field_and_alias_is_documented() -> None:
    documented = {example for section in sections() for row in section.rows
                  for example in row.examples}
    for field in BUILTINS:
        assert {field.name, *field.aliases} <= documented, field.name


@pytest.fixture
def keyed(keyed_db: Database) -> Database:
    """The demo's keys, and those the reference's examples name."""
    from qualif_tui.domain.keys import define_key
    from qualif_tui.services.segments import save_segment

    define_key(keyed_db, "Budget", "number")
    define_key(keyed_db, "Canaux", "multi", ["e-mail", "téléphone", "salon"])
    define_key(keyed_db, "Newsletter", "yesno")
    define_key(keyed_db, "Rappel", "date")
    define_key(keyed_db, "Bouche", "text")
    for name in ("Clients Occitanie", "Mailing juin"):
        save_segment(keyed_db, name, "")
    from qualif_tui.domain.contacts import create_contact

    # the custom fields the reference's examples name (imported columns, no key)
    create_contact(keyed_db, {"last_name": "Champs"}, custom={
        "Date de naissance du conjoint": "1972-03-01", "Origine": "salon", "Parrain": "M. X"})
    return keyed_db


def test_every_example_is_a_query_that_compiles(keyed: Database) -> None:
    """The reference shows nothing the engine would refuse."""
    for section in sections():
        for row in section.rows:
            for example in row.examples:
                if example in ("( … )", "a b OR c") or re.fullmatch(r"[\w-]+", example) and \
                        any(example in (f.name, *f.aliases) for f in BUILTINS):
                    continue  # a field's name alone, or the shape of a query
                compile_query(keyed, example)


def test_the_docs_page_is_the_reference() -> None:
    page = (ROOT / "docs" / "query-language.md").read_text(encoding="utf-8")
    for section in sections():
        assert f"## {section.title}" in page
    assert markdown().split("\n", 1)[1].strip() in page


def test_generated_docs_are_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
