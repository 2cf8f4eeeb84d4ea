"""``qualif query``: the language through the command line, exit codes, --explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    return str(copy)


def number(text: str) -> int:
    return int(text.strip())


def test_queries_count_and_list(demo: str) -> None:
    total = number(run("query", demo, "--count")[1])
    clients = number(run("query", demo, "profil:Client", "--count")[1])
    others = number(run("query", demo, "NOT profil:client", "--count")[1])
    assert 0 < clients < total and clients + others == total
    # a query may start with '-' without "--", and spread over several arguments
    code, out, err = run("query", demo, "-profil:client", "--count")
    assert code == 0 and number(out) == others, err
    code, out, _ = run("query", demo, "profil:client", "region:occitanie", "--count")
    assert code == 0 and 0 < number(out) < clients
    code, out, _ = run("query", demo, 'segment:"Clients Occitanie"', "--format", "json",
                       "--limit", "1000")
    rows = json.loads(out)
    assert code == 0 and len(rows) == number(run(
        "query", demo, "profil:client region:occitanie", "--count")[1])
    assert all(r["keys"]["Profil"] == "client" for r in rows)


@pytest.mark.parametrize("query, fragment", [
    ("profl:client", "unknown key 'profl'"),
    ("profil:(client", "missing value after 'profil:'"),
    ("region:atlantide", "unknown région"),
    ('segment:"nope"', "no segment named"),
    ("(a", "missing ')'"),
])
def test_bad_queries_exit_2_with_a_caret_on_stderr(demo: str, query: str, fragment: str
                                                   ) -> None:
    code, out, err = run("query", demo, query, "--count")
    assert code == 2 and out == ""
    assert fragment in err and "^" in err and "Traceback" not in err


def test_unknown_value_is_a_warning(demo: str) -> None:
    code, out, err = run("query", demo, "profil:clien", "--count")
    assert code == 0 and number(out) == 0
    assert "warning" in err and "did you mean 'client'" in err and "prospect" in err


def test_explain_prints_the_sql_and_the_plan(demo: str) -> None:
    code, out, err = run("query", demo, "profil:client region:occitanie", "--explain")
    assert code == 0, err
    assert "SELECT count(*)" in out and "f.k1 IN (?)" in out
    assert "SEARCH" in out or "SCAN" in out
    assert "first page (name)" in out


def test_the_installed_command_runs_queries(demo: str) -> None:
    result = subprocess.run([sys.executable, "-m", "qualif_tui", "query", demo,
                             'source:"bouche a oreille" -profil:concurrent', "--count"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and int(result.stdout) > 0, result.stderr
