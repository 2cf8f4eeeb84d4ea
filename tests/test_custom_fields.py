"""Custom fields searchable by name, editable, promotable; invalid values kept and found."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_merging import dump

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact, get_contact
from qualif_tui.domain.customfields import infer_type, list_fields, set_field
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import contact_values, get_key
from qualif_tui.query import QueryError, compile_query, count, explain
from qualif_tui.services.importing import apply_plan, plan_import
from qualif_tui.services.promote import plan_promotion, promote_field
from qualif_tui.services.undo import undo
from qualif_tui.storage import Database


@pytest.fixture
def budgets(keyed_db: Database) -> Database:
    db = keyed_db
    for index, (budget, spouse, source) in enumerate([
            ("12 500,50", "02/01/1970", "salon"), ("800", "1975-06-15", "web"),
            ("1.234,5", "", "salon"), ("beaucoup", "31/12/1980", "web"), ("", "", "")]):
        custom = {"Budget": budget, "Date de naissance du conjoint": spouse, "Origine": source}
        create_contact(db, {"last_name": f"C{index}"},
                       custom={k: v for k, v in custom.items() if v})
    return db


def found(db: Database, query: str) -> list[str]:
    compiled = compile_query(db, query)
    ids = [r[0] for r in db.query(f"SELECT c.id FROM contacts c JOIN contact_facts f"
                                  f" ON f.contact_id = c.id WHERE {compiled.where}"
                                  " ORDER BY c.id", compiled.params)]
    assert count(db, compiled) == len(ids)
    return [get_contact(db, i).last_name for i in ids]


def test_custom_fields_in_the_query_language(budgets: Database) -> None:
    db = budgets
    assert found(db, "budget>1000") == ["C0", "C2"]
    assert found(db, "Budget:800") == ["C1"]
    assert found(db, "budget:500..2000") == ["C1", "C2"]
    assert found(db, "budget:1000..") == ["C0", "C2"]
    assert found(db, '"date de naissance du conjoint":1970..1975') == ["C0", "C1"]
    assert found(db, "date_de_naissance_du_conjoint>1975") == ["C3"]
    assert found(db, "origine:salon") == ["C0", "C2"]
    assert found(db, "origine:SAL*") == ["C0", "C2"]
    assert found(db, "has:budget") == ["C0", "C1", "C2", "C3"]
    assert found(db, "-has:budget") == ["C4"]
    assert found(db, "missing:origine") == ["C4"]
    assert found(db, "-budget>1000") == ["C1", "C3", "C4"]
    with pytest.raises(QueryError) as error:
        compile_query(db, "budjet>10")
    assert "custom field 'Budget'" in error.value.hint
    with pytest.raises(QueryError):
        compile_query(db, "budget>beaucoup")
    assert any("contacts_custom" in line for line in explain(db, compile_query(db, "budget>1")))


def test_invalid_values_are_kept_flagged_and_found(keyed_db: Database, tmp_path: Path) -> None:
    db = keyed_db
    sheet = tmp_path / "invalid.csv"
    sheet.write_text("Nom;E-mail;Code postal;Téléphone\nLefèvre;helene.lefevre@orange;310;"
                     "0562001122\nDupont;jean@dupont.fr;31000;+33 5 62 00 11 23\n"
                     "Martin;voir fiche;20000;\n", encoding="utf-8")
    plan = plan_import(db, [sheet])
    assert any("invalid:email" in n.message for n in plan.notices)
    apply_plan(db, plan)
    assert found(db, "invalid:email") == ["Lefèvre"]
    assert found(db, "invalid:postal_code") == ["Lefèvre"]
    assert found(db, "invalide:email,cp") == ["Lefèvre"]
    lefevre = get_contact(db, db.scalar("SELECT id FROM contacts WHERE last_name = 'Lefèvre'"))
    assert (lefevre.email, lefevre.postal_code) == ("helene.lefevre@orange", "310")
    martin = get_contact(db, db.scalar("SELECT id FROM contacts WHERE last_name = 'Martin'"))
    assert martin.email == "" and martin.custom == {"E-mail": "voir fiche"}  # no address at all
    plans = "\n".join(explain(db, compile_query(db, "invalid:email")))
    assert "contacts_invalid_email" in plans
    with pytest.raises(QueryError):
        compile_query(db, "invalid:phone")


def test_infer_type() -> None:
    assert infer_type(["12 500", "1,5", "-3"]) == "number"
    assert infer_type(["2019-03", "03/2020"]) == "month"
    assert infer_type(["15/06/2024", "2024-01-02"]) == "date"
    assert infer_type(["oui", "Non", "oui"]) == "yesno"
    assert infer_type(["salon", "web", "Salon", "web", "radio", "web"]) == "choice"
    assert infer_type(["a", "b", "c"]) == "text"


def test_edit_and_promote_with_undo(budgets: Database) -> None:
    db = budgets
    assert {f.name: f.contacts for f in list_fields(db)}["Budget"] == 4
    assert set_field(db, 2, "Budget", "900")
    assert list_entries(db, 2)[0].subject == "Budget : 800 → 900"
    assert not set_field(db, 2, "Budget", "900")
    before = dump(db)
    plan = plan_promotion(db, "budget")
    assert plan.type == "number" and [f[1] for f in plan.failures] == ["beaucoup"]
    done = promote_field(db, "budget")
    key = get_key(db, "Budget")
    assert key.type == "number" and done.contacts == 3
    assert contact_values(db, 1)["Budget"] == 12500.5
    assert "Budget" not in get_contact(db, 1).custom
    assert get_contact(db, 4).custom["Budget"] == "beaucoup"  # did not convert: kept
    assert count(db, compile_query(db, "budget>1000")) == 2  # the key now
    undo(db)
    assert dump(db) == before
    promote_field(db, "origine")
    assert [v.value for v in get_key(db, "origine").values] == ["salon", "web"]


def test_cli(budgets: Database) -> None:
    path = str(budgets.path)
    runner = CliRunner()
    result = runner.invoke(main, ["field", "list", path])
    assert result.exit_code == 0 and "Budget" in result.stdout
    result = runner.invoke(main, ["query", path, "budget>1000", "--count"])
    assert result.exit_code == 0 and result.stdout.strip() == "2"
    result = runner.invoke(main, ["field", "promote", path, "Budget", "--dry-run"])
    assert result.exit_code == 0 and "nombre" in result.stdout and "beaucoup" in result.stdout
    result = runner.invoke(main, ["field", "promote", path, "Budget"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(main, ["field", "promote", path, "nothing"])
    assert result.exit_code == 1 and "pas de champ libre" in result.stderr
    result = runner.invoke(main, ["field", "set", path, "1", "Parrain", "M. Dupont"])
    assert result.exit_code == 0
    result = runner.invoke(main, ["query", path, "parrain:\"m. dupont\"", "--count"])
    assert result.stdout.strip() == "1"
