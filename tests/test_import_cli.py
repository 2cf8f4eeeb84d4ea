"""``qualif import`` as a user runs it: messages, exit codes, a database left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(tmp_path: Path) -> str:
    path = str(tmp_path / "demo.db")
    assert run("init", path, "--demo")[0] == 0
    return path


def test_dry_run_shows_encoding_separator_columns_and_writes_nothing(demo: str) -> None:
    before = Path(demo).read_bytes()
    code, out, err = run("import", demo, str(FIXTURES / "excel_fr.csv"), "--dry-run")
    assert code == 0, err
    assert "encodage cp1252 (Windows), séparateur ';'" in out
    assert "Date de naissance │ Anniversaire" in out and "Profil            │ clé Profil" in out
    assert "créerait 5 :" in out and "excel_fr.csv:2  Hélène Dupré" in out
    assert "Profil : « Ancien client » (1 contact(s))" in out
    assert "essai : rien n'a été écrit" in out
    assert Path(demo).read_bytes() == before


def test_import_then_list_then_undo_last(demo: str) -> None:
    code, out, err = run("import", demo, str(FIXTURES / "outlook_fr.csv"),
                         str(FIXTURES / "android_40.vcf"))
    assert code == 0, err
    assert "créés" in out and "import n° 1 fait ; pour le reprendre : qualif import" in out
    assert run("query", demo, "--count")[1].strip() == "304"
    code, out, _ = run("import", demo, "--list")
    assert code == 0 and "outlook_fr.csv" in out and "--undo last" in out
    code, out, _ = run("import", demo, "--undo", "last")
    assert code == 0 and "import n° 1 annulé : 4 contact(s) supprimé(s)" in out
    assert run("query", demo, "--count")[1].strip() == "300"


def test_reimport_says_nothing_new(demo: str) -> None:
    run("import", demo, str(FIXTURES / "google.csv"))
    code, out, _ = run("import", demo, str(FIXTURES / "google.csv"))
    assert code == 0 and "rien de nouveau" in out and "ignorés (doublons)" in out


@pytest.mark.english  # reads the messages in English
def test_bad_inputs_fail_cleanly(demo: str, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # 50 MB of binary junk
        handle.write(b"Nom;Ville\n")
        handle.write(os.urandom(50 * 1024 * 1024))
    before = Path(demo).read_bytes()
    cases = [
        (FIXTURES / "empty.csv", "empty.csv: the file is empty"),
        (FIXTURES / "photo.csv", "photo.csv: a binary file"),
        (FIXTURES / "truncated.vcf", "truncated.vcf, line 6: this card is never ended"),
        (FIXTURES / "no_columns.csv", "no_columns.csv, line 1: no recognisable column"),
        (tmp_path / "missing.csv", "missing.csv: no such file"),
        (big, "big.csv: a binary file"),
        (tmp_path, "is a folder"),
    ]
    for path, message in cases:
        code, out, err = run("import", demo, str(path))
        assert code == 1, (path, err)
        assert "Traceback" not in err and message in err, err
        assert err.startswith("qualif: import refused, the database was not changed:")
    assert Path(demo).read_bytes() == before


@pytest.mark.english  # reads the messages in English
def test_big_text_file_without_structure_is_refused_quickly(demo: str, tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_bytes(b'Nom;Notes\nDupont;"' + b"x" * (3 * 1024 * 1024))
    code, _, err = run("import", demo, str(path))
    assert code == 1 and "line 2" in err and "never closed" in err


@pytest.mark.english  # reads the messages in English
def test_usage_errors(demo: str) -> None:
    assert run("import", demo)[0] == 2
    assert run("import", demo, "x.csv", "--list")[0] == 2
    assert run("import", demo, "--list", "--undo", "1")[0] == 2
    code, _, err = run("import", demo, "--undo", "abc")
    assert code == 1 and "not a batch number" in err
    code, _, err = run("import", str(Path(demo).with_name("nope.db")), str(FIXTURES / "google.csv"))
    assert code == 1 and "no database at" in err


@pytest.mark.english  # reads the messages in English
def test_mapping_option(demo: str, tmp_path: Path) -> None:
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Qui;Courriel pro\nJean Dupont;jean@dupont-sarl.fr\n", encoding="utf-8")
    mapping = tmp_path / "map.txt"
    mapping.write_text("Qui = nom complet\nCourriel pro = email\nAbsent = note\n", encoding="utf-8")
    code, _, err = run("import", demo, str(sheet), "--mapping", str(mapping))
    assert code == 1 and "the mapping names columns no file has: absent" in err
    mapping.write_text("Qui = nom complet\nCourriel pro = email\n", encoding="utf-8")
    code, out, err = run("import", demo, str(sheet), "--mapping", str(mapping))
    assert code == 0, err
    code, out, _ = run("query", demo, "--format", "csv", "--limit", "1000")
    assert "Jean,Dupont,,jean@dupont-sarl.fr" in out
