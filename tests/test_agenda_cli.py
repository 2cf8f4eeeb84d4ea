"""``qualif agenda``: day, week, month and tasks printed; bad dates refused (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualif_tui.cli import main
from qualif_tui.domain.activities import add_activity
from qualif_tui.domain.agenda import times
from qualif_tui.domain.contacts import create_contact
from qualif_tui.storage import open_database


@pytest.fixture(autouse=True)
def paris() -> Iterator[None]:
    times.set_local_zone("Europe/Paris")
    yield
    times.set_local_zone(None)


@pytest.fixture
def agenda_file(tmp_path: Path) -> Path:
    path = tmp_path / "agenda.db"
    with open_database(path, create=True) as db:
        helene = create_contact(db, {"first_name": "Hélène", "last_name": "Durand",
                                     "birthday": "--11-24"})
        add_activity(db, "Rappeler pour le devis", kind="call", starts_at="2026-11-18T11:00",
                     contact_ids=[helene], priority=1)
        add_activity(db, "Essai", kind="meeting", starts_at="2026-11-20T14:00", duration_min=60)
        add_activity(db, "Réunion", kind="meeting", starts_at="2026-11-02T08:30",
                     rrule="FREQ=WEEKLY;BYDAY=MO")
        add_activity(db, "Salon", kind="meeting", starts_at="2026-12-12")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), terminal_width=140)
    return result.exit_code, result.output


def test_today(agenda_file: Path) -> None:
    code, output = run("agenda", str(agenda_file))
    assert code == 0
    assert "vendredi 20 novembre 2026" in output
    lines = output.splitlines()
    late = next(i for i, line in enumerate(lines) if "Rappeler pour le devis" in line)
    essai = next(i for i, line in enumerate(lines) if "Essai" in line)
    assert late < essai and "⟲ 2 j (18/11)" in lines[late] and "Durand Hélène" in lines[late]
    assert "14:00–15:00" in lines[essai]


def test_week_month_and_tasks(agenda_file: Path) -> None:
    code, output = run("agenda", str(agenda_file), "--week", "--date", "lundi")
    assert code == 0 and "semaine 48 — du 23/11 au 29/11/2026" in output
    assert "Réunion ↻" in output and "Anniversaire de Durand Hélène" in output
    code, output = run("agenda", str(agenda_file), "--month", "--date", "2026-12")
    assert code == 0 and "décembre 2026" in output and "Salon" in output
    assert output.count("Réunion") == 4  # the Mondays of December
    code, output = run("agenda", str(agenda_file), "--tasks")
    assert code == 0 and "Tâches à faire (1)" in output and "Rappeler pour le devis" in output


@pytest.mark.english  # reads the messages in English
def test_bad_dates(agenda_file: Path) -> None:
    code, output = run("agenda", str(agenda_file), "--date", "31/02")
    assert code == 2 and "February has 28 days, not 31" in output
    code, output = run("agenda", str(agenda_file), "--date", "vendredi")
    assert code == 2 and "ambiguous" in output and "27/11/2026" in output
    code, output = run("agenda", str(agenda_file.with_name("missing.db")))
    assert code == 1 and "no database" in output
