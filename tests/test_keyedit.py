"""Keys and values kept clean: recoding with history entries, segments that follow, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_merging import dump

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.domain.errors import NotFound, QualifError, ValidationError
from qualif_tui.domain.history import list_entries
from qualif_tui.domain.keys import add_value, contact_values, define_key, get_key
from qualif_tui.query import compile_query, count
from qualif_tui.services import keyedit
from qualif_tui.services.segments import get_segment, save_segment
from qualif_tui.services.undo import undo
from qualif_tui.storage import Database, open_database


@pytest.fixture
def typo_db(keyed_db: Database) -> Database:
    db = keyed_db
    add_value(db, "Profil", "clientt")
    add_value(db, "Profil", "Clientèle")
    for index, profil in enumerate(["client", "clientt", "Clientèle", "clientt", "prospect"]):
        create_contact(db, {"last_name": f"Nom{index}"}, {"Profil": profil})
    save_segment(db, "Les clients", 'profil:clientt,"clientèle" region:occitanie')
    return db


def holders(db: Database, query: str) -> int:
    return count(db, compile_query(db, query))


def test_merge_values_recodes_writes_history_and_undoes(typo_db: Database) -> None:
    db = typo_db
    before = dump(db)
    edit = keyedit.merge_values(db, "profil", ["clientt", "clientele"], "client")
    assert edit.contacts == 3
    assert holders(db, "profil:client") == 4
    assert [v.value for v in get_key(db, "Profil").values if "lient" in v.value] == ["client"]
    changed = [e.subject for c in range(2, 5) for e in list_entries(db, c) if e.kind == "change"]
    assert sorted(changed) == ["Profil : Clientèle → client", "Profil : clientt → client",
                               "Profil : clientt → client"]
    assert holders(db, '"clientt"') == 2  # the old spelling is found in the history
    assert get_segment(db, "Les clients").query == "profil:client,client region:occitanie"
    undo(db)
    assert dump(db) == before
    assert holders(db, "profil:clientt") == 2 and holders(db, '"clientt"') == 0


def test_rename_value_and_key(typo_db: Database) -> None:
    db = typo_db
    keyedit.rename_value(db, "Profil", "clientt", "client fidèle")
    assert holders(db, 'profil:"client fidele"') == 2
    assert list_entries(db, 2)[0].subject == "Profil : clientt → client fidèle"
    assert get_segment(db, "Les clients").query == \
        'profil:"client fidèle","clientèle" region:occitanie'
    with pytest.raises(ValidationError):
        keyedit.rename_value(db, "Profil", "prospect", "Client")  # taken: merge instead
    keyedit.rename_key(db, "Profil", "Statut")
    assert holders(db, "statut:prospect") == 1
    assert get_segment(db, "Les clients").query.startswith('statut:"client fidèle"')
    with pytest.raises(ValidationError):
        keyedit.rename_key(db, "Statut", "ville")  # a built-in field's name
    with pytest.raises(ValidationError):
        keyedit.rename_key(db, "Statut", "Source")
    undo(db)
    undo(db)
    assert holders(db, "profil:clientt") == 2 and list_entries(db, 2)[0].kind != "change"


def test_delete_value_multi_and_reorder(keyed_db: Database) -> None:
    db = keyed_db
    define_key(db, "Loisirs", "multi", ["golf", "voile", "ski"])
    a = create_contact(db, {"last_name": "A"}, {"Loisirs": ["golf", "voile"]})
    b = create_contact(db, {"last_name": "B"}, {"Loisirs": ["golf"]})
    before = dump(db)
    edit = keyedit.delete_value(db, "loisirs", "golf")
    assert edit.contacts == 2
    assert contact_values(db, a)["Loisirs"] == ["voile"]
    assert contact_values(db, b)["Loisirs"] is None
    keyedit.merge_values(db, "loisirs", ["voile"], "ski")
    assert contact_values(db, a)["Loisirs"] == ["ski"]
    keyedit.reorder_values(db, "loisirs", ["ski"])
    assert [v.value for v in get_key(db, "loisirs").values] == ["ski"]
    undo(db)
    undo(db)
    undo(db)
    assert dump(db) == before


def test_retype_with_dry_run(keyed_db: Database) -> None:
    db = keyed_db
    define_key(db, "Budget", "text")
    for index, text in enumerate(["12 500", "1.234,5", "beaucoup", "300"]):
        create_contact(db, {"last_name": f"B{index}"}, {"Budget": text})
    plan = keyedit.plan_retype(db, "budget", "number")
    assert len(plan.converted) == 3 and [f[1] for f in plan.failures] == ["beaucoup"]
    with pytest.raises(QualifError):
        keyedit.retype_key(db, "budget", "number")
    before = dump(db)
    keyedit.retype_key(db, "budget", "number", force=True)
    assert holders(db, "budget>1000") == 2 and holders(db, "has:budget") == 3
    undo(db)
    assert dump(db) == before
    keyedit.retype_key(db, "mise en service", "date")
    assert get_key(db, "mise en service").type == "date"
    plan = keyedit.plan_retype(db, "source", "multi")
    assert plan.ok and plan.new_values[0] == "foire/salon"


def test_delete_key_counts_and_undo(typo_db: Database) -> None:
    db = typo_db
    assert keyedit.key_usage(db, "profil") == 5
    before = dump(db)
    keyedit.delete_key(db, "profil")
    with pytest.raises(NotFound):
        get_key(db, "profil")
    undo(db)
    assert dump(db) == before
    assert holders(db, "profil:clientt") == 2


def test_remind_only_for_dates(keyed_db: Database) -> None:
    db = keyed_db
    keyedit.set_remind(db, "mise en service", remind=True, lead_days=10, after_months=24)
    key = get_key(db, "mise en service")
    assert (key.remind, key.remind_lead_days, key.remind_after_months) == (True, 10, 24)
    with pytest.raises(ValidationError):
        keyedit.set_remind(db, "profil", remind=True, lead_days=3)
    undo(db)
    assert get_key(db, "mise en service").remind_lead_days == 0


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(path), "--demo"]).exit_code == 0

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, [*args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("key", "show", str(path), "profil")
    assert code == 0 and "prospect" in out
    code, out, err = run("key", "merge-values", str(path), "profil", "concurrent", "--into",
                         "partenaire")
    assert code == 0 and "(3 contacts)" in out, err
    code, out, err = run("key", "rename-value", str(path), "profil", "nope", "x")
    assert code == 1 and "pas de valeur" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run("key", "retype", str(path), "mise en service", "number", "--dry-run")
    assert code == 0 and "ne se convertissent" not in out and "rien n'a été écrit" in out
    code, _, err = run("key", "delete", str(path), "métier")
    assert code == 2 and "--yes" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run("key", "delete", str(path), "métier", "--yes")
    assert code == 0
    code, out, _ = run("key", "remind", str(path), "mise en service", "--lead", "20")
    assert code == 0 and "20 jour(s)" in out
    code, out, err = run("key", "remind", str(path), "profil")
    assert code == 1 and "date ou mois" in err
    for _i in range(3):
        assert run("undo", str(path))[0] == 0
    db = open_database(path)
    try:
        assert get_key(db, "métier") and len(get_key(db, "profil").values) == 6
    finally:
        db.close()
