"""Issue 9, item 12: an unknown ``--option`` is never swallowed as query text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import open_database


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    with open_database(path, create=True) as db:
        create_contact(db, {"first_name": "Jean", "last_name": "Xavier"})
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [
    ["export", "{db}", "name:x", "-o", "{out}", "--frce"],
    ["query", "{db}", "name:x", "--cuont"],
    ["segment", "{db}", "save", "S", "name:x", "--replce"],
    ["segment", "{db}", "freeze", "S", "name:x", "--replce"],
])
def test_unknown_double_dash_word_is_an_error_naming_it(small_file: Path, tmp_path: Path,
                                                        command: list[str]) -> None:
    out = tmp_path / "out.csv"
    args = [a.format(db=small_file, out=out) for a in command]
    code, stdout, stderr = run(*args)
    assert code == 2
    assert args[-1] in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("qualif: ")
    assert not out.exists()
    assert "S" not in run("segment", str(small_file), "list")[1].split()


def test_quoted_or_after_double_dash_stays_query_text(small_file: Path, tmp_path: Path) -> None:
    code, stdout, stderr = run("query", str(small_file), 'name:x "--cuont"', "--count")
    assert code == 0 and stdout.strip() == "0"
    code, stdout, _ = run("query", str(small_file), "--count", "--", "--cuont")
    assert code == 0 and stdout.strip() == "0"
    # a single dash is a negation, as before
    code, stdout, _ = run("query", str(small_file), "-name:xavier", "--count")
    assert code == 0 and stdout.strip() == "0"


def test_click_usage_errors_are_one_line(small_file: Path) -> None:
    code, _, stderr = run("check", str(small_file), "--bogus")
    assert code == 2 and stderr.count("\n") == 1 and "--bogus" in stderr
    assert stderr.startswith("qualif: ") and "check --help" in stderr
