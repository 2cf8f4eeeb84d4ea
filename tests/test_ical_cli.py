"""iCalendar through `qualif export --format ics` and `qualif import FILE.ics`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main

# these tests read the program's messages in English (the catalogue's)
pytestmark = pytest.mark.english


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_agenda_round_trip_through_the_commands(demo_file: Path, tmp_path: Path) -> None:
    ics = tmp_path / "agenda.ics"
    code, _, err = run("export", str(demo_file), "-o", str(ics), "--from", "2026-11-01",
                       "--to", "2026-12-31")
    assert code == 0, err
    assert ics.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert "item(s) written" in err
    target = tmp_path / "other.db"
    assert run("init", str(target))[0] == 0
    code, out, err = run("import", str(target), str(ics))
    assert code == 0, err
    assert "created" in out
    code, out, _ = run("import", str(target), str(ics))  # matched by UID: nothing new
    assert code == 0 and " 0 created" in out


def test_ics_export_refuses_a_query_and_dates_need_ics(demo_file: Path, tmp_path: Path) -> None:
    code, _, err = run("export", str(demo_file), "profil:client", "--format", "ics",
                       "-o", str(tmp_path / "x.ics"))
    assert code != 0 and "Traceback" not in err
    code, _, err = run("export", str(demo_file), "--format", "csv", "--from", "2026-11-01")
    assert code == 2


def test_broken_ics_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    run("init", str(db), "--demo")
    before = db.read_bytes()
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260231T100000\nSUMMARY:x\n",
                      encoding="utf-8")
    code, _, err = run("import", str(db), str(broken))
    assert code != 0 and "Traceback" not in err and "broken.ics" in err
    assert db.read_bytes() == before
