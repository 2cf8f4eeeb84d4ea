"""``qualif import`` of mail archives as a user runs it: the preview, the write, the exit
statuses, bad input refused with the database left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from mail_helpers import FIXTURES, ME, add_people, paris

from qualif_tui.cli import main
from qualif_tui.storage import open_database

__all__ = ["paris"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def people_db(tmp_path: Path) -> str:
    path = tmp_path / "people.db"
    with open_database(path, create=True) as db:
        add_people(db)
    return str(path)


def test_contract_example_eml_dry_run_on_the_demo(tmp_path: Path) -> None:
    demo = str(tmp_path / "demo.db")
    assert run("init", demo, "--demo")[0] == 0
    eml = tmp_path / "one.eml"
    eml.write_text("From: Jeanne Exemple <jeanne@example.org>\nTo: moi@example.org\n"
                   "Subject: =?utf-8?q?R=C3=A9union?=\nDate: Tue, 07 Apr 2026 14:00:00 +0200\n"
                   "Message-ID: <a1@example.org>\n\nBonjour, à mardi.\n", encoding="utf-8")
    before = Path(demo).read_bytes()
    code, out, err = run("import", demo, str(eml), "--dry-run")
    assert code == 0, err
    assert "1 message(s) lu(s)" in out and "essai : rien n'a été écrit" in out
    assert Path(demo).read_bytes() == before


def test_preview_then_import_then_nothing_new_then_undo(people_db: str, paris: None) -> None:
    folder = str(FIXTURES / "thunderbird")
    code, out, err = run("import", people_db, folder, "--dry-run", "--create-contacts", "min:2")
    assert code == 0, err
    assert "3 fichier(s) (mbox 3), 9 message(s) lu(s)" in out
    assert "ignorés (pas du courrier) : Inbox.msf, Sent.msf, msgFilterRules.dat" in out
    assert f"Vos adresses : {ME} (déduite" in out
    assert "✓ │ Marc Dubois" in out
    assert "newsletter@promo-bricolage.example" in out and "no-reply@impots.example" in out
    code, out, err = run("import", people_db, folder, "--create-contacts", "min:2")
    assert code == 0, err
    assert "import n° 1 fait :" in out and "1 contact(s) créé(s)" in out
    assert "messages/s" in out and f"qualif import {people_db} --undo 1" in out
    code, out, _err = run("import", people_db, folder)
    assert code == 0 and "rien de nouveau" in out
    with open_database(people_db) as db:
        mails = db.scalar("SELECT count(*) FROM history WHERE kind = 'email'")
    code, out, err = run("import", people_db, "--list")
    assert code == 0 and "e-mails" in out
    assert any(line.split()[0] == "1" and str(mails) in line.split() for line in out.splitlines()
               if line.split())
    code, out, err = run("import", people_db, "--undo", "last")
    assert code == 0, err
    assert "import #1 undone: 1 contact(s) deleted" in out
    assert f"{mails} e-mail(s) removed" in out
    with open_database(people_db) as db:
        assert db.scalar("SELECT count(*) FROM history WHERE kind = 'email'") == 0


def test_me_sets_the_own_address(people_db: str) -> None:
    code, out, err = run("import", people_db, str(FIXTURES / "eml"), "--me", "Sophie@Atelier-Martin.fr")
    assert code == 0, err
    with open_database(people_db) as db:
        assert db.scalar("SELECT value FROM meta WHERE key = 'settings.mail.own_addresses'") \
            == f'["{ME}"]'


def test_bad_input_refused_then_skipped(people_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURES / "bad", bad)
    before = Path(people_db).read_bytes()
    code, out, err = run("import", people_db, str(bad))
    assert code == 1
    assert "import refusé, rien n'a été écrit" in err
    assert "truncated.mbox, message 2 (octet 231): message tronqué" in err
    assert "not-a-message.msg: pas un message Outlook lisible" in err
    assert "--skip-bad" in err and "Traceback" not in err
    assert Path(people_db).read_bytes() == before
    code, out, err = run("import", people_db, str(bad), "--skip-bad")
    assert code == 0, err
    assert "import n° 1 fait : 4 entrée(s)" in out


def test_bad_usage(people_db: str, tmp_path: Path) -> None:
    code, _out, err = run("import", people_db, str(FIXTURES / "eml"), "--create-contacts",
                          "beaucoup")
    assert code == 2 and "all, none ou min:N" in err
    empty = tmp_path / "vide"
    empty.mkdir()
    code, _out, err = run("import", people_db, str(empty))  # no mail in it: not an archive
    assert code == 1 and "is a folder" in err


def test_excerpt_is_kept_as_the_files_setting(people_db: str) -> None:
    code, _out, err = run("import", people_db, str(FIXTURES / "eml"), "--excerpt", "30")
    assert code == 0, err
    with open_database(people_db) as db:
        assert db.scalar("SELECT value FROM meta WHERE key = 'settings.mail.excerpt_chars'") \
            == "30"
        body = db.scalar("SELECT body FROM history WHERE subject LIKE 'Facture%'")
        assert body.split("\n\n", 1)[1].endswith(" …")
    code, _out, err = run("import", people_db, str(FIXTURES / "eml"), "--excerpt", "-1")
    assert code == 2
