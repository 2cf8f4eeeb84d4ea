"""qualif's own exports, imported into an empty file, give the keys back (issue 16),
and values a choice key lacks are never added without a decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.keys import define_key, get_key, list_keys
from qualif_tui.query import compile_query
from qualif_tui.services.exporting import ExportOptions, export_contacts
from qualif_tui.services.importing import ImportOptions, apply_plan, plan_import, undo_batch
from qualif_tui.services.importing.newvalues import NewValuesRefused, suggest
from qualif_tui.storage import Database, open_database


def everything(db: Database) -> tuple[list[Any], list[Any]]:
    """Keys (name, type, values in order, reminder) and contacts as users see them."""
    keys = [(k.name, k.type, [v.value for v in k.values], k.remind, k.remind_lead_days,
             k.remind_after_months) for k in list_keys(db)]
    from qualif_tui.domain.contacts import FIELDS, get_contact

    contacts = []
    for (cid,) in db.query("SELECT id FROM contacts ORDER BY sort_key, id"):
        contact = get_contact(db, cid)
        contacts.append(({f: getattr(contact, f) for f in FIELDS}, contact.keys, contact.custom))
    contacts.sort(key=lambda c: (c[0]["last_name"], c[0]["first_name"], c[0]["email"]))
    return keys, contacts


@pytest.mark.parametrize("fmt", ["csv", "vcf", "xlsx"])
def test_export_then_import_into_an_empty_file_loses_nothing(demo_db: Database, tmp_path: Path,
                                                             fmt: str) -> None:
    db = demo_db
    define_key(db, "Centres d'intérêt", "multi", ["golf", "voile", "ski", "jamais utilisé"])
    define_key(db, "Budget", "number")
    define_key(db, "Signature", "date")
    define_key(db, "Client fidèle", "yesno")
    define_key(db, "Remarque", "text")
    create_contact(db, {"first_name": "Hélène", "last_name": "Lefèvre", "company": "Café; \"la\"",
                        "email": "helene@orange.fr", "postal_code": "31000", "city": "Toulouse"},
                   {"Centres d'intérêt": ["golf", "ski"], "Budget": "12 500,50",
                    "Signature": "15/06/2024", "Client fidèle": "oui", "Remarque": "à revoir",
                    "Profil": "client"},
                   custom={"Parrain": "M. Dupont", "Date de naissance du conjoint": "1970-01-02"})
    path = tmp_path / f"all.{fmt}"
    with path.open("wb") as out:
        export_contacts(db, compile_query(db, ""), fmt, out, ExportOptions())
    empty = open_database(tmp_path / "empty.db", create=True)
    try:
        plan = plan_import(empty, [path])
        assert not plan.unresolved and len(plan.declared_keys) == len(list_keys(db))
        apply_plan(empty, plan)
        original, copied = everything(db), everything(empty)
        if fmt == "csv":
            # a CSV holds no unused value nor reminder: values come in order of first use
            assert [(k[0], k[1]) for k in copied[0]] == [(k[0], k[1]) for k in original[0]]
            for mine, theirs in zip(copied[0], original[0], strict=True):
                assert set(mine[2]) <= set(theirs[2])
        else:
            assert copied[0] == original[0]
        assert copied[1] == original[1]
    finally:
        empty.close()


def test_import_undo_removes_the_keys_it_created(demo_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "all.vcf"
    with path.open("wb") as out:
        export_contacts(demo_db, compile_query(demo_db, "profil:client"), "vcf", out,
                        ExportOptions())
    empty = open_database(tmp_path / "empty.db", create=True)
    try:
        result = apply_plan(empty, plan_import(empty, [path]))
        assert len(list_keys(empty)) == 6
        undo_batch(empty, result.batch_id or 0)
        assert list_keys(empty) == []
    finally:
        empty.close()


CSV = ("Nom;Prénom;Profil\nDupont;Jean;clientt\nDurand;Marc;Clientèle\nMartin;Léa;clientt\n"
       "Petit;Luc;Partenaire\nRoux;Zoé;ovni\n")


@pytest.fixture
def typo_csv(tmp_path: Path) -> Path:
    path = tmp_path / "typos.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_new_values_are_listed_with_counts_and_suggestions(keyed_db: Database,
                                                           typo_csv: Path) -> None:
    profil = get_key(keyed_db, "Profil")
    assert suggest(profil, "clientt") == "client" and suggest(profil, "Clientèle") == "client"
    assert suggest(profil, "ovni") is None
    plan = plan_import(keyed_db, [typo_csv])
    shown = [(v.value, v.count, v.suggestion, v.decision) for v in plan.value_decisions]
    assert shown == [("clientt", 2, "client", "refuse"), ("Clientèle", 1, "client", "refuse"),
                     ("ovni", 1, None, "refuse")]
    before = keyed_db.scalar("SELECT count(*) FROM contacts")
    with pytest.raises(NewValuesRefused) as refused:
        apply_plan(keyed_db, plan)
    assert "clientt" in str(refused.value) and "--new-values" in str(refused.value)
    assert keyed_db.scalar("SELECT count(*) FROM contacts") == before


def values_of(db: Database) -> dict[str, Any]:
    from qualif_tui.domain.keys import contact_values

    return {r[1]: (contact_values(db, r[0])["Profil"], r[2]) for r in db.query(
        "SELECT id, last_name, custom FROM contacts")}


def test_map_add_and_leave_empty(keyed_db: Database, typo_csv: Path) -> None:
    plan = plan_import(keyed_db, [typo_csv], ImportOptions(new_values="map"))
    apply_plan(keyed_db, plan)
    found = values_of(keyed_db)
    assert found["Dupont"][0] == found["Durand"][0] == "client"
    assert found["Petit"][0] == "partenaire"  # known, any case
    assert found["Roux"] == (None, '{"Profil (importé)": "ovni"}')  # nothing lost
    assert [v.value for v in get_key(keyed_db, "Profil").values][-1] == "partenaire"


def test_explicit_choices_per_value(keyed_db: Database, typo_csv: Path) -> None:
    choices: dict[tuple[str, str], str | None] = {("profil", "clientt"): "prospect",
                                                  ("profil", "clientele"): None,
                                                  ("profil", "ovni"): "+"}
    apply_plan(keyed_db, plan_import(keyed_db, [typo_csv], ImportOptions(value_map=choices)))
    found = values_of(keyed_db)
    assert found["Dupont"][0] == "prospect" and found["Durand"][0] is None
    assert found["Roux"][0] == "ovni"
    assert get_key(keyed_db, "Profil").value_named("ovni") is not None


def test_cli_new_values(tmp_path: Path, typo_csv: Path) -> None:
    path = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(main, ["init", path, "--demo"]).exit_code == 0
    before = Path(path).read_bytes()
    result = runner.invoke(main, ["import", path, str(typo_csv)])
    assert result.exit_code == 1 and "vouliez-vous dire « client »" in result.stderr
    assert "Traceback" not in result.stderr and Path(path).read_bytes() == before
    result = runner.invoke(main, ["import", path, str(typo_csv), "--dry-run"])
    assert result.exit_code == 0 and "clientt" in result.stdout and "serait refusé" in \
        result.stdout
    result = runner.invoke(main, ["import", path, str(typo_csv), "--map-value",
                                  "Profil:ovni=+", "--new-values", "map"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(main, ["import", path, str(typo_csv), "--map-value", "Profil:ovni"])
    assert result.exit_code == 1 and "--map-value" in result.stderr
    result = runner.invoke(main, ["import", path, str(typo_csv), "--new-values", "maybe"])
    assert result.exit_code == 2

