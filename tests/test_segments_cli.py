"""``qualif segment DB list | save | show | delete | freeze | snapshot | add | remove | rename``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_file.read_bytes())
    return str(copy)


def test_list_shows_name_query_and_live_count(demo: str) -> None:
    code, out, _ = run("segment", demo, "list")
    assert code == 0
    clients = run("query", demo, "profil:client region:occitanie", "--count")[1].strip()
    line = next(x for x in out.splitlines() if x.startswith("Clients Occitanie"))
    assert clients in line and "profil:client region:occitanie" in line and "dynamique" in line


@pytest.mark.english  # reads the messages in English
def test_save_show_use_delete(demo: str) -> None:
    code, out, err = run("segment", demo, "save", "Prospects 31", "profil:prospect dept:31")
    assert code == 0 and "saved" in out, err
    expected = run("query", demo, "profil:prospect dept:31", "--count")[1].strip()
    assert f"{expected} contacts" in out
    code, out, _ = run("segment", demo, "show", "prospects 31")
    assert code == 0 and "profil:prospect dept:31" in out and f"contacts: {expected}" in out
    code, out, _ = run("query", demo, 'segment:"Prospects 31"', "--count")
    assert out.strip() == expected
    code, _, err = run("segment", demo, "save", "Prospects 31", "profil:client")
    assert code == 1 and "already exists" in err
    assert run("segment", demo, "save", "Prospects 31", "profil:client", "--replace")[0] == 0
    code, out, _ = run("segment", demo, "delete", "Prospects 31")
    assert code == 0 and "deleted" in out
    code, _, err = run("segment", demo, "show", "Prospects 31")
    assert code == 1 and "no segment named" in err


@pytest.mark.english  # reads the messages in English
def test_bad_queries_and_cycles_exit_2(demo: str) -> None:
    code, _, err = run("segment", demo, "save", "X", "profl:client")
    assert code == 2 and "unknown key 'profl'" in err and "did you mean 'profil'" in err
    code, _, err = run("segment", demo, "save", "Boucle", 'segment:Boucle OR profil:client')
    assert code == 2 and "segment cycle: Boucle → Boucle" in err
    assert "Boucle" not in run("segment", demo, "list")[1]


def test_static_groups_by_hand(demo: str) -> None:
    code, out, err = run("segment", demo, "freeze", "Mailing", 'segment:"Clients Occitanie"')
    assert code == 0 and "figés" in out, err
    frozen = int(out.split(":")[1].split()[0])
    assert run("segment", demo, "add", "Mailing", "1", "2")[0] == 0
    assert run("segment", demo, "remove", "Mailing", "1")[0] == 0
    count = int(run("query", demo, "segment:mailing", "--count")[1])
    assert frozen <= count <= frozen + 1
    code, out, _ = run("segment", demo, "show", "Mailing")
    assert "statique" in out
    code, _, err = run("segment", demo, "add", "Clients Occitanie", "1")
    assert code == 1 and "segment dynamique" in err
    code, out, _ = run("segment", demo, "add", "Nouveau groupe", "3", "--create")
    assert code == 0 and int(run("query", demo, 'segment:"nouveau groupe"', "--count")[1]) == 1
    code, out, _ = run("segment", demo, "snapshot", "Clients Occitanie", "Clients au 20/11")
    assert code == 0 and "figés" in out
    code, out, _ = run("segment", demo, "rename", "Clients au 20/11", "Clients figés")
    assert code == 0 and "Clients figés" in run("segment", demo, "list")[1]


def test_verb_before_db_is_understood(demo: str) -> None:
    code, out, _ = run("segment", "list", demo)
    assert code == 0 and "Clients Occitanie" in out
