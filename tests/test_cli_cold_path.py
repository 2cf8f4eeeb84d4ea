"""Issue 9, item 10: a one-shot command at 1M contacts answers at once.

Every command ran a full ``PRAGMA quick_check`` on open (4 s of a 4.5 s count at
1 000 000 contacts), imported every library it might use, and counted in SQL
what the app counts on bitmaps. Here: the full check only when the file may have
changed outside qualif; no heavy import on the count path; the bitmaps the app
built kept in the file and used by one-shot commands, with the same answers.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact, delete_contact
from qualif_tui.domain.keys import define_key, set_qualification
from qualif_tui.query import QueryEngine, compile_query, count, stored_facets, use_bitmaps, warm_up
from qualif_tui.storage import database, integrity, open_database

QUERIES = ["profil:client", "profil:client,prospect region:occitanie", "-profil:client",
           "last_contact:1y..6m", "dupont", "devis", "d", "du", "source:web has:email",
           "profil:client OR dept:31", "-profil:client -source:web", "metier:artisan dept:81,82",
           "mise_en_service:2021..2022", "revenue>=30000 OR open_deals>=1", ""]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "carnet.db"
    shutil.copyfile(demo_file, path)
    return path


def test_the_full_check_runs_only_when_the_file_may_have_changed_outside(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[Path] = []
    real = integrity.quick_check

    def counted(conn: sqlite3.Connection) -> None:
        checks.append(demo)
        real(conn)

    monkeypatch.setattr(integrity, "quick_check", counted)
    monkeypatch.setattr(database, "RECORD_CHECK_BYTES", 0)  # as a big file
    assert run("query", demo, "--count")[0] == 0
    assert len(checks) == 1  # not known sound yet: checked, and that is recorded
    commands: list[list[str | Path]] = [
        ["query", demo, "--count"], ["segment", demo, "list"],
        ["query", demo, "profil:client", "--format", "json", "--limit", "50"]]
    for args in commands:
        assert run(*args)[0] == 0
    assert len(checks) == 1
    assert run("segment", demo, "save", "Clients", "profil:client")[0] == 0  # qualif writes
    assert run("query", demo, "--count")[0] == 0
    assert len(checks) == 1  # still known: what qualif writes keeps the file sound
    other = sqlite3.connect(demo)  # another program writes
    other.execute("UPDATE contacts SET city = 'Albi' WHERE id = 1")
    other.commit()
    other.close()
    assert run("query", demo, "--count")[0] == 0
    assert len(checks) == 2


def test_the_count_path_imports_no_heavy_library(demo: Path) -> None:
    script = ("import sys\nfrom qualif_tui.cli import main\n"
              f"sys.argv = ['qualif', 'query', {str(demo)!r}, 'profil:client', '--count']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip().isdigit(), done.stderr[-500:]
    loaded = set(done.stderr.split())
    for heavy in ("rich", "phonenumbers", "importlib.metadata", "textual", "openpyxl",
                  "tempfile", "email"):
        assert heavy not in loaded, heavy


def _answers(db: object, bitmaps: bool) -> dict[str, int]:
    use_bitmaps(db, bitmaps)  # type: ignore[arg-type]
    return {q: count(db, compile_query(db, q)) for q in QUERIES}  # type: ignore[arg-type]


def test_stored_bitmaps_give_the_same_answers_and_follow_the_writes(demo: Path) -> None:
    with open_database(demo) as db:
        expected = _answers(db, False)
        assert stored_facets.refresh(db, force=True)
    # a one-shot process: the stored bitmaps, not SQL
    with open_database(demo, readonly=True) as db:
        assert stored_facets.enable(db)
        assert {q: count(db, compile_query(db, q)) for q in QUERIES} == expected
        assert QueryEngine.of(db).bitmaps
    # writes after the store was written: caught up from change_log on reading
    with open_database(demo) as db:
        profil = [k for k in QueryEngine.of(db).state.current_keys() if k.name == "Profil"][0]
        first = db.scalar("SELECT min(id) FROM contacts")
        set_qualification(db, first, profil.name, "prospect")
        delete_contact(db, first + 1)
        create_contact(db, {"last_name": "Dupont", "postal_code": "31000"}, {"Profil": "client"})
        expected = _answers(db, False)
    with open_database(demo, readonly=True) as db:
        stored_facets.enable(db)
        assert {q: count(db, compile_query(db, q)) for q in QUERIES} == expected
        rows = QueryEngine.of(db).fetch_page(compile_query(db, "profil:client"), limit=5)
        use_bitmaps(db, False)
        assert rows == QueryEngine.of(db).fetch_page(compile_query(db, "profil:client"),
                                                     limit=5)


def test_a_new_key_or_a_pruned_log_falls_back_to_sql(demo: Path) -> None:
    with open_database(demo) as db:
        stored_facets.refresh(db, force=True)
        define_key(db, "Couleur", "choice", ["rouge", "vert"])  # the schema changes
        expected = _answers(db, False)
    with open_database(demo, readonly=True) as db:
        stored_facets.enable(db)
        assert {q: count(db, compile_query(db, q)) for q in QUERIES} == expected
    with open_database(demo) as db:
        stored_facets.refresh(db, force=True)
        first = db.scalar("SELECT min(id) FROM contacts")
        set_qualification(db, first, "Profil", "concurrent")
        last = db.scalar("SELECT max(seq) FROM change_log")
        db.execute("DELETE FROM change_log WHERE seq < ?", (last,))  # pruned past the store
        expected = _answers(db, False)
    with open_database(demo, readonly=True) as db:
        stored_facets.enable(db)
        assert {q: count(db, compile_query(db, q)) for q in QUERIES} == expected


def test_the_app_leaves_its_bitmaps_and_the_cli_uses_them(demo: Path) -> None:
    from qualif_tui.cli.open_app import _keep_bitmaps

    with open_database(demo) as db:
        warm_up(db)
        count(db, compile_query(db, "last_contact<6m"))
        _keep_bitmaps(db)
        names = {r[0] for r in db.query("SELECT name FROM facet_store")}
    assert {"", "dept", "last_contact"} <= names
    code, stdout, _ = run("query", demo, "profil:client", "--format", "json")
    assert code == 0
    assert len(json.loads(stdout)) == int(run("query", demo, "profil:client", "--count")[1])


def test_one_and_two_letters_look_at_the_cards_with_prefix_indexes(demo: Path) -> None:
    with open_database(demo, readonly=True) as db:
        sql = db.scalar("SELECT sql FROM sqlite_schema WHERE name = 'contacts_fts'")
        assert "prefix='1 2'" in sql
        cards = {r[0] for r in db.query(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '\"d\"*'")}
        assert count(db, compile_query(db, "d")) == len(cards)
        # three letters and more: the history too
        assert count(db, compile_query(db, "devis")) > len({r[0] for r in db.query(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '\"devis\"*'")})


def test_the_lazy_consoles_work_as_rich_uses_them() -> None:
    """A progress bar (init --contacts, a big import) uses the console as a context
    manager: the console made on first use must be one."""
    from rich.progress import Progress

    from qualif_tui.cli.output import err

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("x", total=2)
        progress.update(task, completed=2)
    with err:
        pass
